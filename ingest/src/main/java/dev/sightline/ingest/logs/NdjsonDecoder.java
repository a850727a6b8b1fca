package dev.sightline.ingest.logs;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import dev.sightline.core.Labels;
import dev.sightline.ingest.JsonErrors;
import dev.sightline.ingest.Utf8;
import dev.sightline.logs.LogEntry;
import dev.sightline.logs.LogFields;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Newline-delimited JSON for scripts ({@code curl --data-binary @app.log}): each non-blank line one JSON object,
 * stored verbatim as the log line (so {@code | json} reads every field). Of its top-level fields:
 * <ul>
 *   <li>the stream fields ({@link #DEFAULT_STREAM_FIELDS}, or the caller's list) with a string, number or boolean
 *   value become stream labels (names sanitized), plus the request's fixed labels;</li>
 *   <li>the first of {@code time timestamp ts @timestamp} gives the time: RFC 3339 text, or unix time as a number or
 *   numeric text whose magnitude says the unit (below 1e11 seconds, may be fractional; below 1e14 milliseconds; below
 *   1e17 microseconds; else nanoseconds); none gives the time of arrival;</li>
 *   <li>{@code trace_id}/{@code traceId} and {@code span_id}/{@code spanId} become the metadata Loki's OTLP mapping
 *   uses; the level is detected from the line by {@link LogBatch}.</li>
 * </ul>
 * A line that is not a JSON object, is not UTF-8 or has a time that cannot be read refuses the whole body (nothing
 * stored), naming the line and column.
 */
public final class NdjsonDecoder {
    /** The stream fields when the caller names none: low-cardinality names of who wrote the line and where. */
    public static final List<String> DEFAULT_STREAM_FIELDS = List.of("service", "service_name", "app", "application",
            "job", "env", "environment", "namespace");
    private static final List<String> TIME_FIELDS = List.of("time", "timestamp", "ts", "@timestamp");
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
            .build();

    private final List<String> streamFields;
    private final Labels fixedLabels;

    /** {@code streamFields}: the top-level fields that become stream labels; {@code fixedLabels}: added to every stream. */
    public NdjsonDecoder(List<String> streamFields, Labels fixedLabels) {
        this.streamFields = List.copyOf(streamFields);
        this.fixedLabels = fixedLabels;
    }

    /** Decodes a body; lines without a time get {@code nowNanos}. */
    public void decode(byte[] body, long nowNanos, LogSink sink) throws MalformedLogsException {
        Map<Labels, Labels> streams = new HashMap<>();
        Map<Labels, Labels> metadatas = new HashMap<>();
        long lineNumber = 0;
        int start = 0;
        while (start < body.length) {
            int end = start;
            while (end < body.length && body[end] != '\n') {
                end++;
            }
            lineNumber++;
            int stop = end > start && body[end - 1] == '\r' ? end - 1 : end;
            if (!isBlank(body, start, stop)) {
                if (!Utf8.isValid(body, start, stop - start)) {
                    throw new MalformedLogsException("invalid NDJSON at line " + lineNumber + ": not valid UTF-8");
                }
                String line = new String(body, start, stop - start, StandardCharsets.UTF_8);
                sink.at(lineNumber);
                record(line, lineNumber, nowNanos, streams, metadatas, sink);
            }
            start = end + 1;
        }
    }

    private static boolean isBlank(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != ' ' && b[i] != '\t') {
                return false;
            }
        }
        return true;
    }

    private void record(String line, long lineNumber, long nowNanos, Map<Labels, Labels> streams,
                        Map<Labels, Labels> metadatas, LogSink sink) throws MalformedLogsException {
        Labels.Builder stream = fixedLabels.toBuilder();
        Labels.Builder metadata = null;
        String time = null;
        boolean timeIsNumber = false;
        int timeRank = Integer.MAX_VALUE;
        JsonParser p = null;
        try {
            p = JSON.createParser(line);
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw malformed(lineNumber, p, "a line must be one JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                if (t.isStructStart()) {
                    p.skipChildren();
                    continue;
                }
                if (!t.isScalarValue() || t == JsonToken.VALUE_NULL) {
                    continue;
                }
                int rank = TIME_FIELDS.indexOf(name);
                if (rank >= 0 && rank < timeRank) {
                    timeRank = rank;
                    time = p.getText();
                    timeIsNumber = t.isNumeric();
                } else if (streamFields.contains(name)) {
                    String label = LogFields.sanitize(name);
                    if (stream.get(label) == null) {
                        stream.set(label, p.getText());
                    }
                } else if (name.equals("trace_id") || name.equals("traceId")) {
                    metadata = (metadata == null ? Labels.builder() : metadata).set(LogEntry.TRACE_ID, p.getText());
                } else if (name.equals("span_id") || name.equals("spanId")) {
                    metadata = (metadata == null ? Labels.builder() : metadata).set(LogEntry.SPAN_ID, p.getText());
                }
            }
            if (p.nextToken() != null) {
                throw malformed(lineNumber, p, "text after the JSON object");
            }
        } catch (JsonProcessingException e) {
            throw new MalformedLogsException("invalid NDJSON at line " + lineNumber + ", column "
                    + JsonErrors.location(e, p).getColumnNr() + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new MalformedLogsException("invalid NDJSON at line " + lineNumber + ": " + e.getMessage());
        } finally {
            JsonErrors.close(p);
        }
        long nanos = time == null ? nowNanos : parseTime(time, timeIsNumber, lineNumber, TIME_FIELDS.get(timeRank));
        Labels s = streams.computeIfAbsent(stream.build(), k -> k);
        Labels m = metadata == null ? Labels.EMPTY : metadatas.computeIfAbsent(metadata.build(), k -> k);
        sink.accept(s, nanos, line, m);
    }

    /** RFC 3339, or unix time whose unit its magnitude gives. */
    static long parseTime(String v, boolean number, long lineNumber, String field) throws MalformedLogsException {
        String s = v.trim();
        if (!number && !s.isEmpty() && !looksNumeric(s)) {
            try {
                OffsetDateTime t = OffsetDateTime.parse(s);
                return Math.addExact(Math.multiplyExact(t.toEpochSecond(), 1_000_000_000L), t.getNano());
            } catch (DateTimeException | ArithmeticException e) {
                throw new MalformedLogsException("invalid NDJSON at line " + lineNumber + ": field \"" + field
                        + "\" value \"" + v + "\" is neither RFC 3339 time nor unix time");
            }
        }
        try {
            if (s.indexOf('.') < 0 && s.indexOf('e') < 0 && s.indexOf('E') < 0) {
                long n = Long.parseLong(s);
                long abs = Math.abs(n);
                return abs < 100_000_000_000L ? n * 1_000_000_000L
                        : abs < 100_000_000_000_000L ? n * 1_000_000L
                        : abs < 100_000_000_000_000_000L ? n * 1_000L : n;
            }
            double d = Double.parseDouble(s);
            double abs = Math.abs(d);
            double scale = abs < 1e11 ? 1e9 : abs < 1e14 ? 1e6 : abs < 1e17 ? 1e3 : 1;
            return Math.round(d * scale);
        } catch (NumberFormatException e) {
            throw new MalformedLogsException("invalid NDJSON at line " + lineNumber + ": field \"" + field
                    + "\" value \"" + v + "\" is neither RFC 3339 time nor unix time");
        }
    }

    /** Digits, sign, point and exponent only: RFC 3339 text always has a 'T' (or space) and colons. */
    private static boolean looksNumeric(String s) {
        for (int i = 0; i < s.length(); i++) {
            if ("0123456789.-+eE".indexOf(s.charAt(i)) < 0) {
                return false;
            }
        }
        return true;
    }

    private static MalformedLogsException malformed(long lineNumber, JsonParser p, String what) {
        return new MalformedLogsException("invalid NDJSON at line " + lineNumber + ", column "
                + p.currentLocation().getColumnNr() + ": " + what);
    }
}
