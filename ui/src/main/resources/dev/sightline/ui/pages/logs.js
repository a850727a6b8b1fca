// The Logs page: a LogQL query over a range (Enter runs), the volume over time as bars stacked by level, the lines
// newest first (each opens to its fields), and live tail over Loki's websocket with pause and resume. A metric
// query draws its series instead of lines. State lives in the query string (query, range).
import uPlot from '/ui/vendor/uplot/uPlot.esm.js';
import { apiFetch, fetchJson, tenant } from '../api.js';
import { RANGES, caretAt, fillRanges } from '../format.js';
import { entries, lineItem } from '../loglines.js';

const MARKUP = `
  <form id="log-search" autocomplete="off">
    <label class="query"><span>LogQL</span>
      <input id="query" name="query" spellcheck="false" placeholder='{service_name="checkout"} |= "error"  (Enter runs)'></label>
    <label><span>Range</span><select id="range" name="range"></select></label>
    <button id="run" type="submit">Run</button>
    <button id="live" type="button" aria-pressed="false">Live tail</button>
    <button id="pause" type="button" hidden>Pause</button>
  </form>
  <div id="error" role="alert" hidden></div>
  <p id="status" aria-live="polite"></p>
  <section id="volume" aria-label="Log volume over time"></section>
  <ul id="lines" class="log-lines" aria-label="Log lines, newest first"></ul>`;

const LIMIT = 500;
/** Lines the page keeps while tailing; older ones drop off the end. */
const TAIL_KEEP = 1000;
/** Bars of the volume histogram over the range. */
const BARS = 60;
/** Stacked bottom to top: the rare, loud levels on top where they catch the eye. */
const LEVELS = ['unknown', 'trace', 'debug', 'info', 'warn', 'error', 'fatal'];

export async function mount(main, { query: params }) {
  main.innerHTML = MARKUP;
  const $ = (id) => main.querySelector(`#${id}`);
  const [form, query, range, live, pause, errorBox, status, volumeBox, list] =
    ['log-search', 'query', 'range', 'live', 'pause', 'error', 'status', 'volume', 'lines'].map($);
  query.value = params.get('query') ?? '';
  fillRanges(range, params.get('range'));
  let chart = null;
  let tail = null;
  let streamLabels = new Set();

  const showError = (message) => {
    errorBox.textContent = message + caretAt(message, query.value.trim());
    errorBox.hidden = false;
  };

  async function run() {
    stopTail();
    errorBox.hidden = true;
    const text = query.value.trim();
    history.replaceState(null, '', `?${new URLSearchParams({ query: text, range: range.value })}`);
    if (!text) return;
    const end = Math.floor(Date.now() / 1000);
    const start = end - RANGES[range.value];
    const step = Math.max(1, Math.ceil((end - start) / BARS));
    status.textContent = 'Running…';
    try {
      const [data, labels] = await Promise.all([
        fetchJson('/loki/api/v1/query_range', { query: text, start, end, step, limit: String(LIMIT), direction: 'backward' }),
        fetchJson('/loki/api/v1/labels', { start, end })]);
      streamLabels = new Set(labels.data);
      if (data.data.resultType === 'streams') {
        const lines = entries(data.data.result, streamLabels);
        list.replaceChildren(...lines.map(lineItem));
        status.textContent = `${lines.length} line${lines.length === 1 ? '' : 's'}${lines.length === LIMIT ? ` (the newest ${LIMIT})` : ''}`;
        const volume = await fetchJson('/loki/api/v1/query_range', {
          query: `sum by (detected_level) (count_over_time(${text} [${step}s]))`, start, end, step: String(step) });
        chart = drawVolume(volumeBox, volume.data.result, start, end, step, chart);
      } else {
        // A metric query: its series are the picture, there are no lines.
        list.replaceChildren();
        chart = drawVolume(volumeBox, data.data.result, start, end, step, chart, true);
        status.textContent = `${data.data.result.length} series`;
      }
    } catch (e) {
      status.textContent = '';
      showError(e.message);
    }
  }

  function stopTail() {
    if (!tail) return;
    tail.close();
    tail = null;
    live.setAttribute('aria-pressed', 'false');
    live.textContent = 'Live tail';
    pause.hidden = true;
  }

  function startTail() {
    errorBox.hidden = true;
    const text = query.value.trim();
    if (!text) {
      showError('query: live tail needs a stream selector, e.g. {service_name="checkout"}');
      return;
    }
    if (tenant()) {
      // A browser's WebSocket cannot carry X-Scope-OrgID, and the tenant is read from that header only.
      showError(`live tail cannot name tenant "${tenant()}" from the browser (a WebSocket carries no custom header): `
        + 'open the UI through a proxy that sets X-Scope-OrgID, with the Tenant field empty');
      return;
    }
    const params = new URLSearchParams({ query: text, limit: '100',
      start: String(Math.floor(Date.now() / 1000) - RANGES[range.value]) });
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/loki/api/v1/tail?${params}`;
    const socket = new WebSocket(url);
    let opened = false;
    let held = [];
    const session = {
      paused: false,
      close: () => socket.close(),
      resume() {
        this.paused = false;
        add(held);
        held = [];
      },
    };
    tail = session;
    list.replaceChildren();
    live.setAttribute('aria-pressed', 'true');
    live.textContent = 'Stop live tail';
    pause.hidden = false;
    pause.textContent = 'Pause';
    status.textContent = 'Live: connecting…';

    function add(lines) {
      // Frames come oldest first; the list shows the newest on top.
      list.prepend(...lines.map(lineItem));
      while (list.children.length > TAIL_KEEP) list.lastElementChild.remove();
      status.textContent = `Live: ${list.children.length} line${list.children.length === 1 ? '' : 's'}`;
    }

    socket.addEventListener('open', () => {
      opened = true;
      status.textContent = 'Live: waiting for lines…';
    });
    socket.addEventListener('message', (event) => {
      const frame = JSON.parse(event.data);
      const lines = entries(frame.streams ?? [], streamLabels);
      if (lines.length === 0 && !frame.dropped_entries?.length) return;
      if (session.paused) {
        held.push(...lines.reverse());
        held = held.slice(-TAIL_KEEP);
        status.textContent = `Live, paused: ${held.length} new line${held.length === 1 ? '' : 's'} held`;
      } else {
        add(lines.reverse());
      }
      if (frame.dropped_entries?.length) status.textContent += ` (${frame.dropped_entries.length} dropped: reading too slowly)`;
    });
    socket.addEventListener('close', async () => {
      if (tail !== session) return;
      stopTail();
      if (opened) {
        status.textContent = 'Live tail ended by the server.';
        return;
      }
      // The browser does not say why a handshake failed; the same URL over plain HTTP answers the server's reason.
      try {
        const response = await apiFetch(`/loki/api/v1/tail?${params}`);
        const reason = (await response.text()).trim();
        showError(response.status === 400 && !reason.includes('websocket endpoint') ? reason : `live tail could not connect (${response.status})`);
      } catch (e) {
        showError(`live tail could not connect: ${e.message}`);
      }
    });
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    run();
  });
  range.addEventListener('change', run);
  live.addEventListener('click', () => (tail ? stopTail() : startTail()));
  pause.addEventListener('click', () => {
    if (!tail) return;
    if (tail.paused) {
      tail.resume();
      pause.textContent = 'Pause';
    } else {
      tail.paused = true;
      pause.textContent = 'Resume';
      status.textContent = 'Live, paused: 0 new lines held';
    }
  });
  new ResizeObserver(() => chart?.setSize({ width: Math.max(volumeBox.clientWidth, 300), height: 160 })).observe(volumeBox);
  await run();
}

/**
 * Bars of lines per step stacked by level (a series per detected_level), or, for a metric query (`metric`), its
 * series as lines.
 */
function drawVolume(box, result, start, end, step, previous, metric = false) {
  previous?.destroy();
  const css = getComputedStyle(document.documentElement);
  const fg = css.getPropertyValue('--fg').trim();
  const grid = { stroke: css.getPropertyValue('--grid').trim(), width: 1 };
  const axis = { stroke: fg, grid, ticks: grid };
  const n = Math.floor((end - start) / step) + 1;
  const xs = Array.from({ length: n }, (_, i) => start + i * step);
  const column = (values) => {
    const ys = new Array(n).fill(metric ? null : 0);
    for (const [t, v] of values) {
      const i = Math.round((t - start) / step);
      if (i >= 0 && i < n) ys[i] = Number(v);
    }
    return ys;
  };
  let series;
  let data;
  if (metric) {
    series = result.map((s, i) => ({ label: JSON.stringify(s.metric), stroke: `hsl(${(i * 137.508) % 360}, 65%, 50%)`, width: 1.5 }));
    data = [xs, ...result.map((s) => column(s.values))];
  } else {
    const byLevel = new Map(result.map((s) => [s.metric.detected_level ?? 'unknown', column(s.values)]));
    const levels = [...byLevel.keys()].sort((a, b) => LEVELS.indexOf(b) - LEVELS.indexOf(a));
    // uPlot draws later series over earlier ones: each series is the sum of its level and those stacked below it,
    // the tallest first, so each level's own share shows. The legend shows a level's own count.
    const raw = levels.map((l) => byLevel.get(l));
    // An empty step has no bar at all (null) rather than a bar of height 0.
    const stacked = raw.map((_, i) => xs.map((__, j) => raw.slice(i).reduce((sum, ys) => sum + ys[j], 0) || null));
    const bars = uPlot.paths.bars({ size: [0.9, 40] });
    series = levels.map((l, i) => {
      const colour = css.getPropertyValue(`--level-${l}`).trim() || css.getPropertyValue('--level-unknown').trim();
      return { label: l, fill: colour, stroke: colour, paths: bars, points: { show: false }, value: (u, v, si, j) => (j == null ? '' : String(raw[i][j])) };
    });
    data = [xs, ...stacked];
  }
  return new uPlot({
    width: Math.max(box.clientWidth, 300),
    height: 160,
    series: [{}, ...series],
    axes: [axis, { ...axis, size: 60 }],
  }, data, box);
}
