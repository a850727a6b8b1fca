// The Status page: scrape targets, TSDB head statistics and cardinality, the running configuration, build and
// runtime information and the command line's flags, each from its /api/v1 endpoint, each section on its own so one
// failing endpoint leaves the rest readable.
import { serverStatus, targets } from '../api.js';
import { h } from '../dom.js';
import { ago, badge, definitions, duration, labelChips, seconds, table, when } from '../widgets.js';

const SECTIONS = [
  ['targets', 'Targets'], ['tsdb', 'TSDB'], ['config', 'Configuration'], ['build', 'Build'], ['runtime', 'Runtime'],
  ['flags', 'Flags'],
];
const TOP = 10;

export async function mount(main) {
  const sections = Object.fromEntries(SECTIONS.map(([id, title]) => [id,
    h('section.status-section', { id, 'aria-labelledby': `${id}-title` }, h('h2', { id: `${id}-title` }, title),
      h('p.muted', {}, 'Loading…'))]));
  main.replaceChildren(h('h1', {}, 'Status'),
    h('nav.section-links', { 'aria-label': 'Sections' }, SECTIONS.map(([id, title]) => h('a', { href: `#${id}` }, title))),
    ...Object.values(sections));

  /** Replaces a section's body (its heading stays) with what the builder returns, or the error it met. */
  async function fill(id, build) {
    const section = sections[id];
    let body;
    try {
      body = await build();
    } catch (e) {
      body = [h('div.form-error', { role: 'alert' }, `${id}: ${e.message}`)];
    }
    section.replaceChildren(section.firstChild, ...body);
  }

  await Promise.all([
    fill('targets', async () => targetsView(await targets())),
    fill('tsdb', async () => tsdbView(await serverStatus('tsdb', { limit: String(TOP) }))),
    fill('config', async () => [h('pre.config', { id: 'config-yaml' }, (await serverStatus('config')).yaml)]),
    fill('build', async () => {
      const b = await serverStatus('buildinfo');
      return [definitions([['Version', b.version], ['Revision', b.revision], ['Branch', b.branch],
        ['Built by', b.buildUser], ['Build date', b.buildDate], ['Java', b.goVersion]], { id: 'build-info' })];
    }),
    fill('runtime', async () => {
      const r = await serverStatus('runtimeinfo');
      return [definitions([
        ['Started', `${when(r.startTime)} (up ${ago(r.startTime).replace(/ ago$/, '')})`],
        ['Working directory', r.CWD],
        ['Configuration', `${r.reloadConfigSuccess ? 'loaded' : 'last reload FAILED, previous kept'}, ${when(r.lastConfigTime)}`],
        ['Storage retention', r.storageRetention],
        ['Java', r.javaVersion],
        ['Threads', String(r.threadCount)],
        ['Processors', String(r.availableProcessors)],
        ['Heap', `${mib(r.heapUsedBytes)} used of ${r.heapMaxBytes > 0 ? mib(r.heapMaxBytes) : 'unbounded'}`],
      ], { id: 'runtime-info' })];
    }),
    fill('flags', async () => {
      const f = await serverStatus('flags');
      return [table(['Flag', 'Value'], Object.keys(f).sort().map((k) => [h('code', {}, `--${k}`), f[k] || '(none)']),
        { id: 'flags-table' })];
    }),
  ]);
}

function mib(bytes) {
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}

function targetsView({ activeTargets }) {
  if (!activeTargets.length) return [h('p.muted', {}, 'No scrape targets (scrape_configs in sightline.yml).')];
  const byPool = new Map();
  for (const t of activeTargets) {
    if (!byPool.has(t.scrapePool)) byPool.set(t.scrapePool, []);
    byPool.get(t.scrapePool).push(t);
  }
  return [...byPool].sort(([a], [b]) => a.localeCompare(b)).map(([pool, list]) => {
    const up = list.filter((t) => t.health === 'up').length;
    return h('section.pool', { 'aria-label': `Job ${pool}` },
      h('h3', {}, pool, h('span.muted', {}, ` ${up}/${list.length} up`)),
      table(['Endpoint', 'State', 'Labels', 'Last scrape', 'Duration', 'Error'], list.map((t) => ({
        cells: [h('a', { href: t.scrapeUrl }, t.scrapeUrl), badge(t.health), labelChips(t.labels),
          t.lastScrape && !t.lastScrape.startsWith('0001') ? `${ago(t.lastScrape)} (${when(t.lastScrape)})` : 'never',
          seconds(t.lastScrapeDuration), t.lastError ? h('span.error-text', {}, t.lastError) : ''],
        attrs: { class: `target health-${t.health}` },
      })), { class: 'targets' }));
  });
}

function tsdbView(d) {
  const head = d.headStats;
  const span = head.numSeries ? `${when(head.minTime)} to ${when(head.maxTime)} (${duration(head.maxTime - head.minTime)})` : '';
  const top = (title, list, what) => h('div.top', {}, h('h3', {}, title),
    list.length ? table(['Name', what], list.map((c) => [h('code', {}, c.name), c.value.toLocaleString('en')])) : h('p.muted', {}, 'None.'));
  return [
    definitions([['Head series', head.numSeries.toLocaleString('en')], ['Label pairs', head.numLabelPairs.toLocaleString('en')],
      ['Chunks', head.chunkCount.toLocaleString('en')], ['Time range', span]], { id: 'head-stats' }),
    h('div.tops', { id: 'cardinality' },
      top(`Top ${TOP} metric names by series`, d.seriesCountByMetricName, 'Series'),
      top(`Top ${TOP} label names by values`, d.labelValueCountByLabelName, 'Values'),
      top(`Top ${TOP} label names by value length x series`, d.memoryInBytesByLabelName, 'Chars'),
      top(`Top ${TOP} label pairs by series`, d.seriesCountByLabelValuePair, 'Series')),
  ];
}
