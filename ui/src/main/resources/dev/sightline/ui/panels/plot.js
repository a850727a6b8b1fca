// A plain canvas plot for the panels uPlot does not draw (heatmap cells, scatter points): a time or value x axis,
// a value or bucket y axis, colours from the theme's CSS variables, and a tooltip that follows the pointer.
import { formatValue } from '../chart.js';
import { h } from '../dom.js';

const PAD = { left: 78, right: 12, top: 8, bottom: 26 };

/** A series' labels without the metric name, as a key: functions drop the name, so results join on the rest. */
export const seriesKey = (metric) => JSON.stringify(Object.entries(metric).filter(([k]) => k !== '__name__').sort());


/** The theme colour of a CSS variable (canvases cannot use var()). */
export function themeColor(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

function timeLabel(seconds, span) {
  const d = new Date(seconds * 1000);
  const hm = `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  return span > 2 * 86400 ? `${d.getMonth() + 1}/${d.getDate()} ${hm}` : span < 600 ? `${hm}:${String(d.getSeconds()).padStart(2, '0')}` : hm;
}

/** About n round tick values between lo and hi. */
export function ticks(lo, hi, n = 5) {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw);
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(+v.toPrecision(12));
  return out;
}

/**
 * A canvas sized to the element (device pixels, drawn in CSS pixels) with its plot area, plus a tooltip element.
 * Returns {canvas, g (2d context), plot: {left, top, width, height}, tooltip(text | null, x, y), fg, grid}.
 */
export function createPlot(el, height) {
  const width = Math.max(el.clientWidth, 300);
  const canvas = h('canvas', { width: Math.round(width * devicePixelRatio), height: Math.round(height * devicePixelRatio) });
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const tip = h('div.plot-tooltip', { role: 'status', hidden: true });
  const box = h('div.plot', {}, canvas, tip);
  el.replaceChildren(box);
  const g = canvas.getContext('2d');
  g.scale(devicePixelRatio, devicePixelRatio);
  const plot = { left: PAD.left, top: PAD.top, width: width - PAD.left - PAD.right, height: height - PAD.top - PAD.bottom };
  function tooltip(text, x, y) {
    tip.hidden = text == null;
    if (text == null) return;
    tip.textContent = text;
    tip.style.left = `${Math.min(x + 12, width - 220)}px`;
    tip.style.top = `${Math.max(y - 36, 0)}px`;
  }
  canvas.addEventListener('mouseleave', () => tooltip(null));
  return { canvas, g, plot, tooltip, fg: themeColor('--fg'), grid: themeColor('--grid'), muted: themeColor('--muted') };
}

/** The time axis along the bottom of the plot: labels at round times, a grid line each. */
export function drawTimeAxis(p, start, end) {
  const { g, plot } = p;
  const x = (t) => plot.left + ((t - start) / (end - start)) * plot.width;
  g.font = '11px system-ui, sans-serif';
  g.textAlign = 'center';
  g.textBaseline = 'top';
  const span = end - start;
  const step = [60, 300, 900, 1800, 3600, 10800, 21600, 43200, 86400].find((s) => span / s <= 8) ?? 86400 * Math.ceil(span / 86400 / 8);
  for (let t = Math.ceil(start / step) * step; t <= end; t += step) {
    g.fillStyle = p.grid;
    g.fillRect(Math.round(x(t)), plot.top, 1, plot.height);
    g.fillStyle = p.fg;
    g.fillText(timeLabel(t, span), x(t), plot.top + plot.height + 6);
  }
  return x;
}

/** A value axis on the left: labels and grid lines at round values of [lo, hi]; returns the value-to-y function. */
export function drawValueAxis(p, lo, hi, unit) {
  const { g, plot } = p;
  const y = (v) => plot.top + plot.height - ((v - lo) / (hi - lo || 1)) * plot.height;
  g.font = '11px system-ui, sans-serif';
  g.textAlign = 'right';
  g.textBaseline = 'middle';
  for (const v of ticks(lo, hi)) {
    g.fillStyle = p.grid;
    g.fillRect(plot.left, Math.round(y(v)), plot.width, 1);
    g.fillStyle = p.fg;
    g.fillText(formatValue(v, unit), plot.left - 6, y(v));
  }
  return y;
}

/** A one-line message in place of a panel's drawing (no data, an error). */
export function message(el, text, cls = 'panel-empty') {
  el.replaceChildren(h(`p.${cls}`, {}, text));
}
