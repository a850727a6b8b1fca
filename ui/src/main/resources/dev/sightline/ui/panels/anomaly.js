// Anomaly panel: targets[0]'s series with its expected value and band, anomalous points marked. options.function:
// - seasonal (default): seasonal_expected / seasonal_lower / seasonal_upper(x[window], season, threshold), the
//   server's seasonal baseline (docs/anomaly.md); a point outside the band is anomalous.
// - zscore: mean ± threshold × standard deviation over the window; anomalous where |zscore_over_time| > threshold.
// - robust_zscore: median ± threshold × IQR/1.349 (a robust sigma) over the window; anomalous where
//   |robust_zscore_over_time| > threshold (the detector's own verdict, so marks and alerts agree).
// options.window ("1d"), season ("1d"), threshold (3). The band needs history: an empty band is not an error.
import uPlot from '/ui/vendor/uplot/uPlot.esm.js';
import { queryRange } from '../api.js';
import { align, formatValue, seriesColor, seriesName } from '../chart.js';
import { message, seriesKey, themeColor } from './plot.js';

const SECONDS = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

function seconds(text) {
  const m = /^(\d+(?:\.\d+)?)([smhdw])$/.exec(String(text));
  if (!m) throw new Error(`anomaly: "${text}" is not a duration such as 30m, 1d or 1w`);
  return Number(m[1]) * SECONDS[m[2]];
}

/** The expression over a window: a plain selector takes [window], anything else becomes a subquery. */
function windowed(expr, window, step) {
  return /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^{}]*\})?$/.test(expr.trim()) ? `${expr.trim()}[${window}]` : `(${expr})[${window}:${step}s]`;
}

/** The expressions of {expected, lower, upper, flag} for one detector; flag is 1 where the detector flags a point. */
export function anomalyQueries(expr, options, step) {
  const fn = options.function ?? 'seasonal';
  const window = options.window ?? '1d';
  const season = seconds(options.season ?? '1d');
  const k = Number(options.threshold ?? 3);
  seconds(window);
  const w = windowed(expr, window, step);
  switch (fn) {
    case 'seasonal':
      return { expected: `seasonal_expected(${w}, ${season})`, lower: `seasonal_lower(${w}, ${season}, ${k})`,
        upper: `seasonal_upper(${w}, ${season}, ${k})`, flag: null };
    case 'zscore':
      return { expected: `avg_over_time(${w})`, lower: `avg_over_time(${w}) - ${k} * stddev_over_time(${w})`,
        upper: `avg_over_time(${w}) + ${k} * stddev_over_time(${w})`, flag: `abs(zscore_over_time(${w})) > bool ${k}` };
    case 'robust_zscore': {
      const sigma = `(quantile_over_time(0.75, ${w}) - quantile_over_time(0.25, ${w})) / 1.349`;
      return { expected: `quantile_over_time(0.5, ${w})`, lower: `quantile_over_time(0.5, ${w}) - ${k} * ${sigma}`,
        upper: `quantile_over_time(0.5, ${w}) + ${k} * ${sigma}`, flag: `abs(robust_zscore_over_time(${w})) > bool ${k}` };
    }
    default:
      throw new Error(`anomaly: options.function "${fn}" is none of seasonal, zscore, robust_zscore`);
  }
}

export async function render(el, panel, ctx) {
  const expr = panel.targets?.[0]?.expr;
  if (!expr) {
    message(el, 'anomaly: targets[0].expr is missing');
    return;
  }
  const { start, end, step } = ctx;
  const q = anomalyQueries(ctx.interpolate(expr), panel.options ?? {}, step);
  const run = (e) => (e ? queryRange(e, start, end, step).then((d) => d.result ?? []) : Promise.resolve(null));
  const [series, expected, lower, upper, flag] = await Promise.all(
    [ctx.interpolate(expr), q.expected, q.lower, q.upper, q.flag].map(run));
  if (!series.length) {
    message(el, 'No data in this range.');
    return;
  }
  const byKey = (result) => new Map((result ?? []).map((s) => [seriesKey(s.metric), s]));
  const [e, lo, hi, fl] = [expected, lower, upper, flag].map(byKey);
  const empty = { values: [] };
  // Per series: the series, expected, lower, upper and the anomalous points (the series' value where flagged).
  const columns = [];
  const uSeries = [{}];
  const bands = [];
  const css = getComputedStyle(document.documentElement);
  const band = themeColor('--band') || 'rgba(127, 127, 127, 0.2)';
  const bad = themeColor('--anomaly') || css.getPropertyValue('--error-fg').trim();
  let anomalies = 0;
  series.slice(0, 5).forEach((s, i) => {
    const k = seriesKey(s.metric);
    const [ys, ex, l, u] = align([s, e.get(k) ?? empty, lo.get(k) ?? empty, hi.get(k) ?? empty], start, end, step).slice(1);
    const flags = q.flag ? align([fl.get(k) ?? empty], start, end, step)[1] : null;
    const marks = ys.map((y, j) => {
      const out = y != null && (flags ? flags[j] === 1 : (l[j] != null && y < l[j]) || (u[j] != null && y > u[j]));
      if (out) anomalies++;
      return out ? y : null;
    });
    const color = seriesColor(i);
    const base = columns.length + 1;
    columns.push(ys, ex, l, u, marks);
    const name = seriesName(s.metric);
    uSeries.push(
      { label: name, stroke: color, width: 1.5 },
      { label: `${name} expected`, stroke: color, width: 1, dash: [4, 4] },
      { label: `${name} lower`, stroke: 'transparent', width: 0 },
      { label: `${name} upper`, stroke: 'transparent', width: 0 },
      { label: `${name} anomalous`, stroke: bad, fill: bad, paths: () => null, points: { show: true, size: 9, stroke: bad, fill: bad } });
    bands.push({ series: [base + 3, base + 2], fill: band });
  });
  const fg = css.getPropertyValue('--fg').trim();
  const grid = { stroke: css.getPropertyValue('--grid').trim(), width: 1 };
  const unit = panel.options?.unit ?? '';
  const axis = { stroke: fg, grid, ticks: grid };
  const opts = {
    width: Math.max(el.clientWidth, 300),
    height: panel.height ?? 240,
    series: uSeries,
    bands,
    axes: [axis, { ...axis, size: 70, values: (u, vals) => vals.map((v) => formatValue(v, unit)) }],
  };
  el.replaceChildren();
  el.dataset.anomalies = String(anomalies);
  const chart = new uPlot(opts, [align([], start, end, step)[0], ...columns], el);
  return { destroy: () => chart.destroy() };
}
