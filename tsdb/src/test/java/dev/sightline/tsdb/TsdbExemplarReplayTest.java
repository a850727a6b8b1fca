package dev.sightline.tsdb;

import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.metricstore.Appender;
import dev.sightline.metricstore.Exemplar;
import dev.sightline.metricstore.ExemplarSeries;
import dev.sightline.tsdb.exemplar.ExemplarStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Exemplars logged with their samples come back into the exemplar store when the database is reopened. */
class TsdbExemplarReplayTest {
    @TempDir
    Path dir;

    private static final Labels A = Labels.of("__name__", "req_total", "job", "a");
    private static final Labels B = Labels.of("__name__", "req_total", "job", "b");
    private static final List<List<LabelMatcher>> ALL =
            List.of(List.of(LabelMatcher.eq("__name__", "req_total")));

    private static TsdbOptions options() {
        return TsdbOptions.defaults().withFsyncPolicy(dev.sightline.tsdb.wal.FsyncPolicy.NEVER);
    }

    private static Labels trace(int i) {
        return Labels.of("trace_id", "t" + i);
    }

    @Test
    void exemplarsComeBackAfterCloseAndReopen() throws IOException {
        try (Tsdb db = Tsdb.open(dir, options())) {
            for (int i = 0; i < 10; i++) {
                Appender app = db.appender();
                long ref = app.append(0, A, 1000L * i, i);
                assertThat(app.appendExemplar(ref, A, trace(i), 1000L * i, i + 0.5)).isTrue();
                // By labels, without a ref, as a receiver does for a series it has no ref for yet.
                app.append(0, B, 1000L * i, i);
                assertThat(app.appendExemplar(0, B, trace(100 + i), 1000L * i, -i)).isTrue();
                app.commit();
            }
            Appender unknown = db.appender();
            assertThat(unknown.appendExemplar(0, Labels.of("__name__", "never_appended"), trace(0), 1, 1))
                    .as("an exemplar of a series the head does not know is dropped").isFalse();
            unknown.commit();
            Appender rolledBack = db.appender();
            long ref = rolledBack.append(0, A, 20_000, 1);
            rolledBack.appendExemplar(ref, A, trace(999), 20_000, 1);
            rolledBack.rollback();
        }
        ExemplarStore store = new ExemplarStore(1000);
        try (Tsdb db = Tsdb.open(dir, options(), store)) {
            List<ExemplarSeries> got = store.select(Long.MIN_VALUE, Long.MAX_VALUE, ALL);
            assertThat(got).extracting(ExemplarSeries::seriesLabels).containsExactlyInAnyOrder(A, B);
            for (ExemplarSeries s : got) {
                boolean a = s.seriesLabels().equals(A);
                assertThat(s.exemplars()).hasSize(10);
                for (int i = 0; i < 10; i++) {
                    assertThat(s.exemplars().get(i)).isEqualTo(new Exemplar(trace(a ? i : 100 + i), a ? i + 0.5 : -i, 1000L * i));
                }
            }
            assertThat(db.headSeries()).isEqualTo(2);
        }
    }

    /** Like Prometheus's checkpoint, a WAL truncation drops exemplars older than the head; later ones replay. */
    @Test
    @SuppressWarnings("try") // the second open only replays the WAL into the store
    void exemplarsAfterAHeadFlushSurviveTheCheckpoint() throws IOException {
        long hour = 3600_000L;
        try (Tsdb db = Tsdb.open(dir, options())) {
            for (int i = 0; i < 12; i++) {
                if (i == 8) {
                    db.flushHead();
                }
                Appender app = db.appender();
                long t = i * hour;
                long ref = app.append(0, A, t, i);
                app.appendExemplar(ref, A, trace(i), t, i);
                app.commit();
            }
        }
        ExemplarStore store = new ExemplarStore(1000);
        try (Tsdb db = Tsdb.open(dir, options(), store)) {
            List<ExemplarSeries> got = store.select(Long.MIN_VALUE, Long.MAX_VALUE, ALL);
            assertThat(got).singleElement().satisfies(s -> assertThat(s.exemplars()).endsWith(
                    new Exemplar(trace(8), 8, 8 * hour), new Exemplar(trace(9), 9, 9 * hour),
                    new Exemplar(trace(10), 10, 10 * hour), new Exemplar(trace(11), 11, 11 * hour)));
        }
    }
}
