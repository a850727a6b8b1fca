// Gauge panel: the last value of each series on a 240° arc from min to max (SVG), coloured by the thresholds.
// options: unit, min (0), max (100), thresholds [{value, color}].
import { formatValue } from '../chart.js';
import { h } from '../dom.js';
import { fetchTargets, reduce, thresholdColor } from '../dashboard/format.js';

const SVG = 'http://www.w3.org/2000/svg';

function svg(tag, attrs) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

/** The SVG path of an arc on a circle of radius r around (50, 55), from fraction a to b of the 240° sweep. */
function arc(a, b, r) {
  const angle = (f) => ((150 + f * 240) * Math.PI) / 180;
  const point = (f) => [50 + r * Math.cos(angle(f)), 55 + r * Math.sin(angle(f))];
  const [x0, y0] = point(a);
  const [x1, y1] = point(b);
  return `M ${x0} ${y0} A ${r} ${r} 0 ${(b - a) * 240 > 180 ? 1 : 0} 1 ${x1} ${y1}`;
}

export async function render(el, panel, ctx) {
  const o = panel.options ?? {};
  const min = o.min ?? 0;
  const max = o.max ?? 100;
  const series = await fetchTargets(panel, ctx);
  if (series.length === 0) {
    el.replaceChildren(h('p.panel-empty', {}, 'No data.'));
    return;
  }
  const css = getComputedStyle(document.documentElement);
  const track = css.getPropertyValue('--border').trim();
  const fg = css.getPropertyValue('--fg').trim();
  const gauges = series.map((s) => {
    const v = reduce(s.values, 'last');
    const f = v == null ? 0 : Math.min(1, Math.max(0, (v - min) / (max - min || 1)));
    const g = svg('svg', { viewBox: '0 0 100 90', class: 'gauge', role: 'img', 'aria-label': `${s.name}: ${formatValue(v, o.unit)}` });
    g.append(svg('path', { d: arc(0, 1, 40), stroke: track, 'stroke-width': 10, fill: 'none' }));
    if (f > 0) g.append(svg('path', { d: arc(0, f, 40), stroke: thresholdColor(o.thresholds, v) ?? css.getPropertyValue('--accent').trim(), 'stroke-width': 10, fill: 'none' }));
    const text = svg('text', { x: 50, y: 60, 'text-anchor': 'middle', fill: fg, 'font-size': 14 });
    text.textContent = formatValue(v, o.unit);
    g.append(text);
    return h('div.gauge-box', {}, g, series.length > 1 ? h('div.stat-name', {}, s.name) : null);
  });
  el.replaceChildren(h('div.stat-grid', {}, ...gauges));
}
