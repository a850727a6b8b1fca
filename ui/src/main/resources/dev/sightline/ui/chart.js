// A uPlot time-series chart of range-query results: one line per series on the query's step grid, optionally
// stacked or on a log scale, values formatted for a unit, exemplars as dots that link to their trace. Times are the
// browser's local time, and the x axis names the zone; the pages' tables use formatTime() so both agree.
import uPlot from '/ui/vendor/uplot/uPlot.esm.js';

/** The series' labels as PromQL writes a selector: name{a="b", ...}. */
export function seriesName(metric) {
  const { __name__: name = '', ...labels } = metric;
  const pairs = Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return pairs.length ? `${name}{${pairs.join(', ')}}` : name || '{}';
}

/** The i-th series' colour: evenly spread hues (golden angle), so neighbouring series differ. */
export function seriesColor(i, alpha = 1) {
  return `hsla(${(i * 137.508) % 360}, 65%, 50%, ${alpha})`;
}

const pad = (n, width = 2) => String(n).padStart(width, '0');

/** Seconds since the epoch as the browser's local time, "2026-12-06 14:05:09" (milliseconds when there are any). */
export function formatTime(seconds) {
  const d = new Date(seconds * 1000);
  const ms = d.getMilliseconds();
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
    + (ms ? `.${pad(ms, 3)}` : '');
}

/** The browser's time zone as people read it: "Europe/Paris, UTC+01:00". */
export function zoneName(at = new Date()) {
  const offset = -at.getTimezoneOffset();
  const sign = offset < 0 ? '-' : '+';
  const utc = `UTC${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return zone && zone !== 'UTC' ? `${zone}, ${utc}` : utc;
}

const SI = [[1e24, 'Y'], [1e21, 'Z'], [1e18, 'E'], [1e15, 'P'], [1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k'],
  [1, ''], [1e-3, 'm'], [1e-6, 'µ'], [1e-9, 'n'], [1e-12, 'p']];
const IEC = [[2 ** 60, 'Ei'], [2 ** 50, 'Pi'], [2 ** 40, 'Ti'], [2 ** 30, 'Gi'], [2 ** 20, 'Mi'], [2 ** 10, 'Ki'], [1, '']];
const DURATIONS = [[86400, 'd'], [3600, 'h'], [60, 'min'], [1, 's'], [1e-3, 'ms'], [1e-6, 'µs'], [1e-9, 'ns']];

const ZERO = { bytes: '0 B', s: '0 s', seconds: '0 s', percent: '0%', percentunit: '0%' };

/** Up to 3 significant digits, without trailing zeros. */
function short(x) {
  return String(Number(x.toPrecision(3)));
}

function scaled(v, steps, suffix) {
  const a = Math.abs(v);
  const [f, p] = steps.find(([f]) => a >= f) ?? steps[steps.length - 1];
  return `${short(v / f)}${suffix(p)}`;
}

/** Units written after the number without a space, as Grafana shows them. */
const SUFFIXES = { reqps: '/s', x: 'x' };

/**
 * The one way the UI writes a value (axes, legends, tables, panels): SI prefixes (1.2k, 350m) and the unit after
 * them. Units with their own scales: "bytes"/"decbytes" (KiB, MiB, ...), "s"/"seconds"/"ms" (µs ... d), "percent"
 * (0-100), "percentunit" (0-1 shown as %). No unit: the number alone, scaled, so a y axis needs no unit to be read.
 * No value: a dash.
 */
export function formatValue(v, unit = '') {
  if (v == null) return '–';
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
  if (unit === 'ms') return formatValue(v / 1000, 's');
  if (v === 0) return ZERO[unit] ?? (unit ? `0 ${unit}` : '0');
  switch (unit) {
    case 'bytes': case 'decbytes': return scaled(v, IEC, (p) => ` ${p}B`);
    case 's': case 'seconds': return scaled(v, DURATIONS, (p) => ` ${p}`);
    case 'percent': return `${short(v)}%`;
    case 'percentunit': return `${short(v * 100)}%`;
    default: return scaled(v, SI, (p) => (unit in SUFFIXES ? `${p}${SUFFIXES[unit]}` : unit ? ` ${p}${unit}` : p));
  }
}

/**
 * Aligns the series to the grid start, start + step, ..., end (seconds), null where a series has no point, which
 * is the data layout uPlot draws gaps from.
 */
export function align(result, start, end, step) {
  const n = Math.floor((end - start) / step) + 1;
  const xs = Array.from({ length: n }, (_, i) => start + i * step);
  const columns = result.map(({ values }) => {
    const ys = new Array(n).fill(null);
    for (const [t, v] of values) {
      const i = Math.round((t - start) / step);
      if (i >= 0 && i < n) ys[i] = Number(v);
    }
    return ys;
  });
  return [xs, ...columns];
}

/** Each column the running sum of the columns before it (a gap stays a gap and adds nothing). */
function stack(columns) {
  const sums = new Array(columns[0]?.length ?? 0).fill(0);
  return columns.map((ys) => ys.map((y, i) => (y == null ? null : (sums[i] += y))));
}

/** The trace id of an exemplar: OpenTelemetry's trace_id label, or Tempo's and Jaeger's spellings. */
export function exemplarTraceId(labels = {}) {
  return labels.trace_id ?? labels.traceID ?? labels.traceId ?? labels.TraceID ?? null;
}

/** The API's exemplar answer ([{seriesLabels, exemplars: [{labels, value, timestamp}]}]) as flat points. */
function exemplarPoints(exemplars = []) {
  return exemplars.flatMap(({ seriesLabels = {}, exemplars: points = [] }) =>
    points.map((e) => ({ t: Number(e.timestamp), v: Number(e.value), labels: e.labels ?? {}, series: seriesLabels })));
}

/**
 * Exemplars as links over the plot, one per point: Tab reaches them, Enter or a click opens their trace, and the
 * title names the series, value, time and labels. Placed again after every redraw (resize, zoom).
 */
function exemplarLayer(points, unit) {
  let layer;
  return (u) => {
    layer ??= u.over.appendChild(Object.assign(document.createElement('div'), { className: 'exemplars' }));
    const [xMin, xMax] = [u.scales.x.min, u.scales.x.max];
    const [yMin, yMax] = [u.scales.y.min, u.scales.y.max];
    const dots = points.filter((p) => p.t >= xMin && p.t <= xMax && p.v >= yMin && p.v <= yMax).map((p) => {
      const id = exemplarTraceId(p.labels);
      const dot = document.createElement(id ? 'a' : 'span');
      dot.className = 'exemplar';
      if (id) {
        dot.href = `/traces/${encodeURIComponent(id)}`;
        dot.dataset.traceId = id;
      }
      const labels = Object.entries(p.labels).map(([k, v]) => `${k}=${v}`).join(' ');
      dot.title = `${seriesName(p.series)}\n${formatValue(p.v, unit)} at ${formatTime(p.t)}\n${labels}`;
      dot.style.left = `${u.valToPos(p.t, 'x')}px`;
      dot.style.top = `${u.valToPos(p.v, 'y')}px`;
      return dot;
    });
    layer.replaceChildren(...dots);
  };
}

/**
 * Draws (replacing any previous chart) into the container; returns the uPlot instance. A series is named by its
 * `legend` when it has one, else by its labels. options: height (px, 320),
 * stacked (areas summed bottom-up), logScale (base 10; values <= 0 are gaps), unit (see formatValue), exemplars
 * (the /api/v1/query_exemplars data: dots linking to /traces/<trace_id>).
 */
export function drawChart(container, result, start, end, step, previous, options = {}) {
  const { height = 320, stacked = false, logScale = false, unit = '', exemplars = [] } = options;
  previous?.destroy();
  const css = getComputedStyle(document.documentElement);
  const fg = css.getPropertyValue('--fg').trim();
  const grid = { stroke: css.getPropertyValue('--grid').trim(), width: 1 };
  const axis = { stroke: fg, grid, ticks: grid };
  const [xs, ...raw] = align(result, start, end, step);
  const ys = logScale ? raw.map((col) => col.map((y) => (y > 0 ? y : null))) : raw;
  const drawn = stacked ? stack(ys) : ys;
  const points = exemplarPoints(exemplars);
  const opts = {
    width: Math.max(container.clientWidth, 300),
    height,
    series: [
      { value: (u, t) => (t == null ? '' : formatTime(t)) },
      ...result.map((s, i) => ({
        label: s.legend ?? seriesName(s.metric),
        stroke: seriesColor(i),
        fill: stacked ? seriesColor(i, 0.35) : undefined,
        width: 1.5,
        spanGaps: false,
        // The legend shows each series' own value, not the stacked sum it is drawn at.
        value: (u, v, si, idx) => (idx == null ? '' : formatValue(ys[si - 1][idx], unit)),
      })),
    ],
    // Stacked areas fill down to the series below, not to zero.
    bands: stacked ? result.slice(1).map((_, i) => ({ series: [i + 2, i + 1] })) : [],
    // Stacked areas start at zero, so each band's height reads as its series' value.
    scales: { y: logScale ? { distr: 3, log: 10 } : stacked ? { range: (u, min, max) => [Math.min(0, min), Math.max(0, max)] } : { auto: true } },
    axes: [
      { ...axis, label: `Local time (${zoneName(new Date(end * 1000))})`, labelSize: 20, labelFont: '12px system-ui, sans-serif' },
      { ...axis, size: 70, values: (u, splits) => splits.map((v) => formatValue(v, unit)) },
    ],
    hooks: points.length ? { draw: [exemplarLayer(points, unit)] } : {},
  };
  return new uPlot(opts, [xs, ...drawn], container);
}
