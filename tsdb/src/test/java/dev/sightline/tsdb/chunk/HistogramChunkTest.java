package dev.sightline.tsdb.chunk;

import dev.sightline.core.Histogram.CounterResetHint;
import dev.sightline.core.Histogram;
import dev.sightline.metricstore.SampleIterator;
import dev.sightline.metricstore.ValueType;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HistogramChunkTest {

    static Histogram simple(double count) {
        return new Histogram(CounterResetHint.UNKNOWN, 0, 0.001, 0, count, count * 2,
                new int[]{0}, new int[]{1}, new double[]{count}, null, null, null, null);
    }

    /** The shape every sample of one chunk shares. */
    record Layout(int schema, double zeroThreshold, int[] posOff, int[] posLen, int[] negOff, int[] negLen,
                  double[] custom, boolean gauge) {
        int numPos() {
            return Arrays.stream(posLen).sum();
        }

        int numNeg() {
            return Arrays.stream(negLen).sum();
        }

        Histogram with(CounterResetHint hint, double zeroCount, double count, double sum, double[] pos, double[] neg) {
            return new Histogram(hint, schema, zeroThreshold, zeroCount, count, sum, posOff, posLen, pos, negOff, negLen,
                    neg, custom);
        }

        static Layout random(Random rnd, boolean custom, boolean gauge) {
            int schema = custom ? Histogram.CUSTOM_BUCKETS_SCHEMA : rnd.nextInt(Histogram.MIN_SCHEMA, Histogram.MAX_SCHEMA + 1);
            double[] zts = {0.0, -0.0, 1e-128, 0.001, Double.MIN_VALUE};
            int[][] pos = spans(rnd);
            int[][] neg = custom ? new int[][]{{}, {}} : spans(rnd);
            double[] bounds = new double[0];
            if (custom) {
                // Custom buckets index into the bounds, so the first offset is non-negative.
                if (pos[0].length > 0) {
                    pos[0][0] = Math.abs(pos[0][0]);
                }
                int n = Arrays.stream(pos[1]).sum() + Arrays.stream(pos[0]).sum() + rnd.nextInt(3) + 1;
                bounds = new double[n];
                double b = rnd.nextDouble() - 0.5;
                for (int i = 0; i < n; i++) {
                    bounds[i] = b;
                    b += rnd.nextDouble() * 10 + 1e-9;
                }
                if (rnd.nextBoolean()) {
                    bounds[n - 1] = Double.POSITIVE_INFINITY;
                }
            }
            return new Layout(schema, custom ? 0.0 : zts[rnd.nextInt(zts.length)], pos[0], pos[1], neg[0], neg[1],
                    bounds, gauge);
        }

        private static int[][] spans(Random rnd) {
            int n = rnd.nextInt(5);
            int[] off = new int[n];
            int[] len = new int[n];
            for (int i = 0; i < n; i++) {
                off[i] = i == 0 ? rnd.nextInt(-10, 11) : rnd.nextInt(0, 6);
                len[i] = rnd.nextInt(0, 6);
            }
            return new int[][]{off, len};
        }
    }

    /** A run of histograms on one layout: a gauge wanders, a counter's counts never go down. */
    static List<Histogram> run(Random rnd, Layout l, int n) {
        List<Histogram> out = new ArrayList<>();
        double[] pos = new double[l.numPos()];
        double[] neg = new double[l.numNeg()];
        double zero = 0;
        double sum = rnd.nextDouble() * 100;
        for (int k = 0; k < n; k++) {
            for (int i = 0; i < pos.length; i++) {
                pos[i] = next(rnd, pos[i], l.gauge());
            }
            for (int i = 0; i < neg.length; i++) {
                neg[i] = next(rnd, neg[i], l.gauge());
            }
            if (l.schema() != Histogram.CUSTOM_BUCKETS_SCHEMA) {
                zero = next(rnd, zero, l.gauge());
            }
            double count = zero + Arrays.stream(pos).sum() + Arrays.stream(neg).sum();
            sum = switch (rnd.nextInt(12)) {
                case 0 -> Double.NaN;
                case 1 -> -0.0;
                case 2 -> Double.longBitsToDouble(rnd.nextLong());
                default -> sum + rnd.nextDouble() * 5;
            };
            CounterResetHint hint;
            if (l.gauge()) {
                hint = CounterResetHint.GAUGE;
            } else if (k == 0) {
                hint = CounterResetHint.values()[rnd.nextInt(3)];
            } else {
                hint = rnd.nextBoolean() ? CounterResetHint.UNKNOWN : CounterResetHint.NOT_COUNTER_RESET;
            }
            out.add(l.with(hint, zero, count, sum, pos.clone(), neg.clone()));
        }
        return out;
    }

    private static double next(Random rnd, double prev, boolean gauge) {
        return switch (rnd.nextInt(4)) {
            case 0 -> prev;
            case 1 -> prev + rnd.nextInt(10);
            case 2 -> gauge ? rnd.nextInt(50) : prev + rnd.nextDouble();
            default -> gauge ? rnd.nextDouble() * 1e6 : prev + 1;
        };
    }

    static long[] timestamps(Random rnd, int n) {
        long[] ts = new long[n];
        long t = rnd.nextLong(-1L << 45, 1L << 45);
        for (int i = 0; i < n; i++) {
            t += switch (rnd.nextInt(4)) {
                case 0, 1 -> 15_000;
                case 2 -> rnd.nextLong(1, 1L << 22);
                default -> rnd.nextLong(1, 1L << 40);
            };
            ts[i] = t;
        }
        return ts;
    }

    static void assertRoundTrip(Chunk c, long[] ts, List<Histogram> hs) {
        assertThat(c.numSamples()).isEqualTo(hs.size());
        SampleIterator it = c.iterator(null);
        for (int i = 0; i < hs.size(); i++) {
            assertThat(it.next()).as("sample %d", i).isEqualTo(ValueType.HISTOGRAM);
            assertThat(it.timestamp()).as("timestamp %d", i).isEqualTo(ts[i]);
            Histogram got = it.histogram();
            Histogram want = hs.get(i);
            // As in Prometheus, samples after a counter chunk's first are reported NOT_COUNTER_RESET.
            CounterResetHint hint = i == 0 || want.counterResetHint == CounterResetHint.GAUGE
                    ? want.counterResetHint : CounterResetHint.NOT_COUNTER_RESET;
            want = new Histogram(hint, want.schema, want.zeroThreshold, want.zeroCount, want.count, want.sum,
                    want.positiveSpanOffsets, want.positiveSpanLengths, want.positiveBuckets,
                    want.negativeSpanOffsets, want.negativeSpanLengths, want.negativeBuckets, want.customValues);
            assertThat(got).as("histogram %d", i).isEqualTo(want);
            assertThat(got.counterResetHint).isEqualTo(hint);
            assertThat(Double.doubleToRawLongBits(got.sum)).as("sum bits %d", i).isEqualTo(Double.doubleToRawLongBits(want.sum));
            assertThat(it.histogram()).isSameAs(got);
        }
        assertThat(it.next()).isEqualTo(ValueType.NONE);
    }

    @Property(tries = 200)
    void histogramsOnOneLayoutRoundTrip(@ForAll long seed, @ForAll boolean custom, @ForAll boolean gauge,
                                        @ForAll @IntRange(min = 1, max = 150) int n) {
        Random rnd = new Random(seed);
        Layout l = Layout.random(rnd, custom, gauge);
        List<Histogram> hs = run(rnd, l, n);
        long[] ts = timestamps(rnd, n);
        Chunk c = Chunks.newChunk(ChunkEncoding.FLOAT_HISTOGRAM);
        for (int i = 0; i < n; i++) {
            hs.get(i).validate();
            assertThat(c.appender().appendHistogram(ts[i], hs.get(i))).as("append %d of %s", i, hs.get(i)).isTrue();
        }
        assertRoundTrip(c, ts, hs);
        byte[] b = c.bytes();
        assertThat(b).hasSize(c.byteLength());
        Chunk view = Chunks.fromBytes(ChunkEncoding.FLOAT_HISTOGRAM, b, 0, b.length);
        assertRoundTrip(view, ts, hs);
        assertThat(view.bytes()).isEqualTo(b);
    }

    @Property(tries = 100)
    void refusesSamplesThatNeedANewChunkAndAppendsNothing(@ForAll long seed, @ForAll boolean custom,
                                                          @ForAll @IntRange(min = 0, max = 8) int change) {
        Random rnd = new Random(seed);
        Layout l = Layout.random(rnd, custom, false);
        List<Histogram> hs = run(rnd, l, 4);
        long[] ts = timestamps(rnd, 5);
        Chunk c = Chunks.newChunk(ChunkEncoding.FLOAT_HISTOGRAM);
        for (int i = 0; i < 3; i++) {
            assertThat(c.appender().appendHistogram(ts[i], hs.get(i))).isTrue();
        }
        byte[] before = c.bytes();
        Histogram p = hs.get(3);
        Histogram changed = switch (change) {
            case 0 -> new Histogram(p.counterResetHint, custom ? 0 : (p.schema == 8 ? 7 : p.schema + 1), p.zeroThreshold,
                    custom ? p.zeroCount : p.zeroCount, p.count, p.sum, p.positiveSpanOffsets, p.positiveSpanLengths,
                    p.positiveBuckets, p.negativeSpanOffsets, p.negativeSpanLengths, p.negativeBuckets,
                    custom ? null : p.customValues);
            case 1 -> new Histogram(p.counterResetHint, p.schema, p.zeroThreshold == 0.5 ? 0.25 : 0.5, p.zeroCount, p.count,
                    p.sum, p.positiveSpanOffsets, p.positiveSpanLengths, p.positiveBuckets, p.negativeSpanOffsets,
                    p.negativeSpanLengths, p.negativeBuckets, p.customValues);
            case 2 -> withExtraPositiveBucket(p);
            case 3 -> custom ? withOtherBounds(p) : withExtraNegativeSpan(p);
            case 4 -> new Histogram(CounterResetHint.COUNTER_RESET, p.schema, p.zeroThreshold, p.zeroCount, p.count, p.sum,
                    p.positiveSpanOffsets, p.positiveSpanLengths, p.positiveBuckets, p.negativeSpanOffsets,
                    p.negativeSpanLengths, p.negativeBuckets, p.customValues);
            case 5 -> new Histogram(CounterResetHint.GAUGE, p.schema, p.zeroThreshold, p.zeroCount, p.count, p.sum,
                    p.positiveSpanOffsets, p.positiveSpanLengths, p.positiveBuckets, p.negativeSpanOffsets,
                    p.negativeSpanLengths, p.negativeBuckets, p.customValues);
            case 6 -> new Histogram(p.counterResetHint, p.schema, p.zeroThreshold, p.zeroCount, hs.get(2).count - 1, p.sum,
                    p.positiveSpanOffsets, p.positiveSpanLengths, p.positiveBuckets, p.negativeSpanOffsets,
                    p.negativeSpanLengths, p.negativeBuckets, p.customValues);
            case 7 -> p.positiveBuckets.length == 0 ? withExtraPositiveBucket(p) : withFirstBucketDown(p, hs.get(2));
            default -> custom ? withOtherBounds(p) : new Histogram(p.counterResetHint, p.schema, p.zeroThreshold,
                    hs.get(2).zeroCount - 1, p.count, p.sum, p.positiveSpanOffsets, p.positiveSpanLengths,
                    p.positiveBuckets, p.negativeSpanOffsets, p.negativeSpanLengths, p.negativeBuckets, p.customValues);
        };
        assertThat(c.appender().appendHistogram(ts[3], changed)).as("change %d: %s", change, changed).isFalse();
        assertThat(c.numSamples()).isEqualTo(3);
        assertThat(c.bytes()).isEqualTo(before);
        // Nothing half-written: the unchanged sample still appends and everything reads back.
        assertThat(c.appender().appendHistogram(ts[3], p)).isTrue();
        assertRoundTrip(c, ts, hs);
        // A fresh chunk takes the refused sample.
        Chunk fresh = Chunks.newChunk(ChunkEncoding.FLOAT_HISTOGRAM);
        assertThat(fresh.appender().appendHistogram(ts[4], changed)).isTrue();
        assertRoundTrip(fresh, new long[]{ts[4]}, List.of(changed));
    }

    private static Histogram withExtraPositiveBucket(Histogram p) {
        int n = p.positiveSpanOffsets.length;
        int[] off = Arrays.copyOf(p.positiveSpanOffsets, n + 1);
        int[] len = Arrays.copyOf(p.positiveSpanLengths, n + 1);
        off[n] = n == 0 ? 0 : 1;
        len[n] = 1;
        double[] b = Arrays.copyOf(p.positiveBuckets, p.positiveBuckets.length + 1);
        b[b.length - 1] = 1;
        double[] custom = p.customValues;
        if (p.usesCustomBuckets()) {
            custom = Arrays.copyOf(custom, custom.length + 8);
            for (int i = p.customValues.length; i < custom.length; i++) {
                custom[i] = (i == 0 ? 0 : Math.max(custom[i - 1], 0)) + 1;
            }
            if (Double.isInfinite(p.customValues[p.customValues.length - 1])) {
                custom = p.customValues; // Layout differs through the spans alone.
            }
        }
        return new Histogram(p.counterResetHint, p.schema, p.zeroThreshold, p.zeroCount, p.count + 1, p.sum, off, len, b,
                p.negativeSpanOffsets, p.negativeSpanLengths, p.negativeBuckets, custom);
    }

    private static Histogram withExtraNegativeSpan(Histogram p) {
        int n = p.negativeSpanOffsets.length;
        int[] off = Arrays.copyOf(p.negativeSpanOffsets, n + 1);
        int[] len = Arrays.copyOf(p.negativeSpanLengths, n + 1);
        off[n] = 2;
        len[n] = 0;
        return new Histogram(p.counterResetHint, p.schema, p.zeroThreshold, p.zeroCount, p.count, p.sum,
                p.positiveSpanOffsets, p.positiveSpanLengths, p.positiveBuckets, off, len, p.negativeBuckets, p.customValues);
    }

    private static Histogram withOtherBounds(Histogram p) {
        double[] custom = p.customValues.clone();
        custom[0] = Math.nextDown(custom[0]);
        return new Histogram(p.counterResetHint, p.schema, p.zeroThreshold, p.zeroCount, p.count, p.sum,
                p.positiveSpanOffsets, p.positiveSpanLengths, p.positiveBuckets, p.negativeSpanOffsets,
                p.negativeSpanLengths, p.negativeBuckets, custom);
    }

    private static Histogram withFirstBucketDown(Histogram p, Histogram prev) {
        double[] b = p.positiveBuckets.clone();
        b[0] = prev.positiveBuckets[0] - 1;
        return new Histogram(p.counterResetHint, p.schema, p.zeroThreshold, p.zeroCount, p.count, p.sum,
                p.positiveSpanOffsets, p.positiveSpanLengths, b, p.negativeSpanOffsets, p.negativeSpanLengths,
                p.negativeBuckets, p.customValues);
    }

    @Example
    void gaugeHistogramsMayGoDown() {
        Chunk c = Chunks.newChunk(ChunkEncoding.FLOAT_HISTOGRAM);
        Histogram a = new Histogram(CounterResetHint.GAUGE, 2, 0, 3, 10, 5, new int[]{1}, new int[]{1}, new double[]{7},
                null, null, null, null);
        Histogram b = new Histogram(CounterResetHint.GAUGE, 2, 0, 1, 2, -5, new int[]{1}, new int[]{1}, new double[]{1},
                null, null, null, null);
        assertThat(c.appender().appendHistogram(1, a)).isTrue();
        assertThat(c.appender().appendHistogram(2, b)).isTrue();
        assertRoundTrip(c, new long[]{1, 2}, List.of(a, b));
    }

    @Example
    void badInputIsRefusedByName() {
        Chunk c = Chunks.newChunk(ChunkEncoding.FLOAT_HISTOGRAM);
        Histogram wrongCount = new Histogram(CounterResetHint.UNKNOWN, 0, 0, 0, 1, 1, new int[]{0}, new int[]{2},
                new double[]{1}, null, null, null, null);
        assertThatThrownBy(() -> c.appender().appendHistogram(1, wrongCount)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("positive spans cover 2 buckets but 1 counts");
        assertThat(c.numSamples()).isZero();
        assertThatThrownBy(() -> c.appender().append(1, 1.0)).isInstanceOf(IllegalStateException.class);
        assertThat(c.appender().appendHistogram(1, simple(1))).isTrue();
        assertThatThrownBy(() -> c.iterator(null).value()).isInstanceOf(IllegalStateException.class);
        byte[] b = c.bytes();
        assertThatThrownBy(() -> {
            SampleIterator it = Chunks.fromBytes(ChunkEncoding.FLOAT_HISTOGRAM, b, 0, b.length - 3).iterator(null);
            it.next();
        }).isInstanceOf(CorruptChunkException.class);
    }

    @Example
    void layoutIsStoredOncePerChunk() {
        Random rnd = new Random(7);
        Layout l = new Layout(3, 0.001, new int[]{-2, 1}, new int[]{4, 4}, new int[]{0}, new int[]{3}, new double[0], false);
        List<Histogram> hs = run(rnd, l, 2);
        Chunk one = Chunks.newChunk(ChunkEncoding.FLOAT_HISTOGRAM);
        one.appender().appendHistogram(0, hs.get(0));
        int first = one.byteLength();
        Chunk two = Chunks.newChunk(ChunkEncoding.FLOAT_HISTOGRAM);
        two.appender().appendHistogram(0, hs.get(0));
        two.appender().appendHistogram(15_000, hs.get(0)); // an unchanged sample: timestamp, hint and a bit per field
        assertThat(two.byteLength() - first).isLessThanOrEqualTo(6);
    }
}
