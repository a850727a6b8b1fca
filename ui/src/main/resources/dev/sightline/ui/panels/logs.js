// Logs panel: the lines of a LogQL query (targets[0].expr) in the time range, newest first, up to options.limit
// (100). Each line shows its time, its stream's labels and the text; a trace id in the line (trace_id=, "traceId":
// ...) links to /traces/<id>.
import { logLines } from '../api.js';
import { h } from '../dom.js';
import { message } from './plot.js';

const TRACE_ID = /\btrace_?id["']?\s*[=:]\s*["']?([0-9a-fA-F]{32}|[0-9a-fA-F]{16})\b/i;

export async function render(el, panel, ctx) {
  const expr = panel.targets?.[0]?.expr;
  if (!expr) {
    message(el, 'logs: targets[0].expr is missing (a LogQL query)');
    return;
  }
  const limit = Number(panel.options?.limit ?? 100);
  const data = await logLines(ctx.interpolate(expr), ctx.start, ctx.end, limit);
  if (data.resultType !== 'streams') {
    message(el, `logs: the query returns a ${data.resultType}, not log lines`);
    return;
  }
  const lines = data.result.flatMap(({ stream, values }) => values.map(([ns, line]) => ({ ns: BigInt(ns), line, stream })))
    .sort((a, b) => (a.ns < b.ns ? 1 : a.ns > b.ns ? -1 : 0))
    .slice(0, limit);
  if (!lines.length) {
    message(el, 'No log lines in this range.');
    return;
  }
  el.replaceChildren(h('ol.log-lines', { style: `max-height: ${panel.height ?? 240}px` }, lines.map(({ ns, line, stream }) => {
    const trace = TRACE_ID.exec(line);
    return h('li', {},
      h('time', { datetime: new Date(Number(ns / 1000000n)).toISOString() }, new Date(Number(ns / 1000000n)).toLocaleTimeString()),
      h('span.log-stream', {}, Object.entries(stream).map(([k, v]) => `${k}=${v}`).join(' ')),
      h('span.log-line', {}, line),
      trace && h('a.log-trace', { href: `/traces/${trace[1].toLowerCase()}` }, 'trace'));
  })));
}
