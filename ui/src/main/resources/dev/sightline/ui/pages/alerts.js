// The Alerts page: rules by group with their state, firing and pending alerts, one alert in focus (?alert=<name>)
// with its expression graphed around the firing time, silences (create from an alert, edit, expire), the
// notification history and the built-in Alertmanager's status. ?tab= picks the list under the focused alert.
import { alertmanager, logQueryRange, notifications, queryRange, ruleGroups } from '../api.js';
import { drawChart } from '../chart.js';
import { h } from '../dom.js';
import { ago, badge, definitions, duration, labelChips, seconds, table, when } from '../widgets.js';

const TABS = { rules: 'Rules', silences: 'Silences', notifications: 'Notifications', alertmanager: 'Alertmanager' };
const DEFAULT_DURATION = '2h';
/** The graph shows this long before the alert became active, and at least this window overall. */
const GRAPH_LEAD_MS = 30 * 60_000;
const GRAPH_MIN_MS = 60 * 60_000;
const GRAPH_POINTS = 250;

export async function mount(main, { query: params }) {
  const state = {
    tab: params.get('tab') in TABS ? params.get('tab') : 'rules',
    alert: params.get('alert') ?? '',
    groups: [], amAlerts: [], silences: [], sent: [], amStatus: null,
  };
  const message = h('p', { id: 'alert-message', role: 'status', 'aria-live': 'polite' });
  const errorBox = h('div', { id: 'error', role: 'alert', hidden: true });
  const editor = h('section', { id: 'silence-editor', 'aria-label': 'Silence editor', hidden: true });
  const detail = h('section', { id: 'alert-detail', hidden: true });
  const tabs = h('div.tabs', { role: 'tablist', 'aria-label': 'Alert views' });
  const panel = h('section', { id: 'tab-panel', role: 'tabpanel' });
  const refresh = h('button', { id: 'refresh', type: 'button', onclick: () => load().then(render) }, 'Refresh');
  main.replaceChildren(h('div.page-head', {}, h('h1', {}, 'Alerts'), refresh), errorBox, message, editor, detail, tabs, panel);
  let charts = [];

  function showError(text) {
    errorBox.textContent = text;
    errorBox.hidden = !text;
  }

  function setUrl() {
    const q = new URLSearchParams();
    if (state.alert) q.set('alert', state.alert);
    if (state.tab !== 'rules') q.set('tab', state.tab);
    history.replaceState(null, '', q.toString() ? `?${q}` : location.pathname);
  }

  async function load() {
    showError('');
    // Each source on its own: one failing (e.g. no notifications yet) leaves the others readable.
    const [groups, amAlerts, silences, sent, amStatus] = await Promise.allSettled([
      ruleGroups(), alertmanager('/api/v2/alerts'), alertmanager('/api/v2/silences'), notifications(200),
      alertmanager('/api/v2/status'),
    ]);
    const failed = [];
    const take = (r, what, fallback) => {
      if (r.status === 'fulfilled') return r.value;
      failed.push(`${what}: ${r.reason.message}`);
      return fallback;
    };
    state.groups = take(groups, 'rules', { groups: [] }).groups;
    state.amAlerts = take(amAlerts, 'alerts', []);
    state.silences = take(silences, 'silences', []);
    state.sent = take(sent, 'notifications', []);
    state.amStatus = take(amStatus, 'alertmanager status', null);
    if (failed.length) showError(failed.join('\n'));
  }

  function render() {
    setUrl();
    tabs.replaceChildren(...Object.entries(TABS).map(([key, title]) => h('button', {
      type: 'button', role: 'tab', id: `tab-${key}`, 'aria-selected': String(key === state.tab),
      onclick: () => { state.tab = key; render(); },
    }, title)));
    renderDetail();
    const views = { rules: rulesView, silences: silencesView, notifications: notificationsView, alertmanager: statusView };
    panel.replaceChildren(...views[state.tab]());
    panel.setAttribute('aria-labelledby', `tab-${state.tab}`);
  }

  // ---- alerts and their silenced state ----

  /** Every alert instance of the rules, with its rule and group. */
  function ruleAlerts() {
    return state.groups.flatMap((g) => g.rules.filter((r) => r.type === 'alerting')
      .flatMap((r) => (r.alerts ?? []).map((a) => ({ ...a, rule: r, group: g }))));
  }

  /**
   * The built-in Alertmanager's copy of a rule alert: the one whose labels include all of the rule alert's (the
   * server adds external labels on the way).
   */
  function amAlertOf(labels) {
    return state.amAlerts.find((a) => Object.entries(labels).every(([k, v]) => a.labels[k] === v));
  }

  function silencedCell(labels) {
    const am = amAlertOf(labels);
    if (!am) return h('span.muted', {}, 'not in Alertmanager');
    const by = am.status.silencedBy ?? [];
    if (by.length) return h('span.silenced', {}, badge('silenced'), ' by ', by.join(', '));
    if ((am.status.inhibitedBy ?? []).length) return badge('inhibited');
    return h('span.muted', {}, 'not silenced');
  }

  function alertLink(name) {
    return h('a', {
      href: `/alerts?alert=${encodeURIComponent(name)}`,
      onclick: (e) => {
        if (e.ctrlKey || e.metaKey || e.shiftKey) return;
        e.preventDefault();
        focusAlert(name);
      },
    }, name);
  }

  function focusAlert(name) {
    state.alert = name;
    render();
    detail.querySelector('h2')?.focus();
  }

  // ---- the focused alert ----

  function renderDetail() {
    charts.forEach((c) => c.destroy());
    charts = [];
    if (!state.alert) {
      detail.hidden = true;
      detail.replaceChildren();
      return;
    }
    detail.hidden = false;
    const rules = state.groups.flatMap((g) => g.rules.filter((r) => r.type === 'alerting' && r.name === state.alert)
      .map((r) => ({ rule: r, group: g })));
    const close = h('button.secondary', { type: 'button', onclick: () => { state.alert = ''; render(); } }, 'Close');
    const heading = h('h2', { tabindex: '-1' }, state.alert);
    if (!rules.length) {
      const external = state.amAlerts.filter((a) => a.labels.alertname === state.alert);
      detail.replaceChildren(h('div.detail-head', {}, heading, close),
        h('p', {}, `No rule named ${state.alert} is loaded.`),
        external.length ? amAlertsTable(external) : '');
      return;
    }
    const parts = [h('div.detail-head', {}, heading, close)];
    for (const { rule, group } of rules) {
      parts.push(ruleDetail(rule, group));
    }
    parts.push(h('h3', {}, 'Silences matching it'), silencesTable(state.silences.filter((s) => s.status.state !== 'expired'
      && (rules.some(({ rule }) => (rule.alerts ?? []).some((a) => silenceMatches(s, amAlertOf(a.labels)?.labels ?? a.labels)))))));
    parts.push(h('h3', {}, 'Notifications of it'),
      notificationsTable(state.sent.filter((n) => n.alerts.some((a) => a.labels.alertname === state.alert))));
    detail.replaceChildren(...parts);
  }

  function ruleDetail(rule, group) {
    const logql = rule.queryLanguage === 'logql';
    const explore = logql ? `/logs?query=${encodeURIComponent(rule.query)}` : `/explore?query=${encodeURIComponent(rule.query)}`;
    const graph = h('div.alert-chart', { 'aria-label': `Graph of ${rule.name}'s expression` });
    const graphNote = h('p.muted.graph-note');
    const instances = (rule.alerts ?? []).map((a) => ({ cells: [
      badge(a.state), labelChips(a.labels), annotationsList(a.annotations), when(a.activeAt), a.value,
      silencedCell(a.labels),
      h('button.silence-alert', { type: 'button', onclick: () => openEditor(fromLabels(a.labels)) }, 'Silence'),
    ], attrs: { class: `instance state-${a.state}` } }));
    const section = h('article.rule-detail', {},
      definitions([
        ['State', badge(rule.state)],
        ['Group', `${group.name} (${group.file})`],
        ['Expression', h('code.expr', {}, rule.query)],
        ['Language', logql ? 'LogQL' : 'PromQL'],
        ['For', rule.duration ? duration(rule.duration * 1000) : '0s'],
        ['Keep firing for', rule.keepFiringFor ? duration(rule.keepFiringFor * 1000) : ''],
        ['Labels', labelChips(rule.labels)],
        ['Annotations', annotationsList(rule.annotations)],
        ['Health', badge(rule.health)],
        ['Last error', rule.lastError ? h('span.error-text', {}, rule.lastError) : ''],
        ['Last evaluation', `${when(rule.lastEvaluation)} (took ${seconds(rule.evaluationTime)})`],
      ]),
      h('p', {}, h('a', { href: explore }, logql ? 'Open the expression in Logs' : 'Open the expression in Explore')),
      h('h3', {}, 'Expression around the firing time'), graphNote, graph,
      h('h3', {}, `Instances (${instances.length})`),
      instances.length ? table(['State', 'Labels', 'Annotations', 'Active since', 'Value', 'Silenced', ''], instances,
        { class: 'instances' }) : h('p.muted', {}, 'No pending or firing instance.'));
    drawRuleGraph(rule, logql, graph, graphNote);
    return section;
  }

  async function drawRuleGraph(rule, logql, container, note) {
    const active = (rule.alerts ?? []).map((a) => Date.parse(a.activeAt)).filter((t) => !Number.isNaN(t));
    const endMs = Date.now();
    const startMs = Math.min(active.length ? Math.min(...active) - GRAPH_LEAD_MS : endMs, endMs - GRAPH_MIN_MS);
    const start = Math.floor(startMs / 1000);
    const end = Math.ceil(endMs / 1000);
    const step = Math.max(1, Math.ceil((end - start) / GRAPH_POINTS));
    try {
      const data = await (logql ? logQueryRange : queryRange)(rule.query, start, end, step);
      const result = data.resultType === 'matrix' ? data.result : [];
      if (!container.isConnected) return;
      const chart = drawChart(container, result, start, end, step, null, { height: 240 });
      charts.push(chart);
      // A vertical line where each instance became active, over uPlot's plot area (its overlay element); after a
      // frame, once uPlot has set its scales from the data.
      await new Promise(requestAnimationFrame);
      for (const t of new Set(active)) {
        chart.over.append(h('div.active-marker', { style: `left: ${chart.valToPos(t / 1000, 'x')}px`,
          title: `active since ${when(t)}` }));
      }
      note.textContent = `${result.length} series, ${when(startMs)} to ${when(endMs)}, step ${step}s`
        + (active.length ? `; active since ${when(Math.min(...active))}` : '');
    } catch (e) {
      note.textContent = `The expression could not be graphed: ${e.message}`;
    }
  }

  function annotationsList(annotations) {
    const keys = Object.keys(annotations ?? {}).sort();
    if (!keys.length) return '';
    return h('dl.annotations', {}, keys.flatMap((k) => [h('dt', {}, k), h('dd', {}, annotations[k])]));
  }

  function amAlertsTable(list) {
    return table(['Labels', 'Annotations', 'Since', 'State', 'Silenced'], list.map((a) => [
      labelChips(a.labels), annotationsList(a.annotations), when(a.startsAt), badge(a.status.state), silencedCell(a.labels),
    ]));
  }

  // ---- rules tab ----

  function rulesView() {
    const active = ruleAlerts();
    const out = [h('h2', {}, `Firing and pending (${active.length})`)];
    out.push(active.length ? table(['Alert', 'State', 'Labels', 'Annotations', 'Active since', 'Silenced'],
      active.sort((a, b) => (a.state === b.state ? a.rule.name.localeCompare(b.rule.name) : a.state === 'firing' ? -1 : 1))
        .map((a) => ({ cells: [alertLink(a.rule.name), badge(a.state), labelChips(a.labels), annotationsList(a.annotations),
          `${when(a.activeAt)} (${ago(a.activeAt)})`, silencedCell(a.labels)], attrs: { class: `active-alert state-${a.state}` } })),
      { id: 'active-alerts' }) : h('p.muted', {}, 'Nothing is firing or pending.'));
    out.push(h('h2', {}, `Rule groups (${state.groups.length})`));
    if (!state.groups.length) out.push(h('p.muted', {}, 'No rule files are loaded (rule_files in sightline.yml).'));
    for (const g of state.groups) {
      out.push(h('section.rule-group', { 'aria-label': `Group ${g.name}` },
        h('h3', {}, g.name, h('span.muted', {}, ` ${g.file} · every ${g.interval}s · last ${when(g.lastEvaluation)}`
          + ` · took ${seconds(g.evaluationTime)}`)),
        table(['State', 'Rule', 'Health', 'Last error', 'Evaluated', 'Took', 'Expression'], g.rules.map((r) => ({
          cells: [r.type === 'alerting' ? badge(r.state) : h('span.muted', {}, 'record'),
            r.type === 'alerting' ? alertLink(r.name) : r.name, badge(r.health),
            r.lastError ? h('span.error-text', {}, r.lastError) : '', ago(r.lastEvaluation), seconds(r.evaluationTime),
            h('code.expr', {}, r.queryLanguage ? `[${r.queryLanguage}] ${r.query}` : r.query)],
          attrs: { class: 'rule', 'data-rule': r.name },
        })), { class: 'rules' })));
    }
    return out;
  }

  // ---- silences ----

  /** Alertmanager's matching: every matcher of the silence accepts the labels. */
  function silenceMatches(s, labels) {
    return s.matchers.every((m) => {
      const v = labels[m.name] ?? '';
      let hit;
      try {
        hit = m.isRegex ? new RegExp(`^(?:${m.value})$`).test(v) : v === m.value;
      } catch {
        // A Go regexp JavaScript cannot read: the server's silencedBy stays the authority.
        return false;
      }
      return (m.isEqual ?? true) ? hit : !hit;
    });
  }

  function fromLabels(labels) {
    return {
      matchers: Object.keys(labels).sort().map((k) => ({ name: k, value: labels[k], isRegex: false, isEqual: true })),
      comment: '', createdBy: localStorage.getItem('sightline.silence.author') ?? '',
    };
  }

  function silencesView() {
    const out = [h('div.toolbar', {}, h('button', { id: 'new-silence', type: 'button', onclick: () => openEditor({ matchers: [] }) },
      'New silence'))];
    for (const st of ['active', 'pending', 'expired']) {
      const list = state.silences.filter((s) => s.status.state === st);
      out.push(h('h2', {}, `${st[0].toUpperCase()}${st.slice(1)} (${list.length})`));
      out.push(list.length ? silencesTable(list, { id: `silences-${st}` }) : h('p.muted', {}, `No ${st} silence.`));
    }
    return out;
  }

  function silencesTable(list, attrs = {}) {
    if (!list.length) return h('p.muted', {}, 'None.');
    return table(['State', 'Matchers', 'Starts', 'Ends', 'Created by', 'Comment', 'Silences now', ''], list.map((s) => {
      const muted = state.amAlerts.filter((a) => (a.status.silencedBy ?? []).includes(s.id)).length;
      const actions = s.status.state === 'expired' ? [] : [
        h('button.secondary.edit-silence', { type: 'button', onclick: () => openEditor(s) }, 'Edit'),
        h('button.danger.expire-silence', { type: 'button', onclick: () => expire(s) }, 'Expire'),
      ];
      return { cells: [badge(s.status.state), h('code', {}, s.matchers.map(matcherText).join(', ')), when(s.startsAt),
        `${when(s.endsAt)} (${ago(s.endsAt)})`, s.createdBy, s.comment, `${muted} alert${muted === 1 ? '' : 's'}`,
        h('span.actions', {}, actions)], attrs: { class: 'silence', 'data-silence-id': s.id } };
    }), { class: 'silences', ...attrs });
  }

  async function expire(s) {
    try {
      await alertmanager(`/api/v2/silence/${encodeURIComponent(s.id)}`, { method: 'DELETE' });
      message.textContent = `Silence ${s.id} expired.`;
      await load();
      render();
    } catch (e) {
      showError(`expiring silence ${s.id}: ${e.message}`);
    }
  }

  /** Opens the silence form for a new silence ({matchers, ...}) or an existing one (it has an id). */
  function openEditor(silence) {
    const editing = Boolean(silence.id);
    const remaining = editing ? Math.max(60_000, Date.parse(silence.endsAt) - Math.max(Date.now(), Date.parse(silence.startsAt))) : 0;
    const matchers = h('textarea', { id: 'silence-matchers', rows: Math.max(3, silence.matchers.length + 1), spellcheck: 'false',
      'aria-describedby': 'silence-matchers-help' });
    matchers.value = silence.matchers.map(matcherText).join('\n');
    const durationInput = h('input', { id: 'silence-duration', size: 8, spellcheck: 'false', value: editing ? formatDuration(remaining) : DEFAULT_DURATION });
    const author = h('input', { id: 'silence-author', size: 20, value: silence.createdBy ?? '' });
    const comment = h('input', { id: 'silence-comment', size: 40, value: silence.comment ?? '' });
    const formError = h('div.form-error', { role: 'alert', hidden: true });
    const form = h('form', { id: 'silence-form', autocomplete: 'off' },
      h('h2', {}, editing ? `Edit silence ${silence.id}` : 'New silence'),
      h('label.wide', {}, h('span', {}, 'Matchers, one per line: name="value", name=~"regex", name!="value", name!~"regex"'),
        matchers),
      h('p.muted', { id: 'silence-matchers-help' }, 'Alerts whose labels match every line are silenced.'),
      h('div.row', {},
        h('label', {}, h('span', {}, 'Duration (from now)'), durationInput),
        h('label', {}, h('span', {}, 'Author'), author),
        h('label.grow', {}, h('span', {}, 'Comment'), comment)),
      formError,
      h('div.row', {},
        h('button', { id: 'silence-submit', type: 'submit' }, editing ? 'Update silence' : 'Create silence'),
        h('button.secondary', { type: 'button', onclick: closeEditor }, 'Cancel')));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      formError.hidden = true;
      try {
        const body = silenceBody(matchers.value, durationInput.value, author.value, comment.value, silence);
        const { silenceID } = await alertmanager('/api/v2/silences', { method: 'POST', body });
        localStorage.setItem('sightline.silence.author', author.value.trim());
        message.textContent = `Silence ${silenceID} ${editing ? 'updated' : 'created'}.`;
        closeEditor();
        await load();
        render();
      } catch (err) {
        formError.textContent = err.message;
        formError.hidden = false;
      }
    });
    editor.replaceChildren(form);
    editor.hidden = false;
    (silence.matchers.length ? (author.value ? comment : author) : matchers).focus();
  }

  function closeEditor() {
    editor.hidden = true;
    editor.replaceChildren();
  }

  // ---- notifications and the Alertmanager's status ----

  function notificationsView() {
    return [h('h2', {}, `Notifications sent (${state.sent.length})`), notificationsTable(state.sent)];
  }

  function statusView() {
    const st = state.amStatus;
    if (!st) return [h('p.muted', {}, 'The Alertmanager status is not available.')];
    const v = st.versionInfo ?? {};
    return [h('h2', {}, 'Built-in Alertmanager'),
      definitions([
        ['Up since', `${when(st.uptime)} (${ago(st.uptime).replace(/ ago$/, '')})`],
        ['Version', `${v.version} (revision ${v.revision}, branch ${v.branch}, built ${v.buildDate}, Java ${v.goVersion})`],
        ['Cluster', `${st.cluster?.status}${st.cluster?.peers?.length ? `, ${st.cluster.peers.length} peers` : ''}`],
      ], { id: 'am-status' }),
      h('h3', {}, 'Configuration (alertmanager section of sightline.yml)'),
      st.config?.original ? h('pre.config', { id: 'am-config' }, st.config.original)
        : h('p.muted', {}, 'No alertmanager section: alerts are kept and listed but sent nowhere.')];
  }

  await load();
  render();
}

/** A matcher as the form and lists write it: name="value", name=~"re", name!="v", name!~"re". */
function matcherText(m) {
  const equal = m.isEqual ?? true;
  const op = m.isRegex ? (equal ? '=~' : '!~') : (equal ? '=' : '!=');
  return `${m.name}${op}${JSON.stringify(m.value)}`;
}

const MATCHER = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*$/;

/** The POST body of a silence from the form's text; throws naming the field (and line) that is wrong. */
export function silenceBody(matchersText, durationText, author, comment, previous = {}) {
  const matchers = [];
  matchersText.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    const m = MATCHER.exec(line);
    if (!m) throw new Error(`matchers line ${i + 1}: "${line.trim()}" is not name="value", name=~"regex", name!="value" or name!~"regex"`);
    matchers.push({ name: m[1], value: JSON.parse(`"${m[3]}"`), isRegex: m[2].includes('~'), isEqual: !m[2].startsWith('!') });
  });
  if (!matchers.length) throw new Error('matchers: at least one matcher is needed');
  const ms = parseDuration(durationText.trim());
  if (ms === null) throw new Error(`duration: "${durationText.trim()}" is not a duration such as 30m, 2h or 1d`);
  if (!author.trim()) throw new Error('author: say who is silencing');
  if (!comment.trim()) throw new Error('comment: say why');
  // A pending silence keeps its start; anything else starts now.
  const now = Date.now();
  const start = previous.startsAt && Date.parse(previous.startsAt) > now ? Date.parse(previous.startsAt) : now;
  const body = { matchers, startsAt: new Date(start).toISOString(), endsAt: new Date(start + ms).toISOString(),
    createdBy: author.trim(), comment: comment.trim() };
  if (previous.id) body.id = previous.id;
  return body;
}

/** Milliseconds from "90s", "30m", "2h", "1d", "1w" or a combination such as "1h30m"; null when it is none. */
function parseDuration(text) {
  if (!/^(\d+[smhdw])+$/.test(text)) return null;
  const size = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
  let ms = 0;
  for (const [, n, u] of text.matchAll(/(\d+)([smhdw])/g)) ms += Number(n) * size[u];
  return ms > 0 ? ms : null;
}

/** Milliseconds as the duration field takes them, whole minutes: "1h30m", "45m". */
function formatDuration(ms) {
  const minutes = Math.round(ms / 60_000);
  const hrs = Math.floor(minutes / 60);
  return `${hrs ? `${hrs}h` : ''}${minutes % 60 || !hrs ? `${minutes % 60}m` : ''}`;
}

function notificationsTable(list) {
  if (!list.length) return h('p.muted', {}, 'No notification has been sent since the server started.');
  return table(['Sent', 'Receiver', 'Integration', 'Group', 'Status', 'Alerts', 'Result'], list.map((n) => ({
    cells: [`${when(n.time)} (${ago(n.time)})`, n.receiver, n.integration, labelChips(n.groupLabels), badge(n.status),
      h('span', {}, n.alerts.map((a) => `${a.labels.alertname ?? a.fingerprint} (${a.status})`).join(', ')),
      n.ok ? badge('delivered') : h('span', {}, badge('failed'), ` ${n.reason}: ${n.error}`)],
    attrs: { class: `notification ${n.ok ? 'ok' : 'failed'}` },
  })), { class: 'notifications' });
}
