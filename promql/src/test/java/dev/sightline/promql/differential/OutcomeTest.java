package dev.sightline.promql.differential;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** The comparison itself: it must notice every kind of difference the differential test relies on. */
class OutcomeTest {
    private static Outcome.Row row(String job, long[] t, double... v) {
        return new Outcome.Row(new TreeMap<>(Map.of("job", job)), t, v);
    }

    private static Outcome vector(Outcome.Row... rows) {
        return new Outcome("vector", List.of(rows), null);
    }

    @Test
    void tolerancesAreRelativeOrAbsoluteNearZero() {
        assertThat(Outcome.close(1e6, 1e6 + 0.5)).isTrue();
        assertThat(Outcome.close(1e6, 1e6 + 2)).isFalse();
        assertThat(Outcome.close(0, 5e-10)).isTrue();
        assertThat(Outcome.close(0, 1e-8)).isFalse();
        assertThat(Outcome.close(Double.NaN, Double.NaN)).isTrue();
        assertThat(Outcome.close(Double.NaN, 0)).isFalse();
        assertThat(Outcome.close(Double.POSITIVE_INFINITY, Double.MAX_VALUE)).isFalse();
        assertThat(Outcome.close(Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY)).isTrue();
    }

    @Test
    void orderDiffComparesLabelSetsInOrderEvenForEqualValues() {
        long[] t = {1000};
        Outcome a = vector(row("a", t, 1), row("b", t, 1));
        assertThat(Outcome.orderDiff(a, vector(row("a", t, 1), row("b", t, 1)))).isNull();
        assertThat(Outcome.orderDiff(a, vector(row("b", t, 1), row("a", t, 1))))
                .contains("order differs at position 0").contains("{job=a}");
    }

    @Test
    void setsCompareOrderInsensitively() {
        long[] t = {1000};
        Outcome a = vector(row("a", t, 1), row("b", t, 2));
        Outcome b = vector(row("b", t, 2), row("a", t, 1));
        assertThat(Outcome.diff(a, b, false)).isNull();
        assertThat(Outcome.diff(a, b, true)).contains("order differs");
    }

    @Test
    void reportsMissingExtraAndDifferentPoints() {
        long[] t = {1000, 2000};
        Outcome peer = new Outcome("matrix", List.of(row("a", t, 1, 2), row("b", t, 1, 2)), null);
        assertThat(Outcome.diff(peer, new Outcome("matrix", List.of(row("a", t, 1, 2)), null), false)).contains("missing in Sightline");
        assertThat(Outcome.diff(peer, new Outcome("matrix", List.of(row("a", t, 1, 2), row("b", t, 1, 2), row("c", t, 1, 2)), null), false))
                .contains("only in Sightline");
        assertThat(Outcome.diff(peer, new Outcome("matrix", List.of(row("a", t, 1, 2), row("b", t, 1, 2.1)), null), false))
                .contains("at t=2000");
        assertThat(Outcome.diff(peer, new Outcome("matrix", List.of(row("a", t, 1, 2), row("b", new long[]{1000}, 1)), null), false))
                .contains("2 points in Prometheus, 1 in Sightline");
        assertThat(Outcome.diff(peer, vector(row("a", t, 1, 2)), false)).contains("result type");
    }

    @Test
    void errorsMatchOnlyErrors() {
        Outcome err = Outcome.error("bad_data: boom");
        assertThat(Outcome.diff(err, Outcome.error("other text"), false)).isNull();
        assertThat(Outcome.diff(err, vector(), false)).contains("Prometheus failed");
        assertThat(Outcome.diff(vector(), err, false)).contains("Sightline failed");
    }

    @Test
    void readsPrometheusJson() {
        Object body = MinimalJsonReader.parse("{\"resultType\":\"matrix\",\"result\":[{\"metric\":{\"job\":\"a\\\"b\"},"
                + "\"values\":[[1699999207.25,\"NaN\"],[1699999222.25,\"+Inf\"],[1699999237.25,\"-1.5e-3\"]]}]}");
        @SuppressWarnings("unchecked")
        Outcome o = Outcome.fromPrometheus((Map<String, Object>) body);
        assertThat(o.rows()).hasSize(1);
        assertThat(o.rows().get(0).labels()).containsEntry("job", "a\"b");
        assertThat(o.rows().get(0).t()).containsExactly(1699999207250L, 1699999222250L, 1699999237250L);
        assertThat(o.rows().get(0).v()[0]).isNaN();
        assertThat(o.rows().get(0).v()[1]).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(o.rows().get(0).v()[2]).isEqualTo(-1.5e-3);
    }
}
