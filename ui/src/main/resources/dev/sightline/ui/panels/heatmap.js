// Heatmap panel: every bucket of a histogram over time, so what percentiles hide (a few 10x outliers, a second
// mode) stays visible. targets[0].expr returns native histograms (query_range's "histograms": buckets
// [boundaryRule, lower, upper, count]) or classic `_bucket` series with `le` (cumulative: de-cumulated here, per
// series, then summed over series). One row per bucket (ordinal, so exponential buckets get equal height), one
// column per step; colour by count, on a log scale unless options.scale is "linear". options.unit names the
// bucket bounds' unit. The canvas carries data-rows (bucket bounds, bottom to top) and data-plot (geometry) for tests.
import { formatValue } from '../chart.js';
import { queryRange } from '../api.js';
import { createPlot, drawTimeAxis, message, themeColor } from './plot.js';

// Prometheus's boundary rules: 0 (lower, upper], 1 [lower, upper), 2 (lower, upper), 3 [lower, upper].
const OPEN = ['(', '[', '(', '['], CLOSE = [']', ')', ')', ']'];

export async function render(el, panel, ctx) {
  const expr = panel.targets?.[0]?.expr;
  if (!expr) {
    message(el, 'heatmap: targets[0].expr is missing');
    return;
  }
  const data = await queryRange(ctx.interpolate(expr), ctx.start, ctx.end, ctx.step);
  const grid = bucketGrid(data.result ?? [], ctx.start, ctx.end, ctx.step);
  if (!grid.rows.length) {
    message(el, 'No histogram buckets in this range.');
    return;
  }
  draw(el, grid, panel.options ?? {}, panel.height ?? 240, ctx);
}

/**
 * Rows of bucket counts on the step grid: {columns, rows: [{lower, upper, rule, counts}]} sorted by bounds. Native
 * histograms win where the result has both forms (an `or` of the two keeps both).
 */
export function bucketGrid(result, start, end, step) {
  const columns = Math.floor((end - start) / step) + 1;
  const rows = new Map();
  const row = (lower, upper, rule) => {
    const key = `${rule}|${lower}|${upper}`;
    if (!rows.has(key)) rows.set(key, { lower, upper, rule, counts: new Float64Array(columns) });
    return rows.get(key);
  };
  const column = (t) => Math.round((t - start) / step);
  const natives = result.filter((s) => s.histograms);
  for (const s of natives) {
    for (const [t, hist] of s.histograms) {
      const c = column(t);
      if (c < 0 || c >= columns) continue;
      for (const [rule, lower, upper, count] of hist.buckets ?? []) row(Number(lower), Number(upper), rule).counts[c] += Number(count);
    }
  }
  if (!natives.length) {
    for (const buckets of classicGroups(result)) {
      // Per step: sort by le, subtract the bucket below (a decreasing pair, from a reset mid-window, counts 0).
      const byColumn = new Map();
      for (const { le, values } of buckets) {
        for (const [t, v] of values) {
          const c = column(t);
          if (c < 0 || c >= columns) continue;
          if (!byColumn.has(c)) byColumn.set(c, []);
          byColumn.get(c).push([le, Number(v)]);
        }
      }
      for (const [c, points] of byColumn) {
        points.sort((a, b) => a[0] - b[0]);
        let below = 0, lower = -Infinity;
        for (const [le, v] of points) {
          row(lower, le, 0).counts[c] += Math.max(0, v - below);
          below = v;
          lower = le;
        }
      }
    }
  }
  return { columns, rows: [...rows.values()].sort((a, b) => a.lower - b.lower || a.upper - b.upper) };
}

/** Classic bucket series grouped by their labels other than le: [[{le, values}], ...]. */
function classicGroups(result) {
  const groups = new Map();
  for (const s of result) {
    if (s.metric?.le == null || !s.values) continue;
    const { le, __name__: _name, ...rest } = s.metric;
    const key = JSON.stringify(Object.entries(rest).sort());
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push({ le: le === '+Inf' ? Infinity : Number(le), values: s.values });
  }
  return [...groups.values()];
}

export function bucketLabel(r, unit) {
  if (r.lower === -Infinity) return `≤ ${formatValue(r.upper, unit)}`;
  if (r.upper === Infinity) return `> ${formatValue(r.lower, unit)}`;
  return `${OPEN[r.rule]}${formatValue(r.lower, unit)}, ${formatValue(r.upper, unit)}${CLOSE[r.rule]}`;
}

function draw(el, grid, options, height, ctx) {
  const unit = options.unit ?? '';
  const linear = options.scale === 'linear';
  const p = createPlot(el, height);
  const { g, plot, canvas } = p;
  const { rows, columns } = grid;
  let max = 0, minPositive = Infinity;
  for (const r of rows) for (const c of r.counts) if (c > 0) { max = Math.max(max, c); minPositive = Math.min(minPositive, c); }
  // Log scale: the smallest count present is faint but visible, the largest full; every non-zero cell shows.
  const intensity = (c) => (linear || max <= minPositive ? c / max : Math.log(c / minPositive) / Math.log(max / minPositive));
  const x = drawTimeAxis(p, ctx.start - ctx.step / 2, ctx.end + ctx.step / 2);
  const rowHeight = plot.height / rows.length;
  const colWidth = plot.width / columns;
  g.fillStyle = themeColor('--heat') || themeColor('--accent');
  rows.forEach((r, i) => {
    const top = plot.top + plot.height - (i + 1) * rowHeight;
    r.counts.forEach((c, col) => {
      if (!(c > 0)) return;
      g.globalAlpha = 0.2 + 0.8 * intensity(c);
      // Whole pixels, so neighbouring cells meet without anti-aliased seams.
      const left = Math.round(x(ctx.start + col * ctx.step) - colWidth / 2);
      const right = Math.round(x(ctx.start + (col + 1) * ctx.step) - colWidth / 2);
      g.fillRect(left, Math.round(top), Math.max(right - left, 1), Math.max(Math.round(rowHeight) - 1, 1));
    });
  });
  g.globalAlpha = 1;
  // Bucket bounds on the left, thinned so labels stay at least 14 px apart.
  g.fillStyle = p.fg;
  g.font = '11px system-ui, sans-serif';
  g.textAlign = 'right';
  g.textBaseline = 'middle';
  const every = Math.ceil(14 / rowHeight);
  rows.forEach((r, i) => {
    if (i % every === 0) g.fillText(formatValue(r.upper, unit), plot.left - 6, plot.top + plot.height - (i + 1) * rowHeight);
  });
  canvas.dataset.rows = JSON.stringify(rows.map((r) => bucketLabel(r, unit)));
  canvas.dataset.plot = JSON.stringify({ ...plot, rowHeight });
  const cell = (col, i) => `${bucketLabel(rows[i], unit)}: ${formatValue(rows[i].counts[col])} at ${
    new Date((ctx.start + col * ctx.step) * 1000).toLocaleTimeString()}`;
  canvas.addEventListener('mousemove', (e) => {
    const box = canvas.getBoundingClientRect();
    const px = e.clientX - box.left, py = e.clientY - box.top;
    const col = Math.floor((px - plot.left) / colWidth);
    const i = rows.length - 1 - Math.floor((py - plot.top) / rowHeight);
    if (col < 0 || col >= columns || i < 0 || i >= rows.length) return p.tooltip(null);
    p.tooltip(cell(col, i), px, py);
  });
  // The keyboard reads cells too: focus the canvas (Tab), arrows move between buckets and steps.
  canvas.tabIndex = 0;
  canvas.setAttribute('aria-label', `Heatmap of ${rows.length} buckets over ${columns} steps: arrow keys read one cell`);
  const cursor = { col: columns - 1, i: rows.length - 1 };
  const showCursor = () => p.tooltip(cell(cursor.col, cursor.i), plot.left + (cursor.col + 0.5) * colWidth,
    plot.top + (rows.length - cursor.i - 0.5) * rowHeight);
  canvas.addEventListener('focus', showCursor);
  canvas.addEventListener('blur', () => p.tooltip(null));
  canvas.addEventListener('keydown', (e) => {
    const move = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] }[e.key];
    if (!move) return;
    e.preventDefault();
    cursor.col = Math.min(columns - 1, Math.max(0, cursor.col + move[0]));
    cursor.i = Math.min(rows.length - 1, Math.max(0, cursor.i + move[1]));
    showCursor();
  });
}
