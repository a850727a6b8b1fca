// Trace list panel: traces of the time range from Tempo's search, newest first, each row linking to
// /traces/<id>. targets[0].expr is TraceQL (e.g. { resource.service.name = "checkout" && duration > 500ms }); or
// options {service, operation, min_duration} search by tags. options.limit (20).
import { formatValue } from '../chart.js';
import { searchTraces } from '../api.js';
import { h } from '../dom.js';
import { message } from './plot.js';

/** The /api/search parameters of a panel. */
export function searchParams(panel, ctx) {
  const o = panel.options ?? {};
  const params = { start: String(Math.floor(ctx.start)), end: String(Math.ceil(ctx.end)), limit: String(o.limit ?? 20) };
  const expr = panel.targets?.[0]?.expr;
  if (expr) {
    params.q = ctx.interpolate(expr);
    return params;
  }
  // Tags are logfmt: quote every value.
  const tags = [['service.name', o.service], ['name', o.operation]].filter(([, v]) => v)
    .map(([k, v]) => `${k}=${JSON.stringify(ctx.interpolate(String(v)))}`);
  if (tags.length) params.tags = tags.join(' ');
  if (o.min_duration) params.minDuration = o.min_duration;
  return params;
}

export async function render(el, panel, ctx) {
  const { traces = [] } = await searchTraces(searchParams(panel, ctx));
  if (!traces.length) {
    message(el, 'No traces in this range.');
    return;
  }
  traces.sort((a, b) => Number(BigInt(b.startTimeUnixNano) - BigInt(a.startTimeUnixNano)));
  const row = (t) => h('tr', {},
    h('td', {}, h('a', { href: `/traces/${t.traceID}` }, t.traceID.slice(0, 16))),
    h('td', {}, t.rootServiceName ?? ''),
    h('td', {}, t.rootTraceName ?? ''),
    h('td', {}, new Date(Number(BigInt(t.startTimeUnixNano) / 1000000n)).toLocaleTimeString()),
    h('td.value', {}, t.durationMs == null ? '' : formatValue(t.durationMs / 1000, 's')));
  el.replaceChildren(h('div.trace-list', { style: `max-height: ${panel.height ?? 240}px` }, h('table', {},
    h('thead', {}, h('tr', {}, ['Trace', 'Service', 'Root span', 'Start', 'Duration'].map((c) => h('th', {}, c)))),
    h('tbody', {}, traces.map(row)))));
}
