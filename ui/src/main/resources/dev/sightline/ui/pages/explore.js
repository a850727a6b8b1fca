// The Explore page: one or more queries (A, B, ...) in PromQL or a LogQL metric query, drawn as one graph (stacked
// or not, log scale, exemplars as dots that open their trace) and a table of last values. A LogQL log query opens
// the Logs page and a TraceQL query the Traces page. Everything lives in the URL's query string
// (query, repeated for each query; lang, range or from/to, step, stacked, log, exemplars), so a copied URL opens
// the same view.
import { h } from '../dom.js';
import { logQueryRange, queryExemplars, queryRange } from '../api.js';
import { drawChart, formatTime, formatValue, seriesName, zoneName } from '../chart.js';
import { LANGUAGES, createEditor } from '../editor.js';

const RANGES = ['5m', '15m', '30m', '1h', '3h', '6h', '12h', '24h', '2d', '7d', '30d'];
const DEFAULT_RANGE = '1h';
// About this many points per series when the step is left to us, as Prometheus's own UI does.
const AUTO_POINTS = 250;
const LETTERS = 'ABCDEFGHIJ';
const SECONDS = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };

/** Seconds from "15s", "1m", "2h", "1d", "1h30m" or a plain number; null when it is neither. */
function parseDuration(text) {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) > 0 ? Number(text) : null;
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)/g)];
  if (!parts.length || parts.map((p) => p[0]).join('') !== text) return null;
  const seconds = parts.reduce((sum, [, n, unit]) => sum + Number(n) * SECONDS[unit], 0);
  return seconds > 0 ? seconds : null;
}

/** A time in the URL: seconds since the epoch or an ISO date; null when it is neither. */
function parseTime(text) {
  if (text == null || text === '') return null;
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms / 1000;
}

/** A datetime-local input's value (the browser's local time, to the second) for seconds since the epoch. */
function localInput(seconds) {
  return formatTime(Math.floor(seconds)).replace(' ', 'T');
}

/** A datetime-local value as an ISO time (UTC) for the URL; as typed when it is no time. */
function isoTime(local) {
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? local : d.toISOString();
}

/** A LogQL query that selects lines rather than computing numbers: it starts with its stream selector. */
function isLogQuery(text) {
  return text.trimStart().startsWith('{');
}

export async function mount(main, { query: params }) {
  const form = h('form', { id: 'explore', autocomplete: 'off' });
  const language = h('select', { id: 'lang', 'aria-label': 'Query language' },
    ...Object.entries(LANGUAGES).map(([value, text]) => new Option(text, value)));
  const range = h('select', { id: 'range', 'aria-label': 'Time range' },
    ...RANGES.map((r) => new Option(`Last ${r}`, r)), new Option('Custom…', 'custom'));
  const from = h('input', { id: 'from', type: 'datetime-local', step: '1', 'aria-label': 'From (local time)' });
  const to = h('input', { id: 'to', type: 'datetime-local', step: '1', 'aria-label': 'To (local time)' });
  const custom = h('span.custom-range', {}, from, h('span', {}, '→'), to);
  const step = h('input', { id: 'step', size: 6, spellcheck: 'false', placeholder: 'auto', 'aria-label': 'Step' });
  const toggle = (id, text) => {
    const box = h('input', { id, type: 'checkbox' });
    return [box, h('label.toggle', {}, box, text)];
  };
  const [stacked, stackedLabel] = toggle('stacked', 'Stacked');
  const [logScale, logLabel] = toggle('log-scale', 'Log scale');
  const [exemplars, exemplarsLabel] = toggle('exemplars', 'Exemplars');
  const queries = h('div', { id: 'queries' });
  const addQuery = h('button.secondary', { id: 'add-query', type: 'button' }, '+ Query');
  const run = h('button', { id: 'run', type: 'submit' }, 'Run');
  const errorBox = h('div', { id: 'error', role: 'alert', hidden: true });
  const status = h('p', { id: 'status', 'aria-live': 'polite' });
  const chartBox = h('section', { id: 'chart', 'aria-label': 'Graph' });
  const table = h('table', { id: 'table', hidden: true },
    h('thead', {}, h('tr', {}, h('th', {}, 'Query'), h('th', {}, 'Series'), h('th', {}, 'Last value'),
      h('th', { id: 'table-time' }, 'At'))),
    h('tbody'));
  form.append(
    queries,
    h('div.toolbar', {},
      h('label', {}, h('span', {}, 'Language'), language),
      h('label', {}, h('span', {}, 'Range'), range),
      custom,
      h('label', {}, h('span', {}, 'Step'), step),
      stackedLabel, logLabel, exemplarsLabel,
      addQuery, run));
  main.replaceChildren(form, errorBox, status, chartBox, table);

  const editors = [];
  let chart = null;
  let last = null; // the last result drawn, redrawn as is when a display toggle changes

  function addEditor(text = '') {
    const editor = createEditor({ language: language.value, value: text, label: 'Query', onRun: () => execute(true) });
    const row = h('div.query-row', {},
      h('span.query-letter', {}),
      editor.element,
      h('button.secondary.remove', { type: 'button', 'aria-label': 'Remove query', onclick: () => {
        editors.splice(editors.indexOf(editor), 1);
        row.remove();
        renumber();
      } }, '×'));
    editor.row = row;
    editors.push(editor);
    queries.append(row);
    renumber();
    return editor;
  }

  function renumber() {
    editors.forEach((e, i) => {
      e.letter = LETTERS[i];
      e.row.querySelector('.query-letter').textContent = e.letter;
      e.textarea.id = i === 0 ? 'query' : `query-${e.letter}`;
      e.row.querySelector('.remove').hidden = editors.length === 1;
    });
    addQuery.disabled = editors.length >= LETTERS.length;
  }

  // The URL's state into the controls.
  language.value = params.get('lang') in LANGUAGES ? params.get('lang') : 'promql';
  const fromTime = parseTime(params.get('from'));
  const toTime = parseTime(params.get('to'));
  if (fromTime != null && toTime != null) {
    range.value = 'custom';
    from.value = localInput(fromTime);
    to.value = localInput(toTime);
  } else {
    const r = params.get('range') ?? DEFAULT_RANGE;
    if (!RANGES.includes(r) && parseDuration(r)) range.add(new Option(`Last ${r}`, r), range.options.length - 1);
    range.value = parseDuration(r) ? r : DEFAULT_RANGE;
  }
  step.value = params.get('step') ?? '';
  stacked.checked = params.get('stacked') === '1';
  logScale.checked = params.get('log') === '1';
  exemplars.checked = params.get('exemplars') !== '0';
  const texts = params.getAll('query');
  (texts.length ? texts : ['']).forEach((t) => addEditor(t));

  function showCustom() {
    custom.hidden = range.value !== 'custom';
    if (range.value === 'custom' && !from.value) {
      const now = Date.now() / 1000;
      from.value = localInput(now - 3600);
      to.value = localInput(now);
    }
  }
  showCustom();

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
  }

  function writeUrl() {
    const url = new URLSearchParams();
    editors.forEach((e) => url.append('query', e.value.trim()));
    if (language.value !== 'promql') url.set('lang', language.value);
    if (range.value === 'custom') {
      url.set('from', isoTime(from.value));
      url.set('to', isoTime(to.value));
    } else {
      url.set('range', range.value);
    }
    if (step.value.trim()) url.set('step', step.value.trim());
    if (stacked.checked) url.set('stacked', '1');
    if (logScale.checked) url.set('log', '1');
    if (!exemplars.checked) url.set('exemplars', '0');
    history.replaceState(null, '', `?${url}`);
  }

  /** [start, end] in seconds, or an error message naming the field. */
  function timeRange() {
    if (range.value !== 'custom') {
      const end = Math.floor(Date.now() / 1000);
      return [end - parseDuration(range.value), end];
    }
    const [start, end] = [new Date(from.value).getTime() / 1000, new Date(to.value).getTime() / 1000];
    if (Number.isNaN(start)) return 'from: not a date and time';
    if (Number.isNaN(end)) return 'to: not a date and time';
    if (end <= start) return 'to: must be after from';
    return [start, end];
  }

  /** The page another language's query opens: Logs for a LogQL log query, Traces for TraceQL. */
  function elsewhere(text) {
    const lang = language.value;
    if (lang === 'traceql') return `/traces?${new URLSearchParams({ q: text })}`;
    if (lang === 'logql' && isLogQuery(text)) {
      return `/logs?${new URLSearchParams({ query: text, range: range.value === 'custom' ? DEFAULT_RANGE : range.value })}`;
    }
    return null;
  }

  /** Runs every query; explicit: the user asked (a page opened from its URL only links to another page). */
  async function execute(explicit) {
    writeUrl();
    errorBox.hidden = true;
    editors.forEach((e) => e.markError(''));
    const active = editors.filter((e) => e.value.trim());
    if (!active.length) return;
    const bounds = timeRange();
    if (typeof bounds === 'string') {
      showError(bounds);
      return;
    }
    const [start, end] = bounds;
    const stepSeconds = step.value.trim() ? parseDuration(step.value.trim()) : Math.max(1, Math.ceil((end - start) / AUTO_POINTS));
    if (stepSeconds === null) {
      showError(`step: "${step.value.trim()}" is not a duration such as 15s, 1m or 1h, nor a number of seconds`);
      return;
    }
    const target = elsewhere(active[0].value.trim());
    if (target) {
      if (explicit) {
        location.assign(target);
      } else {
        status.replaceChildren(`A ${LANGUAGES[language.value]} query that lists ${language.value === 'traceql' ? 'traces' : 'log lines'}: `,
          h('a', { href: target }, `open it in ${language.value === 'traceql' ? 'Traces' : 'Logs'}`));
      }
      return;
    }
    status.textContent = 'Running…';
    const several = active.length > 1;
    const fetchRange = language.value === 'logql' ? logQueryRange : queryRange;
    const answers = await Promise.all(active.map(async (e) => {
      const text = e.value.trim();
      try {
        const data = await fetchRange(text, start, end, stepSeconds);
        // After the query succeeded: a bad query would only fail twice.
        const ex = language.value === 'promql' && exemplars.checked ? await queryExemplars(text, start, end).catch(() => []) : [];
        const series = data.resultType === 'matrix' ? data.result : [];
        return { editor: e, series, exemplars: ex ?? [] };
      } catch (err) {
        return { editor: e, error: err.message };
      }
    }));
    const failed = answers.filter((a) => a.error);
    if (failed.length) {
      status.textContent = '';
      errorBox.textContent = failed.map((a) => (several ? `${a.editor.letter}: ` : '') + a.error + a.editor.markError(a.error)).join('\n\n');
      errorBox.hidden = false;
      return;
    }
    const result = answers.flatMap((a) => a.series.map((s) => ({ ...s, query: a.editor.letter,
      legend: several ? `${a.editor.letter}: ${seriesName(s.metric)}` : undefined })));
    last = { result, start, end, stepSeconds, exemplars: answers.flatMap((a) => a.exemplars) };
    draw();
    fillTable(table, result);
    const dots = last.exemplars.reduce((n, s) => n + (s.exemplars?.length ?? 0), 0);
    status.textContent = `${result.length} series, step ${stepSeconds}s${dots ? `, ${dots} exemplar${dots === 1 ? '' : 's'}` : ''}`;
  }

  function draw() {
    if (!last) return;
    chart = drawChart(chartBox, last.result, last.start, last.end, last.stepSeconds, chart, {
      stacked: stacked.checked, logScale: logScale.checked, exemplars: exemplars.checked ? last.exemplars : [],
    });
    chartBox.dataset.drawn = String(Number(chartBox.dataset.drawn ?? 0) + 1);
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    execute(true);
  });
  // Ctrl+Enter (or Cmd+Enter) runs from any control, as in query editors.
  form.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      execute(true);
    }
  });
  addQuery.addEventListener('click', () => addEditor().focus());
  language.addEventListener('change', () => {
    editors.forEach((e) => e.setLanguage(language.value));
    writeUrl();
  });
  range.addEventListener('change', () => {
    showCustom();
    if (range.value !== 'custom') execute(true);
  });
  for (const box of [stacked, logScale]) {
    box.addEventListener('change', () => {
      writeUrl();
      draw();
    });
  }
  exemplars.addEventListener('change', () => execute(true));
  new ResizeObserver(() => chart?.setSize({ width: Math.max(chartBox.clientWidth, 300), height: 320 })).observe(chartBox);

  if (editors.some((e) => e.value.trim())) await execute(false);
}

function fillTable(table, result) {
  table.querySelector('#table-time').textContent = `At (${zoneName()})`;
  const rows = result.filter((s) => s.values.length).map(({ metric, values, query }) => {
    const [t, v] = values[values.length - 1];
    return h('tr', {},
      h('td.query', {}, query),
      h('td.series', {}, seriesName(metric)),
      h('td.value', { title: formatValue(Number(v)) }, v),
      h('td.time', {}, formatTime(t)));
  });
  table.tBodies[0].replaceChildren(...rows);
  table.hidden = rows.length === 0;
}
