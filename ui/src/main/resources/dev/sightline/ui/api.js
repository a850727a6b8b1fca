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

// ---- explore helper: the query editor's completions, exemplars and LogQL/Tempo reads.

/** Label names, of the series a selector matches when one is given. */
export function labelNames(match) {
  return get('/api/v1/labels', match ? { 'match[]': match } : undefined);
}

/** A label's values, of the series a selector matches when one is given. */
export function labelValues(name, match) {
  return get(`/api/v1/label/${encodeURIComponent(name)}/values`, match ? { 'match[]': match } : undefined);
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
  const response = await fetch(params ? `${path}?${new URLSearchParams(params)}` : path, { headers: { Accept: 'application/json' } });
  const text = await response.text();
  if (!response.ok) throw new Error(text.trim() || `${response.status} ${response.statusText} from ${path}`);
  const body = JSON.parse(text);
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
