// The waterfall of one trace: spans nested under their parents, each with a bar placed on the trace's time line,
// coloured by service, errors marked; subtrees collapse and expand; a keyboard tree (arrows, Home/End, Enter).
import { h } from './dom.js';
import { formatNanos } from './format.js';

/** An OTLP/JSON attribute value ({stringValue}, {intValue: "12"}, {arrayValue: {values}}, ...) as display text. */
export function anyValueText(v) {
  if (v == null) return '';
  if ('stringValue' in v) return v.stringValue;
  if ('intValue' in v) return String(v.intValue);
  if ('doubleValue' in v) return String(v.doubleValue);
  if ('boolValue' in v) return String(v.boolValue);
  if ('bytesValue' in v) return v.bytesValue;
  if ('arrayValue' in v) return `[${(v.arrayValue.values ?? []).map(anyValueText).join(', ')}]`;
  if ('kvlistValue' in v) return `{${(v.kvlistValue.values ?? []).map((kv) => `${kv.key}: ${anyValueText(kv.value)}`).join(', ')}}`;
  return '';
}

/** [[key, text], ...] of an OTLP attribute list. */
export function attributePairs(attributes) {
  return (attributes ?? []).map((a) => [a.key, anyValueText(a.value)]);
}

/**
 * The spans of a Tempo v2 trace answer ({trace: {resourceSpans}}), flattened and nested: {spans (depth-first
 * order), start (BigInt unix ns), duration (ns), services}. Each span has offset and duration in ns relative to the
 * trace's start, service, resource and scope, children, depth, and missingParent when its parent is not stored.
 */
export function traceModel(answer) {
  const flat = [];
  for (const rs of answer.trace?.resourceSpans ?? []) {
    const resource = attributePairs(rs.resource?.attributes);
    const service = resource.find(([k]) => k === 'service.name')?.[1] ?? 'unknown_service';
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        flat.push({
          raw: s, service, resource, scope: ss.scope ?? {}, id: s.spanId, parentId: s.parentSpanId ?? '',
          name: s.name ?? '', kind: (s.kind ?? 'SPAN_KIND_UNSPECIFIED').replace('SPAN_KIND_', '').toLowerCase(),
          startNs: BigInt(s.startTimeUnixNano ?? '0'), endNs: BigInt(s.endTimeUnixNano ?? s.startTimeUnixNano ?? '0'),
          error: s.status?.code === 'STATUS_CODE_ERROR', children: [],
        });
      }
    }
  }
  if (flat.length === 0) return { spans: [], start: 0n, duration: 0, services: [] };
  const start = flat.reduce((m, s) => (s.startNs < m ? s.startNs : m), flat[0].startNs);
  const end = flat.reduce((m, s) => (s.endNs > m ? s.endNs : m), flat[0].endNs);
  const byId = new Map(flat.map((s) => [s.id, s]));
  const roots = [];
  for (const s of flat) {
    s.offset = Number(s.startNs - start);
    s.duration = Number(s.endNs - s.startNs);
    const parent = s.parentId && byId.get(s.parentId);
    if (parent && parent !== s) parent.children.push(s);
    else {
      s.missingParent = Boolean(s.parentId);
      roots.push(s);
    }
  }
  const byStart = (a, b) => a.offset - b.offset || a.name.localeCompare(b.name);
  const spans = [];
  // Depth-first with an explicit stack; `seen` guards against a parent cycle in bad data.
  const seen = new Set();
  const stack = roots.sort(byStart).reverse().map((s) => [s, 0]);
  while (stack.length) {
    const [s, depth] = stack.pop();
    if (seen.has(s)) continue;
    seen.add(s);
    s.depth = depth;
    spans.push(s);
    s.children.sort(byStart);
    for (let i = s.children.length - 1; i >= 0; i--) stack.push([s.children[i], depth + 1]);
  }
  const services = [...new Set(spans.map((s) => s.service))];
  return { spans, start, duration: Number(end - start), services };
}

/** A hue per service name, the same on every trace (a hash of the name, spread by the golden angle). */
export function serviceHue(name) {
  let hash = 0;
  for (const c of name) hash = (hash * 31 + c.codePointAt(0)) | 0;
  return Math.round(((hash >>> 0) * 137.508) % 360);
}

/**
 * Draws the waterfall into container; onSelect(span) when a span is chosen (click, Enter or Space). Returns
 * {select(spanId)}.
 */
export function drawWaterfall(container, model, onSelect) {
  const total = Math.max(model.duration, 1);
  const collapsed = new Set();
  const rows = new Map();
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) =>
    h('span.tick', { style: `left: ${f * 100}%` }, formatNanos(total * f)));
  const tree = h('div.waterfall-rows', { role: 'tree', 'aria-label': 'Spans of the trace' });
  container.replaceChildren(
    h('div.waterfall-head', {}, h('span.waterfall-name', {}, 'Service · span'), h('span.waterfall-ruler', {}, ticks)),
    tree);

  for (const span of model.spans) {
    const left = (span.offset / total) * 100;
    const width = Math.max((span.duration / total) * 100, 0.2);
    // The duration after the bar, else before it, else (a bar across nearly everything) inside its end.
    const labelPlace = left + width <= 85 ? `left: ${left + width}%` : left >= 15 ? `right: ${100 - left}%`
      : `right: ${100 - left - width}%`;
    const toggle = h('span.toggle', { 'aria-hidden': 'true' }, span.children.length ? '▾' : '');
    const events = (span.raw.events ?? []).map((e) => h('span.event-mark', {
      style: `left: ${(Number(BigInt(e.timeUnixNano ?? '0') - model.start) / total) * 100}%`, title: e.name,
    }));
    const row = h('div.span-row', {
      role: 'treeitem', tabindex: '-1', 'aria-level': String(span.depth + 1), 'data-span-id': span.id,
      'aria-expanded': span.children.length ? 'true' : null, 'aria-selected': 'false',
      style: `--svc-hue: ${serviceHue(span.service)}`,
    },
    h('span.waterfall-name', { style: `padding-left: ${span.depth * 1.1}rem` }, toggle,
      span.error ? h('span.error-mark', { title: 'status error' }, '!') : null,
      h('span.svc', {}, span.service), ' ', h('span.op', {}, span.name),
      span.missingParent ? h('span.note', { title: `parent ${span.parentId} not stored` }, ' (parent missing)') : null),
    h('span.waterfall-ruler', {},
      h('span.bar', { style: `left: ${left}%; width: ${width}%` }),
      ...events,
      h(`span.bar-label${left + width > 85 && left < 15 ? '.inside' : ''}`, { style: labelPlace }, formatNanos(span.duration))));
    if (span.error) row.classList.add('error');
    row.addEventListener('click', (e) => {
      if (e.target === toggle) toggleSpan(span);
      else select(span);
    });
    rows.set(span.id, row);
    tree.append(row);
  }

  // Hides every row under a collapsed span; the rows are in depth-first order, so one pass does it.
  function layout() {
    let hideBelow = Infinity;
    for (const span of model.spans) {
      if (span.depth <= hideBelow) hideBelow = Infinity;
      const row = rows.get(span.id);
      row.hidden = span.depth > hideBelow;
      if (!row.hidden && collapsed.has(span.id)) hideBelow = span.depth;
      if (span.children.length) {
        row.setAttribute('aria-expanded', String(!collapsed.has(span.id)));
        row.querySelector('.toggle').textContent = collapsed.has(span.id) ? '▸' : '▾';
      }
    }
  }

  function toggleSpan(span, expand = collapsed.has(span.id)) {
    if (!span.children.length) return;
    if (expand) collapsed.delete(span.id);
    else collapsed.add(span.id);
    layout();
  }

  function focus(span) {
    for (const r of rows.values()) r.tabIndex = -1;
    const row = rows.get(span.id);
    row.tabIndex = 0;
    row.focus();
  }

  function select(span) {
    for (const r of rows.values()) r.setAttribute('aria-selected', 'false');
    rows.get(span.id).setAttribute('aria-selected', 'true');
    focus(span);
    onSelect(span);
  }

  tree.addEventListener('keydown', (e) => {
    const visible = model.spans.filter((s) => !rows.get(s.id).hidden);
    const i = visible.findIndex((s) => rows.get(s.id) === document.activeElement);
    if (i < 0) return;
    const span = visible[i];
    const parent = model.spans.find((s) => s.children.includes(span));
    const moves = {
      ArrowDown: () => visible[i + 1] && focus(visible[i + 1]),
      ArrowUp: () => visible[i - 1] && focus(visible[i - 1]),
      Home: () => focus(visible[0]),
      End: () => focus(visible[visible.length - 1]),
      ArrowRight: () => (collapsed.has(span.id) ? toggleSpan(span, true) : span.children[0] && focus(span.children[0])),
      ArrowLeft: () => (span.children.length && !collapsed.has(span.id) ? toggleSpan(span, false) : parent && focus(parent)),
      Enter: () => select(span),
      ' ': () => select(span),
    };
    if (moves[e.key]) {
      e.preventDefault();
      moves[e.key]();
    }
  });

  if (model.spans.length) rows.get(model.spans[0].id).tabIndex = 0;
  return {
    select(id) {
      const span = model.spans.find((s) => s.id === id);
      if (span) select(span);
    },
  };
}
