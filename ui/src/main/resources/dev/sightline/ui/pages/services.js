// Services: /services lists every service seen in span metrics and HTTP server metrics with its rate, error ratio,
// p99 and health (GET /api/v1/services); /services/<name> draws its generated golden-signal dashboard
// (GET /api/v1/services/<name>/dashboard). ?range= (5m|1h|6h|24h|7d) overrides the dashboard's range.
import { queryRange, serviceDashboard, services } from '../api.js';
import { drawChart } from '../chart.js';
import { h } from '../dom.js';
import { formatValue } from '../panels/plot.js';

const RANGES = { '5m': 300, '1h': 3600, '6h': 21600, '24h': 86400, '7d': 604800 };
// Panel types drawn by the panel modules; timeseries and stat are drawn here until the dashboard renderer lands.
const PANELS = {
  heatmap: () => import('../panels/heatmap.js'),
  scatter: () => import('../panels/scatter.js'),
  anomaly: () => import('../panels/anomaly.js'),
  logs: () => import('../panels/logs.js'),
  traces: () => import('../panels/traces.js'),
};

export async function mount(main, { path, query }) {
  if (path.length) await mountService(main, path[0], query);
  else await mountList(main);
}

async function mountList(main) {
  const status = h('p', { id: 'status', 'aria-live': 'polite' }, 'Loading…');
  main.replaceChildren(h('h1', {}, 'Services'), status);
  let list;
  try {
    list = await services();
  } catch (e) {
    status.replaceWith(h('div', { id: 'error', role: 'alert' }, e.message));
    return;
  }
  if (!list.length) {
    status.textContent = 'No service seen in the last hour: send spans (span metrics) or OpenTelemetry HTTP server metrics.';
    return;
  }
  status.textContent = `${list.length} services, signals over the last 5 minutes.`;
  const health = (s) => h(`span.health.health-${s.health}`, { title: 'ok; warn: errors >= 1% or p99 >= 1 s; bad: errors >= 5% or p99 >= 5 s' }, s.health);
  main.append(h('table', { id: 'services' },
    h('thead', {}, h('tr', {}, ['Service', 'Health', 'Requests/s', 'Errors', 'p99', 'Source'].map((c) => h('th', {}, c)))),
    h('tbody', {}, list.map((s) => h('tr', { 'data-service': s.name },
      h('td', {}, h('a', { href: `/services/${encodeURIComponent(s.name)}` }, s.name)),
      h('td', {}, health(s)),
      h('td.value', {}, formatValue(s.rate)),
      h('td.value', {}, formatValue(s.error_ratio, 'percentunit')),
      h('td.value', {}, s.p99_seconds == null ? '–' : formatValue(s.p99_seconds, 's')),
      h('td', {}, s.source))))));
}

async function mountService(main, name, query) {
  const title = h('h1', {}, name);
  const status = h('p', { id: 'status', 'aria-live': 'polite' }, 'Loading…');
  main.replaceChildren(h('p', {}, h('a', { href: '/services' }, '← Services')), title, status);
  let model;
  try {
    model = await serviceDashboard(name);
  } catch (e) {
    status.replaceWith(h('div', { id: 'error', role: 'alert' }, e.message));
    return;
  }
  title.textContent = model.title;
  const range = RANGES[query.get('range')] ?? RANGES[model.time?.range] ?? 3600;
  const end = Math.floor(Date.now() / 1000);
  const start = end - range;
  const ctx = { start, end, step: Math.max(15, Math.ceil(range / 240)), vars: {}, interpolate: (e) => e };
  status.textContent = `Generated from ${model.tags?.filter((t) => t !== 'service' && t !== 'generated').join(', ')}; last ${range / 60} minutes.`;
  await drawPanels(main, model, ctx);
  performance.mark('sightline:panels-drawn');
}

/** Rows and panels of a dashboard model, each panel drawn by its module; a failing panel shows its error. */
async function drawPanels(main, model, ctx) {
  const drawn = [];
  for (const row of model.rows) {
    const grid = h('div.panel-grid');
    main.append(h('section.dashboard-row', {}, h('h2', {}, row.title), grid));
    for (const panel of row.panels) {
      const body = h('div.panel-body');
      grid.append(h('figure.panel', { style: `grid-column: span ${panel.span ?? 6}`, 'data-type': panel.type },
        h('figcaption', { title: panel.description ?? '' }, panel.title), body));
      drawn.push(drawPanel(body, panel, ctx).catch((e) => body.replaceChildren(h('p.panel-error', { role: 'alert' }, e.message))));
    }
  }
  await Promise.all(drawn);
}

async function drawPanel(el, panel, ctx) {
  if (PANELS[panel.type]) return (await PANELS[panel.type]()).render(el, panel, ctx);
  const results = await Promise.all(panel.targets.map((t) => queryRange(t.expr, ctx.start, ctx.end, ctx.step)));
  const series = results.flatMap((r, i) => r.result.map((s) => ({ ...s, metric: panel.targets[i].legend ? { __name__: legend(panel.targets[i].legend, s.metric) } : s.metric })));
  const unit = panel.options?.unit ?? '';
  if (panel.type === 'stat') {
    const last = series[0]?.values.at(-1);
    const v = last ? Number(last[1]) : null;
    const step = (panel.options?.thresholds ?? []).filter((t) => v != null && v >= t.value).at(-1);
    el.replaceChildren(h(`p.stat${step ? `.stat-${step.color}` : ''}`, {}, v == null ? '–' : formatValue(v, unit)));
    return;
  }
  drawChart(el, series, ctx.start, ctx.end, ctx.step, null, { height: panel.height ?? 240, unit });
}

/** A legend template: {{label}} replaced by the series' value of that label. */
function legend(template, metric) {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, k) => metric[k] ?? '');
}
