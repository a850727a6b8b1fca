package dev.sightline.synthetics.journey;

import dev.sightline.core.Histogram;
import dev.sightline.core.Labels;
import dev.sightline.metricstore.Appender;
import dev.sightline.synthetics.http.Timings;
import dev.sightline.synthetics.journey.JourneyRun.Status;
import dev.sightline.synthetics.journey.JourneyRun.StepResult;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

class JourneyMetricsTest {
    /** Keeps committed samples as "labels" -> value. */
    static final class RecordingAppender implements Appender {
        final Map<String, Double> committed = new TreeMap<>();
        private final Map<String, Double> pending = new TreeMap<>();

        @Override
        public long append(long ref, Labels labels, long startTimestampMs, long timestampMs, double value) {
            pending.put(labels.toString(), value);
            return 1;
        }

        @Override
        public long appendHistogram(long ref, Labels labels, long startTimestampMs, long timestampMs, Histogram h) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void commit() {
            committed.putAll(pending);
            pending.clear();
        }

        @Override
        public void rollback() {
            pending.clear();
        }
    }

    @Test
    void aFailedRunWritesPhasesSuccessAndTheStreak() throws Exception {
        Timings t = new Timings();
        t.dns = 1_000_000;
        t.connect = 2_000_000;
        t.firstByte = 30_000_000;
        t.download = 4_000_000;
        t.total = 37_000_000;
        JourneyRun run = new JourneyRun("shop", 0, 1000, Status.FAILED, List.of(
                new StepResult("login", false, Status.PASSED, 1, "POST", "http://h/login", t, 200, null, null, "{}", 0, 100),
                new StepResult("search", false, Status.FAILED, 1, "GET", "http://h/search", null, -1, "request failed", null, null, 100, 200),
                new StepResult("checkout", false, Status.SKIPPED, 0, "GET", "http://h/checkout", null, -1, null, null, null, 200, 200)));
        RecordingAppender app = new RecordingAppender();
        JourneyMetrics.write(run, 2, 3, app);

        assertThat(app.committed).containsEntry("sightline_journey_success{journey=\"shop\"}", 0.0)
                .containsEntry("sightline_journey_consecutive_failures{journey=\"shop\"}", 2.0)
                .containsEntry("sightline_journey_alert_after{journey=\"shop\"}", 3.0)
                .containsEntry("sightline_journey_step_success{journey=\"shop\", step=\"login\"}", 1.0)
                .containsEntry("sightline_journey_step_success{journey=\"shop\", step=\"search\"}", 0.0)
                .containsEntry("sightline_journey_duration_seconds{journey=\"shop\", phase=\"first_byte\", step=\"login\"}", 0.03)
                .containsEntry("sightline_journey_duration_seconds{journey=\"shop\", phase=\"total\", step=\"login\"}", 0.037);
        assertThat(app.committed.keySet()).as("tls not measured over http, skipped steps not written")
                .noneMatch(k -> k.contains("phase=\"tls\""))
                .noneMatch(k -> k.contains("checkout"));
    }
}
