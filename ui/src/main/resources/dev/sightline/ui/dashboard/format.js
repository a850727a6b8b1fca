// What the dashboard's built-in panels share: fetching their targets, legends, units, reductions, threshold colours.
import { queryRange } from '../api.js';
import { seriesName } from '../chart.js';

/**
 * Every target of the panel as a range query over ctx's range, interpolated; the series of all targets in one list,
 * each with `name`: its legend template filled in ({{label}} replaced), or its selector text.
 */
export async function fetchTargets(panel, ctx) {
  const results = await Promise.all(queries(panel).map(async (t) => {
    const data = await queryRange(ctx.interpolate(t.expr), ctx.start, ctx.end, ctx.step);
    const series = data.resultType === 'matrix' ? data.result : [];
    return series.map((s) => ({ ...s, name: legend(t.legend, s.metric) }));
  }));
  return results.flat();
}

/** The panel's targets that have a query (the editor's blank new query is not one yet). */
export function queries(panel) {
  return (panel.targets ?? []).filter((t) => t.expr?.trim());
}

/** A legend template with {{label}} replaced by the series' label values; the selector text without one. */
export function legend(template, metric) {
  if (!template) return seriesName(metric);
  return template.replace(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_, name) => metric[name] ?? '');
}

/** The panel's value of a series: the last, mean, max or min of its points (NaN-free); null without points. */
export function reduce(values, how = 'last') {
  const ys = values.map(([, v]) => Number(v)).filter((v) => Number.isFinite(v));
  if (ys.length === 0) return null;
  switch (how) {
    case 'mean': return ys.reduce((a, b) => a + b, 0) / ys.length;
    case 'max': return Math.max(...ys);
    case 'min': return Math.min(...ys);
    default: return ys[ys.length - 1];
  }
}

// The three named threshold colours follow the theme (style.css); any other is a CSS colour as written.
const NAMED = { green: '--ok', yellow: '--warn', orange: '--warn', red: '--bad', blue: '--accent' };

/** A threshold colour as CSS: green, yellow and red from the theme's variables, others as given. */
export function cssColor(color) {
  const variable = NAMED[color];
  return variable ? getComputedStyle(document.documentElement).getPropertyValue(variable).trim() : color;
}

/** The colour of the highest threshold step at or below `v` (steps [{value (null: base), color}]), or null. */
export function thresholdColor(thresholds, v) {
  let color = null;
  for (const step of thresholds ?? []) {
    if (step.value == null || (v != null && v >= step.value)) color = step.color;
  }
  return color == null ? null : cssColor(color);
}

/** Draws a series as a line filling the canvas (the stat panel's sparkline), in the given colour. */
export function sparkline(canvas, values, color) {
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.max(1, canvas.clientWidth * ratio);
  canvas.height = Math.max(1, canvas.clientHeight * ratio);
  const g = canvas.getContext('2d');
  const pts = values.map(([t, v]) => [t, Number(v)]).filter(([, v]) => Number.isFinite(v));
  if (pts.length < 2) return;
  const [t0, t1] = [pts[0][0], pts[pts.length - 1][0]];
  const ys = pts.map(([, v]) => v);
  const [lo, hi] = [Math.min(...ys), Math.max(...ys)];
  const x = (t) => ((t - t0) / (t1 - t0 || 1)) * canvas.width;
  const y = (v) => canvas.height - ((v - lo) / (hi - lo || 1)) * (canvas.height - 2 * ratio) - ratio;
  g.strokeStyle = color;
  g.lineWidth = 1.5 * ratio;
  g.beginPath();
  pts.forEach(([t, v], i) => (i ? g.lineTo(x(t), y(v)) : g.moveTo(x(t), y(v))));
  g.stroke();
}
