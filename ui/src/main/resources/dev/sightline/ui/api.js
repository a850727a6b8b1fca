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
