// Services: /services lists every service seen in span metrics and HTTP server metrics with its rate, error ratio,
// p99 and health (GET /api/v1/services); /services/<name> draws its generated golden-signal dashboard
// (GET /api/v1/services/<name>/dashboard). ?range= (5m|1h|6h|24h|7d) overrides the dashboard's range.
import { formatValue } from '../chart.js';
import { serviceDashboard, services } from '../api.js';
import { renderDashboard } from '../dashboard/render.js';
import { h } from '../dom.js';

const RANGES = { '5m': 300, '1h': 3600, '6h': 21600, '24h': 86400, '7d': 604800 };
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
  status.textContent = `Generated from ${model.tags?.filter((t) => t !== 'service' && t !== 'generated').join(', ')}; last ${range / 60} minutes.`;
  const board = h('div.dashboard');
  main.append(board);
  await renderDashboard(board, model, { start, end });
}
