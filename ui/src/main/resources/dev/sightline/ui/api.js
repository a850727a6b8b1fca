// The server's Prometheus-compatible HTTP API. Failures come back as Errors carrying the API's own text
// (e.g. "bad_data: 1:8: parse error: ..."), so pages can show it as is.

async function get(path, params) {
  const url = params ? `${path}?${new URLSearchParams(params)}` : path;
  const response = await apiFetch(url, { headers: { Accept: 'application/json' } });
  let body;
  try {
    body = await response.json();
  } catch {
    throw new Error(`${response.status} ${response.statusText} from ${path}`);
  }
  if (body.status !== 'success') {
    throw new Error(body.errorType ? `${body.errorType}: ${body.error}` : String(body.error ?? response.status));
  }
  return body.data;
}

/** A range query: {resultType, result} with result [{metric, values: [[seconds, "value"], ...]}]. */
export function queryRange(query, start, end, step) {
  return get('/api/v1/query_range', { query, start: String(start), end: String(end), step: String(step) });
}

/** Every metric name the server knows. */
export function metricNames() {
  return get('/api/v1/label/__name__/values');
}

/**
 * GET of an API that is not Prometheus's envelope (Tempo, Jaeger, Loki's errors): the parsed JSON body, or an Error
 * whose message is the server's own text (Loki and Tempo answer errors as plain text, Jaeger as {errors:[{msg}]}).
 */
export async function fetchJson(path, params) {
  const url = params ? `${path}?${new URLSearchParams(params)}` : path;
  const response = await apiFetch(url, { headers: { Accept: 'application/json' } });
  const text = await response.text();
  if (!response.ok) {
    let message = text.trim();
    try {
      const body = JSON.parse(text);
      message = body.errors?.[0]?.msg ?? body.error ?? message;
    } catch {
      // Plain text: the message as it is.
    }
    throw new Error(message || `${response.status} ${response.statusText} from ${path}`);
  }
  return JSON.parse(text);
}

/** An instant query: {resultType, result} with result [{metric, value: [seconds, "value"]}] for a vector. */
export function query(text, time) {
  return get('/api/v1/query', time == null ? { query: text } : { query: text, time: String(time) });
}

/** Services seen in span metrics and HTTP server metrics: [{name, source, rate, error_ratio, p99_seconds, health}]. */
export function services() {
  return get('/api/v1/services');
}

/** The generated golden-signal dashboard of a service, in the dashboard model. */
export function serviceDashboard(name) {
  return get(`/api/v1/services/${encodeURIComponent(name)}/dashboard`);
}

/** LogQL log lines of [start, end] (seconds), newest first: {resultType: "streams", result: [{stream, values}]}. */
export function logLines(text, start, end, limit) {
  return get('/loki/api/v1/query_range', { query: text, start: String(start), end: String(end), limit: String(limit), direction: 'backward' });
}

/** Tempo trace search: {traces: [{traceID, rootServiceName, rootTraceName, startTimeUnixNano, durationMs}]}. */
export function searchTraces(params) {
  return fetchJson('/api/search', params);
}

/**
 * The built-in Alertmanager's API v2 (/api/v2/...): no envelope, errors are JSON strings. Resolves to the parsed
 * body (null when empty) or throws an Error with the server's text.
 */
export async function alertmanager(path, { method = 'GET', body } = {}) {
  const init = { method, headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await apiFetch(path, init);
  const text = await response.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  if (!response.ok) throw new Error(`${response.status}: ${typeof parsed === 'string' ? parsed : text}`);
  return parsed;
}

/** Rule groups with their rules, states and alerts (/api/v1/rules). */
export function ruleGroups() {
  return get('/api/v1/rules');
}

/** The built-in Alertmanager's recent delivery attempts, newest first (/api/v1/notifications). */
export function notifications(limit = 100) {
  return get('/api/v1/notifications', { limit: String(limit) });
}

/** Scrape targets (/api/v1/targets): {activeTargets, droppedTargets}. */
export function targets() {
  return get('/api/v1/targets');
}

/** One of /api/v1/status/{config,flags,runtimeinfo,buildinfo,tsdb}; params as the endpoint takes them. */
export function serverStatus(name, params) {
  return get(`/api/v1/status/${name}`, params);
}

// Dashboards (pages/dashboards.js, dashboard/*, panels/*).

/** A label's values, of the series `match` selects in [start, end] when given (Grafana's label_values). */
export function labelValues(label, match, start, end) {
  const params = new URLSearchParams();
  if (match) params.append('match[]', match);
  if (start != null) params.set('start', String(start));
  if (end != null) params.set('end', String(end));
  return get(`/api/v1/label/${encodeURIComponent(label)}/values`, params);
}

/** Every dashboard file: [{uid, title, tags, file, error, notes}]. */
export function dashboardList() {
  return get('/api/v1/dashboards');
}

/** One dashboard's model. */
export function dashboardModel(uid) {
  return get(`/api/v1/dashboards/${encodeURIComponent(uid)}`);
}

/** The YAML file of a model (the editor's "save this"): {yaml}. Errors name the key, e.g. rows[0].panels[1].span. */
export function dashboardYaml(model) {
  return postJson('/api/v1/dashboards/yaml', model);
}

/** A Grafana export converted: {dashboard, yaml, notes}. Nothing is written on the server. */
export function importGrafana(exportJson) {
  return postJson('/api/v1/dashboards/import', exportJson);
}

async function postJson(path, body) {
  const response = await apiFetch(path, {
    method: 'POST',
    headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  let parsed;
  try {
    parsed = await response.json();
  } catch {
    throw new Error(`${response.status} ${response.statusText} from ${path}`);
  }
  if (parsed.status !== 'success') throw new Error(parsed.errorType ? `${parsed.errorType}: ${parsed.error}` : String(parsed.error ?? response.status));
  return parsed.data;
}

// ---- explore helper: the query editor's completions, exemplars and LogQL/Tempo reads.

/** Label names, of the series a selector matches when one is given. */
export function labelNames(match) {
  return get('/api/v1/labels', match ? { 'match[]': match } : undefined);
}

/** Every PromQL function: [{name, signature, args: [{name, type}], variadic, returns, experimental, description}]. */
export function promqlFunctions() {
  return get('/api/v1/status/functions');
}

/** Exemplars of the query's series in [start, end] (seconds): [{seriesLabels, exemplars: [{labels, value, timestamp}]}]. */
export function queryExemplars(query, start, end) {
  return get('/api/v1/query_exemplars', { query, start: String(start), end: String(end) });
}

/**
 * Loki's and Tempo's read endpoints: JSON when they succeed (Loki's in the same envelope as Prometheus's, Tempo's
 * bare), the server's text when they fail (Loki answers errors as text, e.g. "parse error at line 1, col 5: ...").
 */
async function getLokiOrTempo(path, params) {
  const body = await fetchJson(path, params);
  return body.status === 'success' ? body.data : body;
}

/** A LogQL range query: a metric query's {resultType: "matrix", result} as query_range's, a log query's "streams". */
export function logQueryRange(query, start, end, step) {
  return getLokiOrTempo('/loki/api/v1/query_range', { query, start: String(start), end: String(end), step: String(step) });
}

/** Log stream label names, or a label's values (name given), over the last six hours. */
export function logLabels(name) {
  return getLokiOrTempo(name == null ? '/loki/api/v1/labels' : `/loki/api/v1/label/${encodeURIComponent(name)}/values`);
}

/** TraceQL identifiers by scope, {scopes: [{name, tags}]}, or an identifier's typed values {tagValues: [{type, value}]}. */
export function traceTags(tag) {
  return getLokiOrTempo(tag == null ? '/api/v2/search/tags' : `/api/v2/search/tag/${encodeURIComponent(tag)}/values`);
}

/** The freshness canaries and each reader's last staleness, lag and error: {canaries: [...]} (docs/synthetics.md). */
export function canaries() {
  return get('/api/v1/canaries');
}

/** The journeys, each with its last run's status, steps, phases and failed assertion (docs/synthetics.md). */
export function journeys() {
  return get('/api/v1/journeys');
}

/** Every service's maturity level: {levels: [names], services: [{name, level, level_name, criteria, next}]}. */
export function maturity() {
  return get('/api/v1/maturity');
}

// ---- tenants: with multitenancy on, every request names its tenant in X-Scope-OrgID (docs/tenants.md).

const TENANT_KEY = 'sightline.tenant';

/** The tenant this browser's requests name ('' for none), as set in the header's Tenant field. */
export function tenant() {
  return localStorage.getItem(TENANT_KEY) ?? '';
}

/** Sets (or, empty, clears) the tenant every later request names. */
export function setTenant(id) {
  if (id) localStorage.setItem(TENANT_KEY, id);
  else localStorage.removeItem(TENANT_KEY);
}

/** fetch() with the tenant's X-Scope-OrgID header: the one way the UI calls the server. */
export function apiFetch(input, init = {}) {
  const id = tenant();
  if (!id) return fetch(input, init);
  const headers = new Headers(init.headers);
  headers.set('X-Scope-OrgID', id);
  return fetch(input, { ...init, headers });
}
