package dev.sightline.metricstore.conformance;

import dev.sightline.core.Histogram;
import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.core.Staleness;
import dev.sightline.core.ValidationException.Reason;
import dev.sightline.core.ValidationException;
import dev.sightline.metricstore.Appender;
import dev.sightline.metricstore.Querier;
import dev.sightline.metricstore.Storage;
import dev.sightline.metricstore.conformance.ConformanceData.Sample;
import dev.sightline.metricstore.conformance.ConformanceData.SeriesData;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.sightline.metricstore.conformance.ConformanceData.collect;
import static dev.sightline.metricstore.conformance.ConformanceData.content;
import static dev.sightline.metricstore.conformance.ConformanceData.customBuckets;
import static dev.sightline.metricstore.conformance.ConformanceData.histogram;
import static dev.sightline.metricstore.conformance.ConformanceData.startFixture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every writable storage's {@link Appender} must do the same way, as Prometheus does: order, duplicate and age
 * rules per series, batches that become visible whole on commit and not at all on rollback, refs, start timestamps
 * and native histograms. Samples are read back through the storage's own querier. A read-only storage does not run
 * this suite.
 */
public abstract class AppenderConformanceTest extends ConformanceSuite {
    static final Labels A = Labels.of("__name__", "m", "s", "a");
    static final Labels B = Labels.of("__name__", "m", "s", "b");
    static final Labels H = Labels.of("__name__", "m", "s", "h");

    /**
     * A new, empty storage. {@code outOfOrderWindowMs} 0 refuses every sample older than its series' newest; a
     * positive window accepts those at most that much older.
     */
    protected abstract Storage open(long outOfOrderWindowMs) throws Exception;

    /**
     * The storage to go on with once a test's first batches are committed: this suite goes on with the same one; a
     * persistent storage's suite may restart it (close, open again from disk) so the rules are checked against the
     * state it recovered. The suite closes what is returned.
     */
    protected Storage afterCommit(Storage storage) throws Exception {
        return storage;
    }

    private Storage storage(long outOfOrderWindowMs) throws Exception {
        Storage s = open(outOfOrderWindowMs);
        closeAfterTest(s);
        return s;
    }

    private Storage continued(Storage s) throws Exception {
        return continuedAs(s, afterCommit(s));
    }

    private static void commit(Storage s, Labels l, long t, double v) throws Exception {
        Appender app = s.appender();
        app.append(0, l, t, v);
        app.commit();
    }

    private static Reason reasonOf(Runnable r) {
        try {
            r.run();
        } catch (ValidationException e) {
            return e.reason();
        }
        return null;
    }

    /** Every series named "m" with its samples. */
    private static Map<Labels, List<Sample>> read(Storage s) {
        try (Querier q = s.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
            return collect(q.select(true, Long.MIN_VALUE, Long.MAX_VALUE, LabelMatcher.eq("__name__", "m")));
        }
    }

    /** The samples of one series as "t=v" (floats) or "t=h&lt;count&gt;" (histograms). */
    private static List<String> samples(Storage s, Labels l) {
        List<Sample> got = read(s).get(l);
        return got == null ? List.of() : got.stream()
                .map(x -> x.t() + "=" + (x.h() == null ? Double.toString(x.v()) : "h" + x.h().count)).toList();
    }

    @Test
    void outOfOrderSamplesAreRefusedWithoutAWindow() throws Exception {
        Storage s = storage(0);
        commit(s, A, 2000, 1);
        s = continued(s);
        Appender app = s.appender();
        assertThat(reasonOf(() -> app.append(0, A, 1000, 2))).isEqualTo(Reason.OUT_OF_ORDER_SAMPLE);
        assertThat(reasonOf(() -> app.appendHistogram(0, A, 1500, histogram(1)))).isEqualTo(Reason.OUT_OF_ORDER_SAMPLE);
        app.append(0, A, 5000, 5);
        assertThat(reasonOf(() -> app.append(0, A, 4000, 4))).as("older than a sample pending in the batch")
                .isEqualTo(Reason.OUT_OF_ORDER_SAMPLE);
        app.commit();
        assertThat(samples(s, A)).containsExactly("2000=1.0", "5000=5.0");
    }

    @Test
    void duplicateTimestampsAreIgnoredWithTheSameValueAndRefusedWithAnother() throws Exception {
        Storage s = storage(0);
        Appender first = s.appender();
        first.append(0, A, 1000, 1.5);
        first.appendHistogram(0, H, 1000, histogram(1));
        first.commit();
        s = continued(s);
        Appender app = s.appender();
        app.append(0, A, 1000, 1.5);
        assertThat(reasonOf(() -> app.append(0, A, 1000, 2.5))).isEqualTo(Reason.DUPLICATE_SAMPLE_FOR_TIMESTAMP);
        app.appendHistogram(0, H, 1000, histogram(1));
        assertThat(reasonOf(() -> app.appendHistogram(0, H, 1000, histogram(2))))
                .isEqualTo(Reason.DUPLICATE_SAMPLE_FOR_TIMESTAMP);
        // Values compare by bits: a staleness marker is not the NaN pending at the same time.
        app.append(0, A, 2000, Double.NaN);
        assertThat(reasonOf(() -> app.append(0, A, 2000, Staleness.STALE_NAN))).isEqualTo(Reason.DUPLICATE_SAMPLE_FOR_TIMESTAMP);
        app.append(0, A, 2000, Double.NaN);
        app.commit();
        assertThat(samples(s, A)).containsExactly("1000=1.5", "2000=NaN");
        assertThat(samples(s, H)).containsExactly("1000=h14.0");
    }

    @Test
    void theStartTimestampDoesNotMakeASampleDistinct() throws Exception {
        Storage s = storage(0);
        Appender app = s.appender();
        app.append(0, A, 500, 1000, 1);
        app.commit();
        s = continued(s);
        Appender again = s.appender();
        again.append(0, A, 700, 1000, 1);
        again.commit();
        assertThat(read(s).get(A)).containsExactly(new Sample(1000, 1, null, 500));
    }

    @Test
    void samplesOlderThanTheOutOfOrderWindowAreTooOld() throws Exception {
        Storage s = storage(10_000);
        commit(s, A, 100_000, 100);
        commit(s, A, 120_000, 120);
        s = continued(s);
        Appender app = s.appender();
        app.append(0, A, 115_000, 115);
        app.append(0, A, 111_000, 111);
        assertThat(reasonOf(() -> app.append(0, A, 109_999, 1))).isEqualTo(Reason.TOO_OLD_SAMPLE);
        assertThat(reasonOf(() -> app.appendHistogram(0, A, 100_001, histogram(1)))).isEqualTo(Reason.TOO_OLD_SAMPLE);
        app.append(0, A, 125_000, 125);
        app.commit();
        assertThat(samples(s, A)).containsExactly("100000=100.0", "111000=111.0", "115000=115.0", "120000=120.0", "125000=125.0");
    }

    @Test
    void nothingOfABatchIsVisibleBeforeCommit() throws Exception {
        Storage s = storage(0);
        Appender app = s.appender();
        app.append(0, A, 1000, 1);
        app.append(0, A, 2000, 2);
        app.appendHistogram(0, H, 1000, histogram(1));
        assertThat(read(s)).isEmpty();
        app.commit();
        assertThat(samples(s, A)).containsExactly("1000=1.0", "2000=2.0");
        assertThat(samples(s, H)).containsExactly("1000=h14.0");
    }

    @Test
    void rollbackLeavesNothingBehind() throws Exception {
        Storage s = storage(0);
        commit(s, A, 1000, 1);
        s = continued(s);
        Appender app = s.appender();
        app.append(0, A, 2000, 2);
        app.append(0, B, 2000, 2);
        app.appendHistogram(0, H, 2000, histogram(1));
        app.rollback();
        assertThat(read(s).keySet()).containsExactly(A);
        assertThat(samples(s, A)).containsExactly("1000=1.0");
        // The dropped samples claimed nothing: the same timestamps take other values, earlier ones are in order.
        Appender next = s.appender();
        next.append(0, A, 2000, 3);
        next.append(0, B, 1500, 1);
        next.appendHistogram(0, H, 1500, histogram(3));
        next.commit();
        assertThat(samples(s, A)).containsExactly("1000=1.0", "2000=3.0");
        assertThat(samples(s, B)).containsExactly("1500=1.0");
        assertThat(samples(s, H)).containsExactly("1500=h22.0");
    }

    @Test
    void aRefusedSampleLeavesTheRestOfTheBatch() throws Exception {
        Storage s = storage(0);
        Appender app = s.appender();
        app.append(0, A, 1000, 1);
        assertThat(reasonOf(() -> app.append(0, A, 500, 9))).isEqualTo(Reason.OUT_OF_ORDER_SAMPLE);
        app.append(0, B, 1000, 2);
        app.append(0, A, 2000, 2);
        app.commit();
        assertThat(samples(s, A)).containsExactly("1000=1.0", "2000=2.0");
        assertThat(samples(s, B)).containsExactly("1000=2.0");
    }

    /** Two open batches each check against what was stored when they appended; the later commit finds the conflict. */
    @Test
    void aSampleAnotherBatchCommittedFirstIsRefusedAtCommitAndTheRestStored() throws Exception {
        Storage s = storage(0);
        Appender first = s.appender();
        Appender second = s.appender();
        first.append(0, A, 2000, 1);
        second.append(0, A, 2000, 2);
        second.append(0, B, 2000, 3);
        first.commit();
        assertThatThrownBy(second::commit).isInstanceOfSatisfying(ValidationException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.DUPLICATE_SAMPLE_FOR_TIMESTAMP));
        assertThat(samples(s, A)).containsExactly("2000=1.0");
        assertThat(samples(s, B)).containsExactly("2000=3.0");
        Appender older = s.appender();
        Appender newer = s.appender();
        older.append(0, A, 3000, 3);
        newer.append(0, A, 4000, 4);
        newer.commit();
        assertThatThrownBy(older::commit).isInstanceOfSatisfying(ValidationException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.OUT_OF_ORDER_SAMPLE));
        assertThat(samples(s, A)).containsExactly("2000=1.0", "4000=4.0");
    }

    @Test
    void aRefReturnedByAppendAddressesItsSeriesWithoutLabels() throws Exception {
        Storage s = storage(0);
        Appender app = s.appender();
        long ref = app.append(0, A, 1000, 1);
        assertThat(ref).isNotZero();
        assertThat(app.append(ref, A, 2000, 2)).isEqualTo(ref);
        assertThat(app.append(0, B, 1000, 1)).isNotEqualTo(ref);
        app.commit();
        Appender next = s.appender();
        assertThat(next.append(ref, null, 3000, 3)).isEqualTo(ref);
        assertThatThrownBy(() -> next.append(ref ^ 0x5bd1e995_0000L, null, 3000, 3)).isInstanceOf(IllegalArgumentException.class);
        next.commit();
        assertThat(samples(s, A)).containsExactly("1000=1.0", "2000=2.0", "3000=3.0");
    }

    @Test
    void startTimestampsRoundTrip() throws Exception {
        Storage s = storage(0);
        List<SeriesData> data = startFixture().stream()
                .map(sd -> new SeriesData(sd.labels().toBuilder().set("__name__", "m")
                        .set("kind", sd.labels().get("__name__")).build(), sd.samples()))
                .toList();
        Appender app = s.appender();
        for (SeriesData sd : data) {
            for (Sample x : sd.samples()) {
                if (x.h() == null) {
                    app.append(0, sd.labels(), x.st(), x.t(), x.v());
                } else {
                    app.appendHistogram(0, sd.labels(), x.st(), x.t(), x.h());
                }
            }
        }
        app.commit();
        s = continued(s);
        Map<Labels, List<Sample>> got = read(s);
        assertThat(got).hasSize(data.size());
        for (SeriesData sd : data) {
            assertThat(got.get(sd.labels())).as("%s", sd.labels()).extracting(AppenderConformanceTest::withContent)
                    .containsExactlyElementsOf(sd.samples().stream().map(AppenderConformanceTest::withContent).toList());
        }
    }

    @Test
    void nativeHistogramsWithExponentialAndCustomBucketsRoundTrip() throws Exception {
        Storage s = storage(0);
        Labels exp = Labels.of("__name__", "m", "kind", "exp");
        Labels nhcb = Labels.of("__name__", "m", "kind", "nhcb");
        Appender app = s.appender();
        for (int i = 0; i < 200; i++) {
            app.appendHistogram(0, exp, 10_000L * i, histogram(i));
            app.appendHistogram(0, nhcb, 10_000L * i, customBuckets(i));
        }
        app.commit();
        s = continued(s);
        Map<Labels, List<Sample>> got = read(s);
        for (int i = 0; i < 200; i++) {
            assertThat(content(got.get(exp).get(i).h())).isEqualTo(content(histogram(i)));
            assertThat(content(got.get(nhcb).get(i).h())).isEqualTo(content(customBuckets(i)));
        }
        assertThat(got.get(exp)).hasSize(200);
        assertThat(got.get(nhcb)).hasSize(200);
    }

    private static String withContent(Sample x) {
        Histogram h = x.h();
        return x.t() + "/" + x.st() + " " + (h == null ? Double.toString(x.v()) : content(h));
    }
}
