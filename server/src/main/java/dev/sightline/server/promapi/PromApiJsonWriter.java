package dev.sightline.server.promapi;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.sightline.core.Histogram;
import dev.sightline.core.Labels;
import dev.sightline.core.text.GoFloatBytes;
import dev.sightline.promql.engine.Matrix;
import dev.sightline.promql.engine.Sample;
import dev.sightline.promql.engine.Scalar;
import dev.sightline.promql.engine.MatrixSeries;
import dev.sightline.promql.engine.StringValue;
import dev.sightline.promql.engine.Value;
import dev.sightline.promql.engine.Vector;
import dev.sightline.server.http.BodyBuffers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;

/**
 * Writes Prometheus's API JSON, streamed with Jackson straight into a Vert.x buffer: sample values as strings as
 * Prometheus's jsonutil.MarshalValue writes them (Go's shortest 'f' form, 'e' below 1e-6 and from 1e21 on), scalars
 * always in the 'f' form (promql.Scalar's own MarshalJSON), timestamps as seconds with the milliseconds as written by Prometheus's
 * jsonutil.MarshalTimestamp, native histograms with their non-empty buckets. Points, which are most of a large
 * answer, bypass the generator: their digits go into a reused byte array and from there into the buffer, with
 * nothing allocated per point.
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
        BufferOutput out = new BufferOutput();
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            body.write(g);
        } catch (IOException e) {
            // The output stream cannot fail; only a generator misuse could get here.
            throw new IllegalStateException("rendering JSON failed", e);
        }
        return BufferInternal.buffer(out.buf);
    }

    /**
     * The generator's output: the buffer, plus the byte scratch points are written into. Raw writes first let the
     * generator write the separator the next value needs (an empty raw value) and flush, so bytes appended here land
     * after everything the generator wrote, and the generator counts them as that value.
     */
    private static final class BufferOutput extends OutputStream {
        /** One point's worst case: brackets, comma, quotes, a timestamp and the widest float. */
        private static final int POINT_BYTES = 8 + GoFloatBytes.MAX_LONG_BYTES + 4 + GoFloatBytes.MAX_E_BYTES;
        /** Bytes per point to reserve for a matrix: a 10-digit timestamp and a 17-digit value take 33 with punctuation. */
        private static final int POINT_ESTIMATE = 40;
        /** Matrices from this many points on cache their point openings (2^PREFIX_BITS slots of PREFIX_SLOT bytes). */
        private static final long PREFIX_CACHE_POINTS = 8192;
        private static final int PREFIX_BITS = 12;
        private static final int PREFIX_SLOTS = 1 << PREFIX_BITS;
        /** A length byte, then '[', a sign, 16 digits, '.', 3 digits, ',' and '"' fit; whole longs are copied from it. */
        private static final int PREFIX_SLOT = 32;
        private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
        private ByteBuf buf = Unpooled.buffer(256);
        private final GoFloatBytes floats = new GoFloatBytes();
        private byte[] scratch = new byte[16 * 1024];
        /**
         * Point openings {@code [<timestamp>,"} by timestamp, for large matrices (see {@link #reserve}): the series of a
         * range query share their steps, so each timestamp's digits are written once per part, then copied.
         * {@link #PREFIX_SLOT} bytes a slot, the first its length (0: empty); {@code prefixTimes} the slots' keys.
         */
        private byte[] prefixes;
        private long[] prefixTimes;
        private int prefixCount;

        @Override
        public void write(int b) {
            buf.writeByte(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            buf.writeBytes(b, off, len);
        }

        /**
         * Makes room for a matrix's points at once, in a buffer from {@link BodyBuffers} when large: grown step by step
         * (4 MB at a time past 4 MB), a 19 MB answer was copied five times over and left 65 MB of garbage per request.
         */
        void reserve(List<MatrixSeries> series) {
            long points = 0;
            for (MatrixSeries s : series) {
                points += s.fn;
            }
            long want = points * POINT_ESTIMATE + series.size() * 128L;
            if (points >= PREFIX_CACHE_POINTS) {
                prefixes = new byte[PREFIX_SLOTS * PREFIX_SLOT];
                prefixTimes = new long[PREFIX_SLOTS];
            }
            int capacity = (int) Math.min(buf.writerIndex() + want, Integer.MAX_VALUE - 16L);
            if (capacity > buf.capacity()) {
                ByteBuf big = BodyBuffers.take(capacity);
                big.writeBytes(buf);
                buf = big;
            }
        }

        static BufferOutput of(JsonGenerator g) {
            if (!(g.getOutputTarget() instanceof BufferOutput out)) {
                throw new IllegalStateException("values are written only by generators from PromApiJsonWriter.render");
            }
            return out;
        }

        static BufferOutput raw(JsonGenerator g) throws IOException {
            BufferOutput out = of(g);
            g.writeRawValue("");
            g.flush();
            return out;
        }

        /**
         * {@code [[t,"v"],...]}, written straight into the buffer's array (made room for by {@link #reserve}, grown
         * when that fell short): through a scratch array, the copy took 14% of a large matrix's encoding.
         */
        void points(long[] t, double[] v, int n) {
            buf.ensureWritable(POINT_BYTES);
            byte[] b = buf.array();
            int pos = buf.arrayOffset() + buf.writerIndex();
            int limit = buf.arrayOffset() + buf.capacity();
            b[pos++] = '[';
            for (int i = 0; i < n; i++) {
                if (limit - pos < POINT_BYTES) {
                    buf.writerIndex(pos - buf.arrayOffset());
                    buf.ensureWritable((int) Math.min((long) (n - i) * POINT_ESTIMATE + POINT_BYTES, Integer.MAX_VALUE - 16L));
                    b = buf.array();
                    pos = buf.arrayOffset() + buf.writerIndex();
                    limit = buf.arrayOffset() + buf.capacity();
                }
                if (i > 0) {
                    b[pos++] = ',';
                }
                pos = prefixes == null ? opening(t[i], b, pos) : prefix(t[i], b, pos);
                pos = floats.formatJsonValue(v[i], b, pos);
                b[pos++] = '"';
                b[pos++] = ']';
            }
            b[pos++] = ']';
            buf.writerIndex(pos - buf.arrayOffset());
        }

        /** {@code [t,"} at {@code pos} (room for {@link #PREFIX_SLOT} bytes needed), from the cache when there. */
        private int prefix(long t, byte[] b, int pos) {
            // Open addressing: one slot per timestamp would let the ~30% of 1,440 steps that share one of 4,096 slots
            // evict each other in every series.
            int slot = (int) (t * 0x9E37_79B9_7F4A_7C15L >>> 64 - PREFIX_BITS);
            while (prefixes[slot * PREFIX_SLOT] != 0 && prefixTimes[slot] != t) {
                slot = slot + 1 & PREFIX_SLOTS - 1;
            }
            int at = slot * PREFIX_SLOT;
            int len = prefixes[at];
            if (len == 0) {
                if (prefixCount == PREFIX_SLOTS / 2) {
                    // Kept half empty so that probes stay short; later timestamps are written each time.
                    return opening(t, b, pos);
                }
                len = opening(t, prefixes, at + 1) - at - 1;
                prefixes[at] = (byte) len;
                prefixTimes[slot] = t;
                prefixCount++;
            }
            // Whole longs, the slot's spare bytes too: cheaper than a copy of the exact length, which is all kept.
            for (int k = 0; k < PREFIX_SLOT - 8; k += 8) {
                LONGS.set(b, pos + k, (long) LONGS.get(prefixes, at + 1 + k));
            }
            return pos + len;
        }

        void point(long t, double v, boolean json) {
            buf.writeBytes(scratch, 0, point(t, v, json, scratch, 0));
        }

        void timestamp(long ms) {
            buf.writeBytes(scratch, 0, timestamp(ms, scratch, 0));
        }

        /** {@code [t,"v"]}, v as jsonutil.MarshalValue writes it when {@code json}, else in the 'f' form. */
        private int point(long t, double v, boolean json, byte[] b, int pos) {
            pos = opening(t, b, pos);
            pos = json ? floats.formatJsonValue(v, b, pos) : floats.formatF(v, b, pos);
            b[pos++] = '"';
            b[pos++] = ']';
            return pos;
        }

        /** A point's opening {@code [t,"}. */
        private static int opening(long t, byte[] b, int pos) {
            b[pos++] = '[';
            pos = timestamp(t, b, pos);
            b[pos++] = ',';
            b[pos++] = '"';
            return pos;
        }

        /** Seconds with the millisecond digits only when non-zero, e.g. 1435781451.781, 1435781451.010, 1435781451. */
        private static int timestamp(long ms, byte[] b, int pos) {
            // Negated as unsigned so that Long.MIN_VALUE prints too, as Go's int64 arithmetic would.
            long abs = ms;
            if (ms < 0) {
                b[pos++] = '-';
                abs = -ms;
            }
            pos = GoFloatBytes.writeLong(Long.divideUnsigned(abs, 1000), b, pos);
            int frac = (int) Long.remainderUnsigned(abs, 1000);
            if (frac != 0) {
                b[pos++] = '.';
                b[pos++] = (byte) ('0' + frac / 100);
                b[pos++] = (byte) ('0' + frac / 10 % 10);
                b[pos++] = (byte) ('0' + frac % 10);
            }
            return pos;
        }

        /** A value as a JSON string through the generator, for values inside objects it writes. */
        static void floatString(JsonGenerator g, double v) throws IOException {
            BufferOutput out = of(g);
            g.writeRawUTF8String(out.scratch, 0, out.floats.formatJsonValue(v, out.scratch, 0));
        }
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
                        BufferOutput.raw(g).point(s.t(), s.f(), true);
                    }
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            case Matrix m -> matrix(g, m.series());
        }
        g.writeEndObject();
    }

    /**
     * {@code [series,...]}. A large matrix is cut into parts of about equal points, one per core: the parts after the
     * first are encoded on the common pool into buffers of their own while this thread encodes the first, then
     * appended in order, so the bytes are those of one pass. Encoding is most of a large answer's time (the 400 x
     * 1,440 point selector of the query benchmark: 60% of the query thread's samples against 30% for the engine).
     */
    private static void matrix(JsonGenerator g, List<MatrixSeries> series) throws IOException {
        BufferOutput out = BufferOutput.of(g);
        int[] cuts = cuts(series, Math.min(Runtime.getRuntime().availableProcessors(), MAX_PARTS));
        List<CompletableFuture<ByteBuf>> rest = new ArrayList<>();
        for (int p = 1; p + 1 < cuts.length; p++) {
            List<MatrixSeries> part = series.subList(cuts[p], cuts[p + 1]);
            rest.add(CompletableFuture.supplyAsync(() -> seriesList(part), ForkJoinPool.commonPool()));
        }
        out.reserve(series);
        g.writeStartArray();
        try {
            for (MatrixSeries s : series.subList(0, cuts[1])) {
                series(g, s);
            }
            for (CompletableFuture<ByteBuf> f : rest) {
                ByteBuf part = f.join();
                // The separator the generator would write before a next series, then the part's series as they are.
                BufferOutput.raw(g).buf.writeBytes(part);
                BodyBuffers.recycle(part);
            }
        } finally {
            rest.forEach(f -> f.cancel(false));
        }
        g.writeEndArray();
    }

    /** Matrices under this many points are encoded on one thread: handing parts over costs more than it saves. */
    static final long SPLIT_POINTS = 50_000;
    private static final int MAX_PARTS = 8;

    /**
     * Series indexes where parts start, ending with the series count: {0, n} (one part) below {@link #SPLIT_POINTS}
     * points; else up to {@code parts} parts of about equal points, none empty.
     */
    static int[] cuts(List<MatrixSeries> series, int parts) {
        long total = 0;
        for (MatrixSeries s : series) {
            total += s.fn + s.hn;
        }
        int n = series.size();
        if (total < SPLIT_POINTS || parts < 2 || n < 2) {
            return new int[] {0, n};
        }
        int[] cuts = new int[Math.min(parts, n) + 1];
        int p = 1;
        long seen = 0;
        for (int i = 0; i < n && p < cuts.length - 1; i++) {
            seen += series.get(i).fn + series.get(i).hn;
            if (seen * (cuts.length - 1) >= total * p && n - (i + 1) >= cuts.length - 1 - p) {
                cuts[p++] = i + 1;
            }
        }
        cuts = Arrays.copyOf(cuts, p + 1);
        cuts[p] = n;
        return cuts;
    }

    /** Series joined by commas, without brackets, in a buffer of their own (the parts of {@link #matrix}). */
    private static ByteBuf seriesList(List<MatrixSeries> part) {
        BufferOutput out = new BufferOutput();
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            out.reserve(part);
            g.writeStartArray();
            for (MatrixSeries s : part) {
                series(g, s);
            }
            g.writeEndArray();
        } catch (IOException e) {
            throw new IllegalStateException("rendering JSON failed", e); // as in render: the output cannot fail
        }
        return out.buf.slice(1, out.buf.writerIndex() - 2);
    }

    private static void series(JsonGenerator g, MatrixSeries s) throws IOException {
        g.writeStartObject();
        g.writeFieldName("metric");
        labels(g, s.labels);
        if (s.fn > 0) {
            g.writeFieldName("values");
            BufferOutput.raw(g).points(s.ft, s.fv, s.fn);
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

    /**
     * {@code [seconds, "value"]} with the value in Go's 'f' form, never an exponent: a Prometheus scalar, and a Loki
     * sample (prometheus/common's model.SampleValue writes 'f' too).
     */
    public static void point(JsonGenerator g, long t, double v) throws IOException {
        BufferOutput.raw(g).point(t, v, false);
    }

    /** A sample value as Prometheus writes it: a JSON string in jsonutil.MarshalValue's form. */
    public static void value(JsonGenerator g, double v) throws IOException {
        BufferOutput.floatString(g, v);
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
        g.writeFieldName("count");
        value(g, h.count);
        g.writeFieldName("sum");
        value(g, h.sum);
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
            value(g, lower);
            value(g, upper);
            value(g, count);
            g.writeEndArray();
        });
        if (started[0]) {
            g.writeEndArray();
        }
        g.writeEndObject();
    }

    /** Seconds with the millisecond digits only when non-zero, e.g. 1435781451.781, 1435781451.010, 1435781451. */
    public static void timestamp(JsonGenerator g, long ms) throws IOException {
        BufferOutput.raw(g).timestamp(ms);
    }
}
