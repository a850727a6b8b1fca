// Maturity: /maturity shows each service's level of the maturity model (1 blind, 2 reactive, 3 proactive,
// 4 insightful, 5 predictive) as a ladder, every criterion with what the server found, and what the next level
// lacks (GET /api/v1/maturity; docs/maturity.md).
import { maturity } from '../api.js';
import { h } from '../dom.js';

export async function mount(main) {
  const status = h('p', { id: 'status', 'aria-live': 'polite' }, 'Loading…');
  main.replaceChildren(h('h1', {}, 'Maturity'), status);
  let data;
  try {
    data = await maturity();
  } catch (e) {
    status.replaceWith(h('div', { id: 'error', role: 'alert' }, e.message));
    return;
  }
  if (!data.services.length) {
    status.textContent = 'No service seen in the last hour: send metrics, spans or logs.';
    return;
  }
  const drills = data.services.flatMap((s) => s.criteria).filter((c) => c.id === 'drills');
  const none = drills.every((c) => c.evidence === 'none recorded');
  status.textContent = `${data.services.length} services, from what the server holds now.`
    + (none ? ' Drills: none recorded.' : '');
  main.append(h('div', { id: 'maturity' }, data.services.map((s) => service(s, data.levels))));
}

function service(s, levels) {
  const next = s.next
    ? h('p.next', {}, `Next: ${s.next.level} ${s.next.level_name}, missing `, s.next.missing.flatMap((c, i) => [i ? '; ' : '', h('strong', {}, c.title)]))
    : h('p.next', {}, 'Every level reached.');
  return h('section.maturity-service', { 'data-service': s.name, 'data-level': String(s.level) },
    h('h2', {}, s.name, ' ', h('span.maturity-badge', {}, `${s.level} ${s.level_name}`)),
    h('ol.ladder', { 'aria-label': `${s.name}: level ${s.level} of ${levels.length}` },
      levels.map((name, i) => step(i + 1, name, s))),
    next,
    links(s));
}

function step(level, name, s) {
  const state = level <= s.level ? 'reached' : level === s.level + 1 ? 'next' : 'ahead';
  const criteria = s.criteria.filter((c) => c.level === level);
  return h(`li.rung.rung-${state}`, { 'data-rung': String(level) },
    h('div.rung-head', {}, h('span.rung-level', {}, String(level)), ' ', name),
    criteria.length
      ? h('ul.criteria', {}, criteria.map((c) => h(`li.criterion.${c.met ? 'met' : 'unmet'}`,
        { 'data-criterion': c.id, title: c.found.join('\n') },
        h('span.mark', { 'aria-label': c.met ? 'met' : 'missing' }, c.met ? '✓' : '✗'), ' ', c.title,
        h('div.evidence', {}, c.evidence, found(c.found)))))
      : h('p.evidence', {}, 'no signals needed'));
}

/** The first few names found (metrics, rules, peers, streams); all of them in the criterion's tooltip. */
function found(names) {
  if (!names.length) return '';
  return `: ${names.slice(0, 5).join(', ')}${names.length > 5 ? `, … (${names.length})` : ''}`;
}

/** Where to look at what was found: the service's dashboard when it has golden signals, its traces when any crossed. */
function links(s) {
  const met = (id) => s.criteria.some((c) => c.id === id && c.met);
  const out = [];
  if (met('golden_signals')) out.push(h('a', { href: `/services/${encodeURIComponent(s.name)}` }, 'Golden signals'));
  if (met('cross_service_traces')) out.push(h('a', { href: `/traces?${new URLSearchParams({ service: s.name })}` }, 'Traces'));
  return out.length ? h('p.maturity-links', {}, out.flatMap((a, i) => [i ? ' · ' : '', a])) : null;
}
