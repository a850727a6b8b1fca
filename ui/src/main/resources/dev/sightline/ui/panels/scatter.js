// Scatter panel. Two targets: targets[0] is x, targets[1] is y, a point for every step at which a series of each
// has a value, series joined on equal labels (the metric name aside); e.g. rider against driver surge by region.
// One target: x is time, a point per sample. options.unit (y), options.x_unit. Colour per joined series.
import { queryRange } from '../api.js';
import { formatValue, seriesColor, seriesName } from '../chart.js';
import { createPlot, drawTimeAxis, drawValueAxis, message, seriesKey } from './plot.js';

/** Points [{x, y, t, name}] from one (x = time) or two range results joined on labels and time. */
export function scatterPoints(xs, ys) {
  if (!ys) return xs.flatMap((s) => s.values.map(([t, v]) => ({ x: t, y: Number(v), t, name: seriesName(s.metric) })));
  const byKey = new Map(ys.map((s) => [seriesKey(s.metric), s]));
  const points = [];
  for (const sx of xs) {
    const sy = byKey.get(seriesKey(sx.metric));
    if (!sy) continue;
    const at = new Map(sy.values.map(([t, v]) => [t, Number(v)]));
    const name = seriesName(sx.metric).replace(/^[^{]*/, '') || '{}';
    for (const [t, v] of sx.values) if (at.has(t)) points.push({ x: Number(v), y: at.get(t), t, name });
  }
  return points;
}

export async function render(el, panel, ctx) {
  const [tx, ty] = panel.targets ?? [];
  if (!tx?.expr) {
    message(el, 'scatter: targets[0].expr is missing');
    return;
  }
  const run = (t) => queryRange(ctx.interpolate(t.expr), ctx.start, ctx.end, ctx.step).then((d) => d.result ?? []);
  const [xs, ys] = await Promise.all([run(tx), ty?.expr ? run(ty) : null]);
  const points = scatterPoints(xs, ys).filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  if (!points.length) {
    message(el, ty ? 'No series of x and y share labels and times in this range.' : 'No data in this range.');
    return;
  }
  const options = panel.options ?? {};
  const p = createPlot(el, panel.height ?? 240);
  const { g, plot, canvas } = p;
  const span = (vals) => {
    const lo = Math.min(...vals), hi = Math.max(...vals);
    return lo === hi ? [lo - 1, hi + 1] : [lo - (hi - lo) * 0.05, hi + (hi - lo) * 0.05];
  };
  const [ylo, yhi] = span(points.map((q) => q.y));
  const y = drawValueAxis(p, ylo, yhi, options.unit ?? '');
  let x;
  if (ty) {
    const [xlo, xhi] = span(points.map((q) => q.x));
    x = (v) => plot.left + ((v - xlo) / (xhi - xlo)) * plot.width;
    g.textAlign = 'center';
    g.textBaseline = 'top';
    g.fillStyle = p.fg;
    for (let i = 0; i <= 4; i++) {
      const v = xlo + ((xhi - xlo) * i) / 4;
      g.fillText(formatValue(v, options.x_unit ?? ''), x(v), plot.top + plot.height + 6);
    }
  } else {
    x = drawTimeAxis(p, ctx.start, ctx.end);
  }
  const names = [...new Set(points.map((q) => q.name))];
  for (const q of points) {
    g.fillStyle = seriesColor(names.indexOf(q.name));
    g.beginPath();
    g.arc(x(q.x), y(q.y), 3, 0, 2 * Math.PI);
    g.fill();
  }
  canvas.dataset.points = String(points.length);
  canvas.addEventListener('mousemove', (e) => {
    const box = canvas.getBoundingClientRect();
    const px = e.clientX - box.left, py = e.clientY - box.top;
    let best = null, bestD = 100;
    for (const q of points) {
      const d = (x(q.x) - px) ** 2 + (y(q.y) - py) ** 2;
      if (d < bestD) [best, bestD] = [q, d];
    }
    p.tooltip(best && `${best.name} x=${formatValue(best.x, options.x_unit ?? '')} y=${formatValue(best.y, options.unit ?? '')} at ${new Date(best.t * 1000).toLocaleTimeString()}`, px, py);
  });
}
