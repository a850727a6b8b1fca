package dev.sightline.tsdb.merge;

import dev.sightline.core.Histogram;
import dev.sightline.core.Labels;
import dev.sightline.metricstore.SampleIterator;
import dev.sightline.metricstore.Series;
import dev.sightline.metricstore.SeriesSet;
import dev.sightline.metricstore.ValueType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/** Array-backed series and series sets for tests, and a bit-exact dump of what a series set yields. */
public final class TestSeriesSets {
    private TestSeriesSets() {
    }

    /** A series over parallel arrays; {@code hists[i]} non-null makes sample i a histogram. */
    public record ArraySeries(Labels labels, long[] ts, double[] values, Histogram[] hists) implements Series {
        public static ArraySeries floats(Labels labels, long[] ts, double[] values) {
            return new ArraySeries(labels, ts, values, new Histogram[ts.length]);
        }

        @Override
        public SampleIterator iterator(SampleIterator reuse) {
            return new ArrayIterator(this);
        }

        public List<Sample> samples() {
            List<Sample> out = new ArrayList<>();
            for (int i = 0; i < ts.length; i++) {
                out.add(hists[i] != null ? new Sample(ts[i], 0, hists[i]) : new Sample(ts[i], Double.doubleToRawLongBits(values[i]), null));
            }
            return out;
        }
    }

    /** One sample, a float by its raw bits (so NaN payloads compare exactly) or a histogram. */
    public record Sample(long t, long bits, Histogram h) {
        @Override
        public String toString() {
            return t + "=" + (h != null ? h.toString() : Double.longBitsToDouble(bits) + "/0x" + Long.toHexString(bits));
        }
    }

    /** A series as (labels, samples), comparable with equals. */
    public record Dump(Labels labels, List<Sample> samples) {
    }

    static final class ArrayIterator implements SampleIterator {
        private final ArraySeries s;
        private int i = -1;

        ArrayIterator(ArraySeries s) {
            this.s = s;
        }

        private ValueType type() {
            if (i >= s.ts.length) {
                return ValueType.NONE;
            }
            return s.hists[i] != null ? ValueType.HISTOGRAM : ValueType.FLOAT;
        }

        @Override
        public ValueType next() {
            if (i < s.ts.length) {
                i++;
            }
            return type();
        }

        @Override
        public ValueType seek(long t) {
            if (i < 0) {
                i = 0;
            }
            while (i < s.ts.length && s.ts[i] < t) {
                i++;
            }
            return type();
        }

        @Override
        public long timestamp() {
            return s.ts[i];
        }

        @Override
        public double value() {
            return s.values[i];
        }

        @Override
        public Histogram histogram() {
            return s.hists[i];
        }
    }

    /** A series set over the given series, sorted by labels. */
    public static SeriesSet of(List<? extends Series> series) {
        List<Series> sorted = new ArrayList<>(series);
        sorted.sort(Comparator.comparing(Series::labels));
        return SeriesSet.of(sorted);
    }

    /** Reads a whole series set, samples within [mint, maxt]. */
    public static List<Dump> dump(SeriesSet set) {
        List<Dump> out = new ArrayList<>();
        SampleIterator it = null;
        while (set.next()) {
            Series s = set.at();
            it = s.iterator(it);
            List<Sample> samples = new ArrayList<>();
            for (ValueType vt = it.next(); vt != ValueType.NONE; vt = it.next()) {
                samples.add(vt == ValueType.HISTOGRAM ? new Sample(it.timestamp(), 0, it.histogram())
                        : new Sample(it.timestamp(), Double.doubleToRawLongBits(it.value()), null));
            }
            out.add(new Dump(s.labels(), samples));
        }
        return out;
    }

    /** The expected dump of array series restricted to [mint, maxt], dropping series left empty. */
    public static List<Dump> expected(List<ArraySeries> series, long mint, long maxt) {
        List<Dump> out = new ArrayList<>();
        List<ArraySeries> sorted = new ArrayList<>(series);
        sorted.sort(Comparator.comparing(ArraySeries::labels));
        for (ArraySeries s : sorted) {
            List<Sample> samples = s.samples().stream().filter(x -> x.t() >= mint && x.t() <= maxt).toList();
            if (!samples.isEmpty()) {
                out.add(new Dump(s.labels(), samples));
            }
        }
        return out;
    }

    public static long[] range(long start, long step, int n) {
        long[] ts = new long[n];
        for (int i = 0; i < n; i++) {
            ts[i] = start + i * step;
        }
        return ts;
    }

    public static double[] fill(int n, double v) {
        double[] a = new double[n];
        Arrays.fill(a, v);
        return a;
    }
}
