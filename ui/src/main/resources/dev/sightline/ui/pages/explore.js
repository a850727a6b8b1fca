// The Explore page: a PromQL range query drawn as a graph and a table of last values. The query, range and step
// live in the URL's query string, so a copied URL opens the same view.
import { metricNames, queryRange } from '../api.js';
import { drawChart, seriesName } from '../chart.js';

const RANGES = { '5m': 300, '1h': 3600, '6h': 21600, '24h': 86400, '7d': 604800 };
// About this many points per series when the step is left to us, as Prometheus's own UI does.
const AUTO_POINTS = 250;

// Constant markup (no data in it): the data goes in through textContent and Option values only.
const MARKUP = `
  <form id="explore" autocomplete="off">
    <label class="query">
      <span>PromQL</span>
      <input id="query" name="query" list="metric-names" spellcheck="false"
             placeholder="e.g. rate(http_requests_total[5m])  (Enter or Ctrl+Enter runs)">
      <datalist id="metric-names"></datalist>
    </label>
    <label>
      <span>Range</span>
      <select id="range" name="range">
        <option value="5m">Last 5m</option>
        <option value="1h" selected>Last 1h</option>
        <option value="6h">Last 6h</option>
        <option value="24h">Last 24h</option>
        <option value="7d">Last 7d</option>
      </select>
    </label>
    <label>
      <span>Step</span>
      <input id="step" name="step" size="6" spellcheck="false" placeholder="auto">
    </label>
    <button id="run" type="submit">Run</button>
  </form>
  <div id="error" role="alert" hidden></div>
  <p id="status" aria-live="polite"></p>
  <section id="chart" aria-label="Graph"></section>
  <table id="table" hidden>
    <thead><tr><th>Series</th><th>Last value</th><th>At</th></tr></thead>
    <tbody></tbody>
  </table>`;

export function mount(main, { query: params }) {
  main.innerHTML = MARKUP;
  const doc = main.ownerDocument;
  const form = doc.getElementById('explore');
  const query = doc.getElementById('query');
  const range = doc.getElementById('range');
  const step = doc.getElementById('step');
  const errorBox = doc.getElementById('error');
  const status = doc.getElementById('status');
  const chartBox = doc.getElementById('chart');
  const table = doc.getElementById('table');
  let chart = null;

  query.value = params.get('query') ?? '';
  if (params.get('range') in RANGES) range.value = params.get('range');
  step.value = params.get('step') ?? '';

  function showError(message) {
    errorBox.textContent = message + caret(message, query.value);
    errorBox.hidden = false;
  }

  async function run() {
    const text = query.value.trim();
    const url = new URLSearchParams({ query: text, range: range.value });
    if (step.value.trim()) url.set('step', step.value.trim());
    history.replaceState(null, '', `?${url}`);
    errorBox.hidden = true;
    if (!text) return;
    const end = Math.floor(Date.now() / 1000);
    const start = end - RANGES[range.value];
    const stepSeconds = step.value.trim() ? parseStep(step.value.trim()) : Math.max(1, Math.ceil((end - start) / AUTO_POINTS));
    if (stepSeconds === null) {
      showError(`step: "${step.value.trim()}" is not a duration such as 15s, 1m or 1h, nor a number of seconds`);
      return;
    }
    status.textContent = 'Running…';
    try {
      const data = await queryRange(text, start, end, stepSeconds);
      const result = data.resultType === 'matrix' ? data.result : [];
      chart = drawChart(chartBox, result, start, end, stepSeconds, chart);
      fillTable(table, result);
      status.textContent = `${result.length} series, step ${stepSeconds}s`;
    } catch (e) {
      status.textContent = '';
      showError(e.message);
    }
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    run();
  });
  // Enter submits the form; Ctrl+Enter (or Cmd+Enter) runs from any field, as in query editors.
  form.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      run();
    }
  });
  range.addEventListener('change', run);
  new ResizeObserver(() => chart?.setSize({ width: Math.max(chartBox.clientWidth, 300), height: 320 })).observe(chartBox);

  metricNames().then((names) => {
    doc.getElementById('metric-names').replaceChildren(...names.map((n) => new Option(n, n)));
  }).catch((e) => showError(`metric names: ${e.message}`));

  if (query.value) run();
}

/**
 * For a parse error at line:column of the query (as the API names it), the query's line with a caret under that
 * column; "" when the message names no position.
 */
function caret(message, text) {
  const at = /(\d+):(\d+): parse error/.exec(message);
  const line = at && text.split('\n')[Number(at[1]) - 1];
  return line == null ? '' : `\n\n${line}\n${' '.repeat(Math.max(0, Number(at[2]) - 1))}^`;
}

/** Seconds from "15s", "1m", "2h", "1d" or a plain number; null when it is neither. */
function parseStep(text) {
  const m = /^(\d+(?:\.\d+)?)(s|m|h|d)?$/.exec(text);
  if (!m) return null;
  const seconds = Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[m[2] ?? 's'];
  return seconds > 0 ? seconds : null;
}

function fillTable(table, result) {
  const rows = result.map(({ metric, values }) => {
    const [t, v] = values[values.length - 1];
    const tr = document.createElement('tr');
    for (const [text, cls] of [[seriesName(metric), 'series'], [v, 'value'], [new Date(t * 1000).toISOString(), 'time']]) {
      const td = document.createElement('td');
      td.textContent = text;
      td.className = cls;
      tr.append(td);
    }
    return tr;
  });
  table.tBodies[0].replaceChildren(...rows);
  table.hidden = rows.length === 0;
}
