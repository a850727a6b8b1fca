// Stat panel: one big value per series (reduced: last, mean, max or min), coloured by the thresholds, with a
// sparkline of the series. options: unit, reduce, sparkline, thresholds [{value, color}].
import { formatValue } from '../chart.js';
import { h } from '../dom.js';
import { fetchTargets, reduce, sparkline, thresholdColor } from '../dashboard/format.js';

export async function render(el, panel, ctx) {
  const o = panel.options ?? {};
  const series = await fetchTargets(panel, ctx);
  if (series.length === 0) {
    el.replaceChildren(h('p.panel-empty', {}, 'No data.'));
    return;
  }
  const fg = getComputedStyle(document.documentElement).getPropertyValue('--fg').trim();
  const boxes = series.map((s) => {
    const v = reduce(s.values, o.reduce);
    const color = thresholdColor(o.thresholds, v) ?? fg;
    const canvas = o.sparkline === false ? null : h('canvas.stat-spark', { 'aria-hidden': 'true' });
    const box = h('div.stat', {},
      h('div.stat-value', { style: `color: ${color}` }, formatValue(v, o.unit)),
      series.length > 1 ? h('div.stat-name', {}, s.name) : null,
      canvas);
    return { box, canvas, s, color };
  });
  el.replaceChildren(h('div.stat-grid', {}, ...boxes.map((b) => b.box)));
  for (const { canvas, s, color } of boxes) if (canvas) sparkline(canvas, s.values, color);
}
