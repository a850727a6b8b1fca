package dev.sightline.metricstore.conformance;

import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.core.Staleness;
import dev.sightline.metricstore.FloatSamples;
import dev.sightline.metricstore.Querier;
import dev.sightline.metricstore.SampleIterator;
import dev.sightline.metricstore.SeriesSet;
import dev.sightline.metricstore.ValueType;
import dev.sightline.metricstore.conformance.ConformanceData.Sample;
import dev.sightline.metricstore.conformance.ConformanceData.SeriesData;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.sightline.core.LabelMatcher.eq;
import static dev.sightline.core.LabelMatcher.neq;
import static dev.sightline.core.LabelMatcher.nre;
import static dev.sightline.core.LabelMatcher.re;
import static dev.sightline.metricstore.conformance.ConformanceData.collect;
import static dev.sightline.metricstore.conformance.ConformanceData.content;
import static dev.sightline.metricstore.conformance.ConformanceData.customBuckets;
import static dev.sightline.metricstore.conformance.ConformanceData.fixture;
import static dev.sightline.metricstore.conformance.ConformanceData.floats;
import static dev.sightline.metricstore.conformance.ConformanceData.histogram;
import static dev.sightline.metricstore.conformance.ConformanceData.series;
import static dev.sightline.metricstore.conformance.ConformanceData.startFixture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every {@link Querier} implementation must do the same way: Prometheus's matcher semantics, inclusive time
 * clamping, sorted output, label name/value listing and bit-exact samples. A subclass supplies a querier over the
 * given data; a read-only storage (a block) runs this suite alone, a writable one also {@link AppenderConformanceTest}.
 */
public abstract class QuerierConformanceTest extends ConformanceSuite {
    /** A querier over exactly this data for [mint, maxt]. Called at most a few times per test. */
    protected abstract Querier createQuerier(List<SeriesData> data, long mint, long maxt) throws Exception;

    private Querier open(List<SeriesData> data, long mint, long maxt) throws Exception {
        Querier q = createQuerier(data, mint, maxt);
        closeAfterTest(q);
        return q;
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
