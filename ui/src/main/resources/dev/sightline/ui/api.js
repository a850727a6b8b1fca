// The server's Prometheus-compatible HTTP API. Failures come back as Errors carrying the API's own text
// (e.g. "bad_data: 1:8: parse error: ..."), so pages can show it as is.

async function get(path, params) {
  const url = params ? `${path}?${new URLSearchParams(params)}` : path;
  const response = await fetch(url, { headers: { Accept: 'application/json' } });
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

// Dashboards (pages/dashboards.js, dashboard/*, panels/*).

/** An instant query at `time` (seconds): {resultType, result}. */
export function queryInstant(query, time) {
  return get('/api/v1/query', { query, time: String(time) });
}

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
  const response = await fetch(path, {
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
