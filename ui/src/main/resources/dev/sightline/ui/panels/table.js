// Table panel: each target as an instant query at the range's end, one row per series: its labels as columns
// (the union over the series), then its value. options: unit.
import { formatValue } from '../chart.js';
import { h } from '../dom.js';
import { query } from '../api.js';
import { legend, queries } from '../dashboard/format.js';

export async function render(el, panel, ctx) {
  const o = panel.options ?? {};
  const results = await Promise.all(queries(panel).map(async (t) => {
    const data = await query(ctx.interpolate(t.expr), ctx.end);
    if (data.resultType === 'scalar') return [{ metric: {}, value: data.result, name: t.legend ?? '' }];
    return (data.resultType === 'vector' ? data.result : []).map((s) => ({ ...s, name: t.legend ? legend(t.legend, s.metric) : null }));
  }));
  const rows = results.flat();
  const labels = [...new Set(rows.flatMap((r) => Object.keys(r.metric)))].sort();
  const named = rows.some((r) => r.name);
  const head = h('tr', {}, named ? h('th', {}, 'Series') : null, ...labels.map((l) => h('th', {}, l)), h('th.value', {}, 'Value'));
  const body = rows.map((r) => h('tr', {},
    named ? h('td', {}, r.name ?? '') : null,
    ...labels.map((l) => h('td', {}, r.metric[l] ?? '')),
    h('td.value', { title: r.value[1] }, formatValue(Number(r.value[1]), o.unit))));
  el.replaceChildren(rows.length ? h('div.table-wrap', {}, h('table.panel-table', {}, h('thead', {}, head), h('tbody', {}, ...body)))
    : h('p.panel-empty', {}, 'No data.'));
}
