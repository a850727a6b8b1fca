package dev.sightline.server.promapi;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.sightline.core.Histogram;
import dev.sightline.core.Labels;
import dev.sightline.core.text.GoFloats;
import dev.sightline.promql.engine.Matrix;
import dev.sightline.promql.engine.Sample;
import dev.sightline.promql.engine.Scalar;
import dev.sightline.promql.engine.MatrixSeries;
import dev.sightline.promql.engine.StringValue;
import dev.sightline.promql.engine.Value;
import dev.sightline.promql.engine.Vector;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/**
 * Writes Prometheus's API JSON, streamed with Jackson straight into a Vert.x buffer: sample values as strings in Go's
 * strconv.FormatFloat(v, 'f', -1, 64) form, timestamps as seconds with the milliseconds as written by Prometheus's
 * jsonutil.MarshalTimestamp, native histograms with their non-empty buckets.
 */
public final class PromApiJsonWriter {
    private static final JsonFactory FACTORY = new JsonFactory();

    /** Writes one JSON document; the body gets the generator positioned at the document root. */
    public interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private PromApiJsonWriter() {
    }

    public static Buffer render(Body body) {
        Buffer buf = Buffer.buffer(256);
        OutputStream out = new OutputStream() {
            @Override
            public void write(int b) {
                buf.appendByte((byte) b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                buf.appendBytes(b, off, len);
            }
        };
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            body.write(g);
        } catch (IOException e) {
            // The output stream cannot fail; only a generator misuse could get here.
            throw new IllegalStateException("rendering JSON failed", e);
        }
        return buf;
    }

    /** {@code {"status":"success","data":...,"warnings":[...],"infos":[...]}}, the annotation lists only when not empty. */
    static Buffer success(Body data, List<String> warnings, List<String> infos) {
        return render(g -> {
            g.writeStartObject();
            g.writeStringField("status", "success");
            g.writeFieldName("data");
            data.write(g);
            stringList(g, "warnings", warnings);
            stringList(g, "infos", infos);
            g.writeEndObject();
        });
    }

    static Buffer error(ApiError e) {
        return render(g -> {
            g.writeStartObject();
            g.writeStringField("status", "error");
            g.writeStringField("errorType", e.type.apiName);
            g.writeStringField("error", e.getMessage());
            g.writeEndObject();
        });
    }

    private static void stringList(JsonGenerator g, String field, List<String> list) throws IOException {
        if (list.isEmpty()) {
            return;
        }
        g.writeArrayFieldStart(field);
        for (String s : list) {
            g.writeString(s);
        }
        g.writeEndArray();
    }

    /** {@code {"resultType":...,"result":...}} of a query. */
    static void queryData(JsonGenerator g, Value v) throws IOException {
        g.writeStartObject();
        g.writeStringField("resultType", v.typeName());
        g.writeFieldName("result");
        switch (v) {
            case Scalar s -> point(g, s.t(), s.v());
            case StringValue s -> {
                g.writeStartArray();
                timestamp(g, s.t());
                g.writeString(s.s());
                g.writeEndArray();
            }
            case Vector vec -> {
                g.writeStartArray();
                for (Sample s : vec.samples()) {
                    g.writeStartObject();
                    g.writeFieldName("metric");
                    labels(g, s.labels());
                    if (s.isHistogram()) {
                        g.writeFieldName("histogram");
                        histogramPoint(g, s.t(), s.h());
                    } else {
                        g.writeFieldName("value");
                        point(g, s.t(), s.f());
                    }
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            case Matrix m -> {
                g.writeStartArray();
                for (MatrixSeries s : m.series()) {
                    series(g, s);
                }
                g.writeEndArray();
            }
        }
        g.writeEndObject();
    }

    private static void series(JsonGenerator g, MatrixSeries s) throws IOException {
        g.writeStartObject();
        g.writeFieldName("metric");
        labels(g, s.labels);
        if (s.fn > 0) {
            g.writeArrayFieldStart("values");
            for (int i = 0; i < s.fn; i++) {
                point(g, s.ft[i], s.fv[i]);
            }
            g.writeEndArray();
        }
        if (s.hn > 0) {
            g.writeArrayFieldStart("histograms");
            for (int i = 0; i < s.hn; i++) {
                histogramPoint(g, s.ht[i], s.hv[i]);
            }
            g.writeEndArray();
        }
        g.writeEndObject();
    }

    public static void labels(JsonGenerator g, Labels l) throws IOException {
        g.writeStartObject();
        for (int i = 0; i < l.size(); i++) {
            g.writeStringField(l.name(i), l.value(i));
        }
        g.writeEndObject();
    }

    /** {@code [seconds, "value"]}: a sample as Prometheus writes it. */
    public static void point(JsonGenerator g, long t, double v) throws IOException {
        g.writeStartArray();
        timestamp(g, t);
        g.writeString(GoFloats.formatF(v));
        g.writeEndArray();
    }

    private static void histogramPoint(JsonGenerator g, long t, Histogram h) throws IOException {
        g.writeStartArray();
        timestamp(g, t);
        histogram(g, h);
        g.writeEndArray();
    }

    /**
     * {@code {"count":..,"sum":..,"buckets":[[boundaryRule,"lower","upper","count"],...]}} with buckets in ascending
     * order and empty ones left out. Boundary rule: 0 = (lower, upper], 1 = [lower, upper), 2 = open, 3 = closed.
     */
    static void histogram(JsonGenerator g, Histogram h) throws IOException {
        g.writeStartObject();
        g.writeStringField("count", GoFloats.formatF(h.count));
        g.writeStringField("sum", GoFloats.formatF(h.sum));
        boolean[] started = {false};
        HistogramBuckets.forEach(h, (rule, lower, upper, count) -> {
            if (count == 0) {
                return;
            }
            if (!started[0]) {
                g.writeArrayFieldStart("buckets");
                started[0] = true;
            }
            g.writeStartArray();
            g.writeNumber(rule);
            g.writeString(GoFloats.formatF(lower));
            g.writeString(GoFloats.formatF(upper));
            g.writeString(GoFloats.formatF(count));
            g.writeEndArray();
        });
        if (started[0]) {
            g.writeEndArray();
        }
        g.writeEndObject();
    }

    /** Seconds with the millisecond digits only when non-zero, e.g. 1435781451.781, 1435781451.010, 1435781451. */
    public static void timestamp(JsonGenerator g, long ms) throws IOException {
        g.writeNumber(formatTimestamp(ms));
    }

    static String formatTimestamp(long ms) {
        StringBuilder sb = new StringBuilder(20);
        // Negated as unsigned so that Long.MIN_VALUE prints too, as Go's int64 arithmetic would.
        long abs = ms;
        if (ms < 0) {
            sb.append('-');
            abs = -ms;
        }
        sb.append(Long.toUnsignedString(Long.divideUnsigned(abs, 1000)));
        long frac = Long.remainderUnsigned(abs, 1000);
        if (frac != 0) {
            sb.append('.');
            if (frac < 100) {
                sb.append('0');
            }
            if (frac < 10) {
                sb.append('0');
            }
            sb.append(frac);
        }
        return sb.toString();
    }
}
