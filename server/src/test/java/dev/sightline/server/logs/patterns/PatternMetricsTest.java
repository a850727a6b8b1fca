package dev.sightline.server.logs.patterns;

import dev.sightline.core.Labels;
import dev.sightline.core.ValidationException;
import dev.sightline.core.Histogram;
import dev.sightline.logs.LogEntry;
import dev.sightline.logs.patterns.PatternMiner;
import dev.sightline.metricstore.Appender;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PatternMetricsTest {
    private static final long SECOND = 1_000_000_000L;

    /** Records what a collection appends; refuses series of one pattern id to check refusals are counted. */
    private static final class Recording implements Appender {
        final List<String> samples = new ArrayList<>();
        int commits;
        String refuse = "";

        @Override
        public long append(long ref, Labels labels, long startTimestampMs, long timestampMs, double value) {
            if (refuse.equals(labels.get("pattern_id"))) {
                throw new ValidationException(ValidationException.Reason.SERIES_LIMIT_EXCEEDED, "__name__", "refused for the test");
            }
            samples.add(labels + " " + timestampMs + " " + (long) value);
            return 1;
        }

        @Override
        public long appendHistogram(long ref, Labels labels, long startTimestampMs, long timestampMs, Histogram histogram) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void commit() {
            commits++;
        }

        @Override
        public void rollback() {
        }
    }

    @Test
    void writesNewPatternCountsAndLinesPerPattern() throws Exception {
        PatternMiner.Options d = PatternMiner.Options.DEFAULTS;
        PatternMiner miner = new PatternMiner(new PatternMiner.Options(d.bucket(), d.window(), d.maxPatternsPerService(),
                d.maxTokensPerLine(), d.maxServices(), d.maxStreamsPerService(), d.similarity(), Duration.ZERO));
        Labels stream = Labels.of("service_name", "pay");
        for (int i = 0; i < 3; i++) {
            miner.observe(new LogEntry(i * SECOND, stream, Labels.EMPTY, "level=error msg=\"charge failed\" order=" + i));
        }
        miner.observe(new LogEntry(0, stream, Labels.EMPTY, "level=info msg=\"charge ok\" order=9"));
        String id = miner.query(List.of(), 0, 10 * SECOND, SECOND).get(0).id();
        long[] now = {5000};
        PatternMetrics metrics = new PatternMetrics(miner, Duration.ofSeconds(15), () -> now[0]);
        Recording a = new Recording();
        metrics.collect(a);
        assertThat(a.commits).isEqualTo(1);
        assertThat(a.samples).contains(
                "sightline_log_new_patterns_total{level=\"error\", service=\"pay\"} 5000 1",
                "sightline_log_new_patterns_total{level=\"info\", service=\"pay\"} 5000 1",
                "sightline_log_pattern_lines_total{level=\"error\", pattern_id=\"" + id + "\", service=\"pay\"} 5000 3");
        // Seven levels of new-pattern counts (0 where none) and one series per pattern.
        assertThat(a.samples).hasSize(9).contains("sightline_log_new_patterns_total{level=\"warn\", service=\"pay\"} 5000 0");
        // A second collection at the same clock time writes 1 ms later, so no sample is a duplicate; a refused sample is counted.
        a.samples.clear();
        a.refuse = id;
        metrics.collect(a);
        assertThat(a.samples).hasSize(8).allMatch(s -> s.contains(" 5001 "));
        assertThat(metrics.samplesRefused()).isEqualTo(1);
        assertThat(org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new PatternMetrics(miner, Duration.ZERO, () -> 0)).getMessage()).contains("interval");
    }
}
