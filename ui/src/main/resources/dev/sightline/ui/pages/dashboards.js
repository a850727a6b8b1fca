// Dashboards as code. /dashboards lists the server's dashboard files (with their load errors), starts a new
// dashboard or converts a Grafana export; /dashboards/<uid>?var-<name>=&range=&refresh= draws one with its
// variables, range and auto-refresh in the URL. "Edit" on a panel opens an editor that redraws as you type and
// shows the whole dashboard's YAML to save (the server writes nothing: the file is yours to commit).
import { h } from '../dom.js';
import { dashboardList, dashboardModel, dashboardYaml, importGrafana, labelValues } from '../api.js';
import { queries } from '../dashboard/format.js';
import { interpolator, renderDashboard, seconds, stepFor } from '../dashboard/render.js';

const RANGES = ['5m', '15m', '1h', '3h', '6h', '12h', '24h', '2d', '7d'];
const REFRESHES = ['', '5s', '10s', '30s', '1m', '5m', '15m'];
const TYPES = ['timeseries', 'stat', 'gauge', 'bar', 'table', 'heatmap', 'scatter', 'anomaly', 'logs', 'traces'];
const ALL = '$__all';

export async function mount(main, { path, query }) {
  if (path.length === 0) return showList(main);
  let model;
  try {
    model = await dashboardModel(path[0]);
  } catch (e) {
    main.replaceChildren(h('h1', {}, 'Dashboard'), h('p.dash-error', { role: 'alert', id: 'error' }, e.message),
      h('p', {}, h('a', { href: '/dashboards' }, 'All dashboards')));
    return undefined;
  }
  return showDashboard(main, model, query, { uid: path[0] });
}

async function showList(main) {
  const list = await dashboardList().catch((e) => ({ error: e.message }));
  const rows = Array.isArray(list) ? list.map((d) => h('tr', { 'data-uid': d.uid },
    h('td', {}, d.error ? d.uid : h('a', { href: `/dashboards/${encodeURIComponent(d.uid)}` }, d.title)),
    h('td', {}, d.tags.join(', ')),
    h('td.file', {}, d.file),
    h('td', {}, d.error ? h('span.load-error', {}, d.error) : d.notes.length ? `${d.notes.length} part(s) not converted: `
      + d.notes.map((n) => `${n.what}: ${n.reason}`).join('; ') : ''))) : [];
  const grafana = h('textarea', { id: 'grafana-json', rows: 6, spellcheck: false, placeholder: 'Paste a Grafana dashboard JSON export' });
  const status = h('p.dash-error', { id: 'import-error', role: 'alert', hidden: true });
  main.replaceChildren(...[
    h('div.dash-toolbar', {}, h('h1', {}, 'Dashboards'),
      h('button', { id: 'new-dashboard', type: 'button', onclick: () => showDashboard(main, emptyModel(), new URLSearchParams(), { isNew: true }) }, 'New dashboard')),
    list.error ? h('p.dash-error', { role: 'alert' }, list.error) : null,
    rows.length ? h('table', { id: 'dashboards' }, h('thead', {}, h('tr', {}, h('th', {}, 'Dashboard'), h('th', {}, 'Tags'), h('th', {}, 'File'), h('th', {}, 'Status'))),
      h('tbody', {}, ...rows))
      : h('p', { id: 'no-dashboards' }, 'No dashboard files. Name a directory in sightline.yml (dashboards: {directory: ...}) and put YAML files or Grafana exports in it.'),
    h('details.import', {}, h('summary', {}, 'Import a Grafana dashboard'),
      h('label', {}, 'Grafana JSON', grafana),
      h('button', { id: 'import', type: 'button', onclick: async () => {
        status.hidden = true;
        try {
          const { dashboard, notes } = await importGrafana(grafana.value);
          await showDashboard(main, dashboard, new URLSearchParams(), { isNew: true, notes });
        } catch (e) {
          status.textContent = e.message;
          status.hidden = false;
        }
      } }, 'Convert'), status)].filter(Boolean));
}

function emptyModel() {
  return { uid: 'new-dashboard', title: 'New dashboard', tags: [], refresh: null, time: { range: '1h' }, variables: [],
    rows: [{ title: '', collapsed: false, repeat: null, panels: [] }] };
}

function newPanel() {
  return { title: 'New panel', type: 'timeseries', span: 6, height: 240, time_shift: null, description: '', repeat: null,
    targets: [{ expr: '', legend: null }], options: {} };
}

/**
 * The dashboard view. `uid` set: a file's dashboard, re-read at each auto-refresh (so an edited file shows);
 * `isNew`: built in the page (new or imported), its YAML shown from the start.
 */
async function showDashboard(main, model, query, { uid = null, isNew = false, notes = [] } = {}) {
  const state = {
    range: query.get('range') || model.time?.range || '1h',
    refresh: query.has('refresh') ? query.get('refresh') : (model.refresh ?? ''),
    selected: {},
    options: {},
    editing: null,
  };
  for (const v of model.variables ?? []) {
    const wanted = query.getAll(`var-${v.name}`);
    if (wanted.length) state.selected[v.name] = v.multi ? wanted : wanted[0];
  }
  const title = h('h1', { id: 'dash-title' }, model.title);
  const varsBox = h('div.dash-vars');
  const range = select('range', 'Range', withCurrent(RANGES, state.range).map((r) => [r, `Last ${r}`]), state.range);
  const refresh = select('refresh', 'Refresh', withCurrent(REFRESHES, state.refresh).map((r) => [r, r || 'Off']), state.refresh);
  const errorBox = h('p.dash-error', { id: 'error', role: 'alert', hidden: true });
  const grid = h('div', { id: 'dashboard' });
  const editor = h('aside', { id: 'editor', hidden: true, 'aria-label': 'Panel editor' });
  const addPanel = h('button', { id: 'add-panel', type: 'button', onclick: () => {
    const rows = model.rows.length ? model.rows : (model.rows = [{ title: '', collapsed: false, repeat: null, panels: [] }]);
    const row = rows[rows.length - 1];
    row.panels.push(newPanel());
    openEditor(rows.length - 1, row.panels.length - 1);
  } }, 'Add panel');
  main.replaceChildren(...[
    h('div.dash-toolbar', {}, title, varsBox, range.label, refresh.label, addPanel,
      h('button', { id: 'show-yaml', type: 'button', onclick: openYaml }, 'YAML'),
      h('a.dash-all', { href: '/dashboards' }, 'All dashboards')),
    notes.length ? h('details.notes', {}, h('summary', {}, `${notes.length} part(s) of the export not converted`),
      h('ul', {}, ...notes.map((n) => h('li', {}, `${n.what}: ${n.reason}`)))) : null,
    errorBox, h('div.dash-body', {}, grid, editor)].filter(Boolean));

  let drawn = null;
  let timer = null;
  /** Each variable's select (its label element), by name. */
  const selects = new Map();

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = !message;
  }

  function writeUrl() {
    const url = new URLSearchParams();
    for (const v of model.variables ?? []) for (const s of [state.selected[v.name] ?? []].flat()) url.append(`var-${v.name}`, s);
    url.set('range', state.range);
    if (state.refresh) url.set('refresh', state.refresh);
    if (uid) history.replaceState(null, '', `/dashboards/${encodeURIComponent(uid)}?${url}`);
  }

  function timeRange() {
    const end = Math.floor(Date.now() / 1000);
    return { start: end - (seconds(state.range) ?? 3600), end };
  }

  /** The values the panels see: All is the variable's all_value, or every option. */
  function vars() {
    const out = {};
    for (const v of model.variables ?? []) {
      const s = state.selected[v.name];
      if (s === ALL || (Array.isArray(s) && s.includes(ALL))) out[v.name] = v.all_value ?? state.options[v.name] ?? [];
      else out[v.name] = s ?? '';
    }
    return out;
  }

  /** The values a repeat runs over: the selection, every option for All. */
  function valuesOf(name) {
    const s = state.selected[name];
    if (s === ALL || (Array.isArray(s) && s.includes(ALL))) return state.options[name] ?? [];
    return [s ?? []].flat();
  }

  /**
   * Options of the variables from index `from` on, in order (a later query may use an earlier variable), and their
   * selects; the selects before `from` stay as they are (the one just changed keeps its focus).
   */
  async function loadVariables(from = 0) {
    const { start, end } = timeRange();
    const list = model.variables ?? [];
    for (const v of list.slice(from)) {
      let values = v.values ?? [];
      if (v.query) {
        try {
          values = await queryValues(interpolator(vars(), { start, end, step: stepFor(start, end) })(v.query), start, end);
        } catch (e) {
          showError(`variable ${v.name}: ${e.message}`);
          values = [];
        }
      }
      if (v.regex) values = applyRegex(values, v.regex);
      state.options[v.name] = values;
      const current = [state.selected[v.name] ?? []].flat();
      const kept = current.filter((s) => s === ALL || values.includes(s));
      if (kept.length === 0) kept.push(v.include_all ? ALL : values[0] ?? '');
      state.selected[v.name] = v.multi ? kept : kept[0];
    }
    list.forEach((v, i) => {
      if (i < from && selects.has(v.name)) return;
      const choices = [...(v.include_all ? [[ALL, 'All']] : []), ...state.options[v.name].map((o) => [o, o])];
      const s = select(`var-${v.name}`, v.label || v.name, choices, state.selected[v.name], v.multi);
      s.input.addEventListener('change', async () => {
        const picked = [...s.input.selectedOptions].map((o) => o.value);
        state.selected[v.name] = v.multi ? picked : picked[0];
        await loadVariables(i + 1);
        await draw();
      });
      const old = selects.get(v.name);
      if (old?.isConnected) old.replaceWith(s.label);
      else varsBox.append(s.label);
      selects.set(v.name, s.label);
    });
  }

  async function draw() {
    writeUrl();
    drawn?.destroy();
    const { start, end } = timeRange();
    drawn = await renderDashboard(grid, model, { start, end, vars: vars(), valuesOf, onEdit: openEditor });
  }

  function schedule() {
    clearInterval(timer);
    const every = seconds(state.refresh);
    if (!every) return;
    timer = setInterval(async () => {
      if (!main.isConnected) {
        clearInterval(timer);
        return;
      }
      // A file's dashboard is read again, so a change on disk shows at the next refresh (not while editing it).
      if (uid && state.editing == null) {
        try {
          const fresh = await dashboardModel(uid);
          if (JSON.stringify(fresh) !== JSON.stringify(model)) {
            model = fresh;
            title.textContent = model.title;
            selects.clear();
            varsBox.replaceChildren();
            await loadVariables();
          }
          showError('');
        } catch (e) {
          showError(e.message);
        }
      }
      await draw();
    }, Math.max(1, every) * 1000);
  }

  range.input.addEventListener('change', async () => {
    state.range = range.input.value;
    await draw();
  });
  refresh.input.addEventListener('change', () => {
    state.refresh = refresh.input.value;
    writeUrl();
    schedule();
  });

  /** The whole dashboard's YAML as it would be saved (from the server), with a copy button and its errors. */
  function yamlView() {
    const yaml = h('pre', { id: 'yaml', tabindex: '0' });
    const problem = h('p.dash-error', { id: 'editor-error', role: 'alert', hidden: true });
    const copy = h('button', { id: 'copy-yaml', type: 'button', onclick: () => copyText(yaml.textContent, copy) }, 'Copy YAML');
    const showYaml = async () => {
      try {
        // A query still blank is not saved (the server refuses a target without expr).
        const saved = { ...model, rows: model.rows.map((r) => ({ ...r, panels: r.panels.map((p) => ({ ...p, targets: queries(p) })) })) };
        yaml.textContent = (await dashboardYaml(saved)).yaml;
        problem.hidden = true;
      } catch (e) {
        problem.textContent = e.message;
        problem.hidden = false;
      }
    };
    return { problem, heading: h('h3', {}, 'YAML to save', copy), yaml, showYaml };
  }

  /** The aside with only the YAML: what to save for a dashboard built or imported here, or to copy a file's. */
  async function openYaml() {
    state.editing = null;
    const { problem, heading, yaml, showYaml } = yamlView();
    editor.replaceChildren(h('div.edit-actions', {}, h('button', { id: 'close-editor', type: 'button', onclick: closeEditor }, 'Close')),
      problem, heading, yaml);
    editor.hidden = false;
    await showYaml();
  }

  /** The panel editor: every field redraws the dashboard and shows its YAML as it would be saved. */
  function openEditor(rowIndex, panelIndex) {
    state.editing = { rowIndex, panelIndex };
    const panel = model.rows[rowIndex].panels[panelIndex];
    const { problem, heading, yaml, showYaml } = yamlView();
    let pending = null;
    const changed = () => {
      clearTimeout(pending);
      pending = setTimeout(async () => {
        await draw();
        await showYaml();
      }, 300);
    };
    const field = (name, labelText, value, apply, attrs = {}) => {
      const input = h(attrs.multiline ? 'textarea' : 'input', { id: `edit-${name}`, name, spellcheck: false, ...attrs, multiline: null });
      input.value = value ?? '';
      input.addEventListener('input', () => {
        apply(input.value);
        changed();
      });
      return h('label', {}, labelText, input);
    };
    const targets = h('div.edit-targets');
    const drawTargets = () => targets.replaceChildren(...panel.targets.map((t, i) => h('fieldset', {}, h('legend', {}, `Query ${i + 1}`),
      field(`expr-${i}`, 'PromQL', t.expr, (v) => { t.expr = v; }, { multiline: true, rows: 3 }),
      field(`legend-${i}`, 'Legend', t.legend, (v) => { t.legend = v || null; }, { placeholder: '{{label}}' }),
      h('button', { type: 'button', onclick: () => { panel.targets.splice(i, 1); drawTargets(); changed(); } }, 'Remove query'))));
    drawTargets();
    const options = field('options', 'Options (JSON)', JSON.stringify(panel.options ?? {}), (v) => {
      try {
        panel.options = v.trim() ? JSON.parse(v) : {};
        problem.hidden = true;
      } catch (e) {
        problem.textContent = `options: ${e.message}`;
        problem.hidden = false;
      }
    }, { multiline: true, rows: 3 });
    const number = (v) => (v === '' ? null : Number(v));
    editor.replaceChildren(
      h('h2', {}, 'Edit panel'),
      h('fieldset', {}, h('legend', {}, 'Dashboard'),
        field('uid', 'uid', model.uid, (v) => { model.uid = v; }),
        field('dashboard-title', 'Title', model.title, (v) => { model.title = v; title.textContent = v; })),
      field('title', 'Title', panel.title, (v) => { panel.title = v; }),
      field('type', 'Type', panel.type, (v) => { panel.type = v.trim(); }, { list: 'panel-types' }),
      h('datalist', { id: 'panel-types' }, ...TYPES.map((t) => new Option(t, t))),
      field('span', 'Width (1-12)', panel.span, (v) => { panel.span = number(v); }, { type: 'number', min: 1, max: 12 }),
      field('height', 'Height (px)', panel.height, (v) => { panel.height = number(v); }, { type: 'number', min: 60, max: 4000 }),
      field('time_shift', 'Time shift', panel.time_shift, (v) => { panel.time_shift = v.trim() || null; }, { placeholder: 'e.g. 1d' }),
      field('description', 'Description', panel.description, (v) => { panel.description = v; }),
      targets,
      h('button', { id: 'add-query', type: 'button', onclick: () => { panel.targets.push({ expr: '', legend: null }); drawTargets(); } }, 'Add query'),
      options,
      h('div.edit-actions', {},
        h('button', { id: 'remove-panel', type: 'button', onclick: async () => {
          model.rows[rowIndex].panels.splice(panelIndex, 1);
          closeEditor();
          await draw();
        } }, 'Remove panel'),
        h('button', { id: 'close-editor', type: 'button', onclick: closeEditor }, 'Close')),
      problem, heading, yaml);
    editor.hidden = false;
    editor.querySelector('#edit-title').focus();
    changed();
  }

  function closeEditor() {
    state.editing = null;
    editor.hidden = true;
    editor.replaceChildren();
  }

  await loadVariables();
  await draw();
  schedule();
  if (isNew && model.rows.every((r) => r.panels.length === 0)) addPanel.click();
  else if (isNew) await openYaml();
  return undefined;
}

/** Grafana's label_values(label) or label_values(selector, label), through the label values API. */
async function queryValues(query, start, end) {
  const m = /^\s*label_values\s*\(([\s\S]*)\)\s*$/.exec(query);
  if (!m) throw new Error(`only label_values(...) queries are supported, not ${query}`);
  const inner = m[1].trim();
  const comma = lastTopLevelComma(inner);
  const label = (comma < 0 ? inner : inner.slice(comma + 1)).trim();
  const match = comma < 0 ? null : inner.slice(0, comma).trim();
  return labelValues(label, match, start, end);
}

/** The last comma outside braces and quotes: label_values(up{a="x,y"}, instance) splits before " instance". */
function lastTopLevelComma(text) {
  let depth = 0;
  let quote = null;
  let last = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === '{' || c === '(' || c === '[') depth++;
    else if (c === '}' || c === ')' || c === ']') depth--;
    else if (c === ',' && depth === 0) last = i;
  }
  return last;
}

/** Grafana's variable regex: values it matches, each as its first group when it has one; sorted, no repeats. */
function applyRegex(values, regex) {
  let re;
  try {
    re = new RegExp(regex);
  } catch {
    return values;
  }
  const out = new Set();
  for (const v of values) {
    const m = re.exec(v);
    if (m) out.add(m[1] ?? m[0]);
  }
  return [...out].sort();
}

function withCurrent(list, current) {
  return list.includes(current) ? list : [...list, current];
}

function select(id, labelText, choices, selected, multiple = false) {
  const input = h('select', { id, name: id, multiple });
  const wanted = new Set([selected ?? []].flat());
  input.append(...choices.map(([value, text]) => {
    const o = new Option(text, value);
    o.selected = wanted.has(value);
    return o;
  }));
  return { input, label: h('label', {}, labelText, input) };
}

async function copyText(text, button) {
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = 'Copied';
  } catch {
    // Without clipboard permission (plain http on another host): select the text for Ctrl+C.
    const range = document.createRange();
    range.selectNodeContents(document.getElementById('yaml'));
    getSelection().removeAllRanges();
    getSelection().addRange(range);
    button.textContent = 'Selected: press Ctrl+C';
  }
}
