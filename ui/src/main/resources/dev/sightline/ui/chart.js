// A uPlot time-series chart of range-query results: one line per series on the query's step grid.
import uPlot from '/ui/vendor/uplot/uPlot.esm.js';

/** The series' labels as PromQL writes a selector: name{a="b", ...}. */
export function seriesName(metric) {
  const { __name__: name = '', ...labels } = metric;
  const pairs = Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return pairs.length ? `${name}{${pairs.join(', ')}}` : name || '{}';
}

// Evenly spread hues (golden angle), so neighbouring series differ.
function color(i) {
  return `hsl(${(i * 137.508) % 360}, 65%, 50%)`;
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

/** Draws (replacing any previous chart) into the container; returns the uPlot instance. */
export function drawChart(container, result, start, end, step, previous) {
  previous?.destroy();
  const css = getComputedStyle(document.documentElement);
  const fg = css.getPropertyValue('--fg').trim();
  const grid = { stroke: css.getPropertyValue('--grid').trim(), width: 1 };
  const axis = { stroke: fg, grid, ticks: grid };
  const opts = {
    width: Math.max(container.clientWidth, 300),
    height: 320,
    series: [{}, ...result.map((s, i) => ({ label: seriesName(s.metric), stroke: color(i), width: 1.5, spanGaps: false }))],
    axes: [axis, { ...axis, size: 70 }],
  };
  return new uPlot(opts, align(result, start, end, step), container);
}
