// The Synthetics page: the freshness canaries (each reader's staleness, lag and last error) and the journeys (their
// last run, step by step), from /api/v1/canaries and /api/v1/journeys; each links to its last trace and to Explore
// with its metric. Each section is filled on its own, so one failing endpoint leaves the other readable.
import { canaries, journeys } from '../api.js';
import { h } from '../dom.js';
import { badge, labelChips, seconds, table, when } from '../widgets.js';

export async function mount(main) {
  const canarySection = h('section', { id: 'canaries', 'aria-labelledby': 'canaries-title' },
    h('h2', { id: 'canaries-title' }, 'Freshness canaries'), h('p.muted', {}, 'Loading…'));
  const journeySection = h('section', { id: 'journeys', 'aria-labelledby': 'journeys-title' },
    h('h2', { id: 'journeys-title' }, 'Journeys'), h('p.muted', {}, 'Loading…'));
  main.replaceChildren(h('h1', {}, 'Synthetics'), canarySection, journeySection);

  async function fill(section, build) {
    let body;
    try {
      body = await build();
    } catch (e) {
      body = [h('div.form-error', { role: 'alert' }, e.message)];
    }
    section.replaceChildren(section.firstChild, ...body);
  }

  await Promise.all([
    fill(canarySection, async () => canaryViews((await canaries()).canaries)),
    fill(journeySection, async () => journeyViews(await journeys())),
  ]);
}

/** Explore opened on a PromQL expression. */
function explore(expr, text) {
  return h('a.explore-link', { href: `/explore?${new URLSearchParams({ query: expr })}` }, text);
}

function traceLink(id, text = 'Last trace') {
  return id ? h('a.trace-link', { href: `/traces/${encodeURIComponent(id)}` }, text) : h('span.muted', {}, 'no trace yet');
}

/** A label matcher's value, quoted as PromQL reads it. */
function quoted(v) {
  return JSON.stringify(String(v));
}

/**
 * A reader's state: error (its last read failed), stale (the newest value it returned is older than the canary's
 * timeout: it did not show the round's value in time), fresh, or unknown (no value read yet).
 */
function readerState(r, timeout) {
  if (r.lastError) return 'error';
  if (r.stalenessSeconds == null) return 'unknown';
  return r.stalenessSeconds > timeout ? 'stale' : 'fresh';
}

function canaryViews(list) {
  if (!list.length) return [h('p.muted', {}, 'No canaries configured (canaries: in sightline.yml).')];
  return list.map((c) => {
    const rows = c.readers.map((r) => {
      const state = readerState(r, c.timeoutSeconds);
      const expr = `sightline_canary_staleness_seconds{canary=${quoted(c.name)},reader=${quoted(r.name)}}`;
      return [h('span.reader-name', {}, r.name), r.kind, labelChips(r.labels), badge(state),
        r.stalenessSeconds == null ? '' : seconds(r.stalenessSeconds), r.lagSeconds == null ? '' : seconds(r.lagSeconds),
        r.lastError ? h('span.error-text', {}, r.lastError) : '', explore(expr, 'Staleness')];
    });
    const stale = c.readers.filter((r) => readerState(r, c.timeoutSeconds) !== 'fresh').length;
    return h('article.synthetic', { 'data-canary': c.name },
      h('h3', {}, c.name, ' ', badge(c.lastWriteError ? 'failed' : stale ? 'degraded' : 'ok')),
      h('p', {}, `write: ${c.write.kind}, every ${seconds(c.intervalSeconds)}, timeout ${seconds(c.timeoutSeconds)}, `
        + `last round ${when(c.lastRound == null ? null : c.lastRound * 1000)} · `,
      traceLink(c.lastTraceId), ' · ', explore(`sightline_canary_staleness_seconds{canary=${quoted(c.name)}}`, 'Explore')),
      c.lastWriteError ? h('p.error-text', {}, `write failed: ${c.lastWriteError}`) : null,
      table(['Reader', 'Kind', 'Labels', 'State', 'Staleness', 'Lag', 'Last error', ''], rows, { class: 'readers' }));
  });
}

function phases(p) {
  if (!p) return '';
  return Object.entries(p).filter(([k]) => k !== 'total').map(([k, v]) => `${k} ${seconds(v)}`).join(', ');
}

/** A failed step's failure, naming its assertion (the failure text usually does already). */
function failure(s) {
  const text = s.failure ?? '';
  return s.assertion && !text.includes(s.assertion) ? `assertion ${s.assertion}: ${text}` : text;
}

function journeyViews(list) {
  if (!list.length) return [h('p.muted', {}, 'No journeys configured (journeys: in sightline.yml).')];
  return list.map((j) => {
    const run = j.lastRun;
    const head = h('h3', {}, j.name, ' ', badge(run ? run.status : 'unknown'));
    const link = explore(`sightline_journey_success{journey=${quoted(j.name)}}`, 'Explore');
    if (!run) {
      return h('article.synthetic', { 'data-journey': j.name }, head, h('p.muted', {}, 'Not run yet · ', link));
    }
    const rows = run.steps.map((s) => [h('span.step-name', {}, s.cleanup ? `${s.name} (cleanup)` : s.name), badge(s.status),
      `${s.method} ${s.url}`, s.httpStatus ?? '', seconds(s.durationSeconds), phases(s.phases),
      s.status === 'failed' ? h('span.error-text.failure', {}, failure(s)) : '']);
    return h('article.synthetic', { 'data-journey': j.name }, head,
      h('p', {}, `${run.passed} passed, ${run.failed} failed, ${when(run.start)}, ${seconds(run.durationSeconds)}; `
        + `every ${seconds(j.interval)}, ${j.consecutiveFailures ?? 0} failed in a row (alert after ${j.alertAfter}) · `,
      run.traceId ? traceLink(run.traceId) : traceLink(j.lastTraceId, 'Trace of the run before'), ' · ', link),
      table(['Step', 'Status', 'Request', 'HTTP', 'Time', 'Phases', 'Failure'], rows, { class: 'steps' }));
  });
}
