// Entry point of the UI: one HTML shell for every page. The first path segment names the page (the server answers
// index.html for each page's paths); the page module renders into <main> from the rest of the path and the query
// string, so every view is a shareable URL. Pages load on demand: a page's code is fetched only when opened.
import { setTenant, tenant } from './api.js';

const PAGES = [
  { path: 'explore', title: 'Explore', load: () => import('./pages/explore.js') },
  { path: 'dashboards', title: 'Dashboards', load: () => import('./pages/dashboards.js') },
  { path: 'services', title: 'Services', load: () => import('./pages/services.js') },
  { path: 'alerts', title: 'Alerts', load: () => import('./pages/alerts.js') },
  { path: 'traces', title: 'Traces', load: () => import('./pages/traces.js') },
  { path: 'logs', title: 'Logs', load: () => import('./pages/logs.js') },
  { path: 'synthetics', title: 'Synthetics', load: () => import('./pages/synthetics.js') },
  { path: 'maturity', title: 'Maturity', load: () => import('./pages/maturity.js') },
  { path: 'status', title: 'Status', load: () => import('./pages/status.js') },
];

const DEFAULT_PAGE = 'explore';

function route(pathname) {
  const [first = '', ...rest] = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const page = PAGES.find((p) => p.path === (first || DEFAULT_PAGE));
  return { page, rest };
}

async function start() {
  const { page, rest } = route(location.pathname);
  const nav = document.getElementById('nav');
  nav.replaceChildren(...PAGES.map((p) => {
    const a = document.createElement('a');
    a.href = `/${p.path}`;
    a.textContent = p.title;
    if (p === page) a.setAttribute('aria-current', 'page');
    return a;
  }));
  showTenant();
  const main = document.getElementById('page');
  if (!page) {
    main.textContent = `No page at ${location.pathname}.`;
    return;
  }
  document.title = `Sightline · ${page.title}`;
  const module = await page.load();
  await module.mount(main, { path: rest, query: new URLSearchParams(location.search) });
  // Tests (and scripts) wait for this before looking for the page's elements.
  document.body.dataset.page = page.path;
}

start();

// The tenant field: what it holds goes with every request; changing it reloads the page as that tenant.
function showTenant() {
  const form = document.getElementById('tenant-form');
  const input = document.getElementById('tenant');
  input.value = tenant();
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const id = input.value.trim();
    if (id === tenant()) return;
    setTenant(id);
    location.reload();
  });
}
