package dev.sightline.metricstore.conformance;

import dev.sightline.core.Histogram;
import dev.sightline.core.Labels;
import dev.sightline.metricstore.SampleIterator;
import dev.sightline.metricstore.Series;
import dev.sightline.metricstore.SeriesSet;
import dev.sightline.metricstore.ValueType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Test data the conformance suites store and read back, and the reading of a series set into it. */
public final class ConformanceData {
    private ConformanceData() {
    }

    /** One sample: a float ({@code h == null}) or a histogram, with its start timestamp ({@code st}, 0 for none). */
    public record Sample(long t, double v, Histogram h, long st) {
        public static Sample f(long t, double v) {
            return new Sample(t, v, null, 0);
        }

        public static Sample h(long t, Histogram h) {
            return new Sample(t, 0, h, 0);
        }
    }

    /** A series to store, its samples in increasing timestamp order. */
    public record SeriesData(Labels labels, List<Sample> samples) implements Series {
        @Override
        public SampleIterator iterator(SampleIterator reuse) {
            return new ListIterator(samples);
        }
    }

    public static List<Sample> floats(long from, long step, int n, double base) {
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Sample.f(from + i * step, base + i));
        }
        return out;
    }

    public static SeriesData series(List<Sample> samples, String... labels) {
        return new SeriesData(Labels.of(labels), samples);
    }

    /** Six series of two metrics with overlapping label sets; every series has 10 samples at 0, 1000, ..., 9000. */
    public static List<SeriesData> fixture() {
        return List.of(
                series(floats(0, 1000, 10, 0), "__name__", "up", "job", "api", "instance", "a:1", "env", "prod"),
                series(floats(0, 1000, 10, 100), "__name__", "up", "job", "api", "instance", "a:2", "env", "dev"),
                series(floats(0, 1000, 10, 200), "__name__", "up", "job", "api-server", "instance", "b:1"),
                series(floats(0, 1000, 10, 300), "__name__", "up", "job", "db", "instance", "c:1", "env", "prod"),
                series(floats(0, 1000, 10, 400), "__name__", "http_requests_total", "job", "api", "instance", "a:1", "code", "200"),
                series(floats(0, 1000, 10, 500), "__name__", "http_requests_total", "job", "api", "instance", "a:1", "code", "500"));
    }

    public static Map<Labels, List<Sample>> collect(SeriesSet set) {
        Map<Labels, List<Sample>> out = new LinkedHashMap<>();
        SampleIterator reuse = null;
        while (set.next()) {
            Series s = set.at();
            SampleIterator it = s.iterator(reuse);
            List<Sample> samples = new ArrayList<>();
            for (ValueType ty = it.next(); ty != ValueType.NONE; ty = it.next()) {
                samples.add(new Sample(it.timestamp(), ty == ValueType.FLOAT ? it.value() : 0,
                        ty == ValueType.FLOAT ? null : it.histogram(), it.startTimestamp()));
            }
            assertThat(out.put(s.labels(), samples)).as("series %s returned twice", s.labels()).isNull();
            reuse = it;
        }
        return out;
    }

    public static Histogram histogram(int i) {
        return new Histogram(Histogram.CounterResetHint.NOT_COUNTER_RESET, 1, 0.001, 2 + i, 10 + 4 * i, 100.5 + i,
                new int[]{-1, 2}, new int[]{2, 1}, new double[]{1 + i, 3, 4 + 3 * i},
                new int[]{0}, new int[]{1}, new double[]{0},
                null);
    }

    public static Histogram customBuckets(int i) {
        return new Histogram(Histogram.CounterResetHint.NOT_COUNTER_RESET, Histogram.CUSTOM_BUCKETS_SCHEMA, 0, 0, 6 + i, 12.25 * i,
                new int[]{0}, new int[]{3}, new double[]{1, 2 + i, 3}, null, null, null, new double[]{0.1, 1, 10});
    }

    /** Histogram content without the counter-reset hint, which chunk encodings may recompute. */
    public static String content(Histogram h) {
        return h.toString().replaceAll(" hint:\\w+", "");
    }

    /** One float and one histogram series per start-timestamp shape, long enough to span several chunks. */
    public static List<SeriesData> startFixture() {
        List<SeriesData> data = new ArrayList<>();
        for (StartPatterns p : StartPatterns.values()) {
            List<Sample> fs = new ArrayList<>();
            List<Sample> hs = new ArrayList<>();
            long prev = 0;
            for (int i = 0; i < 300; i++) {
                long t = 1_000_000L + 15_000L * i;
                long st = p.start(i, t, prev);
                fs.add(new Sample(t, i % 2 == 0 ? i : i + 0.3, null, st));
                if (i < 150) {
                    hs.add(new Sample(t, 0, histogram(i), st));
                }
                prev = t;
            }
            data.add(series(fs, "__name__", "st_floats", "shape", p.name()));
            data.add(series(hs, "__name__", "st_histograms", "shape", p.name()));
        }
        return data;
    }

    /** Series (sorted by labels) as a series set, independent of any storage. */
    public static SeriesSet seriesSet(List<SeriesData> sorted) {
        return SeriesSet.of(sorted);
    }

    /** An iterator over samples in timestamp order, independent of any storage. */
    public static SampleIterator iterator(List<Sample> samples) {
        return new ListIterator(samples);
    }

    private static final class ListIterator implements SampleIterator {
        private final List<Sample> samples;
        private int i = -1;

        ListIterator(List<Sample> samples) {
            this.samples = samples;
        }

        private ValueType at() {
            if (i >= samples.size()) {
                return ValueType.NONE;
            }
            return samples.get(i).h() == null ? ValueType.FLOAT : ValueType.HISTOGRAM;
        }

        @Override
        public ValueType next() {
            if (i < samples.size()) {
                i++;
            }
            return at();
        }

        @Override
        public ValueType seek(long t) {
            if (i < 0) {
                i = 0;
            }
            while (i < samples.size() && samples.get(i).t() < t) {
                i++;
            }
            return at();
        }

        @Override
        public long timestamp() {
            return samples.get(i).t();
        }

        @Override
        public double value() {
            return samples.get(i).v();
        }

        @Override
        public Histogram histogram() {
            return samples.get(i).h();
        }

        @Override
        public long startTimestamp() {
            return samples.get(i).st();
        }
    }
}
