package dev.sightline.tsdb.conformance;

import dev.sightline.core.Histogram;
import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.core.Staleness;
import dev.sightline.tsdb.Querier;
import dev.sightline.tsdb.FloatSamples;
import dev.sightline.tsdb.SampleIterator;
import dev.sightline.tsdb.Series;
import dev.sightline.tsdb.SeriesSet;
import dev.sightline.tsdb.StartPatterns;
import dev.sightline.tsdb.ValueType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.sightline.core.LabelMatcher.eq;
import static dev.sightline.core.LabelMatcher.neq;
import static dev.sightline.core.LabelMatcher.nre;
import static dev.sightline.core.LabelMatcher.re;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every {@link Querier} implementation must do the same way: Prometheus's matcher semantics, inclusive time
 * clamping, sorted output, label name/value listing and bit-exact samples. A subclass supplies a querier over the
 * given data.
 */
public abstract class QuerierConformanceTest {
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
    public record SeriesData(Labels labels, List<Sample> samples) {
    }

    private final List<AutoCloseable> toClose = new ArrayList<>();

    /** A querier over exactly this data for [mint, maxt]. Called at most a few times per test. */
    protected abstract Querier createQuerier(List<SeriesData> data, long mint, long maxt) throws Exception;

    /** Registers something the subclass opened, closed after the test. */
    protected void closeAfterTest(AutoCloseable c) {
        toClose.add(c);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        toClose.clear();
    }

    private Querier open(List<SeriesData> data, long mint, long maxt) throws Exception {
        Querier q = createQuerier(data, mint, maxt);
        closeAfterTest(q);
        return q;
    }

    // --- fixtures -------------------------------------------------------------------------------------------------

    static List<Sample> floats(long from, long step, int n, double base) {
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Sample.f(from + i * step, base + i));
        }
        return out;
    }

    static SeriesData series(List<Sample> samples, String... labels) {
        return new SeriesData(Labels.of(labels), samples);
    }

    /** Six series of two metrics with overlapping label sets; every series has 10 samples at 0, 1000, ..., 9000. */
    static List<SeriesData> fixture() {
        return List.of(
                series(floats(0, 1000, 10, 0), "__name__", "up", "job", "api", "instance", "a:1", "env", "prod"),
                series(floats(0, 1000, 10, 100), "__name__", "up", "job", "api", "instance", "a:2", "env", "dev"),
                series(floats(0, 1000, 10, 200), "__name__", "up", "job", "api-server", "instance", "b:1"),
                series(floats(0, 1000, 10, 300), "__name__", "up", "job", "db", "instance", "c:1", "env", "prod"),
                series(floats(0, 1000, 10, 400), "__name__", "http_requests_total", "job", "api", "instance", "a:1", "code", "200"),
                series(floats(0, 1000, 10, 500), "__name__", "http_requests_total", "job", "api", "instance", "a:1", "code", "500"));
    }

    static Map<Labels, List<Sample>> collect(SeriesSet set) {
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

    private List<String> selectNames(Querier q, LabelMatcher... ms) {
        List<String> out = new ArrayList<>();
        SeriesSet set = q.select(true, Long.MIN_VALUE, Long.MAX_VALUE, ms);
        while (set.next()) {
            Labels l = set.at().labels();
            out.add(l.get("job") + "/" + l.get("instance") + (l.has("code") ? "/" + l.get("code") : ""));
        }
        return out;
    }

    // --- matchers -------------------------------------------------------------------------------------------------

    @Test
    void equalityMatcherSelectsExactValue() throws Exception {
        Querier q = open(fixture(), 0, 10_000);
        assertThat(selectNames(q, eq("__name__", "up"), eq("job", "api"))).containsExactlyInAnyOrder("api/a:1", "api/a:2");
        assertThat(selectNames(q, eq("instance", "a:1"))).containsExactlyInAnyOrder("api/a:1/200", "api/a:1/500", "api/a:1");
    }

    @Test
    void inequalityMatcherAlsoSelectsSeriesWithoutTheLabel() throws Exception {
        Querier q = open(fixture(), 0, 10_000);
        assertThat(selectNames(q, eq("__name__", "up"), neq("env", "prod"))).containsExactlyInAnyOrder("api/a:2", "api-server/b:1");
    }

    @Test
    void regexMatcherIsAnchoredAtBothEnds() throws Exception {
        Querier q = open(fixture(), 0, 10_000);
        assertThat(selectNames(q, eq("__name__", "up"), re("job", "api"))).containsExactlyInAnyOrder("api/a:1", "api/a:2");
        assertThat(selectNames(q, eq("__name__", "up"), re("job", "api.*"))).containsExactlyInAnyOrder("api/a:1", "api/a:2", "api-server/b:1");
        assertThat(selectNames(q, eq("__name__", "up"), re("job", "pi"))).isEmpty();
        assertThat(selectNames(q, eq("__name__", "up"), re("job", "api|db"))).containsExactlyInAnyOrder("api/a:1", "api/a:2", "db/c:1");
        assertThat(selectNames(q, eq("__name__", "up"), re("job", ".+"))).hasSize(4);
    }

    @Test
    void negativeRegexMatcher() throws Exception {
        Querier q = open(fixture(), 0, 10_000);
        assertThat(selectNames(q, eq("__name__", "up"), nre("job", "api.*"))).containsExactlyInAnyOrder("db/c:1");
        assertThat(selectNames(q, eq("__name__", "up"), nre("env", "prod"))).containsExactlyInAnyOrder("api/a:2", "api-server/b:1");
    }

    @Test
    void matchersThatAcceptEmptySelectSeriesLackingTheLabel() throws Exception {
        Querier q = open(fixture(), 0, 10_000);
        assertThat(selectNames(q, eq("__name__", "up"), eq("env", ""))).containsExactlyInAnyOrder("api-server/b:1");
        assertThat(selectNames(q, eq("__name__", "up"), re("env", ""))).containsExactlyInAnyOrder("api-server/b:1");
        assertThat(selectNames(q, eq("__name__", "up"), re("env", "dev|"))).containsExactlyInAnyOrder("api/a:2", "api-server/b:1");
        assertThat(selectNames(q, eq("__name__", "up"), re("env", ".*"))).hasSize(4);
        assertThat(selectNames(q, eq("__name__", "up"), nre("env", ".+"))).containsExactlyInAnyOrder("api-server/b:1");
        // A label no series has: "!=" and "=~.*" keep everything, "=" of a value selects nothing.
        assertThat(selectNames(q, eq("__name__", "up"), neq("nosuch", "x"))).hasSize(4);
        assertThat(selectNames(q, eq("__name__", "up"), eq("nosuch", "x"))).isEmpty();
        assertThat(selectNames(q, eq("__name__", "up"), re("nosuch", ".+"))).isEmpty();
    }

    @Test
    void nonEmptyMatcherRequiresTheLabel() throws Exception {
        Querier q = open(fixture(), 0, 10_000);
        assertThat(selectNames(q, neq("env", ""))).containsExactlyInAnyOrder("api/a:1", "api/a:2", "db/c:1");
        assertThat(selectNames(q, re("code", ".+"))).containsExactlyInAnyOrder("api/a:1/200", "api/a:1/500");
    }

    @Test
    void multipleMatchersIntersect() throws Exception {
        Querier q = open(fixture(), 0, 10_000);
        assertThat(selectNames(q, re("job", "api"), eq("instance", "a:1"), neq("code", "500")))
                .containsExactly("api/a:1/200", "api/a:1");
        assertThat(selectNames(q, eq("job", "db"), eq("env", "dev"))).isEmpty();
    }

    @Test
    void selectorMatchingOnlyEmptyIsAnError() throws Exception {
        Querier q = open(fixture(), 0, 10_000);
        assertThatThrownBy(() -> q.select(true, 0, 10_000, eq("env", ""))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> q.select(true, 0, 10_000, re("job", ".*"), neq("env", "x"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> q.select(true, 0, 10_000)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void nothingMatchesGivesAnEmptySet() throws Exception {
        Querier q = open(fixture(), 0, 10_000);
        SeriesSet set = q.select(true, 0, 10_000, eq("__name__", "nope"));
        assertThat(set.next()).isFalse();
        assertThat(collect(q.select(false, 0, 10_000, eq("job", "api"), eq("job", "db")))).isEmpty();
    }

    // --- time range -----------------------------------------------------------------------------------------------

    @Test
    void selectClampsToInclusiveRange() throws Exception {
        Querier q = open(fixture(), 0, 10_000);
        Map<Labels, List<Sample>> got = collect(q.select(true, 2000, 5000, eq("instance", "c:1")));
        assertThat(got.values()).singleElement().satisfies(samples -> assertThat(samples).extracting(Sample::t)
                .containsExactly(2000L, 3000L, 4000L, 5000L));
        // Between two samples: no samples (the series itself may be listed, as chunk-level pruning cannot tell).
        assertThat(collect(q.select(true, 2001, 2999, eq("instance", "c:1"))).values()).allMatch(List::isEmpty);
    }

    @Test
    void querierRangeBoundsTheSelectRange() throws Exception {
        Querier q = open(fixture(), 3000, 6000);
        Map<Labels, List<Sample>> got = collect(q.select(true, 0, 100_000, eq("instance", "c:1")));
        assertThat(got.values()).singleElement().satisfies(samples -> assertThat(samples).extracting(Sample::t)
                .containsExactly(3000L, 4000L, 5000L, 6000L));
    }

    @Test
    void seriesWithoutSamplesInRangeAreNotReturned() throws Exception {
        List<SeriesData> data = new ArrayList<>(fixture());
        data.add(series(floats(50_000, 1000, 5, 0), "__name__", "up", "job", "late", "instance", "z:1"));
        Querier q = open(data, 0, 100_000);
        assertThat(selectNames(q, eq("__name__", "up"))).hasSize(5);
        assertThat(collect(q.select(true, 0, 10_000, eq("__name__", "up"))).keySet())
                .noneMatch(l -> "late".equals(l.get("job"))).hasSize(4);
    }

    @Test
    void longSeriesSpanningManyChunksIsExact() throws Exception {
        List<Sample> samples = floats(1_000_000, 15_000, 1000, 0.5);
        Querier q = open(List.of(series(samples, "__name__", "long")), 0, Long.MAX_VALUE);
        assertThat(collect(q.select(true, 0, Long.MAX_VALUE, eq("__name__", "long"))).values()).singleElement()
                .isEqualTo(samples);
        List<Sample> part = samples.subList(300, 701);
        assertThat(collect(q.select(true, part.get(0).t(), part.get(part.size() - 1).t(), eq("__name__", "long"))).values())
                .singleElement().isEqualTo(part);
    }

    /** appendFloats must read exactly what seek + next read, and leave the iterator on the first sample it did not take. */
    @Test
    void bulkFloatReadsMatchSampleBySampleReads() throws Exception {
        List<Sample> mixed = new ArrayList<>(floats(0, 15_000, 300, 0.25));
        for (int i = 0; i < 20; i++) {
            mixed.add(Sample.h(4_500_000L + 15_000L * i, histogram(i)));
        }
        mixed.addAll(floats(4_800_000, 15_000, 200, 7));
        List<SeriesData> data = List.of(series(floats(1_000_000, 15_000, 1000, 0.5), "__name__", "long"),
                series(mixed, "__name__", "mixed"));
        Querier q = open(data, 0, Long.MAX_VALUE);
        long[][] windows = {{0, Long.MAX_VALUE}, {1_000_000, 1_000_000}, {2_000_001, 9_000_000}, {0, 4_600_000},
                {4_400_000, 4_900_000}, {3_000_000, 3_100_000}, {20_000_000, 30_000_000}};
        for (SeriesData sd : data) {
            for (long[] w : windows) {
                List<Sample> want = sd.samples().stream().filter(x -> x.t() >= w[0] && x.t() <= w[1]).toList();
                SeriesSet set = q.select(true, w[0], w[1], eq("__name__", sd.labels().get("__name__")));
                List<Sample> got = new ArrayList<>();
                if (set.next()) {
                    SampleIterator it = set.at().iterator(null);
                    FloatSamples buf = new FloatSamples(1);
                    ValueType vt = it.seek(w[0]);
                    while (vt != ValueType.NONE && it.timestamp() <= w[1]) {
                        if (vt == ValueType.FLOAT) {
                            buf.clear();
                            vt = it.appendFloats(w[1], buf);
                            for (int i = 0; i < buf.n; i++) {
                                got.add(Sample.f(buf.t[i], buf.v[i]));
                            }
                            if (vt != ValueType.NONE) {
                                int at = sd.samples().indexOf(got.get(got.size() - 1)) + 1;
                                assertThat(it.timestamp()).as("stands on the first sample not taken")
                                        .isEqualTo(sd.samples().get(at).t());
                            }
                        } else {
                            got.add(Sample.h(it.timestamp(), it.histogram()));
                            vt = it.next();
                        }
                    }
                }
                assertThat(got).as("%s in [%d, %d]", sd.labels(), w[0], w[1]).extracting(x -> x.t() + " "
                                + (x.h() == null ? Double.toString(x.v()) : content(x.h())))
                        .containsExactlyElementsOf(want.stream().map(x -> x.t() + " "
                                + (x.h() == null ? Double.toString(x.v()) : content(x.h()))).toList());
            }
        }
    }

    @Test
    void seekMovesToFirstSampleAtOrAfter() throws Exception {
        Querier q = open(fixture(), 0, 10_000);
        SeriesSet set = q.select(true, 0, 10_000, eq("instance", "c:1"));
        assertThat(set.next()).isTrue();
        SampleIterator it = set.at().iterator(null);
        assertThat(it.seek(2500)).isEqualTo(ValueType.FLOAT);
        assertThat(it.timestamp()).isEqualTo(3000);
        assertThat(it.value()).isEqualTo(303);
        assertThat(it.seek(1000)).isEqualTo(ValueType.FLOAT);
        assertThat(it.timestamp()).as("seek never moves backwards").isEqualTo(3000);
        assertThat(it.next()).isEqualTo(ValueType.FLOAT);
        assertThat(it.timestamp()).isEqualTo(4000);
        assertThat(it.seek(20_000)).isEqualTo(ValueType.NONE);
        assertThat(it.next()).isEqualTo(ValueType.NONE);
    }

    // --- ordering and labels --------------------------------------------------------------------------------------

    @Test
    void sortedSelectReturnsSeriesInLabelOrder() throws Exception {
        List<SeriesData> data = new ArrayList<>();
        for (int i = 20; i > 0; i--) {
            data.add(series(floats(0, 1000, 3, i), "__name__", i % 2 == 0 ? "b_metric" : "a_metric", "i", Integer.toString(i)));
        }
        Querier q = open(data, 0, 10_000);
        List<Labels> got = new ArrayList<>(collect(q.select(true, 0, 10_000, re("__name__", ".+"))).keySet());
        assertThat(got).hasSize(20).isSorted();
        assertThat(collect(q.select(false, 0, 10_000, re("__name__", ".+")))).hasSize(20);
    }

    @Test
    void labelNamesAndValues() throws Exception {
        Querier q = open(fixture(), 0, 10_000);
        assertThat(q.labelNames()).containsExactly("__name__", "code", "env", "instance", "job");
        assertThat(q.labelNames(eq("__name__", "up"))).containsExactly("__name__", "env", "instance", "job");
        assertThat(q.labelNames(eq("job", "api-server"))).containsExactly("__name__", "instance", "job");
        assertThat(q.labelNames(eq("job", "nope"))).isEmpty();
        assertThat(q.labelValues("job")).containsExactly("api", "api-server", "db");
        assertThat(q.labelValues("env")).containsExactly("dev", "prod");
        assertThat(q.labelValues("nosuch")).isEmpty();
        assertThat(q.labelValues("job", eq("env", "prod"))).containsExactly("api", "db");
        assertThat(q.labelValues("code", eq("__name__", "http_requests_total"), neq("code", "200"))).containsExactly("500");
        assertThat(q.labelValues("instance", re("job", "api.*"))).containsExactly("a:1", "a:2", "b:1");
    }

    // --- values ---------------------------------------------------------------------------------------------------

    @Test
    void specialFloatsRoundTripBitExact() throws Exception {
        double[] values = {Staleness.STALE_NAN, Double.NaN, Double.longBitsToDouble(0x7ff8000000000123L), -0.0, 0.0,
                Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.MIN_VALUE, Double.MAX_VALUE, -1.5e-300, 42};
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            samples.add(Sample.f(1000L * i, values[i]));
        }
        Querier q = open(List.of(series(samples, "__name__", "weird")), 0, 100_000);
        SeriesSet set = q.select(true, 0, 100_000, eq("__name__", "weird"));
        assertThat(set.next()).isTrue();
        SampleIterator it = set.at().iterator(null);
        for (int i = 0; i < values.length; i++) {
            assertThat(it.next()).isEqualTo(ValueType.FLOAT);
            assertThat(it.timestamp()).isEqualTo(1000L * i);
            assertThat(Double.doubleToRawLongBits(it.value())).as("bits of sample %d", i)
                    .isEqualTo(Double.doubleToRawLongBits(values[i]));
        }
        assertThat(it.next()).isEqualTo(ValueType.NONE);
        assertThat(Staleness.isStaleMarker(values[0])).isTrue();
    }

    static Histogram histogram(int i) {
        return new Histogram(Histogram.CounterResetHint.NOT_COUNTER_RESET, 1, 0.001, 2 + i, 10 + 4 * i, 100.5 + i,
                new int[]{-1, 2}, new int[]{2, 1}, new double[]{1 + i, 3, 4 + 3 * i},
                new int[]{0}, new int[]{1}, new double[]{0},
                null);
    }

    static Histogram customBuckets(int i) {
        return new Histogram(Histogram.CounterResetHint.NOT_COUNTER_RESET, Histogram.CUSTOM_BUCKETS_SCHEMA, 0, 0, 6 + i, 12.25 * i,
                new int[]{0}, new int[]{3}, new double[]{1, 2 + i, 3}, null, null, null, new double[]{0.1, 1, 10});
    }

    /** Histogram content without the counter-reset hint, which chunk encodings may recompute. */
    static String content(Histogram h) {
        return h.toString().replaceAll(" hint:\\w+", "");
    }

    @Test
    void histogramsRoundTrip() throws Exception {
        List<Sample> exp = new ArrayList<>();
        List<Sample> nhcb = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            exp.add(Sample.h(10_000L * i, histogram(i)));
            nhcb.add(Sample.h(10_000L * i, customBuckets(i)));
        }
        Querier q = open(List.of(series(exp, "__name__", "lat", "kind", "exp"), series(nhcb, "__name__", "lat", "kind", "nhcb")),
                0, Long.MAX_VALUE);
        Map<Labels, List<Sample>> got = collect(q.select(true, 0, Long.MAX_VALUE, eq("__name__", "lat")));
        assertThat(got).hasSize(2);
        assertThat(got.get(Labels.of("__name__", "lat", "kind", "exp"))).extracting(s -> s.t() + " " + content(s.h()))
                .containsExactlyElementsOf(exp.stream().map(s -> s.t() + " " + content(s.h())).toList());
        assertThat(got.get(Labels.of("__name__", "lat", "kind", "nhcb"))).extracting(s -> s.t() + " " + content(s.h()))
                .containsExactlyElementsOf(nhcb.stream().map(s -> s.t() + " " + content(s.h())).toList());
    }

    // --- start timestamps -----------------------------------------------------------------------------------------

    /** One float and one histogram series per start-timestamp shape, long enough to span several chunks. */
    static List<SeriesData> startFixture() {
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

    @Test
    void startTimestampsRoundTripSampleBySample() throws Exception {
        List<SeriesData> data = startFixture();
        Querier q = open(data, Long.MIN_VALUE, Long.MAX_VALUE);
        Map<Labels, List<Sample>> got = collect(q.select(true, Long.MIN_VALUE, Long.MAX_VALUE, re("__name__", "st_.*")));
        for (SeriesData sd : data) {
            assertThat(got.get(sd.labels())).as("%s", sd.labels())
                    .extracting(x -> x.t() + "/" + x.st() + " " + (x.h() == null ? Double.toString(x.v()) : content(x.h())))
                    .containsExactlyElementsOf(sd.samples().stream()
                            .map(x -> x.t() + "/" + x.st() + " " + (x.h() == null ? Double.toString(x.v()) : content(x.h())))
                            .toList());
        }
    }

    @Test
    void startTimestampsRoundTripInBulk() throws Exception {
        List<SeriesData> data = startFixture().stream().filter(sd -> sd.labels().get("__name__").equals("st_floats")).toList();
        Querier q = open(data, Long.MIN_VALUE, Long.MAX_VALUE);
        long[][] windows = {{0, Long.MAX_VALUE}, {1_000_000L + 15_000L * 45, 1_000_000L + 15_000L * 230}, {0, 1_000_000L + 15_000L * 49}};
        for (SeriesData sd : data) {
            for (long[] w : windows) {
                List<Sample> want = sd.samples().stream().filter(x -> x.t() >= w[0] && x.t() <= w[1]).toList();
                SeriesSet set = q.select(true, w[0], w[1], eq("__name__", "st_floats"), eq("shape", sd.labels().get("shape")));
                assertThat(set.next()).isTrue();
                SampleIterator it = set.at().iterator(null);
                FloatSamples buf = new FloatSamples(1);
                assertThat(it.seek(w[0])).isEqualTo(ValueType.FLOAT);
                assertThat(it.appendFloats(w[1], buf)).isEqualTo(ValueType.NONE);
                List<Sample> got = new ArrayList<>();
                for (int i = 0; i < buf.n; i++) {
                    got.add(new Sample(buf.t[i], buf.v[i], null, buf.st == null ? 0 : buf.st[i]));
                }
                assertThat(got).as("%s in [%d, %d]", sd.labels(), w[0], w[1]).isEqualTo(want);
                if (want.stream().allMatch(x -> x.st() == 0)) {
                    assertThat(buf.st).as("no start array for samples without starts").isNull();
                }
            }
        }
    }

    @Test
    void fullContentRoundTrips() throws Exception {
        List<SeriesData> data = fixture();
        Querier q = open(data, Long.MIN_VALUE, Long.MAX_VALUE);
        Map<Labels, List<Sample>> got = collect(q.select(true, Long.MIN_VALUE, Long.MAX_VALUE, re("__name__", ".+")));
        Map<Labels, List<Sample>> want = new LinkedHashMap<>();
        data.stream().sorted((a, b) -> a.labels().compareTo(b.labels())).forEach(s -> want.put(s.labels(), s.samples()));
        assertThat(got).containsExactlyEntriesOf(want);
    }
}
