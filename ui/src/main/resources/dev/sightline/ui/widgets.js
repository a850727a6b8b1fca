// Small building blocks the Alerts and Status pages share: times, label chips, tables and key/value lists, all
// built with h() so data only ever goes in as text.
import { h } from './dom.js';

/** Go's zero time, which Prometheus's API writes for "never". */
const NEVER = '0001-01-01T00:00:00Z';

/** An API time (RFC 3339) or Unix ms as "2026-12-06 14:03:07Z"; "never" for Go's zero time. */
export function when(t) {
  if (t == null || t === NEVER || t === '') return 'never';
  const d = new Date(typeof t === 'number' ? t : Date.parse(t));
  return Number.isNaN(d.getTime()) ? String(t) : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

/** How long ago (or from now) an API time is, "3m 5s ago" / "in 2h"; "" for never. */
export function ago(t, now = Date.now()) {
  if (t == null || t === NEVER || t === '') return '';
  const ms = now - (typeof t === 'number' ? t : Date.parse(t));
  const text = duration(Math.abs(ms));
  return ms >= 0 ? `${text} ago` : `in ${text}`;
}

/** Milliseconds as "1d 2h", "3m 5s", "250ms": the two largest units. */
export function duration(ms) {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const units = [['d', 86400000], ['h', 3600000], ['m', 60000], ['s', 1000]];
  const parts = [];
  let rest = ms;
  for (const [name, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0 || parts.length) parts.push(`${n}${name}`);
    rest -= n * size;
    if (parts.length === 2) break;
  }
  return parts.filter((p) => !p.startsWith('0')).join(' ') || '0s';
}

/** Seconds as the API gives them (evaluation and scrape durations) in a readable unit. */
export function seconds(s) {
  if (s == null) return '';
  return s < 1 ? `${(s * 1000).toFixed(s < 0.01 ? 2 : 1)}ms` : `${Number(s).toFixed(2)}s`;
}

/** One chip per label, name="value", in name order. */
export function labelChips(labels) {
  return h('span.labels', {}, Object.keys(labels ?? {}).sort().map((k) => h('span.label', {}, `${k}="${labels[k]}"`)));
}

/** A <dl> of [term, description] pairs (descriptions may be nodes); empty descriptions are skipped. */
export function definitions(pairs, attrs = {}) {
  return h('dl.facts', attrs, pairs.filter(([, v]) => v != null && v !== '').flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

/** A table with a header row; each row an array of cells (text or nodes), or {cells, attrs} for row attributes. */
export function table(headers, rows, attrs = {}) {
  return h('table', attrs,
    h('thead', {}, h('tr', {}, headers.map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, rows.map((r) => {
      const { cells, attrs: rowAttrs } = Array.isArray(r) ? { cells: r, attrs: {} } : r;
      return h('tr', rowAttrs, cells.map((c) => h('td', {}, c)));
    })));
}

/** A small coloured word for a state (firing, pending, inactive, up, down, active, expired, ok, err, ...). */
export function badge(state) {
  return h(`span.badge.state-${String(state).toLowerCase()}`, {}, state);
}
