package dev.sightline.tsdb.exemplar;

import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.metricstore.Exemplar;
import dev.sightline.metricstore.ExemplarSeries;
import dev.sightline.tsdb.exemplar.ExemplarStore.Outcome;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ExemplarStoreTest {
    private static final Labels A = Labels.of("__name__", "req_total", "job", "a");
    private static final Labels B = Labels.of("__name__", "req_total", "job", "b");
    private static final List<List<LabelMatcher>> ALL = List.of(List.of(LabelMatcher.re("__name__", ".+")));

    private static Labels trace(String id) {
        return Labels.of("trace_id", id);
    }

    @Test
    void keepsExemplarsPerSeriesInTimeOrderAndSelectsByMatcherAndRange() {
        ExemplarStore s = new ExemplarStore(10);
        assertThat(s.add(B, trace("b1"), 1, 1000)).isEqualTo(Outcome.ADDED);
        assertThat(s.add(A, trace("a1"), 2, 1000)).isEqualTo(Outcome.ADDED);
        assertThat(s.add(A, trace("a2"), 3, 2000)).isEqualTo(Outcome.ADDED);
        assertThat(s.add(A, trace("a3"), 4, 3000)).isEqualTo(Outcome.ADDED);

        List<ExemplarSeries> all = s.select(Long.MIN_VALUE, Long.MAX_VALUE, ALL);
        assertThat(all).extracting(ExemplarSeries::seriesLabels).containsExactly(A, B);
        assertThat(all.get(0).exemplars()).extracting(Exemplar::timestampMs).containsExactly(1000L, 2000L, 3000L);

        List<ExemplarSeries> ranged = s.select(1500, 3000, List.of(List.of(LabelMatcher.eq("job", "a"))));
        assertThat(ranged).hasSize(1);
        assertThat(ranged.get(0).exemplars()).containsExactly(new Exemplar(trace("a2"), 3, 2000), new Exemplar(trace("a3"), 4, 3000));
        // A series with nothing in range is left out.
        assertThat(s.select(1500, 3000, List.of(List.of(LabelMatcher.eq("job", "b"))))).isEmpty();
        // Matcher sets are ORed, matchers within a set ANDed.
        assertThat(s.select(0, 5000, List.of(List.of(LabelMatcher.eq("job", "a"), LabelMatcher.eq("job", "b"))))).isEmpty();
        assertThat(s.select(0, 5000, List.of(List.of(LabelMatcher.eq("job", "a")), List.of(LabelMatcher.eq("job", "b"))))).hasSize(2);
    }

    @Test
    void duplicatesAreDroppedAndOlderExemplarsRefused() {
        ExemplarStore s = new ExemplarStore(10);
        s.add(A, trace("x"), 1, 1000);
        assertThat(s.add(A, trace("x"), 1, 1000)).isEqualTo(Outcome.DUPLICATE);
        assertThat(s.add(A, trace("y"), 1, 1000)).isEqualTo(Outcome.OUT_OF_ORDER);
        assertThat(s.add(A, trace("y"), 1, 999)).isEqualTo(Outcome.OUT_OF_ORDER);
        assertThat(s.add(A, trace("x"), Double.NaN, 2000)).isEqualTo(Outcome.ADDED);
        assertThat(s.add(A, trace("x"), Double.NaN, 2000)).isEqualTo(Outcome.DUPLICATE);
        assertThat(s.select(0, 5000, ALL).get(0).exemplars()).hasSize(2);
    }

    @Test
    void labelsAreLimitedTo128CharactersCountedAsCodePoints() {
        ExemplarStore s = new ExemplarStore(10);
        // "trace_id" is 8 characters: 8 + 120 = 128 is allowed, 129 is not.
        assertThat(s.add(A, trace("a".repeat(120)), 1, 1)).isEqualTo(Outcome.ADDED);
        assertThat(s.add(A, trace("a".repeat(121)), 1, 2)).isEqualTo(Outcome.LABELS_TOO_LONG);
        // 120 two-byte characters are 120 characters, not 240.
        assertThat(s.add(A, trace("é".repeat(120)), 1, 3)).isEqualTo(Outcome.ADDED);
        // Characters outside the BMP count once, not as two UTF-16 units.
        assertThat(s.add(B, trace("😀".repeat(120)), 1, 3)).isEqualTo(Outcome.ADDED);
    }

    @Test
    void theBufferOverwritesTheOldestExemplarAndForgetsSeriesWithNoneLeft() {
        ExemplarStore s = new ExemplarStore(3);
        s.add(B, trace("b1"), 1, 100);
        s.add(A, trace("a1"), 1, 200);
        s.add(A, trace("a2"), 1, 300);
        s.add(A, trace("a3"), 1, 400); // overwrites b1: B has none left
        assertThat(s.select(0, 1000, ALL)).extracting(ExemplarSeries::seriesLabels).containsExactly(A);
        s.add(B, trace("b2"), 1, 500); // overwrites a1
        List<ExemplarSeries> all = s.select(0, 1000, ALL);
        assertThat(all.get(0).exemplars()).extracting(Exemplar::timestampMs).containsExactly(300L, 400L);
        assertThat(all.get(1).exemplars()).extracting(Exemplar::timestampMs).containsExactly(500L);
    }

    @Test
    void aSeriesWhoseOnlyExemplarIsOverwrittenByItsOwnNextOneKeepsIt() {
        ExemplarStore s = new ExemplarStore(1);
        s.add(A, trace("a1"), 1, 100);
        assertThat(s.add(A, trace("a2"), 2, 200)).isEqualTo(Outcome.ADDED);
        assertThat(s.select(0, 1000, ALL).get(0).exemplars()).containsExactly(new Exemplar(trace("a2"), 2, 200));
        assertThat(s.add(A, trace("a3"), 3, 150)).isEqualTo(Outcome.OUT_OF_ORDER);
    }

    @Test
    void zeroCapacityDisablesTheStore() {
        ExemplarStore s = new ExemplarStore(0);
        assertThat(s.add(A, trace("a"), 1, 1)).isEqualTo(Outcome.DISABLED);
        ExemplarStore.Batch b = s.appender();
        b.add(A, trace("a"), 1, 1);
        assertThat(b.commit()).isZero();
        assertThat(s.select(Long.MIN_VALUE, Long.MAX_VALUE, ALL)).isEmpty();
    }

    @Test
    void aBatchIsStoredOnlyWhenCommitted() {
        ExemplarStore s = new ExemplarStore(10);
        ExemplarStore.Batch b = s.appender();
        b.add(A, trace("a1"), 1, 100);
        b.add(A, trace("a1"), 1, 100); // duplicate within the batch
        b.add(B, trace("b1"), 1, 100);
        assertThat(s.select(0, 1000, ALL)).isEmpty();
        assertThat(b.commit()).isEqualTo(2);
        assertThat(s.select(0, 1000, ALL)).hasSize(2);
        ExemplarStore.Batch dropped = s.appender();
        dropped.add(A, trace("a2"), 1, 200);
        dropped.rollback();
        assertThat(dropped.commit()).isZero();
        assertThat(s.select(0, 1000, ALL).get(0).exemplars()).hasSize(1);
    }

    @Test
    void metricsCountWhatTheStoreHolds() {
        ExemplarStore s = new ExemplarStore(2);
        PrometheusRegistry reg = new PrometheusRegistry();
        s.registerMetrics(reg);
        s.add(A, trace("a1"), 1, 100);
        s.add(A, trace("a1"), 1, 50);
        s.add(B, trace("b1"), 1, 100);
        s.add(B, trace("b2"), 1, 200);
        String text = reg.scrape().stream().map(m -> m.getMetadata().getName() + "=" + m.getDataPoints().get(0)).toList().toString();
        assertThat(text).contains("sightline_tsdb_exemplar_exemplars_appended").contains("sightline_tsdb_exemplar_max_exemplars");
    }

    /** Random adds against a model: the store holds the newest {@code max} accepted exemplars, per series in order. */
    @Property(tries = 200)
    void matchesAModelOfTheNewestAcceptedExemplars(@ForAll @IntRange(min = 1, max = 8) int max,
                                                   @ForAll @Size(max = 60) List<@IntRange(min = 0, max = 2) Integer> seriesPicks,
                                                   @ForAll @Size(max = 60) List<@IntRange(min = 0, max = 20) Integer> times) {
        Labels[] series = {A, B, Labels.of("__name__", "other")};
        ExemplarStore s = new ExemplarStore(max);
        List<Object[]> accepted = new ArrayList<>();
        for (int i = 0; i < Math.min(seriesPicks.size(), times.size()); i++) {
            Labels l = series[seriesPicks.get(i)];
            long t = times.get(i);
            // The model: a series' newest is its newest exemplar still held.
            Long last = newestHeld(accepted, max, l);
            // Labels and value follow from the timestamp, so an equal timestamp is an identical exemplar.
            Outcome expected = last == null || t > last ? Outcome.ADDED : t == last ? Outcome.DUPLICATE : Outcome.OUT_OF_ORDER;
            Outcome got = s.add(l, trace("t" + t), t, t);
            assertThat(got).isEqualTo(expected);
            if (got == Outcome.ADDED) {
                accepted.add(new Object[]{l, t});
            }
        }
        List<Object[]> held = accepted.subList(Math.max(0, accepted.size() - max), accepted.size());
        Map<Labels, List<Long>> want = new java.util.TreeMap<>();
        for (Object[] e : held) {
            want.computeIfAbsent((Labels) e[0], k -> new ArrayList<>()).add((Long) e[1]);
        }
        Map<Labels, List<Long>> got = new java.util.TreeMap<>();
        for (ExemplarSeries es : s.select(Long.MIN_VALUE, Long.MAX_VALUE, List.of(List.of()))) {
            got.put(es.seriesLabels(), es.exemplars().stream().map(Exemplar::timestampMs).toList());
        }
        assertThat(got).isEqualTo(want);
    }

    private static Long newestHeld(List<Object[]> accepted, int max, Labels l) {
        for (int i = accepted.size() - 1; i >= Math.max(0, accepted.size() - max); i--) {
            if (accepted.get(i)[0].equals(l)) {
                return (Long) accepted.get(i)[1];
            }
        }
        return null;
    }
}
