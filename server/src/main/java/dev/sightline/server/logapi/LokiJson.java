package dev.sightline.server.logapi;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.sightline.core.Labels;
import dev.sightline.logs.LogEntry;
import dev.sightline.logs.logql.LogQlResult;
import dev.sightline.server.promapi.PromApiJsonWriter;
import dev.sightline.server.promapi.PromApiJsonWriter.Body;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Loki's JSON shapes (pkg/loghttp, v1 encoding): the {@code {"status":"success","data":...}} envelope, streams as
 * {@code {"stream":{labels},"values":[["<unix ns>","line"],...]}}, vectors and matrices as Prometheus writes them
 * (seconds with milliseconds, values as strings), and live-tail frames.
 */
final class LokiJson {
    private LokiJson() {
    }

    static Buffer success(Body data) {
        return PromApiJsonWriter.render(g -> {
            g.writeStartObject();
            g.writeStringField("status", "success");
            g.writeFieldName("data");
            data.write(g);
            g.writeEndObject();
        });
    }

    static Buffer strings(List<String> values) {
        return success(g -> {
            g.writeStartArray();
            for (String v : values) {
                g.writeString(v);
            }
            g.writeEndArray();
        });
    }

    /**
     * A query's answer: {@code {"resultType":...,"result":...,"stats":{"summary":{...}}}} in the envelope. The stats
     * carry what this server measures: the execution time and the entries (lines or samples) returned.
     */
    static Buffer query(LogQlResult result, double execSeconds) {
        return success(g -> {
            g.writeStartObject();
            long returned;
            switch (result) {
                case LogQlResult.Streams s -> {
                    g.writeStringField("resultType", "streams");
                    g.writeArrayFieldStart("result");
                    returned = 0;
                    for (LogQlResult.Stream st : s.streams()) {
                        g.writeStartObject();
                        g.writeFieldName("stream");
                        PromApiJsonWriter.labels(g, st.labels());
                        g.writeArrayFieldStart("values");
                        for (LogQlResult.Line l : st.lines()) {
                            value(g, l.timeNanos(), l.text());
                        }
                        g.writeEndArray();
                        g.writeEndObject();
                        returned += st.lines().size();
                    }
                    g.writeEndArray();
                }
                case LogQlResult.Matrix m -> {
                    g.writeStringField("resultType", "matrix");
                    g.writeArrayFieldStart("result");
                    returned = 0;
                    for (LogQlResult.Series s : m.series()) {
                        series(g, s.labels(), s.timesMillis(), s.values(), s.timesMillis().length);
                        returned += s.timesMillis().length;
                    }
                    g.writeEndArray();
                }
                case LogQlResult.Vector v -> {
                    g.writeStringField("resultType", "vector");
                    g.writeArrayFieldStart("result");
                    for (LogQlResult.Sample s : v.samples()) {
                        sample(g, s.labels(), s.timeMillis(), s.value());
                    }
                    g.writeEndArray();
                    returned = v.samples().size();
                }
                case LogQlResult.Scalar s -> {
                    g.writeStringField("resultType", "scalar");
                    g.writeFieldName("result");
                    PromApiJsonWriter.point(g, s.timeMillis(), s.value());
                    returned = 1;
                }
            }
            g.writeObjectFieldStart("stats");
            g.writeObjectFieldStart("summary");
            g.writeNumberField("execTime", execSeconds);
            g.writeNumberField("totalEntriesReturned", returned);
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    /** {@code {"metric":{...},"value":[seconds,"v"]}}. */
    static void sample(JsonGenerator g, Labels labels, long timeMillis, double value) throws IOException {
        sample(g, m -> PromApiJsonWriter.labels(m, labels), timeMillis, value);
    }

    static void sample(JsonGenerator g, Body metric, long timeMillis, double value) throws IOException {
        g.writeStartObject();
        g.writeFieldName("metric");
        metric.write(g);
        g.writeFieldName("value");
        PromApiJsonWriter.point(g, timeMillis, value);
        g.writeEndObject();
    }

    /** {@code {"metric":{...},"values":[[seconds,"v"],...]}} of the first {@code n} points. */
    static void series(JsonGenerator g, Labels labels, long[] timesMillis, double[] values, int n) throws IOException {
        series(g, m -> PromApiJsonWriter.labels(m, labels), timesMillis, values, n);
    }

    static void series(JsonGenerator g, Body metric, long[] timesMillis, double[] values, int n) throws IOException {
        g.writeStartObject();
        g.writeFieldName("metric");
        metric.write(g);
        g.writeArrayFieldStart("values");
        for (int i = 0; i < n; i++) {
            PromApiJsonWriter.point(g, timesMillis[i], values[i]);
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    /** {@code ["<unix ns>","line"]}. */
    private static void value(JsonGenerator g, long timeNanos, String line) throws IOException {
        g.writeStartArray();
        g.writeString(Long.toString(timeNanos));
        g.writeString(line);
        g.writeEndArray();
    }

    /**
     * A live-tail frame: {@code {"streams":[...],"dropped_entries":[{"labels":{...},"timestamp":"<unix ns>"}]}},
     * each stream's labels its stream labels with the line's metadata (Loki's labels of a query without
     * categorized labels).
     */
    static Buffer tailFrame(Map<Labels, List<LogEntry>> streams, List<LogEntry> dropped) {
        return PromApiJsonWriter.render(g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("streams");
            for (Map.Entry<Labels, List<LogEntry>> e : streams.entrySet()) {
                g.writeStartObject();
                g.writeFieldName("stream");
                PromApiJsonWriter.labels(g, e.getKey());
                g.writeArrayFieldStart("values");
                for (LogEntry l : e.getValue()) {
                    value(g, l.timeNanos(), l.line());
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("dropped_entries");
            for (LogEntry l : dropped) {
                g.writeStartObject();
                g.writeFieldName("labels");
                PromApiJsonWriter.labels(g, labels(l));
                g.writeStringField("timestamp", Long.toString(l.timeNanos()));
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /** A line's stream labels with its metadata added (a stream label wins over metadata of the same name). */
    static Labels labels(LogEntry e) {
        if (e.metadata().isEmpty()) {
            return e.stream();
        }
        Labels.Builder b = e.metadata().toBuilder();
        e.stream().forEach(b::set);
        return b.build();
    }
}
