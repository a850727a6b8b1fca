// The query editor: a multi-line textarea with completion for PromQL, LogQL and TraceQL. What it completes depends
// on where the cursor is: a word (metric names, functions with their signature and description, keywords), a label
// name or value inside a selector's braces (scoped by the metric and the matchers already written), a label after
// by/without/on/ignoring, a range duration. Keyboard: the list opens as you type (Ctrl+Space opens it anywhere),
// Up/Down move, Enter or Tab take the suggestion, Escape closes; with the list closed Enter runs and Shift+Enter
// starts a new line. Suggestions come from the server: PromQL functions from /api/v1/status/functions.
import { h } from './dom.js';
import { labelNames, labelValues, logLabels, metricNames, promqlFunctions, traceTags } from './api.js';

export const LANGUAGES = { promql: 'PromQL', logql: 'LogQL', traceql: 'TraceQL' };

const MAX_SHOWN = 50;
const DURATIONS = ['1m', '5m', '10m', '15m', '30m', '1h', '6h', '12h', '1d', '7d'];

// What the server's parsers have besides functions; keywords, so they live with the editor.
const word = (label, detail, doc = '') => ({ label, kind: 'keyword', detail, doc });
const AGGREGATION_DOCS = {
  sum: 'Sum over dimensions', avg: 'Average over dimensions', min: 'Minimum over dimensions',
  max: 'Maximum over dimensions', count: 'Number of elements', stddev: 'Population standard deviation',
  stdvar: 'Population variance', group: '1 per group', topk: 'Largest k elements by value',
  bottomk: 'Smallest k elements by value', quantile: 'phi-quantile over dimensions',
  count_values: 'Elements counted by value, into a label', limitk: 'k elements per group, any',
  limit_ratio: 'A deterministic ratio of the elements',
};
const PARAMETER = { topk: 'k, ', bottomk: 'k, ', quantile: 'phi, ', count_values: '"label", ', limitk: 'k, ', limit_ratio: 'ratio, ' };
const PROMQL_WORDS = [
  ...Object.entries(AGGREGATION_DOCS).map(([name, doc]) => ({
    label: name, kind: 'aggregation', detail: `${name} [by|without (labels)] (${PARAMETER[name] ?? ''}v)`, doc, insert: `${name}(`,
  })),
  ...['by', 'without', 'on', 'ignoring', 'group_left', 'group_right'].map((k) => word(k, `${k} (labels)`)),
  ...['offset', 'bool', 'and', 'or', 'unless', 'atan2'].map((k) => word(k, k)),
];
const LOGQL_WORDS = [
  ...['count_over_time', 'rate', 'bytes_over_time', 'bytes_rate', 'absent_over_time'].map((f) =>
    ({ label: f, kind: 'function', detail: `${f}(log-range)`, doc: 'Range aggregation over log lines', insert: `${f}(` })),
  ...['rate_counter', 'sum_over_time', 'avg_over_time', 'min_over_time', 'max_over_time', 'stdvar_over_time',
    'stddev_over_time', 'first_over_time', 'last_over_time', 'quantile_over_time'].map((f) =>
    ({ label: f, kind: 'function', detail: `${f}(log-range | unwrap label)`, doc: 'Range aggregation over an unwrapped label', insert: `${f}(` })),
  ...['sum', 'avg', 'min', 'max', 'count', 'topk', 'bottomk', 'stddev', 'stdvar', 'sort', 'sort_desc'].map((a) =>
    ({ label: a, kind: 'aggregation', detail: `${a} [by|without (labels)] (v)`, doc: AGGREGATION_DOCS[a] ?? 'Sorts by value', insert: `${a}(` })),
  ...['json', 'logfmt', 'regexp', 'pattern', 'unpack', 'line_format', 'label_format', 'unwrap', 'drop', 'keep',
    'decolorize'].map((k) => word(k, `| ${k}`, 'Pipeline stage')),
  ...['by', 'without', 'on', 'ignoring', 'offset', 'bool', 'and', 'or', 'unless'].map((k) => word(k, k)),
];
const TRACEQL_WORDS = [
  ...[['name', 'span name'], ['status', 'error | ok | unset'], ['kind', 'server | client | ...'], ['duration', 'span duration'],
    ['rootName', 'name of the trace root'], ['rootServiceName', 'service of the trace root'],
    ['traceDuration', 'whole trace duration']].map(([k, doc]) => ({ label: k, kind: 'intrinsic', detail: k, doc })),
  ...['count', 'avg', 'min', 'max', 'sum', 'select', 'by'].map((k) =>
    ({ label: k, kind: 'function', detail: `${k}(...)`, doc: 'Spanset operation', insert: `${k}(` })),
];

/**
 * Where in the query the cursor is, from the text before it: the open brackets (innermost last) and, when the
 * cursor is inside a string, where that string starts. Comments (#, to the line's end) are skipped.
 */
function scan(text, comments) {
  const open = [];
  let string = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (string) {
      if (c === '\\' && string.quote !== '`') i++;
      else if (c === string.quote) string = null;
    } else if (c === '"' || c === "'" || c === '`') {
      string = { quote: c, at: i };
    } else if (c === '#' && comments) {
      const nl = text.indexOf('\n', i);
      if (nl < 0) break;
      i = nl;
    } else if ('({['.includes(c)) {
      open.push({ ch: c, at: i });
    } else if (')}]'.includes(c)) {
      open.pop();
    }
  }
  return { open, string };
}

const MATCHER_END = /([A-Za-z_][\w.]*)\s*(=~|!~|!=|=)\s*$/;

/**
 * The completion context at pos: {kind, prefix, from, ...}. kind: 'word' (metric, function, keyword), 'label'
 * (a label name), 'value' (of `label`; `quote` set when the cursor is in a string, else the value gets quotes),
 * 'duration', or null for nothing to complete. `selector` is the metric and finished matchers of the braces.
 */
function contextAt(text, pos, language) {
  const before = text.slice(0, pos);
  const { open, string } = scan(before, language !== 'traceql');
  const top = open[open.length - 1];
  const braces = top?.ch === '{' ? before.slice(top.at + 1) : null;
  if (string) {
    const m = top?.ch === '{' && MATCHER_END.exec(before.slice(0, string.at));
    return m ? { kind: 'value', label: m[1], prefix: before.slice(string.at + 1), from: string.at + 1, quote: string.quote,
      selector: selectorBefore(before, top.at, string.at - m[0].length) } : null;
  }
  const prefix = /[A-Za-z_:][\w:.]*$/.exec(before)?.[0] ?? '';
  const from = pos - prefix.length;
  if (braces != null) {
    const segment = lastMatcher(braces);
    const m = MATCHER_END.exec(segment.slice(0, segment.length - prefix.length));
    if (m && language !== 'traceql') return prefix ? null : { kind: 'value', label: m[1], prefix: '', from: pos, quote: null, selector: selectorBefore(before, top.at, pos - segment.length) };
    if (m) return { kind: 'value', label: m[1], prefix, from, quote: null };
    // Labels the braces match on already are not offered again.
    const used = new Set([...braces.slice(0, braces.length - segment.length).matchAll(/([A-Za-z_][\w.]*)\s*(?:=~|!~|!=|=)/g)].map((u) => u[1]));
    return { kind: 'label', prefix, from, used, selector: selectorBefore(before, top.at, pos - segment.length) };
  }
  if (top?.ch === '(' && /\b(by|without|on|ignoring|group_left|group_right)\s*$/.test(before.slice(0, top.at))) {
    return { kind: 'label', prefix, from, used: new Set(), selector: null };
  }
  if (top?.ch === '[') {
    const d = /[\dsmhdwy]*$/.exec(before)[0];
    return { kind: 'duration', prefix: d, from: pos - d.length };
  }
  return { kind: 'word', prefix, from };
}

/** The text of the matcher being written: after the braces' last comma that is not inside a string. */
function lastMatcher(braces) {
  let quote = null;
  let start = 0;
  for (let i = 0; i < braces.length; i++) {
    const c = braces[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === ',') start = i + 1;
  }
  return braces.slice(start);
}

/**
 * The selector that scopes label completion: the metric name before the braces and the matchers already
 * written in them (up to `end`), e.g. http_requests_total{job="api"}; null when there is neither.
 */
function selectorBefore(before, braceAt, end) {
  const metric = /([A-Za-z_:][\w:]*)\s*$/.exec(before.slice(0, braceAt))?.[1] ?? '';
  const done = before.slice(braceAt + 1, Math.max(braceAt + 1, end)).trim().replace(/,$/, '');
  if (!metric && !done) return null;
  return `${metric}{${done}}`;
}

/** Ranks prefix matches first, then other substring matches, case-insensitively. */
function filter(items, prefix) {
  const p = prefix.toLowerCase();
  const starts = [];
  const contains = [];
  for (const item of items) {
    const l = item.label.toLowerCase();
    if (l === p && !item.insert) continue;
    if (l.startsWith(p)) starts.push(item);
    else if (p && l.includes(p)) contains.push(item);
  }
  return [...starts, ...contains].slice(0, MAX_SHOWN);
}

/** Functions from the server, fetched once per page for every editor on it. */
let functionList;
function functions() {
  functionList ??= promqlFunctions().then((list) => list.map((f) => ({
    label: f.name, kind: 'function', detail: f.signature, doc: f.description + (f.experimental ? ' (experimental)' : ''),
    insert: `${f.name}(`,
  })));
  return functionList;
}

/** Caches each distinct request of an editor (label names per selector, values per label and selector). */
function cached(cache, key, load) {
  if (!cache.has(key)) cache.set(key, load().catch(() => []));
  return cache.get(key);
}

/** The candidate items for a context, in the editor's language. */
async function candidates(ctx, language, cache) {
  const items = (names, kind) => names.map((n) => ({ label: n, kind }));
  if (ctx.kind === 'duration') return DURATIONS.map((d) => ({ label: d, kind: 'duration' }));
  if (language === 'promql') {
    if (ctx.kind === 'word') {
      const [metrics, fns] = await Promise.all([cached(cache, 'metrics', metricNames), functions().catch(() => [])]);
      return [...items(metrics, 'metric'), ...fns, ...PROMQL_WORDS];
    }
    if (ctx.kind === 'label') {
      const names = await cached(cache, `labels ${ctx.selector}`, () => labelNames(ctx.selector ?? undefined));
      return items(names.filter((n) => n !== '__name__' && !ctx.used.has(n)), 'label');
    }
    return items(await cached(cache, `values ${ctx.label} ${ctx.selector}`, () => labelValues(ctx.label, ctx.selector ?? undefined)), 'value');
  }
  if (language === 'logql') {
    if (ctx.kind === 'word') return LOGQL_WORDS;
    if (ctx.kind === 'label') return items((await cached(cache, 'log labels', () => logLabels())).filter((n) => !ctx.used.has(n)), 'label');
    return items(await cached(cache, `log values ${ctx.label}`, () => logLabels(ctx.label)), 'value');
  }
  if (ctx.kind === 'value') {
    const tag = ctx.label.replace(/^\./, '');
    const values = await cached(cache, `trace values ${tag}`, () => traceTags(tag).then((r) => r.tagValues ?? []));
    // Strings go quoted, keywords (status, kind) and numbers as they are.
    return values.map((v) => ({ label: v.value, kind: 'value', insert: v.type === 'string' && !ctx.quote ? JSON.stringify(v.value) : v.value }));
  }
  const tags = await cached(cache, 'trace tags', () => traceTags().then((r) => (r.scopes ?? []).flatMap(({ name, tags: t }) =>
    t.map((tag) => (name === 'intrinsic' ? tag : `${name}.${tag}`)))));
  return [...items(tags, 'attribute'), ...TRACEQL_WORDS];
}

/**
 * A parse error's position as [line, column] (1-based): PromQL's "2:13: parse error: ..." and LogQL's and
 * TraceQL's "parse error at line 2, col 13: ..."; null when the message names none.
 */
export function errorPosition(message) {
  const m = /(\d+):(\d+): parse error/.exec(message) ?? /parse error at line (\d+), col (\d+)/.exec(message);
  return m ? [Number(m[1]), Number(m[2])] : null;
}

/** For a parse error, the query's line it names with a caret under the column; "" when it names no position. */
export function caretView(message, text) {
  const at = errorPosition(message);
  const line = at && text.split('\n')[at[0] - 1];
  return line == null ? '' : `\n\n${line}\n${' '.repeat(Math.max(0, at[1] - 1))}^`;
}

let editors = 0;

/**
 * A query editor. options: language (promql | logql | traceql), value, label (accessible name), onRun (Enter,
 * Ctrl+Enter). Returns {element, textarea, value, language, setLanguage(l), focus(), markError(message)}.
 */
export function createEditor({ language = 'promql', value = '', label = 'Query', onRun = () => {} } = {}) {
  const id = `editor-${++editors}`;
  const textarea = h('textarea.editor-input', {
    spellcheck: 'false', autocomplete: 'off', autocapitalize: 'off', wrap: 'off', rows: 1,
    role: 'combobox', 'aria-autocomplete': 'list', 'aria-expanded': 'false', 'aria-controls': `${id}-list`,
  });
  const list = h('ul.completions', { id: `${id}-list`, role: 'listbox' });
  const doc = h('div.completion-doc', { hidden: true });
  const popup = h('div.completion-popup', { hidden: true }, list, doc);
  const element = h('div.editor', {}, textarea, popup);
  const cache = new Map();
  let lang = language;
  let shown = [];
  let selected = 0;
  let context = null;
  let request = 0;
  let inserting = false;

  function setLanguage(l) {
    lang = l in LANGUAGES ? l : 'promql';
    textarea.setAttribute('aria-label', `${label} (${LANGUAGES[lang]})`);
    textarea.placeholder = {
      promql: 'e.g. rate(http_requests_total[5m])',
      logql: 'e.g. {service_name="checkout"} |= "error"  or  sum by (level) (rate({job="app"}[5m]))',
      traceql: 'e.g. { resource.service.name = "checkout" && duration > 200ms }',
    }[lang] + '   (Enter runs, Shift+Enter new line, Ctrl+Space completes)';
    cache.clear();
    close();
  }

  function fit() {
    textarea.rows = Math.min(12, textarea.value.split('\n').length);
  }

  function close() {
    request++;
    popup.hidden = true;
    shown = [];
    textarea.setAttribute('aria-expanded', 'false');
    textarea.removeAttribute('aria-activedescendant');
  }

  async function update(explicit) {
    // Every update outdates the answers still on their way.
    const mine = ++request;
    const pos = textarea.selectionStart;
    if (pos !== textarea.selectionEnd) return close();
    const ctx = contextAt(textarea.value, pos, lang);
    // A bare word position opens the list only once something is typed (or when asked).
    if (!ctx || (ctx.kind === 'word' && !ctx.prefix && !explicit)) return close();
    const all = await candidates(ctx, lang, cache).catch(() => []);
    if (mine !== request) return undefined;
    context = ctx;
    shown = filter(all, ctx.prefix);
    if (!shown.length) return close();
    selected = 0;
    render();
    place();
    return undefined;
  }

  function render() {
    list.replaceChildren(...shown.map((item, i) => h('li', {
      id: `${id}-opt-${i}`, role: 'option', 'aria-selected': String(i === selected), 'data-kind': item.kind,
      onmousedown: (e) => {
        e.preventDefault();
        accept(i);
      },
    }, h('span.kind', {}, item.kind), h('span.label', {}, item.label))));
    const item = shown[selected];
    doc.hidden = !item.detail && !item.doc;
    doc.replaceChildren(...[item.detail && h('code', {}, item.detail), item.doc && h('span', {}, item.doc)].filter(Boolean));
    popup.hidden = false;
    textarea.setAttribute('aria-expanded', 'true');
    textarea.setAttribute('aria-activedescendant', `${id}-opt-${selected}`);
    list.children[selected]?.scrollIntoView({ block: 'nearest' });
  }

  /** Puts the list under the cursor: monospace text, so line and column give the place. */
  function place() {
    const css = getComputedStyle(textarea);
    const before = textarea.value.slice(0, context.from);
    const line = before.split('\n').length - 1;
    const column = before.length - before.lastIndexOf('\n') - 1;
    const lineHeight = parseFloat(css.lineHeight);
    const left = parseFloat(css.paddingLeft) + column * charWidth(css.font) - textarea.scrollLeft;
    popup.style.left = `${Math.max(0, Math.min(left, element.clientWidth - popup.offsetWidth))}px`;
    popup.style.top = `${parseFloat(css.paddingTop) + (line + 1) * lineHeight - textarea.scrollTop + 4}px`;
  }

  function accept(i) {
    const item = shown[i];
    const pos = textarea.selectionStart;
    let text = item.insert ?? item.label;
    if (context.kind === 'value' && !item.insert) {
      const quote = context.quote ?? '"';
      const inner = quote === '`' ? text : JSON.stringify(text).slice(1, -1);
      text = context.quote ? inner : `"${inner}"`;
      // Close the string the cursor is in unless it is closed already.
      if (context.quote && textarea.value[pos] !== quote) text += quote;
    }
    if (text.endsWith('(') && textarea.value[pos] === '(') text = text.slice(0, -1);
    close();
    replace(context.from, pos, text);
  }

  /** Replaces [from, to) with text as typing would (undo works), without opening the list again. */
  function replace(from, to, text) {
    textarea.focus();
    textarea.setSelectionRange(from, to);
    inserting = true;
    const done = document.execCommand('insertText', false, text);
    inserting = false;
    if (!done) {
      textarea.setRangeText(text, from, to, 'end');
      textarea.dispatchEvent(new Event('input'));
    }
    fit();
  }

  textarea.addEventListener('input', () => {
    fit();
    if (!inserting) update(false);
  });
  textarea.addEventListener('keydown', (e) => {
    const open = !popup.hidden && shown.length > 0;
    if (e.key === ' ' && e.ctrlKey) {
      e.preventDefault();
      update(true);
    } else if (open && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
      e.preventDefault();
      selected = (selected + (e.key === 'ArrowDown' ? 1 : shown.length - 1)) % shown.length;
      render();
    } else if (open && (e.key === 'Enter' || e.key === 'Tab') && !e.ctrlKey && !e.metaKey && !e.shiftKey) {
      e.preventDefault();
      accept(selected);
    } else if (open && e.key === 'Escape') {
      e.preventDefault();
      close();
    } else if (e.key === 'Enter' && !e.shiftKey) {
      // Ours alone: a form around the editor must not run the query a second time.
      e.preventDefault();
      e.stopPropagation();
      close();
      onRun();
    }
  });
  textarea.addEventListener('blur', close);
  textarea.addEventListener('click', close);

  setLanguage(language);
  textarea.value = value;
  fit();

  return {
    element,
    textarea,
    get value() {
      return textarea.value;
    },
    set value(v) {
      textarea.value = v;
      fit();
    },
    get language() {
      return lang;
    },
    setLanguage,
    focus: () => textarea.focus(),
    /**
     * Marks the editor invalid and, when the message names a position, puts the cursor there; "" clears the mark.
     * Returns the caret view of the position (see caretView).
     */
    markError(message) {
      const at = message && errorPosition(message);
      textarea.toggleAttribute('aria-invalid', Boolean(message));
      if (at) {
        const lines = textarea.value.split('\n');
        const offset = lines.slice(0, at[0] - 1).reduce((n, l) => n + l.length + 1, 0) + at[1] - 1;
        textarea.setSelectionRange(Math.min(offset, textarea.value.length), Math.min(offset, textarea.value.length));
      }
      return message ? caretView(message, textarea.value) : '';
    },
  };
}

let measure;
/** The width of one character of a monospace font. */
function charWidth(font) {
  measure ??= document.createElement('canvas').getContext('2d');
  measure.font = font;
  return measure.measureText('M').width;
}
