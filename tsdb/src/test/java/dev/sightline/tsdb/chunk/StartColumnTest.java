package dev.sightline.tsdb.chunk;

import dev.sightline.core.Histogram;
import dev.sightline.metricstore.FloatSamples;
import dev.sightline.metricstore.SampleIterator;
import dev.sightline.metricstore.ValueType;
import dev.sightline.metricstore.conformance.StartPatterns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Start timestamps in chunks: kept exactly by every encoding, and free for chunks that have none. */
class StartColumnTest {
    private static final int N = 120;

    private static long[] times(int n) {
        long[] ts = new long[n];
        for (int i = 0; i < n; i++) {
            ts[i] = 1_700_000_000_000L + i * 15_000L + (i % 5 == 0 ? 7 : 0);
        }
        return ts;
    }

    private static double value(int i) {
        return i % 4 == 0 ? Math.sqrt(i + 2) : 100 + i * 0.5;
    }

    private static double decimal(int i) {
        return 1234.5 + i * 0.25;
    }

    private static Histogram hist(int i) {
        double b = i;
        return new Histogram(Histogram.CounterResetHint.NOT_COUNTER_RESET, 1, 0.001, i, i + 2 * b + 1, i * 0.25,
                new int[]{-1, 2}, new int[]{1, 1}, new double[]{b, b + 1}, null, null, null, null);
    }

    /**
     * Bytes the encoders wrote before start timestamps existed (commit 8843237), for 24 floats, 24 short decimals
     * and 6 histograms: chunks without start timestamps must stay exactly these.
     */
    @Test
    void chunksWithoutStartTimestampsKeepTheirBytes() {
        HexFormat hx = HexFormat.of();
        int n = 24;
        long[] ts = times(n);
        double[] vs = new double[n];
        double[] dec = new double[n];
        for (int i = 0; i < n; i++) {
            vs[i] = value(i);
            dec[i] = decimal(i);
        }
        Chunk x = Chunks.newChunk(ChunkEncoding.XOR);
        for (int i = 0; i < n; i++) {
            x.appender().append(ts[i], vs[i]);
        }
        String xor = "00188ea0abfef9623ff6a09e667f3bcda2ea01c3fffaf809e667f3bcd8007800030000000000020000400000000000802d7c470a0490974003c0168e238502484baffca0000c00000000001000f000020000000000040142b160eb696d4d00536c583ada5b53800780003000000000005ff940000800000000002001e00af1dd422d07e92802ba77508b41fa4a0000c00000000001000f0000200000000000bff280250c3b666fb66cc003c012f61db337db365000060000000000040000800000000002001e009345f8b2a8ad4f7fe5004962fc595456a780078000300000000000200004000000000000";
        assertThat(hx.formatHex(x.bytes())).isEqualTo(xor);
        assertThat(x.byteLength()).isEqualTo(xor.length() / 2);
        Chunk zeros = Chunks.encodeFloats(ts, vs, new long[n], n);
        assertThat(zeros.bytes()).as("all-zero starts are no starts").isEqualTo(Chunks.encodeFloats(ts, vs, null, n).bytes());

        String decimal = "00182475055ff7cb17a4407d17500e2e5000f64b2594003d95ff9594003d92c965000f657fe565000f64b2594003d95ff9594003d92c965000f657fe565000f64b20";
        Chunk d = LegacyDecimalChunks.chunk(ts, dec, null, n);
        assertThat(hx.formatHex(d.bytes())).isEqualTo(decimal);

        Chunk h = Chunks.newChunk(ChunkEncoding.FLOAT_HISTOGRAM);
        for (int i = 0; i < 6; i++) {
            h.appender().appendHistogram(ts[i], hist(i));
        }
        assertThat(hx.formatHex(h.bytes())).isEqualTo("0006023f50624dd2f1a9fc020101040100008ea0abfef962b115ff8c457ff45d403612bffc457ff88aff7115ffe12fffc003db02f097ffe00f097fff6035a83fb01ec07b01eb0b5b03fac2f585eb0bda0e001ed626ed07b41ed07b02c0");
    }

    @ParameterizedTest
    @EnumSource(StartPatterns.class)
    void floatChunksKeepStartTimestamps(StartPatterns pattern) {
        long[] ts = times(N);
        long[] sts = pattern.starts(ts, N);
        double[] vs = new double[N];
        double[] dec = new double[N];
        Chunk x = Chunks.newChunk(ChunkEncoding.XOR);
        for (int i = 0; i < N; i++) {
            vs[i] = value(i);
            dec[i] = decimal(i);
            x.appender().append(sts[i], ts[i], vs[i]);
        }
        checkFloats(x, ts, vs, sts);
        byte[] b = x.bytes();
        assertThat(b).hasSize(x.byteLength());
        checkFloats(Chunks.fromBytes(ChunkEncoding.XOR, b, 0, b.length), ts, vs, sts);

        for (double[] values : new double[][]{vs, dec}) {
            Chunk whole = Chunks.encodeFloats(ts, values, sts, N);
            assertThat(whole.encoding()).isEqualTo(ChunkEncoding.PACKED);
            checkFloats(whole, ts, values, sts);
            checkAtOffset(whole, ts, values, sts);
        }
        Chunk d = LegacyDecimalChunks.chunk(ts, dec, sts, N);
        checkFloats(d, ts, dec, sts);
        checkAtOffset(d, ts, dec, sts);
    }

    /** Reads the chunk's bytes at an offset inside a larger array, as block segments hold chunks. */
    private static void checkAtOffset(Chunk c, long[] ts, double[] vs, long[] sts) {
        byte[] db = c.bytes();
        byte[] padded = new byte[db.length + 10];
        System.arraycopy(db, 0, padded, 3, db.length);
        checkFloats(Chunks.fromBytes(c.encoding(), padded, 3, db.length), ts, vs, sts);
    }

    @ParameterizedTest
    @EnumSource(StartPatterns.class)
    void histogramChunksKeepStartTimestamps(StartPatterns pattern) {
        long[] ts = times(N);
        long[] sts = pattern.starts(ts, N);
        Chunk h = Chunks.newChunk(ChunkEncoding.FLOAT_HISTOGRAM);
        for (int i = 0; i < N; i++) {
            assertThat(h.appender().appendHistogram(sts[i], ts[i], hist(i))).isTrue();
        }
        byte[] b = h.bytes();
        assertThat(b).hasSize(h.byteLength());
        for (Chunk c : new Chunk[]{h, Chunks.fromBytes(ChunkEncoding.FLOAT_HISTOGRAM, b, 0, b.length)}) {
            SampleIterator it = c.iterator(null);
            for (int i = 0; i < N; i++) {
                assertThat(it.next()).isEqualTo(ValueType.HISTOGRAM);
                assertThat(it.timestamp()).isEqualTo(ts[i]);
                assertThat(it.startTimestamp()).as("%s sample %d", pattern, i).isEqualTo(sts[i]);
                assertThat(it.histogram().count).isEqualTo(hist(i).count);
            }
            assertThat(it.next()).isEqualTo(ValueType.NONE);
        }
    }

    /** Sample by sample, then in bulk from every position (fresh and recycled iterators alike). */
    private static void checkFloats(Chunk c, long[] ts, double[] vs, long[] sts) {
        assertThat(c.numSamples()).isEqualTo(ts.length);
        SampleIterator it = c.iterator(null);
        for (int i = 0; i < ts.length; i++) {
            assertThat(it.next()).isEqualTo(ValueType.FLOAT);
            assertThat(it.timestamp()).isEqualTo(ts[i]);
            assertThat(it.value()).isEqualTo(vs[i]);
            assertThat(it.startTimestamp()).as("start of sample %d", i).isEqualTo(sts[i]);
        }
        assertThat(it.next()).isEqualTo(ValueType.NONE);
        boolean any = false;
        for (long st : sts) {
            any |= st != 0;
        }
        for (int from : new int[]{0, 1, 49, 50, 51, ts.length - 1}) {
            it = c.iterator(it);
            assertThat(it.seek(ts[from])).isEqualTo(ValueType.FLOAT);
            FloatSamples out = new FloatSamples(4);
            long maxt = ts[ts.length - 1] - (from % 2 == 0 ? 0 : 15_000);
            ValueType after = it.appendFloats(maxt, out);
            int end = from % 2 == 0 ? ts.length : Math.max(from + 1, ts.length - 1);
            assertThat(out.n).isEqualTo(end - from);
            assertThat(after).isEqualTo(end == ts.length ? ValueType.NONE : ValueType.FLOAT);
            boolean anyHere = false;
            for (int i = from; i < end; i++) {
                assertThat(out.t[i - from]).isEqualTo(ts[i]);
                assertThat(out.v[i - from]).isEqualTo(vs[i]);
                assertThat(out.st == null ? 0 : out.st[i - from]).as("bulk start of sample %d", i).isEqualTo(sts[i]);
                anyHere |= sts[i] != 0;
            }
            if (!anyHere) {
                assertThat(out.st).as("no array for a run without starts").isNull();
            }
        }
        if (!any) {
            assertThat(c.bytes()[0] & 0x80).as("no column flag").isZero();
        }
    }

    @Test
    void aConstantStartCostsAFewBytesPerChunkAndADeltaTwoBitsPerSample() {
        long[] ts = times(N);
        Chunk plain = Chunks.newChunk(ChunkEncoding.XOR);
        Chunk cumulative = Chunks.newChunk(ChunkEncoding.XOR);
        Chunk delta = Chunks.newChunk(ChunkEncoding.XOR);
        for (int i = 0; i < N; i++) {
            plain.appender().append(ts[i], value(i));
            cumulative.appender().append(StartPatterns.CONSTANT.start(i, ts[i], 0), ts[i], value(i));
            delta.appender().append(StartPatterns.DELTA.start(i, ts[i], i == 0 ? 0 : ts[i - 1]), ts[i], value(i));
        }
        // Column: 2 code bits + a varint of t - st for the first sample and a length byte; the '0' codes after it
        // (same start) are implied by the column's end.
        int extra = cumulative.byteLength() - plain.byteLength();
        assertThat(extra).isBetween(2, 12);
        assertThat(cumulative.bytes()).hasSize(cumulative.byteLength());
        checkFloats(Chunks.fromBytes(ChunkEncoding.XOR, cumulative.bytes(), 0, cumulative.byteLength()), ts,
                values(N), StartPatterns.CONSTANT.starts(ts, N));
        int deltaExtra = delta.byteLength() - plain.byteLength();
        assertThat(deltaExtra).isBetween(2 * N / 8, 2 * N / 8 + 10);
    }

    private static double[] values(int n) {
        double[] vs = new double[n];
        for (int i = 0; i < n; i++) {
            vs[i] = value(i);
        }
        return vs;
    }

    @Test
    void bulkReadsOfSeveralChunksIntoOneBufferKeepEachChunksStarts() {
        long[] ts = times(3 * N);
        long[] sts = new long[3 * N];
        Chunk[] chunks = new Chunk[3];
        for (int c = 0; c < 3; c++) {
            Chunk chunk = Chunks.newChunk(ChunkEncoding.XOR);
            for (int i = c * N; i < (c + 1) * N; i++) {
                // With a start, without, then a start that changes once mid-chunk.
                sts[i] = c == 1 ? 0 : c == 0 || i < 2 * N + N / 2 ? 1_600_000_000_000L : ts[i] - 1;
                chunk.appender().append(sts[i], ts[i], value(i));
            }
            // Read back both as the head's open chunk and as bytes (a column trimmed after its last change).
            chunks[c] = c == 1 ? chunk : Chunks.fromBytes(ChunkEncoding.XOR, chunk.bytes(), 0, chunk.byteLength());
        }
        FloatSamples out = new FloatSamples(4);
        SampleIterator it = null;
        for (Chunk c : chunks) {
            it = c.iterator(it);
            assertThat(it.next()).isEqualTo(ValueType.FLOAT);
            assertThat(it.appendFloats(Long.MAX_VALUE, out)).isEqualTo(ValueType.NONE);
        }
        assertThat(out.n).isEqualTo(3 * N);
        for (int i = 0; i < 3 * N; i++) {
            assertThat(out.t[i]).isEqualTo(ts[i]);
            assertThat(out.st[i]).as("start of sample %d", i).isEqualTo(sts[i]);
        }
    }

    @Test
    void aDamagedColumnLengthIsACorruptChunk() {
        long[] ts = times(10);
        Chunk c = Chunks.newChunk(ChunkEncoding.XOR);
        for (int i = 0; i < 10; i++) {
            c.appender().append(ts[i] - 1000, ts[i], i);
        }
        byte[] b = c.bytes();
        assertThat(b[0] & 0x80).isNotZero();
        b[2] = (byte) 0x7F; // column longer than the chunk
        assertThatThrownBy(() -> Chunks.fromBytes(ChunkEncoding.XOR, b, 0, b.length))
                .isInstanceOf(CorruptChunkException.class).hasMessageContaining("start-timestamp column");
        byte[] cut = {(byte) 0x80, 1, (byte) 0x80};
        assertThatThrownBy(() -> Chunks.fromBytes(ChunkEncoding.XOR, cut, 0, cut.length))
                .isInstanceOf(CorruptChunkException.class).hasMessageContaining("does not decode");
    }
}
