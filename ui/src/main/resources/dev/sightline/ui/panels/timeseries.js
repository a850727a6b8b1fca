// Time-series panel: every target's series as lines (chart.js drawChart), legends from the targets' templates.
// options: stacked, log_scale, unit, min, max.
import { drawChart } from '../chart.js';
import { fetchTargets } from '../dashboard/format.js';

export async function render(el, panel, ctx) {
  const series = await fetchTargets(panel, ctx);
  const o = panel.options ?? {};
  // drawChart names a series by its labels: the legend goes in as the name.
  const named = series.map((s) => ({ metric: { __name__: s.name }, values: s.values }));
  const height = Math.max(80, el.clientHeight - 40);
  const chart = drawChart(el, named, ctx.start, ctx.end, ctx.step, null, {
    height, stacked: Boolean(o.stacked), logScale: Boolean(o.log_scale), unit: o.unit, min: o.min, max: o.max,
  });
  // drawChart takes at least 300 px; a narrow panel gets its own width.
  chart.setSize({ width: Math.max(100, el.clientWidth), height });
  const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(100, el.clientWidth), height }));
  resize.observe(el);
  return { destroy: () => { resize.disconnect(); chart.destroy(); } };
}
