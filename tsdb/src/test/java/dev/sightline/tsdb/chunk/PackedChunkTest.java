package dev.sightline.tsdb.chunk;

import dev.sightline.metricstore.FloatSamples;
import dev.sightline.metricstore.SampleIterator;
import dev.sightline.metricstore.ValueType;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** PACKED chunks: every form of both columns round-trips bit for bit, and each costs what it is there to save. */
class PackedChunkTest {
    private static final long T0 = 1_700_000_000_000L;

    /** Timestamp patterns: regular, regular with late scrapes and gaps, jittered, repeated, extreme. */
    enum Times {
        REGULAR, LATE_AND_MISSED, JITTERED, REPEATED, EXTREME;

        long[] make(int n, Random rnd) {
            long[] ts = new long[n];
            long t = this == EXTREME ? Long.MIN_VALUE / 2 + rnd.nextInt(1000) : T0 + rnd.nextInt(100_000);
            for (int i = 0; i < n; i++) {
                ts[i] = t;
                t += switch (this) {
                    case REGULAR -> 15_000;
                    case LATE_AND_MISSED -> rnd.nextInt(20) == 0 ? 15_000 + rnd.nextInt(-30, 30)
                            : rnd.nextInt(50) == 0 ? 30_000 : 15_000;
                    case JITTERED -> 15_000 + rnd.nextInt(-500, 500);
                    case REPEATED -> rnd.nextInt(3) == 0 ? 0 : 1 + rnd.nextInt(20_000);
                    case EXTREME -> rnd.nextInt(4) == 0 ? Long.MAX_VALUE / 100_000 : 1 + rnd.nextInt(1 << 30);
                };
            }
            return ts;
        }
    }

    /** Encodes, re-reads from the bytes at an offset (as block segments hold chunks) one by one and in bulk. */
    static Chunk roundTrip(long[] ts, double[] vs) {
        int n = ts.length;
        Chunk c = Chunks.encodeFloats(ts, vs, null, n);
        assertThat(c.encoding()).isEqualTo(ChunkEncoding.PACKED);
        assertThat(c.numSamples()).isEqualTo(n);
        byte[] b = c.bytes();
        byte[] padded = new byte[b.length + 9];
        System.arraycopy(b, 0, padded, 5, b.length);
        Chunk read = Chunks.fromBytes(ChunkEncoding.PACKED, padded, 5, b.length);
        SampleIterator it = read.iterator(null);
        for (int i = 0; i < n; i++) {
            assertThat(it.next()).as("sample %d", i).isEqualTo(ValueType.FLOAT);
            assertThat(it.timestamp()).as("timestamp %d", i).isEqualTo(ts[i]);
            assertThat(Double.doubleToRawLongBits(it.value())).as("value %d of %s", i, vs[i])
                    .isEqualTo(Double.doubleToRawLongBits(vs[i]));
        }
        assertThat(it.next()).isEqualTo(ValueType.NONE);
        // Bulk from a recycled iterator, stopping after maxt at the first sample not taken.
        int cut = n / 3;
        SampleIterator bulk = read.iterator(it);
        assertThat(bulk.next()).isEqualTo(ValueType.FLOAT);
        FloatSamples out = new FloatSamples(1);
        ValueType after = bulk.appendFloats(ts[cut], out);
        int taken = cut;
        while (taken + 1 < n && ts[taken + 1] == ts[cut]) {
            taken++; // repeated timestamps at maxt are all taken
        }
        assertThat(out.n).isEqualTo(taken + 1);
        for (int i = 0; i < out.n; i++) {
            assertThat(out.t[i]).isEqualTo(ts[i]);
            assertThat(Double.doubleToRawLongBits(out.v[i])).isEqualTo(Double.doubleToRawLongBits(vs[i]));
        }
        if (taken + 1 < n) {
            assertThat(after).isEqualTo(ValueType.FLOAT);
            assertThat(bulk.timestamp()).isEqualTo(ts[taken + 1]);
            assertThat(Double.doubleToRawLongBits(bulk.value())).isEqualTo(Double.doubleToRawLongBits(vs[taken + 1]));
        } else {
            assertThat(after).isEqualTo(ValueType.NONE);
        }
        return c;
    }

    @Provide
    Arbitrary<double[]> values() {
        Arbitrary<Double> special = Arbitraries.of(Arrays.stream(XorChunkTest.SPECIAL_BITS).boxed().toList())
                .map(Double::longBitsToDouble);
        Arbitrary<Double> v = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.integers().between(-1000, 1000).map(i -> i / 100.0)),
                Tuple.of(1, special),
                Tuple.of(1, Arbitraries.of(Double.MAX_VALUE, Double.MIN_VALUE, -Double.MAX_VALUE, 1e300, 1e-300, 0x1p53, -0x1p53)),
                Tuple.of(2, Arbitraries.doubles()),
                Tuple.of(1, Arbitraries.longs().map(Double::longBitsToDouble)));
        return v.list().ofMinSize(1).ofMaxSize(300).map(l -> l.stream().mapToDouble(Double::doubleValue).toArray());
    }

    @Property(tries = 300)
    void anyFloatsRoundTrip(@ForAll("values") double[] vs, @ForAll Times times, @ForAll long seed) {
        roundTrip(times.make(vs.length, new Random(seed)), vs);
    }

    /** Value shapes that pick each decimal form: counters, sparse steps, page-sized steps, noisy gauges, constants. */
    enum Shape {
        COUNTER, SPARSE, PAGES, NOISY, CONSTANT, LINEAR, HUGE_STEPS, MULTIPLIED;

        double[] make(int n, Random rnd) {
            double[] vs = new double[n];
            long m = rnd.nextLong(-1_000_000, 1_000_000_000);
            for (int i = 0; i < n; i++) {
                m += switch (this) {
                    case COUNTER -> rnd.nextInt(1_000_000);
                    case SPARSE -> rnd.nextInt(20) == 0 ? rnd.nextInt(1, 4) : 0;
                    case PAGES -> rnd.nextInt(3) == 0 ? 4096L * rnd.nextInt(-64, 65) : 0;
                    case NOISY -> rnd.nextLong(50_000_000) - m + 1_000;
                    case CONSTANT -> 0;
                    case LINEAR -> 1_500;
                    case HUGE_STEPS -> (rnd.nextLong() >> 12) / 2 - m / 2;
                    case MULTIPLIED -> rnd.nextInt(2_000);
                };
                vs[i] = switch (this) {
                    case COUNTER, CONSTANT, LINEAR, PAGES, HUGE_STEPS -> (double) m;
                    case SPARSE -> m / 100.0;
                    case NOISY -> m / 1e9;
                    case MULTIPLIED -> m * 0.001;
                };
            }
            return vs;
        }
    }

    @Property(tries = 300)
    void decimalShapesRoundTrip(@ForAll Shape shape, @ForAll Times times, @ForAll @IntRange(min = 1, max = 700) int n,
                                @ForAll long seed) {
        Random rnd = new Random(seed);
        roundTrip(times.make(n, rnd), shape.make(n, rnd));
    }

    @Example
    void aRegularIntervalCostsNoBitsPerSample() {
        int n = 480;
        long[] ts = Times.REGULAR.make(n, new Random(1));
        double[] vs = new double[n];
        Arrays.fill(vs, 1.0);
        Chunk c = roundTrip(ts, vs);
        // count, column length, t0, interval, end of exceptions, form bits, the constant's 64 bits.
        assertThat(c.byteLength()).isLessThanOrEqualTo(24);
        ts[200] += 3; // one late scrape: two exceptions of a few bytes, not a bit per sample
        assertThat(roundTrip(ts, vs).byteLength()).isLessThanOrEqualTo(30);
    }

    @Example
    void pageSizedStepsDropTheirTrailingZeros() {
        Random rnd = new Random(3);
        int n = 480;
        long[] ts = Times.REGULAR.make(n, rnd);
        double[] vs = Shape.PAGES.make(n, rnd);
        Chunk c = roundTrip(ts, vs);
        // The older encodings spend 12 bits more on every step of 4096 * k and a bit per sample on the timestamps.
        assertThat(c.byteLength()).isLessThan(legacyLength(ts, vs) * 2 / 3);
    }

    @Example
    void noisyCountersAndGaugesFillTheirWidth() {
        Random rnd = new Random(4);
        int n = 480;
        long[] ts = Times.REGULAR.make(n, rnd);
        for (Shape s : new Shape[]{Shape.COUNTER, Shape.NOISY}) {
            double[] vs = s.make(n, rnd);
            Chunk c = roundTrip(ts, vs);
            // Increments < 1e6 need 20 bits; values in a 5e7 range 26; DECIMAL adds zigzag, prefix and dod bits.
            int bits = s == Shape.COUNTER ? 20 : 26;
            assertThat(c.byteLength()).as("%s", s).isLessThanOrEqualTo(n * bits / 8 + 32);
            assertThat(c.byteLength()).as("%s", s).isLessThan(legacyLength(ts, vs) * 9 / 10);
        }
    }

    /** Bytes of the chunk blocks wrote before PACKED: DECIMAL when that was smaller than XOR, else XOR. */
    private static int legacyLength(long[] ts, double[] vs) {
        Chunk decimal = LegacyDecimalChunks.chunk(ts, vs, null, ts.length);
        if (decimal != null) {
            return decimal.byteLength();
        }
        Chunk xor = Chunks.newChunk(ChunkEncoding.XOR);
        for (int i = 0; i < ts.length; i++) {
            xor.appender().append(ts[i], vs[i]);
        }
        return xor.byteLength();
    }

    @Example
    void damagedChunksFailNamingWhatIsWrong() {
        long[] ts = Times.LATE_AND_MISSED.make(100, new Random(5));
        byte[] b = Chunks.encodeFloats(ts, Shape.COUNTER.make(100, new Random(6)), null, 100).bytes();
        byte[] cut = Arrays.copyOf(b, b.length - 20);
        assertThatThrownBy(() -> drain(Chunks.fromBytes(ChunkEncoding.PACKED, cut, 0, cut.length)))
                .isInstanceOf(CorruptChunkException.class).hasMessageContaining("passes the end of the chunk");
        byte[] longColumn = b.clone();
        longColumn[2] = (byte) 0xFF; // timestamp column length beyond the chunk
        longColumn[3] = (byte) 0x7F;
        assertThatThrownBy(() -> drain(Chunks.fromBytes(ChunkEncoding.PACKED, longColumn, 0, longColumn.length)))
                .isInstanceOf(CorruptChunkException.class).hasMessageContaining("timestamp column");
        long[] one = {T0, T0 + 1};
        byte[] two = Chunks.encodeFloats(one, new double[]{1, 2}, null, 2).bytes();
        // The value column's form: 3 bits right after the timestamp column, whose bit length is byte 2.
        int formBit = 16 + 8 + (two[2] & 0x7F);
        byte[] badForm = two.clone();
        for (int k = 0; k < 3; k++) {
            int bit = formBit + k;
            badForm[bit >>> 3] |= (byte) (0x80 >>> (bit & 7)); // form 7 does not exist
        }
        assertThatThrownBy(() -> drain(Chunks.fromBytes(ChunkEncoding.PACKED, badForm, 0, badForm.length)))
                .isInstanceOf(CorruptChunkException.class).hasMessageContaining("unknown PACKED value form 7");
    }

    @Example
    void aFieldWidthNoWriterWritesIsDamage() {
        int seen = 0;
        for (Shape shape : new Shape[]{Shape.COUNTER, Shape.NOISY}) {
            long[] ts = Times.REGULAR.make(200, new Random(7));
            byte[] b = Chunks.encodeFloats(ts, shape.make(200, new Random(8)), null, 200).bytes();
            // The value column's header (see PackedChunks): form, mode, then per form up to the 6-bit width.
            BitReader r = new BitReader();
            r.reset(b, 0, 16, 8L * b.length);
            long tsBits = r.readUvarint(); // after the 2-byte count: the timestamp column's bit length
            r.moveTo(r.position() + tsBits);
            int form = (int) r.readBits(3);
            if (form != PackedChunks.PACKED_DELTAS && form != PackedChunks.PACKED_VALUES) {
                continue;
            }
            seen++;
            r.readBits(5);
            r.readVarint();
            r.readBits(6);
            if (form == PackedChunks.PACKED_DELTAS) {
                r.readVarint();
            }
            long widthBit = r.position();
            byte[] wide = b.clone();
            for (int k = 0; k < 6; k++) {
                long bit = widthBit + k;
                wide[(int) (bit >>> 3)] |= (byte) (0x80 >>> (bit & 7)); // 63: the loop's one 8-byte read cannot hold it
            }
            assertThatThrownBy(() -> drain(Chunks.fromBytes(ChunkEncoding.PACKED, wide, 0, wide.length)))
                    .as("%s", shape).isInstanceOf(CorruptChunkException.class)
                    .hasMessageContaining("field width 63 exceeds 56");
        }
        assertThat(seen).isPositive();
    }

    private static void drain(Chunk c) {
        SampleIterator it = c.iterator(null);
        while (it.next() != ValueType.NONE) {
            it.value();
        }
    }
}
