package dev.sightline.server.ingest;

import dev.sightline.core.Histogram;
import dev.sightline.core.Labels;
import dev.sightline.metricstore.Appender;
import dev.sightline.server.metadata.MetadataStore;
import dev.sightline.tsdb.exemplar.ExemplarStore;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class IngestBatchTest {
    /** Records what reaches storage's appender. */
    private static final class RecordingAppender implements Appender {
        final List<String> exemplars = new ArrayList<>();
        /** "name st t" of each sample. */
        final List<String> samples = new ArrayList<>();

        @Override
        public long append(long ref, Labels labels, long startTimestampMs, long timestampMs, double value) {
            samples.add(labels.metricName() + " " + startTimestampMs + " " + timestampMs);
            return 1;
        }

        @Override
        public long appendHistogram(long ref, Labels labels, long startTimestampMs, long timestampMs, Histogram histogram) {
            samples.add(labels.metricName() + " " + startTimestampMs + " " + timestampMs);
            return 1;
        }

        @Override
        public boolean appendExemplar(long ref, Labels series, Labels exemplarLabels, long timestampMs, double value) {
            exemplars.add(series + " " + exemplarLabels + " " + value + " @" + timestampMs);
            return true;
        }

        @Override
        public void commit() {
        }

        @Override
        public void rollback() {
        }
    }

    private static RecordingAppender ingest(int maxExemplars) throws Exception {
        IngestGuards guards = new IngestGuards(new PrometheusRegistry(), 0, new MetadataStore(),
                new ExemplarStore(maxExemplars));
        RecordingAppender app = new RecordingAppender();
        IngestBatch batch = guards.begin(app, "test");
        Labels series = Labels.of("__name__", "req_total");
        long ref = batch.append(0, series, 1000, 1);
        batch.appendExemplar(ref, series, Labels.of("trace_id", "abc"), 1000, 1);
        batch.commit();
        return app;
    }

    @Test
    void startTimestampsReachTheAppender() throws Exception {
        RecordingAppender app = new RecordingAppender();
        IngestBatch batch = IngestGuards.none().begin(app, "test");
        batch.append(0, Labels.of("__name__", "c_total"), 500, 1000, 1);
        batch.appendHistogram(0, Labels.of("__name__", "h"), 700, 2000, new Histogram(Histogram.CounterResetHint.UNKNOWN,
                0, 0, 0, 0, 0, new int[0], new int[0], new double[0], new int[0], new int[0], new double[0], new double[0]));
        batch.append(0, Labels.of("__name__", "g"), 3000, 2);
        batch.commit();
        assertThat(app.samples).containsExactly("c_total 500 1000", "h 700 2000", "g 0 3000");
    }

    @Test
    void exemplarsAreLoggedThroughTheAppenderUnlessTheStoreIsDisabled() throws Exception {
        assertThat(ingest(10).exemplars).containsExactly("req_total{} {trace_id=\"abc\"} 1.0 @1000");
        assertThat(ingest(0).exemplars).as("max_exemplars: 0 keeps none, so none is written to the WAL").isEmpty();
    }
}
