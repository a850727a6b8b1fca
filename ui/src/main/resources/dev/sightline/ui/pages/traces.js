// The Traces page. /traces: search by service, operation, tags and trace duration (run as the TraceQL they spell,
// shown to the user) or by a TraceQL query of one's own; results as a scatter of duration over time and a list;
// the service graph of the range from the metrics generator's series. /traces/<id>: the trace's waterfall, the
// chosen span's details and the trace's log lines. State lives in the query string.
import uPlot from '/ui/vendor/uplot/uPlot.esm.js';
import { fetchJson, query as instant, searchTraces } from '../api.js';
import { h } from '../dom.js';
import { RANGES, caretAt, fillRanges, formatNanos, formatUnixNanos, isDuration, rangeCovering } from '../format.js';
import { entries, lineItem, logfmt } from '../loglines.js';
import { drawServiceGraph } from '../servicegraph.js';
import { attributePairs, drawWaterfall, serviceHue, traceModel } from '../waterfall.js';

const SEARCH_MARKUP = `
  <form id="trace-search" autocomplete="off">
    <label><span>Service</span><select id="service" name="service"><option value="">any</option></select></label>
    <label><span>Operation</span><select id="operation" name="operation"><option value="">any</option></select></label>
    <label class="tags"><span>Tags (logfmt)</span>
      <input id="tags" name="tags" spellcheck="false" placeholder='http.status_code=500 region="eu west"'></label>
    <label><span>Min duration</span><input id="min-duration" name="min_duration" size="7" placeholder="e.g. 100ms"></label>
    <label><span>Max duration</span><input id="max-duration" name="max_duration" size="7" placeholder="e.g. 2s"></label>
    <label><span>Range</span><select id="range" name="range"></select></label>
    <label class="query"><span>TraceQL (instead of the fields)</span>
      <input id="traceql" name="q" spellcheck="false" placeholder='{ resource.service.name = "checkout" &amp;&amp; status = error }'></label>
    <button id="run" type="submit">Search</button>
  </form>
  <div id="error" role="alert" hidden></div>
  <p id="status" aria-live="polite"></p>
  <section id="scatter" aria-label="Trace duration over time"></section>
  <table id="traces" hidden>
    <thead><tr><th>Trace</th><th>Root service</th><th>Started</th><th>Duration</th><th>Spans matched</th></tr></thead>
    <tbody></tbody>
  </table>
  <h2>Service graph</h2>
  <p id="graph-status" class="muted"></p>
  <section id="service-graph" aria-label="Service graph"></section>`;

const TRACE_MARKUP = `
  <p><a href="/traces">← Search traces</a></p>
  <h1 id="trace-title"></h1>
  <p id="trace-summary"></p>
  <p><a id="trace-logs-link" href="/logs">Log lines of this trace in Logs</a></p>
  <div id="error" role="alert" hidden></div>
  <div class="trace-layout">
    <section id="waterfall" aria-label="Waterfall"></section>
    <aside id="span-details" aria-label="Span details" aria-live="polite"><p class="muted">Choose a span (click, or arrows and Enter).</p></aside>
  </div>
  <h2>Log lines of this trace</h2>
  <p id="trace-logs-status" class="muted"></p>
  <ul id="trace-logs" class="log-lines"></ul>`;

export async function mount(main, { path, query }) {
  if (path[0]) await mountTrace(main, path[0], query.get('span'));
  else await mountSearch(main, query);
}

/** A TraceQL string literal. */
function quote(s) {
  return JSON.stringify(s);
}

/**
 * The TraceQL the search fields spell: every condition in one spanset filter, so one span meets the service,
 * operation and tags; the durations are the trace's. A tag value that reads as a number or boolean matches either
 * that or the same text, as attributes are typed by their sender. Throws naming the field it cannot read.
 */
export function fieldsToTraceQl({ service, operation, tags, minDuration, maxDuration }) {
  const conditions = [];
  if (service) conditions.push(`resource.service.name = ${quote(service)}`);
  if (operation) conditions.push(`name = ${quote(operation)}`);
  const pairs = Object.entries(logfmt(tags));
  if (tags.trim() && pairs.length === 0) throw new Error(`tags: "${tags}" is not logfmt (key=value key2="a b")`);
  for (const [key, value] of pairs) {
    if (!/^[A-Za-z_][\w.\-/]*$/.test(key)) throw new Error(`tags: "${key}" is not an attribute name`);
    const name = /^(span|resource)\.|^\./.test(key) ? key : `.${key}`;
    const typed = /^-?\d+(\.\d+)?$|^(true|false)$/.test(value) ? value : null;
    conditions.push(typed ? `(${name} = ${typed} || ${name} = ${quote(value)})` : `${name} = ${quote(value)}`);
  }
  for (const [field, text, op] of [['min_duration', minDuration, '>='], ['max_duration', maxDuration, '<=']]) {
    if (!text) continue;
    if (!isDuration(text)) throw new Error(`${field}: "${text}" is not a duration such as 100ms, 1.5s or 2m`);
    conditions.push(`traceDuration ${op} ${text}`);
  }
  return conditions.length ? `{ ${conditions.join(' && ')} }` : '{ }';
}

async function mountSearch(main, params) {
  main.innerHTML = SEARCH_MARKUP;
  const $ = (id) => main.querySelector(`#${id}`);
  const [form, service, operation, tags, minDuration, maxDuration, range, traceql, errorBox, status] =
    ['trace-search', 'service', 'operation', 'tags', 'min-duration', 'max-duration', 'range', 'traceql', 'error', 'status'].map($);
  fillRanges(range, params.get('range'));
  tags.value = params.get('tags') ?? '';
  minDuration.value = params.get('min_duration') ?? '';
  maxDuration.value = params.get('max_duration') ?? '';
  traceql.value = params.get('q') ?? '';
  let scatter = null;

  const timeWindow = () => {
    const end = Math.floor(Date.now() / 1000);
    return { start: end - RANGES[range.value], end };
  };
  const showError = (message, text = '') => {
    errorBox.textContent = message + caretAt(message, text);
    errorBox.hidden = false;
  };

  async function loadOperations() {
    const chosen = params.get('operation') ?? operation.value;
    const q = service.value ? `{ resource.service.name = ${quote(service.value)} }` : '{ }';
    const data = await fetchJson('/api/v2/search/tag/name/values', { q, ...timeWindow() });
    operation.replaceChildren(new Option('any', ''), ...data.tagValues.map((v) => new Option(v.value, v.value)));
    operation.value = data.tagValues.some((v) => v.value === chosen) ? chosen : '';
  }

  try {
    const data = await fetchJson('/api/v2/search/tag/resource.service.name/values', timeWindow());
    service.append(...data.tagValues.map((v) => new Option(v.value, v.value)));
    const chosen = params.get('service') ?? '';
    // A service named in the URL stays chosen even when the range holds none of its spans.
    if (chosen && !data.tagValues.some((v) => v.value === chosen)) service.append(new Option(chosen, chosen));
    service.value = chosen;
    await loadOperations();
  } catch (e) {
    showError(`service and operation lists: ${e.message}`);
  }

  async function run() {
    errorBox.hidden = true;
    const url = new URLSearchParams();
    for (const [k, el] of [['service', service], ['operation', operation], ['tags', tags], ['min_duration', minDuration],
      ['max_duration', maxDuration], ['q', traceql]]) {
      if (el.value.trim()) url.set(k, el.value.trim());
    }
    url.set('range', range.value);
    history.replaceState(null, '', `?${url}`);
    let q = traceql.value.trim();
    try {
      if (!q) {
        q = fieldsToTraceQl({ service: service.value, operation: operation.value, tags: tags.value,
          minDuration: minDuration.value.trim(), maxDuration: maxDuration.value.trim() });
      }
    } catch (e) {
      showError(e.message);
      return;
    }
    const { start, end } = timeWindow();
    status.textContent = 'Searching…';
    try {
      const found = await searchTraces({ q, start, end, limit: '100' });
      const traces = found.traces ?? [];
      const partial = found.metrics?.completedJobs === 0 ? ' (search cut at its bound: more traces may match)' : '';
      status.textContent = `${traces.length} trace${traces.length === 1 ? '' : 's'} for ${q}${partial}`;
      scatter = drawScatter($('scatter'), traces, start, end, scatter);
      fillTraceTable($('traces'), traces);
    } catch (e) {
      status.textContent = '';
      showError(e.message, q);
    }
    drawGraph(end);
  }

  async function drawGraph(end) {
    const graphStatus = $('graph-status');
    const over = `[${range.value}]`;
    try {
      const [requests, failed] = await Promise.all([
        instant(`sum by (client, server) (increase(traces_service_graph_request_total${over}))`, end),
        instant(`sum by (client, server) (increase(traces_service_graph_request_failed_total${over}))`, end)]);
      const failures = new Map(failed.result.map((s) => [`${s.metric.client}\u0000${s.metric.server}`, Number(s.value[1])]));
      const edges = requests.result.map((s) => ({
        client: s.metric.client ?? '', server: s.metric.server ?? '', requests: Number(s.value[1]),
        failed: failures.get(`${s.metric.client}\u0000${s.metric.server}`) ?? 0,
      }));
      graphStatus.textContent = edges.length ? `Requests between services over the last ${range.value} (traces_service_graph_request_total).`
        : `No calls between services in the last ${range.value}.`;
      if (edges.length) drawServiceGraph($('service-graph'), edges);
      else $('service-graph').replaceChildren();
    } catch (e) {
      graphStatus.textContent = `Service graph: ${e.message}`;
    }
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    run();
  });
  service.addEventListener('change', () => loadOperations().catch((e) => showError(`operations: ${e.message}`)));
  range.addEventListener('change', run);
  new ResizeObserver(() => scatter?.setSize({ width: Math.max($('scatter').clientWidth, 300), height: 260 })).observe($('scatter'));
  await run();
}

/** The traces as points of duration over start time, a colour per root service; a click opens the nearest trace. */
function drawScatter(box, traces, start, end, previous) {
  previous?.destroy();
  const sorted = traces.map((t) => ({ ...t, x: Number(BigInt(t.startTimeUnixNano) / 1_000_000n) / 1000 }))
    .sort((a, b) => a.x - b.x);
  const services = [...new Set(sorted.map((t) => t.rootServiceName))].sort();
  const css = getComputedStyle(document.documentElement);
  const fg = css.getPropertyValue('--fg').trim();
  const grid = { stroke: css.getPropertyValue('--grid').trim(), width: 1 };
  const axis = { stroke: fg, grid, ticks: grid };
  const data = [sorted.map((t) => t.x), ...services.map((s) => sorted.map((t) => (t.rootServiceName === s ? t.durationMs : null)))];
  const u = new uPlot({
    width: Math.max(box.clientWidth, 300),
    height: 260,
    scales: { x: { time: true, range: () => [start, end] } },
    series: [{}, ...services.map((s) => {
      const colour = `hsl(${serviceHue(s)}, 65%, 50%)`;
      return { label: s, stroke: colour, fill: colour, paths: () => null, points: { show: true, size: 8, fill: colour } };
    })],
    axes: [axis, { ...axis, size: 70, values: (_, vals) => vals.map((v) => formatNanos(v * 1e6)) }],
    legend: { show: services.length > 0 },
  }, data, box);
  u.over.style.cursor = 'pointer';
  u.over.addEventListener('click', () => {
    const { left, top } = u.cursor;
    let best = null;
    let bestDistance = 12 ** 2;
    for (const t of sorted) {
      const dx = u.valToPos(t.x, 'x') - left;
      const dy = u.valToPos(t.durationMs, 'y') - top;
      if (dx * dx + dy * dy <= bestDistance) {
        best = t;
        bestDistance = dx * dx + dy * dy;
      }
    }
    if (best) location.assign(`/traces/${best.traceID}`);
  });
  return u;
}

function fillTraceTable(table, traces) {
  table.tBodies[0].replaceChildren(...traces.map((t) => h('tr', {},
    h('td', {}, h('a', { href: `/traces/${t.traceID}` }, t.rootTraceName || t.traceID), h('div.muted', {}, t.traceID)),
    h('td', {}, t.rootServiceName),
    h('td', {}, formatUnixNanos(t.startTimeUnixNano)),
    h('td.value', {}, formatNanos(t.durationMs * 1e6)),
    h('td.value', {}, String((t.spanSets ?? []).reduce((n, s) => n + (s.matched ?? 0), 0)))),
  ));
  table.hidden = traces.length === 0;
}

/** The LogQL of a trace's lines: its services' streams, lines whose trace_id metadata is the trace's. */
export function traceLogQl(traceId, services) {
  const escaped = services.map((s) => s.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&'));
  const selector = services.length === 1 ? `service_name=${quote(services[0])}` : `service_name=~${quote(escaped.join('|') || '.+')}`;
  return `{${selector}} | trace_id=${quote(traceId)}`;
}

/** The trace's page; spanId (the URL's span=) names the span whose details show first. */
async function mountTrace(main, idText, spanId) {
  main.innerHTML = TRACE_MARKUP;
  const $ = (id) => main.querySelector(`#${id}`);
  const errorBox = $('error');
  if (!/^[0-9a-fA-F]{1,32}$/.test(idText)) {
    errorBox.textContent = `trace id: "${idText}" is not 1 to 32 hexadecimal digits`;
    errorBox.hidden = false;
    return;
  }
  // Tempo's search writes ids without their leading zeros; the stores keep 32 digits.
  const id = idText.toLowerCase().padStart(32, '0');
  let model;
  try {
    model = traceModel(await fetchJson(`/api/v2/traces/${id}`));
  } catch (e) {
    errorBox.textContent = `trace ${id}: ${e.message}`;
    errorBox.hidden = false;
    $('trace-title').textContent = `Trace ${id}`;
    return;
  }
  document.title = `Sightline · Trace ${id}`;
  const root = model.spans[0];
  const errors = model.spans.filter((s) => s.error).length;
  $('trace-title').textContent = `${root.service}: ${root.name}`;
  $('trace-summary').textContent = `Trace ${id} · started ${formatUnixNanos(String(model.start))} · ${formatNanos(model.duration)}`
    + ` · ${model.spans.length} spans · ${model.services.length} services${errors ? ` · ${errors} with status error` : ''}`;
  const ageSeconds = Date.now() / 1000 - Number(model.start / 1_000_000_000n);
  $('trace-logs-link').href = `/logs?${new URLSearchParams({ query: traceLogQl(id, model.services), range: rangeCovering(ageSeconds + 120) })}`;

  const waterfall = drawWaterfall($('waterfall'), model, (span) => {
    history.replaceState(null, '', `?${new URLSearchParams({ span: span.id })}`);
    showSpan($('span-details'), span, model);
  });
  if (spanId) waterfall.select(spanId);
  await showTraceLogs(id, $('trace-logs'), $('trace-logs-status'));
}

function pairsTable(caption, pairs) {
  if (!pairs.length) return null;
  return h('table.fields', {}, h('caption', {}, caption),
    h('tbody', {}, pairs.map(([k, v]) => h('tr', {}, h('th', { scope: 'row' }, k), h('td', {}, v)))));
}

function showSpan(panel, span, model) {
  const s = span.raw;
  const status = s.status?.code ? s.status.code.replace('STATUS_CODE_', '').toLowerCase() : 'unset';
  const events = (s.events ?? []).map((e) => h('li', {},
    h('strong', {}, `+${formatNanos(Number(BigInt(e.timeUnixNano ?? '0') - model.start))} ${e.name ?? ''}`),
    pairsTable('Event attributes', attributePairs(e.attributes))));
  const links = (s.links ?? []).map((l) => h('li', {},
    h('a', { href: `/traces/${l.traceId}` }, `trace ${l.traceId}`), ` span ${l.spanId}`,
    pairsTable('Link attributes', attributePairs(l.attributes))));
  // replaceChildren would write a null as the text "null": absent sections are left out.
  panel.replaceChildren(...[
    h('h2', {}, span.name),
    pairsTable('Span', [['service', span.service], ['kind', span.kind], ['status', status + (s.status?.message ? `: ${s.status.message}` : '')],
      ['span id', span.id], ['parent', span.parentId || '(root)'], ['starts at', `+${formatNanos(span.offset)}`],
      ['duration', formatNanos(span.duration)]]),
    pairsTable('Attributes', attributePairs(s.attributes)),
    pairsTable('Resource', span.resource),
    pairsTable('Scope', [['name', span.scope.name ?? ''], ['version', span.scope.version ?? '']].filter(([, v]) => v)),
    events.length ? h('div', {}, h('h3', {}, 'Events'), h('ul', {}, events)) : null,
    links.length ? h('div', {}, h('h3', {}, 'Links'), h('ul', {}, links)) : null].filter(Boolean));
}

async function showTraceLogs(id, list, status) {
  try {
    const data = (await fetchJson(`/api/traces/${id}/logs`)).data;
    const lines = entries(data.result);
    list.replaceChildren(...lines.map(lineItem));
    status.textContent = lines.length ? `${lines.length} line${lines.length === 1 ? '' : 's'} carry this trace's id${data.limitReached ? ' (more not shown)' : ''}.`
      : 'No log line carries this trace\'s id.';
  } catch (e) {
    status.textContent = `Log lines: ${e.message}`;
  }
}
