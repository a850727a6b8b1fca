package dev.sightline.metricstore.conformance;

import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.metricstore.Appender;
import dev.sightline.metricstore.Deletable;
import dev.sightline.metricstore.Querier;
import dev.sightline.metricstore.SampleIterator;
import dev.sightline.metricstore.SeriesSet;
import dev.sightline.metricstore.Storage;
import dev.sightline.metricstore.ValueType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every storage that deletes ({@link Deletable}) must do the same way, as Prometheus's delete_series and
 * clean_tombstones do: deleted samples leave every later read, series left without a sample leave select and the label
 * lookups, other series and other times are untouched, cleaning changes no answer, and bad requests are refused.
 */
public abstract class DeleteConformanceTest extends ConformanceSuite {
    static final Labels A = Labels.of("__name__", "m", "job", "a", "s", "1");
    static final Labels A2 = Labels.of("__name__", "m", "job", "a", "s", "2");
    static final Labels B = Labels.of("__name__", "m", "job", "b", "s", "3");
    static final LabelMatcher M = LabelMatcher.eq("__name__", "m");

    /** A new, empty storage that is {@link Deletable}. */
    protected abstract Storage open() throws Exception;

    /**
     * The storage to go on with after the data and the deletes are in: this suite goes on with the same one; a
     * persistent storage's suite may restart it, so the deletes are checked as it recovered them. The suite closes
     * what is returned.
     */
    protected Storage afterDelete(Storage storage) throws Exception {
        return storage;
    }

    /** A, A2 and B with a sample every 10 ms in [0, 1000); value = time. */
    private Storage filled() throws Exception {
        Storage s = open();
        closeAfterTest(s);
        assertThat(s).isInstanceOf(Deletable.class);
        Appender app = s.appender();
        for (Labels l : List.of(A, A2, B)) {
            for (long t = 0; t < 1000; t += 10) {
                app.append(0, l, t, t);
            }
        }
        app.commit();
        return s;
    }

    private Storage continued(Storage s) throws Exception {
        return continuedAs(s, afterDelete(s));
    }

    private static Deletable deletable(Storage s) {
        return (Deletable) s;
    }

    /** Timestamps by series "s" label, over [mint, maxt]. */
    private static Map<String, List<Long>> read(Storage s, long mint, long maxt) {
        Map<String, List<Long>> out = new TreeMap<>();
        try (Querier q = s.querier(mint, maxt)) {
            SeriesSet ss = q.select(true, mint, maxt, M);
            SampleIterator it = null;
            while (ss.next()) {
                it = ss.at().iterator(it);
                List<Long> ts = new ArrayList<>();
                while (it.next() != ValueType.NONE) {
                    assertThat(it.value()).isEqualTo((double) it.timestamp());
                    ts.add(it.timestamp());
                }
                out.put(ss.at().labels().get("s"), ts);
            }
        }
        return out;
    }

    private static List<Long> times(long from, long to) {
        List<Long> ts = new ArrayList<>();
        for (long t = from; t < to; t += 10) {
            ts.add(t);
        }
        return ts;
    }

    @Test
    void deletedIntervalsLeaveReadsAndOtherSeriesAndTimesStay() throws Exception {
        Storage s = filled();
        deletable(s).deleteSeries(200, 499, LabelMatcher.eq("job", "a"));
        deletable(s).deleteSeries(700, 700, LabelMatcher.eq("s", "1"));
        deletable(s).deleteSeries(5000, 6000, M);
        s = continued(s);
        List<Long> a2 = new ArrayList<>(times(0, 200));
        a2.addAll(times(500, 1000));
        List<Long> a = new ArrayList<>(a2);
        a.remove(Long.valueOf(700));
        assertThat(read(s, Long.MIN_VALUE, Long.MAX_VALUE)).containsOnlyKeys("1", "2", "3")
                .containsEntry("1", a).containsEntry("2", a2).containsEntry("3", times(0, 1000));
        // Seeking into a deleted stretch lands after it.
        try (Querier q = s.querier(0, 1000)) {
            SeriesSet ss = q.select(false, 0, 1000, LabelMatcher.eq("s", "2"));
            assertThat(ss.next()).isTrue();
            SampleIterator it = ss.at().iterator(null);
            assertThat(it.seek(250)).isEqualTo(ValueType.FLOAT);
            assertThat(it.timestamp()).isEqualTo(500);
        }
    }

    @Test
    void seriesWithoutASampleLeftLeaveSelectAndLabelLookups() throws Exception {
        Storage s = filled();
        deletable(s).deleteSeries(Long.MIN_VALUE, Long.MAX_VALUE, LabelMatcher.eq("job", "a"));
        deletable(s).deleteSeries(0, 490, LabelMatcher.eq("s", "3"));
        s = continued(s);
        assertThat(read(s, Long.MIN_VALUE, Long.MAX_VALUE)).containsOnlyKeys("3");
        // Within a querier's range: B has nothing left before 500, so a querier over [0, 490] returns none of it.
        assertThat(read(s, 0, 490).values()).allMatch(List::isEmpty);
        try (Querier q = s.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
            assertThat(q.labelValues("job")).containsExactly("b");
            assertThat(q.labelValues("s", M)).containsExactly("3");
            assertThat(q.labelValues("s", LabelMatcher.eq("job", "a"))).isEmpty();
            assertThat(q.labelNames(LabelMatcher.eq("job", "a"))).isEmpty();
            assertThat(q.labelNames()).containsExactly("__name__", "job", "s");
        }
    }

    @Test
    void cleaningTombstonesChangesNoAnswer() throws Exception {
        Storage s = filled();
        deletable(s).deleteSeries(100, 899, LabelMatcher.eq("s", "1"));
        deletable(s).deleteSeries(Long.MIN_VALUE, Long.MAX_VALUE, LabelMatcher.eq("s", "2"));
        Map<String, List<Long>> before = read(s, Long.MIN_VALUE, Long.MAX_VALUE);
        deletable(s).cleanTombstones();
        s = continued(s);
        assertThat(read(s, Long.MIN_VALUE, Long.MAX_VALUE)).isEqualTo(before).containsOnlyKeys("1", "3");
    }

    @Test
    void refusesSelectorsThatSelectEverythingAndReversedRanges() throws Exception {
        Storage s = filled();
        assertThatThrownBy(() -> deletable(s).deleteSeries(0, 10, LabelMatcher.re("job", ".*")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> deletable(s).deleteSeries(0, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> deletable(s).deleteSeries(10, 0, M)).isInstanceOf(IllegalArgumentException.class);
        assertThat(read(s, Long.MIN_VALUE, Long.MAX_VALUE).get("1")).isEqualTo(times(0, 1000));
    }
}
