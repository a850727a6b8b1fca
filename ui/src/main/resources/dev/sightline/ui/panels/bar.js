// Bar panel: one horizontal bar per series, its last value, longest bar = largest value. options: unit.
import { formatValue } from '../chart.js';
import { h } from '../dom.js';
import { fetchTargets, reduce } from '../dashboard/format.js';

export async function render(el, panel, ctx) {
  const o = panel.options ?? {};
  const series = await fetchTargets(panel, ctx);
  const rows = series.map((s) => ({ name: s.name, v: reduce(s.values, 'last') })).filter((r) => r.v != null);
  if (rows.length === 0) {
    el.replaceChildren(h('p.panel-empty', {}, 'No data.'));
    return;
  }
  const top = Math.max(...rows.map((r) => Math.abs(r.v))) || 1;
  el.replaceChildren(h('div.bars', { role: 'list' }, ...rows.map((r) => h('div.bar-row', { role: 'listitem' },
    h('span.bar-name', { title: r.name }, r.name),
    h('span.bar-track', {}, h('span.bar-fill', { style: `width: ${(Math.abs(r.v) / top) * 100}%` })),
    h('span.bar-value', {}, formatValue(r.v, o.unit))))));
}
