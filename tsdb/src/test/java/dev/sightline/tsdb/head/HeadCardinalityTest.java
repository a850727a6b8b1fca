package dev.sightline.tsdb.head;

import dev.sightline.core.Labels;
import dev.sightline.metricstore.Appender;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HeadCardinalityTest {
    @Test
    void countsSeriesPairsAndTopListsLargestFirst() throws Exception {
        Head head = HeadTest.head(0);
        Appender app = head.appender();
        for (int i = 0; i < 3; i++) {
            app.append(0, Labels.of("__name__", "http_requests_total", "code", "200", "pod", "p" + i), 1_000 + i, 1);
        }
        app.append(0, Labels.of("__name__", "http_requests_total", "code", "500", "pod", "p0"), 2_000, 1);
        app.append(0, Labels.of("__name__", "up", "pod", "p0"), 5_000, 1);
        app.commit();

        HeadCardinality c = head.cardinality(10);
        assertThat(c.numSeries()).isEqualTo(5);
        // __name__ x2, code x2, pod x3.
        assertThat(c.numLabelPairs()).isEqualTo(7);
        assertThat(c.minTimeMs()).isEqualTo(1_000);
        assertThat(c.maxTimeMs()).isEqualTo(5_000);
        assertThat(c.chunkCount()).isEqualTo(5);
        assertThat(c.seriesCountByMetricName()).containsExactly(
                new HeadCardinality.Count("http_requests_total", 4), new HeadCardinality.Count("up", 1));
        assertThat(c.labelValueCountByLabelName()).containsExactly(new HeadCardinality.Count("pod", 3),
                new HeadCardinality.Count("__name__", 2), new HeadCardinality.Count("code", 2));
        // Bytes of values x series: __name__ 19*4 + 2*1, pod 2*5, code 3*4.
        assertThat(c.memoryInBytesByLabelName()).containsExactly(new HeadCardinality.Count("__name__", 78),
                new HeadCardinality.Count("code", 12), new HeadCardinality.Count("pod", 10));
        assertThat(c.seriesCountByLabelValuePair().getFirst()).isEqualTo(new HeadCardinality.Count("__name__=http_requests_total", 4));
        assertThat(c.seriesCountByLabelValuePair().get(1)).isEqualTo(new HeadCardinality.Count("code=200", 3));
        assertThat(c.seriesCountByLabelValuePair().get(2)).isEqualTo(new HeadCardinality.Count("pod=p0", 3));

        // The limit keeps the largest.
        HeadCardinality top1 = head.cardinality(1);
        assertThat(top1.seriesCountByMetricName()).containsExactly(new HeadCardinality.Count("http_requests_total", 4));
        assertThat(top1.seriesCountByLabelValuePair()).containsExactly(new HeadCardinality.Count("__name__=http_requests_total", 4));
        assertThatThrownBy(() -> head.cardinality(0)).isInstanceOf(IllegalArgumentException.class).hasMessage("limit: must be at least 1, got 0");
    }

    @Test
    void anEmptyHeadHasNoTimeRange() {
        HeadCardinality c = HeadTest.head(0).cardinality(10);
        assertThat(c.numSeries()).isZero();
        assertThat(c.minTimeMs()).isZero();
        assertThat(c.maxTimeMs()).isZero();
        assertThat(c.seriesCountByMetricName()).isEmpty();
    }

    @Test
    void scopedToALabelPairCountsOnlyItsSeriesAndHidesThePair() throws Exception {
        Head head = HeadTest.head(0);
        Appender app = head.appender();
        app.append(0, Labels.of("__name__", "up", "__tenant__", "a", "pod", "p0"), 1_000, 1);
        app.append(0, Labels.of("__name__", "up", "__tenant__", "a", "pod", "p1"), 2_000, 1);
        app.append(0, Labels.of("__name__", "up", "__tenant__", "b", "pod", "p9"), 500, 1);
        app.append(0, Labels.of("__name__", "b_only", "__tenant__", "b"), 9_000, 1);
        app.append(0, Labels.of("__name__", "untenanted"), 9_500, 1);
        app.commit();

        HeadCardinality a = head.cardinality(10, "__tenant__", "a");
        assertThat(a.numSeries()).isEqualTo(2);
        // __name__=up, pod=p0, pod=p1: the scoping pair is not one of them.
        assertThat(a.numLabelPairs()).isEqualTo(3);
        assertThat(a.chunkCount()).isEqualTo(2);
        assertThat(a.minTimeMs()).isEqualTo(1_000);
        assertThat(a.maxTimeMs()).isEqualTo(2_000);
        assertThat(a.seriesCountByMetricName()).containsExactly(new HeadCardinality.Count("up", 2));
        assertThat(a.labelValueCountByLabelName()).containsExactly(new HeadCardinality.Count("pod", 2),
                new HeadCardinality.Count("__name__", 1));
        assertThat(a.memoryInBytesByLabelName()).containsExactly(new HeadCardinality.Count("__name__", 4),
                new HeadCardinality.Count("pod", 4));
        assertThat(a.seriesCountByLabelValuePair()).containsExactly(new HeadCardinality.Count("__name__=up", 2),
                new HeadCardinality.Count("pod=p0", 1), new HeadCardinality.Count("pod=p1", 1));

        HeadCardinality none = head.cardinality(10, "__tenant__", "c");
        assertThat(none.numSeries()).isZero();
        assertThat(none.minTimeMs()).isZero();
        assertThat(none.seriesCountByLabelValuePair()).isEmpty();
        assertThatThrownBy(() -> head.cardinality(0, "__tenant__", "a")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("limit: must be at least 1, got 0");
    }
}
