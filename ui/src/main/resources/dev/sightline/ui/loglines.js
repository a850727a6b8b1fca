// Log lines as the Logs page and a trace's page show them: newest first, level colour, stream labels; each line
// opens to its fields (stream labels, structured metadata, fields parsed from the line as JSON or logfmt), and a
// trace_id field links to the trace.
import { h } from './dom.js';
import { formatUnixNanos } from './format.js';

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];
// trace_id (OTLP, Loki metadata), traceId, traceID, TraceId: as senders spell it.
const TRACE_ID = /^trace_?id$/i;

/** A line's own fields: a JSON object's (nested keys joined with _, as LogQL's json parser), else logfmt's. */
export function parseLine(line) {
  if (line.startsWith('{')) {
    try {
      const out = {};
      const walk = (o, prefix) => {
        for (const [k, v] of Object.entries(o)) {
          if (v && typeof v === 'object' && !Array.isArray(v)) walk(v, `${prefix}${k}_`);
          else out[prefix + k] = typeof v === 'string' ? v : JSON.stringify(v);
        }
      };
      const parsed = JSON.parse(line);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        walk(parsed, '');
        return out;
      }
    } catch {
      // Not JSON after all: try logfmt.
    }
  }
  return logfmt(line);
}

/** key=value pairs of a logfmt line (values bare or "quoted with \" escapes"); keys without = are left out. */
export function logfmt(line) {
  const out = {};
  const re = /([^\s=]+)=(?:"((?:[^"\\]|\\.)*)"|(\S*))/g;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    out[m[1]] = m[2] != null ? m[2].replace(/\\(.)/g, '$1') : m[3];
  }
  return out;
}

/**
 * Entries of a Loki streams result, newest first: {ts (unix ns text), line, stream, metadata}. Values that carry
 * {structuredMetadata} (categorized, as /api/traces/<id>/logs answers) keep it apart; otherwise a label is a stream
 * label when its name is among streamLabelNames and metadata (or a parsed label) when not.
 */
export function entries(result, streamLabelNames) {
  const out = [];
  for (const { stream, values } of result) {
    for (const [ts, line, extra] of values) {
      let labels = stream;
      let metadata = extra?.structuredMetadata ?? {};
      if (!extra && streamLabelNames) {
        labels = {};
        metadata = {};
        for (const [k, v] of Object.entries(stream)) (streamLabelNames.has(k) ? labels : metadata)[k] = v;
      }
      out.push({ ts, line, stream: labels, metadata });
    }
  }
  return out.sort((a, b) => (BigInt(b.ts) > BigInt(a.ts) ? 1 : BigInt(b.ts) < BigInt(a.ts) ? -1 : 0));
}

function levelOf(entry, fields) {
  const raw = (entry.metadata.detected_level ?? entry.stream.detected_level ?? entry.stream.level ?? fields.level ?? fields.lvl ?? '').toLowerCase();
  const normal = { warning: 'warn', err: 'error', critical: 'fatal', panic: 'fatal', dbg: 'debug' }[raw] ?? raw;
  return LEVELS.includes(normal) ? normal : 'unknown';
}

function fieldTable(title, fields) {
  const names = Object.keys(fields).sort();
  if (!names.length) return null;
  return h('table.fields', {},
    h('caption', {}, title),
    h('tbody', {}, names.map((k) => h('tr', {}, h('th', { scope: 'row' }, k),
      h('td', {}, TRACE_ID.test(k) && /^[0-9a-fA-F]{16,32}$/.test(fields[k])
        ? h('a.trace-link', { href: `/traces/${fields[k].toLowerCase()}` }, fields[k], ' → trace')
        : fields[k])))));
}

/** One line as a list item; Enter, Space or a click opens its fields. */
export function lineItem(entry) {
  const fields = parseLine(entry.line);
  const level = levelOf(entry, fields);
  const labels = Object.entries(entry.stream).map(([k, v]) => `${k}=${v}`).join(' ');
  const summary = h('div.log-summary', { tabindex: '0', role: 'button', 'aria-expanded': 'false' },
    h('span.log-time', {}, formatUnixNanos(entry.ts)),
    h(`span.log-level.level-${level}`, {}, level),
    h('span.log-line', {}, entry.line),
    h('span.log-labels', {}, labels));
  const item = h(`li.log-entry.level-${level}`, { 'data-ts': entry.ts });
  let details = null;
  const toggle = () => {
    if (!details) {
      // A query's parser (| json) adds the line's fields to its labels: those show as parsed, not as metadata.
      const metadata = Object.fromEntries(Object.entries(entry.metadata).filter(([k, v]) => fields[k] !== v));
      details = h('div.log-fields', {},
        fieldTable('Stream labels', entry.stream),
        fieldTable('Structured metadata', metadata),
        fieldTable('Parsed from the line', fields));
      item.append(details);
    } else {
      details.hidden = !details.hidden;
    }
    summary.setAttribute('aria-expanded', String(!details.hidden));
  };
  summary.addEventListener('click', toggle);
  summary.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      toggle();
    }
  });
  item.append(summary);
  return item;
}
