package dev.sightline.tsdb.chunk;

import dev.sightline.core.Staleness;
import dev.sightline.metricstore.SampleIterator;
import dev.sightline.metricstore.ValueType;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

class XorChunkTest {

    /** Samples as parallel arrays: timestamps and raw value bits. */
    record Samples(long[] ts, long[] bits) {
        int size() {
            return ts.length;
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < ts.length; i++) {
                sb.append(i == 0 ? "" : ", ").append(ts[i]).append('=').append(Long.toHexString(bits[i]));
            }
            return sb.append(']').toString();
        }
    }

    static final long[] SPECIAL_BITS = {
            Staleness.STALE_NAN_BITS,
            Double.doubleToRawLongBits(Double.NaN),
            0x7ff8000000000001L, 0xfff0000000000001L, 0x7fffffffffffffffL, // other NaN payloads, both signs
            Double.doubleToRawLongBits(-0.0), 0L,
            Double.doubleToRawLongBits(Double.POSITIVE_INFINITY), Double.doubleToRawLongBits(Double.NEGATIVE_INFINITY),
            Double.doubleToRawLongBits(Double.MIN_VALUE), Double.doubleToRawLongBits(-Double.MIN_VALUE),
            Double.doubleToRawLongBits(Double.MIN_NORMAL), Double.doubleToRawLongBits(Double.MAX_VALUE),
            0x000fffffffffffffL, // largest subnormal
            Double.doubleToRawLongBits(1.0), Double.doubleToRawLongBits(-1.0),
    };

    @Provide
    Arbitrary<Long> valueBits() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.longs()),
                Tuple.of(3, Arbitraries.of(java.util.Arrays.stream(SPECIAL_BITS).boxed().toList())),
                Tuple.of(3, Arbitraries.integers().between(0, 1_000).map(i -> Double.doubleToRawLongBits(i))),
                Tuple.of(2, Arbitraries.doubles().map(Double::doubleToRawLongBits)));
    }

    @Provide
    Arbitrary<Long> deltas() {
        return Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.just(15_000L)),
                Tuple.of(3, Arbitraries.longs().between(14_000, 16_000)),
                Tuple.of(2, Arbitraries.longs().between(1, 1L << 21)),
                Tuple.of(1, Arbitraries.longs().between(1L << 21, 1L << 45)),
                Tuple.of(1, Arbitraries.longs().between(1, Long.MAX_VALUE / 4)));
    }

    @Provide
    Arbitrary<Samples> samples() {
        Arbitrary<Long> start = Arbitraries.oneOf(Arbitraries.longs().between(-1L << 50, 1L << 50), Arbitraries.longs(),
                Arbitraries.just(1_700_000_000_000L));
        Arbitrary<List<Long>> deltas = deltas().list().ofMinSize(0).ofMaxSize(250);
        Arbitrary<List<Long>> bits = valueBits().list().ofMinSize(251).ofMaxSize(251);
        return Combinators.combine(start, deltas, bits).as((s, ds, bs) -> {
            int n = ds.size() + (s % 2 == 0 ? 1 : 0);
            long[] ts = new long[n];
            long[] vs = new long[n];
            long t = s;
            for (int i = 0; i < n; i++) {
                // Wrapping is fine here: the codec round-trips any sequence with the same wrapping arithmetic.
                t = i == 0 ? t : t + ds.get(i - 1);
                ts[i] = t;
                vs[i] = bs.get(i);
            }
            return new Samples(ts, vs);
        });
    }

    static Chunk fill(Samples s) {
        Chunk c = Chunks.newChunk(ChunkEncoding.XOR);
        ChunkAppender app = c.appender();
        for (int i = 0; i < s.size(); i++) {
            app.append(s.ts()[i], Double.longBitsToDouble(s.bits()[i]));
        }
        return c;
    }

    static void assertSamples(Chunk c, SampleIterator reuse, Samples s) {
        assertThat(c.numSamples()).isEqualTo(s.size());
        SampleIterator it = c.iterator(reuse);
        for (int i = 0; i < s.size(); i++) {
            // Plain comparisons first: AssertJ per sample would dominate the run time.
            if (it.next() != ValueType.FLOAT || it.timestamp() != s.ts()[i]
                    || Double.doubleToRawLongBits(it.value()) != s.bits()[i]) {
                fail("sample %d: got t=%d bits=%x, want t=%d bits=%x", i, it.timestamp(),
                        Double.doubleToRawLongBits(it.value()), s.ts()[i], s.bits()[i]);
            }
        }
        assertThat(it.next()).isEqualTo(ValueType.NONE);
        assertThat(it.next()).isEqualTo(ValueType.NONE);
    }

    @Property(tries = 150)
    void everySampleRoundTripsBitForBit(@ForAll("samples") Samples s) {
        Chunk c = fill(s);
        assertSamples(c, null, s);

        byte[] bytes = c.bytes();
        assertThat(bytes).hasSize(c.byteLength());
        assertSamples(Chunks.fromBytes(ChunkEncoding.XOR, bytes, 0, bytes.length), null, s);

        // The same bytes inside a larger buffer, at an offset, as a block file holds them.
        byte[] padded = new byte[bytes.length + 13];
        System.arraycopy(bytes, 0, padded, 7, bytes.length);
        Chunk view = Chunks.fromBytes(ChunkEncoding.XOR, padded, 7, bytes.length);
        assertSamples(view, c.iterator(null), s);
        assertThat(view.bytes()).isEqualTo(bytes);
    }

    @Property(tries = 200)
    void seekFindsTheFirstSampleAtOrAfterTarget(@ForAll("samples") Samples raw, @ForAll long salt,
                                                @ForAll @IntRange(min = 0, max = 3) int seeks) {
        // Make timestamps strictly increasing without wrap for seek semantics.
        long[] ts = new long[raw.size()];
        for (int i = 0; i < ts.length; i++) {
            ts[i] = 1_000_000L + i * 15_000L + Math.floorMod(raw.ts()[i], 14_000L);
        }
        Samples s = new Samples(ts, raw.bits());
        Chunk c = fill(s);
        Random rnd = new Random(salt);
        SampleIterator it = c.iterator(null);
        int pos = -1; // index the iterator is on
        long last = ts.length == 0 ? 0 : ts[0] - 30_000L;
        for (int k = 0; k <= seeks; k++) {
            long target = ts.length == 0 ? rnd.nextLong(2_000_000L)
                    : last + rnd.nextLong(-20_000L, (ts[ts.length - 1] - last) / 2 + 40_000L);
            int expected = pos < 0 ? 0 : pos;
            while (expected < ts.length && ts[expected] < target) {
                expected++;
            }
            ValueType got = it.seek(target);
            if (expected >= ts.length) {
                assertThat(got).isEqualTo(ValueType.NONE);
                assertThat(it.seek(Long.MIN_VALUE)).as("exhausted iterator stays exhausted").isEqualTo(ValueType.NONE);
                assertThat(it.next()).isEqualTo(ValueType.NONE);
                return;
            }
            assertThat(got).isEqualTo(ValueType.FLOAT);
            assertThat(it.timestamp()).isEqualTo(ts[expected]);
            assertThat(Double.doubleToRawLongBits(it.value())).isEqualTo(s.bits()[expected]);
            pos = expected;
            last = ts[expected];
        }
        // next() continues right after the sought sample.
        if (pos + 1 < ts.length) {
            assertThat(it.next()).isEqualTo(ValueType.FLOAT);
            assertThat(it.timestamp()).isEqualTo(ts[pos + 1]);
        } else {
            assertThat(it.next()).isEqualTo(ValueType.NONE);
        }
    }

    @Example
    void seekStaysPutWhenAlreadyAtOrPastTarget() {
        Chunk c = fill(new Samples(new long[]{10, 20, 30}, new long[]{1, 2, 3}));
        SampleIterator it = c.iterator(null);
        assertThat(it.seek(15)).isEqualTo(ValueType.FLOAT);
        assertThat(it.timestamp()).isEqualTo(20);
        assertThat(it.seek(5)).isEqualTo(ValueType.FLOAT);
        assertThat(it.timestamp()).as("never moves backwards").isEqualTo(20);
        assertThat(it.seek(20)).isEqualTo(ValueType.FLOAT);
        assertThat(it.timestamp()).isEqualTo(20);
        assertThat(it.seek(31)).isEqualTo(ValueType.NONE);
    }

    @Example
    void stalenessMarkerStaysDistinctFromOrdinaryNan() {
        Chunk c = Chunks.newChunk(ChunkEncoding.XOR);
        c.appender().append(1000, Double.NaN);
        c.appender().append(2000, Staleness.STALE_NAN);
        c.appender().append(3000, Double.NaN);
        c.appender().append(4000, -0.0);
        c.appender().append(5000, 0.0);
        byte[] b = c.bytes();
        SampleIterator it = Chunks.fromBytes(ChunkEncoding.XOR, b, 0, b.length).iterator(null);
        it.next();
        assertThat(Staleness.isStaleMarker(it.value())).isFalse();
        assertThat(Double.isNaN(it.value())).isTrue();
        it.next();
        assertThat(Staleness.isStaleMarker(it.value())).isTrue();
        it.next();
        assertThat(Staleness.isStaleMarker(it.value())).isFalse();
        it.next();
        assertThat(Double.doubleToRawLongBits(it.value())).isEqualTo(Double.doubleToRawLongBits(-0.0));
        it.next();
        assertThat(Double.doubleToRawLongBits(it.value())).isZero();
    }

    @Example
    void emptyChunkHasOnlyTheHeader() {
        Chunk c = Chunks.newChunk(ChunkEncoding.XOR);
        assertThat(c.numSamples()).isZero();
        assertThat(c.bytes()).containsExactly(0, 0);
        assertThat(c.iterator(null).next()).isEqualTo(ValueType.NONE);
        assertThat(c.iterator(null).seek(0)).isEqualTo(ValueType.NONE);
        assertThat(Chunks.fromBytes(ChunkEncoding.XOR, new byte[]{0, 0}, 0, 2).iterator(null).next()).isEqualTo(ValueType.NONE);
    }

    @Example
    void iteratorIsReusedAcrossChunks() {
        Chunk a = fill(new Samples(new long[]{1, 2}, new long[]{5, 6}));
        Chunk b = fill(new Samples(new long[]{7}, new long[]{8}));
        SampleIterator it = a.iterator(null);
        it.next();
        SampleIterator again = b.iterator(it);
        assertThat(again).isSameAs(it);
        assertThat(again.next()).isEqualTo(ValueType.FLOAT);
        assertThat(again.timestamp()).isEqualTo(7);
        assertThat(again.next()).isEqualTo(ValueType.NONE);
    }

    @Example
    void readOnlyChunksRefuseAppendsAndXorChunksRefuseHistograms() {
        Chunk c = fill(new Samples(new long[]{1}, new long[]{5}));
        byte[] b = c.bytes();
        assertThatThrownBy(() -> Chunks.fromBytes(ChunkEncoding.XOR, b, 0, b.length).appender())
                .isInstanceOf(UnsupportedOperationException.class);
        assertThat(c.appender().appendHistogram(2, HistogramChunkTest.simple(1))).isFalse();
        assertThat(c.numSamples()).isEqualTo(1);
        assertThatThrownBy(() -> c.iterator(null).histogram()).isInstanceOf(IllegalStateException.class);
    }

    @Example
    void truncatedBytesAreReportedAsCorruptWithThePosition() {
        List<Long> ts = new ArrayList<>();
        Samples s = new Samples(new long[]{1000, 16000, 31000, 46001}, new long[]{
                Double.doubleToRawLongBits(1.5), Double.doubleToRawLongBits(2.5), Double.doubleToRawLongBits(3.5),
                Double.doubleToRawLongBits(99.25)});
        byte[] b = fill(s).bytes();
        Chunk cut = Chunks.fromBytes(ChunkEncoding.XOR, b, 0, b.length - 2);
        SampleIterator it = cut.iterator(null);
        assertThatThrownBy(() -> {
            while (it.next() != ValueType.NONE) {
                ts.add(it.timestamp());
            }
        }).isInstanceOf(CorruptChunkException.class).hasMessageContaining("passes the end of the chunk at bit");
        assertThatThrownBy(() -> Chunks.fromBytes(ChunkEncoding.XOR, b, 0, 1)).isInstanceOf(CorruptChunkException.class)
                .hasMessageContaining("shorter than its 2-byte header");
    }

    /**
     * A request counter scraped every 15 s with small increments and some idle scrapes. Timestamps are mostly exact
     * multiples of the interval, as Prometheus's scrape timestamp tolerance makes them; one scrape in 100 is late.
     */
    @Example
    void realisticCounterCompressesBelowOneAndAHalfBytesPerSample() {
        Random rnd = new Random(42);
        long totalBytes = 0;
        long totalSamples = 0;
        for (int series = 0; series < 200; series++) {
            double v = rnd.nextInt(1_000_000);
            long t = 1_700_000_000_000L + rnd.nextInt(15_000);
            Chunk c = Chunks.newChunk(ChunkEncoding.XOR);
            for (int i = 0; i < 120; i++) {
                        long jitter = rnd.nextInt(100) == 0 ? rnd.nextInt(3, 50) : 0;
                c.appender().append(t + jitter, v);
                t += 15_000;
                v += rnd.nextInt(100) < 30 ? 0 : rnd.nextInt(1, 5);
            }
            totalBytes += c.byteLength();
            totalSamples += c.numSamples();
        }
        double perSample = (double) totalBytes / totalSamples;
        assertThat(perSample).isLessThan(1.5);
    }

    /** The head keeps every chunk of the last hours in memory, so a full chunk should carry little unused array. */
    @Example
    void fullHeadChunkCarriesLittleSlack() {
        Random rnd = new Random(3);
        for (int shape = 0; shape < 3; shape++) {
            XorChunk c = (XorChunk) Chunks.newChunk(ChunkEncoding.XOR);
            double v = 1000;
            for (int i = 0; i < 120; i++) {
                v = switch (shape) {
                    case 0 -> v + rnd.nextInt(5);
                    case 1 -> Math.round(v * 100 + rnd.nextInt(1500)) / 100.0;
                    default -> rnd.nextDouble();
                };
                c.append(1_700_000_000_000L + i * 15_000L, v);
                if (i == 118) {
                    assertThat(c.buffer().length).as("shape %d: %d bytes used at 119 samples", shape, c.byteLength())
                            .isLessThanOrEqualTo(c.byteLength() + c.byteLength() / 8 + 16);
                }
            }
            assertThat(c.buffer().length).as("trimmed when the head cuts, at 120 samples").isEqualTo(c.byteLength());
            c.append(1_700_000_000_000L + 120 * 15_000L, v);
            assertThat(c.numSamples()).isEqualTo(121);
        }
    }

    @Example
    void constantValuesCostWellUnderOneBytePerSample() {
        Chunk c = Chunks.newChunk(ChunkEncoding.XOR);
        for (int i = 0; i < 120; i++) {
            c.appender().append(1_700_000_000_000L + i * 15_000L, 1.0);
        }
        assertThat((double) c.byteLength() / c.numSamples()).isLessThan(0.5);
    }

    @Example
    void chunkHoldsAtMost32767Samples() {
        // The count header's top bit flags a start-timestamp column, which leaves 15 bits for the count.
        Chunk c = Chunks.newChunk(ChunkEncoding.XOR);
        for (int i = 0; i < 32767; i++) {
            c.appender().append(i, i);
        }
        assertThatThrownBy(() -> c.appender().append(70_000, 1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("32767");
        byte[] b = c.bytes();
        assertThat(Chunks.fromBytes(ChunkEncoding.XOR, b, 0, b.length).numSamples()).isEqualTo(32767);
    }
}
