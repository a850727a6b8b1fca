package dev.sightline.tsdb.chunk;

import dev.sightline.metricstore.FloatSamples;
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

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Float chunks written whole: PACKED as blocks write them now, and DECIMAL as they did before (when every value is a
 * short decimal and it was smaller than XOR); exact either way, and PACKED never larger than either.
 */
class DecimalChunkTest {

    /**
     * Encodes through {@link Chunks#encodeFloats} and the old DECIMAL encoder, re-reads each from the bytes as a block
     * does, and compares bit for bit; returns the PACKED chunk.
     */
    private static Chunk roundTrip(long[] ts, double[] vs) {
        Chunk c = Chunks.encodeFloats(ts, vs, null, ts.length);
        assertThat(c.encoding()).isEqualTo(ChunkEncoding.PACKED);
        check(c, ts, vs);
        Chunk xor = Chunks.newChunk(ChunkEncoding.XOR);
        for (int i = 0; i < ts.length; i++) {
            xor.appender().append(ts[i], vs[i]);
        }
        // PACKED's XOR form is XOR's value stream after a few bytes of column headers (column length, form bits,
        // shift): up to 5 bytes more, which matter only to chunks of a sample or two.
        assertThat(c.byteLength()).isLessThanOrEqualTo(xor.byteLength() + 5);
        Chunk decimal = LegacyDecimalChunks.chunk(ts, vs, null, ts.length);
        if (decimal != null) {
            check(decimal, ts, vs);
            assertThat(c.byteLength()).isLessThanOrEqualTo(decimal.byteLength() + 5);
        }
        return c;
    }

    private static void check(Chunk c, long[] ts, double[] vs) {
        byte[] b = c.bytes();
        Chunk read = Chunks.fromBytes(c.encoding(), b, 0, b.length);
        SampleIterator it = read.iterator(null);
        for (int i = 0; i < ts.length; i++) {
            assertThat(it.next()).as("sample %d", i).isEqualTo(ValueType.FLOAT);
            assertThat(it.timestamp()).as("timestamp %d", i).isEqualTo(ts[i]);
            assertThat(Long.toHexString(Double.doubleToRawLongBits(it.value()))).as("value %d of %s", i, vs[i])
                    .isEqualTo(Long.toHexString(Double.doubleToRawLongBits(vs[i])));
        }
        assertThat(it.next()).isEqualTo(ValueType.NONE);
        // The bulk read gives the same samples, stopping after maxt on the first sample it did not take.
        int half = ts.length / 2;
        FloatSamples bulk = new FloatSamples(1);
        SampleIterator b2 = read.iterator(null);
        assertThat(b2.next()).isEqualTo(ValueType.FLOAT);
        ValueType after = b2.appendFloats(ts[half], bulk);
        assertThat(bulk.n).isEqualTo(half + 1);
        for (int i = 0; i <= half; i++) {
            assertThat(bulk.t[i]).isEqualTo(ts[i]);
            assertThat(Double.doubleToRawLongBits(bulk.v[i])).isEqualTo(Double.doubleToRawLongBits(vs[i]));
        }
        if (half + 1 < ts.length) {
            assertThat(after).isEqualTo(ValueType.FLOAT);
            assertThat(b2.timestamp()).isEqualTo(ts[half + 1]);
        } else {
            assertThat(after).isEqualTo(ValueType.NONE);
        }
    }

    private static long[] times(int n, Random rnd) {
        long[] ts = new long[n];
        long t = 1_700_000_000_000L + rnd.nextInt(1_000_000);
        for (int i = 0; i < n; i++) {
            t += 1 + (rnd.nextInt(4) == 0 ? rnd.nextInt(100_000) : 15_000);
            ts[i] = t;
        }
        return ts;
    }

    @Provide
    Arbitrary<double[]> decimals() {
        Arbitrary<Integer> exps = Arbitraries.integers().between(0, 9);
        Arbitrary<Long> mantissas = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.longs().between(-1_000_000, 1_000_000)),
                Tuple.of(2, Arbitraries.longs().between(-(1L << 53), 1L << 53)),
                Tuple.of(1, Arbitraries.of(0L, 1L, -1L)));
        // Both ways exporters compute them: m / 10^e and m * 10^-e.
        Arbitrary<Boolean> multiply = Arbitraries.of(false, true);
        return Combinators.combine(exps, multiply, mantissas.list().ofMinSize(1).ofMaxSize(200)).as((e, mul, ms) -> {
            double[] vs = new double[ms.size()];
            for (int i = 0; i < vs.length; i++) {
                vs[i] = DecimalChunks.value(ms.get(i), e, mul);
            }
            return vs;
        });
    }

    @Property
    void shortDecimalsRoundTripExactly(@ForAll("decimals") double[] vs, @ForAll long seed) {
        roundTrip(times(vs.length, new Random(seed)), vs);
    }

    @Property
    void anyFloatsRoundTripExactly(@ForAll("anyValues") double[] vs, @ForAll long seed) {
        roundTrip(times(vs.length, new Random(seed)), vs);
    }

    @Provide
    Arbitrary<double[]> anyValues() {
        Arbitrary<Double> special = Arbitraries.of(Arrays.stream(XorChunkTest.SPECIAL_BITS).boxed().toList())
                .map(Double::longBitsToDouble);
        Arbitrary<Double> v = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.integers().between(-1000, 1000).map(i -> i / 100.0)),
                Tuple.of(1, special),
                Tuple.of(2, Arbitraries.doubles()),
                Tuple.of(1, Arbitraries.longs().map(Double::longBitsToDouble)));
        return v.list().ofMinSize(1).ofMaxSize(150).map(l -> l.stream().mapToDouble(Double::doubleValue).toArray());
    }

    @Property(tries = 50)
    void widthsOfEveryLength(@ForAll @IntRange(min = 1, max = 53) int bits, @ForAll long seed) {
        Random rnd = new Random(seed);
        double[] vs = new double[120];
        long m = 0;
        for (int i = 0; i < vs.length; i++) {
            m += (rnd.nextLong() >> (64 - bits)) / 4;
            m = Math.max(-(1L << 52), Math.min(1L << 52, m));
            vs[i] = m;
        }
        roundTrip(times(vs.length, rnd), vs);
    }

    @Example
    void aCpuCounterInHundredthsTakesAFractionOfItsXorSize() {
        Random rnd = new Random(1);
        long[] ts = times(120, rnd);
        double[] vs = new double[120];
        double v = 123_456.78;
        for (int i = 0; i < vs.length; i++) {
            v = Math.round(v * 100 + rnd.nextInt(1500)) / 100.0;
            vs[i] = v;
        }
        Chunk c = roundTrip(ts, vs);
        assertThat(LegacyDecimalChunks.chunk(ts, vs, null, ts.length)).isNotNull();
        Chunk xor = Chunks.newChunk(ChunkEncoding.XOR);
        for (int i = 0; i < ts.length; i++) {
            xor.appender().append(ts[i], vs[i]);
        }
        assertThat(c.byteLength() * 2).isLessThan(xor.byteLength());
    }

    @Example
    void millisecondsTimesAThousandthAreDecimalsToo() {
        // node_exporter's disk seconds: float64(ms) * 0.001, e.g. 27.900000000000002, no short decimal.
        long[] ts = new long[120];
        double[] vs = new double[120];
        long ms = 27_800;
        for (int i = 0; i < vs.length; i++) {
            ts[i] = i * 15_000L;
            ms += 100 + (i * 37) % 500;
            vs[i] = ms * 0.001;
        }
        assertThat(vs).contains(27.900000000000002);
        roundTrip(ts, vs);
        assertThat(LegacyDecimalChunks.chunk(ts, vs, null, ts.length)).isNotNull();
    }

    @Example
    void nanInfinityAndNegativeZeroKeepXor() {
        for (double odd : List.of(Double.NaN, Double.POSITIVE_INFINITY, -0.0, Math.PI)) {
            double[] vs = {1.5, 2.5, odd, 3.5};
            roundTrip(new long[]{1, 2, 3, 4}, vs);
            assertThat(LegacyDecimalChunks.chunk(new long[]{1, 2, 3, 4}, vs, null, 4)).as("with %s", odd).isNull();
        }
    }
}
