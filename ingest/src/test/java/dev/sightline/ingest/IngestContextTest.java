package dev.sightline.ingest;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IngestContextTest {
    @Test
    void metadataGoesToItsReceiverAndTheCacheIsPassedAsGiven() {
        List<String> got = new ArrayList<>();
        SeriesRefCache refs = new SeriesRefCache(16);
        IngestContext c = new IngestContext(refs, (f, t, h, u) -> got.add(f + "|" + t + "|" + h + "|" + u));
        c.metadata("m", MetricType.COUNTER, "help", "s");
        assertThat(got).containsExactly("m|COUNTER|help|s");
        assertThat(c.seriesRefs()).isSameAs(refs);
    }

    @Test
    void noneHasNoCacheAndDropsMetadata() {
        assertThat(IngestContext.NONE.seriesRefs()).isNull();
        IngestContext.NONE.metadata("m", MetricType.GAUGE, "", "");
    }

    @Test
    void metadataReceiverIsRequired() {
        assertThatThrownBy(() -> new IngestContext(null, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("metadata");
    }
}
