// Times, durations and query positions as the Traces and Logs pages show and read them.

/** The ranges a page offers, in seconds; the URL's range= names one of them. */
export const RANGES = { '15m': 900, '1h': 3600, '6h': 21600, '24h': 86400, '7d': 604800 };

/** Fills a <select> with the RANGES, choosing `chosen` when it is one of them, else `fallback`. */
export function fillRanges(select, chosen, fallback = '1h') {
  select.replaceChildren(...Object.keys(RANGES).map((r) => new Option(`Last ${r}`, r)));
  select.value = chosen in RANGES ? chosen : fallback;
}

/** The smallest range that reaches back to a time `ageSeconds` ago (the largest when none does). */
export function rangeCovering(ageSeconds) {
  const names = Object.keys(RANGES);
  return names.find((r) => RANGES[r] >= ageSeconds) ?? names[names.length - 1];
}

const UNITS = [[3_600e9, 'h'], [60e9, 'm'], [1e9, 's'], [1e6, 'ms'], [1e3, 'µs']];

/** A duration in nanoseconds as people read it: 850ns, 12.3µs, 4.56ms, 1.2s, 3m4s. */
export function formatNanos(ns) {
  if (ns >= 60e9) {
    const m = Math.floor(ns / 60e9);
    const s = Math.round((ns - m * 60e9) / 1e9);
    return m >= 60 ? `${Math.floor(m / 60)}h${m % 60}m` : `${m}m${s ? `${s}s` : ''}`;
  }
  for (const [size, unit] of UNITS) {
    if (ns >= size) return `${Number((ns / size).toPrecision(3))}${unit}`;
  }
  return `${Math.round(ns)}ns`;
}

/** A unix-nanosecond text ("1700000000123456789") as local date and time to the millisecond. */
export function formatUnixNanos(text) {
  const ms = Number(BigInt(text) / 1_000_000n);
  const d = new Date(ms);
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} `
    + `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** Whether text is a TraceQL/Go duration such as 100ms, 1.5s, 2m (what min_duration and max_duration take). */
export function isDuration(text) {
  return /^\d+(\.\d+)?(ns|us|µs|ms|s|m|h)$/.test(text);
}

/**
 * For an error naming "line L, col C" of the query (LogQL's and TraceQL's parse errors), the query's line with a
 * caret under that column; "" when the message names no position.
 */
export function caretAt(message, text) {
  const at = /line (\d+), col (\d+)/.exec(message);
  const line = at && text.split('\n')[Number(at[1]) - 1];
  return line == null ? '' : `\n\n${line}\n${' '.repeat(Math.max(0, Number(at[2]) - 1))}^`;
}
