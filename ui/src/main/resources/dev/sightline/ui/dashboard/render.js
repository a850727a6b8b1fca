// Draws a dashboard model (UI-CONTRACT.md): rows of panels on a 12-column grid, rows and panels repeated by a
// variable, collapsed rows drawn when opened. Each panel type is a module ui/panels/<type>.js loaded on first use;
// a panel that fails (no module, a query error) shows its error in place and the others draw on.
import { h } from '../dom.js';
import { queries } from './format.js';

/** Grafana's scrape interval assumption for $__rate_interval: the server's default scrape interval. */
const SCRAPE_SECONDS = 15;
/** About this many points per series across a panel's range. */
const POINTS = 250;

/** Panel type -> module; a type not listed loads ui/panels/<type>.js (the server allows only plain names). */
const REGISTRY = {
  timeseries: '../panels/timeseries.js',
  stat: '../panels/stat.js',
  gauge: '../panels/gauge.js',
  bar: '../panels/bar.js',
  table: '../panels/table.js',
};

function moduleOf(type) {
  return REGISTRY[type] ?? `../panels/${type}.js`;
}

const DURATION = /^(\d+)(ms|s|m|h|d|w|y)$/;
const UNIT_SECONDS = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };

/** Seconds of a simple duration ("30s", "6h", "1d"); null when it is not one. */
export function seconds(text) {
  const m = DURATION.exec(text ?? '');
  return m ? Number(m[1]) * UNIT_SECONDS[m[2]] : null;
}

/** A Prometheus duration for a number of seconds (whole seconds, at least 1s). */
function promDuration(s) {
  return `${Math.max(1, Math.round(s))}s`;
}

/** Regex metacharacters escaped, for a value inside a =~ matcher. */
function escapeRegex(v) {
  return v.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}

/**
 * Replaces $name, ${name} and [[name]] with the variable's value: a list (multi or All) becomes the regex
 * alternation a|b of its escaped values, as Grafana writes them for Prometheus. Grafana's $__interval (the step),
 * $__rate_interval (max(step + scrape interval, 4 × scrape interval), scrape interval 15s) and $__range (the
 * panel's range) become durations. A name that is no variable stays as written.
 */
export function interpolator(vars, { start, end, step }) {
  const builtins = {
    __interval: promDuration(step),
    __interval_ms: String(Math.round(step * 1000)),
    __rate_interval: promDuration(Math.max(step + SCRAPE_SECONDS, 4 * SCRAPE_SECONDS)),
    __range: promDuration(end - start),
    __range_s: String(Math.round(end - start)),
    __range_ms: String(Math.round((end - start) * 1000)),
  };
  const value = (name) => {
    if (name in builtins) return builtins[name];
    const v = vars[name];
    if (v == null) return null;
    return Array.isArray(v) ? (v.length === 1 ? v[0] : v.map(escapeRegex).join('|')) : v;
  };
  return (text) => text.replace(/\$\{(\w+)(?::\w+)?\}|\[\[(\w+)\]\]|\$(\w+)/g, (all, a, b, c) => value(a ?? b ?? c) ?? all);
}

/** The step for a range: about POINTS points, at least one second. */
export function stepFor(start, end) {
  return Math.max(1, Math.ceil((end - start) / POINTS));
}

/**
 * The rows as drawn: a repeated row once per value of its variable (that variable set to the one value in the
 * copy), panels repeated the same way within a row.
 */
export function expand(model, vars, valuesOf) {
  const rows = [];
  for (const [rowIndex, row] of (model.rows ?? []).entries()) {
    const copies = row.repeat ? valuesOf(row.repeat).map((v) => ({ ...vars, [row.repeat]: v })) : [vars];
    for (const rowVars of copies) {
      const panels = [];
      for (const [panelIndex, panel] of row.panels.entries()) {
        const panelCopies = panel.repeat ? valuesOf(panel.repeat).map((v) => ({ ...rowVars, [panel.repeat]: v })) : [rowVars];
        for (const panelVars of panelCopies) panels.push({ panel, panelIndex, vars: panelVars });
      }
      rows.push({ row, rowIndex, vars: rowVars, panels });
    }
  }
  return rows;
}

/**
 * Draws the model into `container` for [start, end] (seconds) and the variables' values (`vars`: name -> string
 * or string[]). Options: `valuesOf(name)` the values a repeat runs over (default: the variable's selection),
 * `onEdit(rowIndex, panelIndex)` adds an Edit button to each panel. Resolves when every drawn panel has resolved
 * (and marks 'sightline:panels-drawn'); returns {destroy()}.
 */
export async function renderDashboard(container, model, { start, end, vars = {}, valuesOf, onEdit } = {}) {
  const destroyers = [];
  const selection = valuesOf ?? ((name) => [vars[name] ?? []].flat());
  const drawing = [];
  const rows = expand(model, vars, selection).map(({ row, rowIndex, vars: rowVars, panels }) => {
    const title = interpolator(rowVars, { start, end, step: stepFor(start, end) })(row.title ?? '');
    const grid = h('div.dash-grid');
    const section = h('section.dash-row', { 'data-row': String(rowIndex) });
    let drawn = false;
    const drawPanels = () => {
      drawn = true;
      for (const p of panels) {
        const { el, done } = panelElement(p, { rowIndex, start, end, onEdit, destroyers });
        grid.append(el);
        drawing.push(done);
      }
    };
    if (title || row.collapsed) {
      const toggle = h('button.dash-row-title', { type: 'button', 'aria-expanded': String(!row.collapsed) }, title || 'Row');
      toggle.addEventListener('click', () => {
        const open = toggle.getAttribute('aria-expanded') !== 'true';
        toggle.setAttribute('aria-expanded', String(open));
        grid.hidden = !open;
        if (open && !drawn) drawPanels();
      });
      section.append(h('h2', {}, toggle));
    }
    section.append(grid);
    if (row.collapsed) grid.hidden = true;
    else drawPanels();
    return section;
  });
  container.replaceChildren(...rows);
  await Promise.allSettled(drawing);
  performance.mark('sightline:panels-drawn');
  return { destroy: () => destroyers.splice(0).forEach((d) => d()) };
}

/** One panel's box; `done` settles when its module has drawn (or its error is shown). */
function panelElement({ panel, panelIndex, vars }, { rowIndex, start, end, onEdit, destroyers }) {
  const shift = seconds(panel.time_shift) ?? 0;
  const range = { start: start - shift, end: end - shift };
  const step = stepFor(range.start, range.end);
  const interpolate = interpolator(vars, { ...range, step });
  const body = h('div.panel-body');
  const head = h('header.panel-head', {},
    h('h3', { title: panel.description || null }, interpolate(panel.title ?? '')),
    panel.time_shift ? h('span.panel-shift', {}, `−${panel.time_shift}`) : null,
    onEdit ? h('button.panel-edit', { type: 'button', onclick: () => onEdit(rowIndex, panelIndex) }, 'Edit') : null);
  const el = h('article.panel', { 'data-type': panel.type, style: `grid-column: span ${panel.span ?? 6}; height: ${panel.height ?? 240}px` },
    head, body);
  const ctx = { ...range, step, vars, interpolate };
  const done = (async () => {
    try {
      // The built-in types draw queries; without one there is nothing to ask (logs and traces may use options).
      if (queries(panel).length === 0 && panel.type in REGISTRY) {
        body.append(h('p.panel-empty', {}, 'No query.'));
        el.dataset.state = 'empty';
        return;
      }
      const module = await import(moduleOf(panel.type)).catch((e) => {
        throw new Error(`no panel module for type "${panel.type}" (${e.message})`);
      });
      const drawn = await module.render(body, panel, ctx);
      if (drawn?.destroy) destroyers.push(() => drawn.destroy());
      el.dataset.state = 'drawn';
    } catch (e) {
      el.dataset.state = 'error';
      body.replaceChildren(h('p.panel-error', { role: 'alert' }, e.message));
    }
  })();
  return { el, done };
}
