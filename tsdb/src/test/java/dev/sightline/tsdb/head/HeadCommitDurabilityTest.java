package dev.sightline.tsdb.head;

import dev.sightline.core.LabelLimits;
import dev.sightline.core.Labels;
import dev.sightline.metricstore.Appender;
import dev.sightline.tsdb.wal.WalBatch;
import dev.sightline.tsdb.wal.WalReplayHandler;
import dev.sightline.tsdb.wal.WriteAheadLog;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongPredicate;

import static dev.sightline.tsdb.head.HeadTest.HOUR;
import static dev.sightline.tsdb.head.HeadTest.samples;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Commit stores the batch while the WAL's fsync runs, and answers only with the fsync's outcome. */
class HeadCommitDurabilityTest {
    private static final Labels L = Labels.of("__name__", "m", "s", "1");

    /** Logs what each batch held; the fsync of chosen batches fails. */
    private static final class FakeWal implements WriteAheadLog {
        final List<String> appended = new ArrayList<>();
        final List<String> events = new ArrayList<>();
        long failSeq = -1;
        Head head;

        @Override
        public long append(WalBatch b) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < b.seriesCount(); i++) {
                sb.append("series ").append(b.seriesRef(i)).append(' ');
            }
            for (int i = 0; i < b.sampleCount(); i++) {
                sb.append(b.sampleTime(i)).append('=').append(b.sampleValue(i)).append(' ');
            }
            appended.add(sb.toString().trim());
            events.add("append");
            return appended.size();
        }

        @Override
        public void awaitDurable(long seq) throws IOException {
            events.add("await, head has " + samples(head, L, 0, Long.MAX_VALUE));
            if (seq == failSeq) {
                throw new IOException("fsync failed");
            }
        }

        @Override
        public void replay(WalReplayHandler handler) {
        }

        @Override
        public void truncate(long mint, LongPredicate keepSeries) {
        }

        @Override
        public long sizeBytes() {
            return 0;
        }

        @Override
        public void close() {
        }
    }

    private static FakeWal wal;

    private static Head head() {
        wal = new FakeWal();
        wal.head = new Head(LabelLimits.DEFAULT, 2 * HOUR, 0, wal);
        return wal.head;
    }

    private static void commit(Head head, long t, double v) throws IOException {
        Appender app = head.appender();
        app.append(0, L, t, v);
        app.commit();
    }

    @Test
    void storesTheBatchBeforeWaitingForItsFsync() throws Exception {
        Head head = head();
        commit(head, 1000, 1);
        assertThat(wal.events).containsExactly("append", "await, head has [1000=1.0]");
    }

    @Test
    void aFailedFsyncFailsTheCommitAndARetryLogsTheStoredSamplesAgain() throws Exception {
        Head head = head();
        wal.failSeq = 1;
        assertThatThrownBy(() -> commit(head, 1000, 1)).isInstanceOf(IOException.class).hasMessage("fsync failed");
        // Visible though maybe not durable; the retry must not be acknowledged on the strength of the failed batch.
        commit(head, 1000, 1);
        assertThat(wal.appended).containsExactly("series 1 1000=1.0", "series 1 1000=1.0");
        assertThat(samples(head, L, 0, Long.MAX_VALUE)).containsExactly("1000=1.0");
        // Once a batch holding the series record is durable, later batches leave it out.
        commit(head, 2000, 2);
        assertThat(wal.appended.get(2)).isEqualTo("2000=2.0");
    }

    @Test
    void aDuplicateWithinTheBatchIsLoggedOnce() throws Exception {
        Head head = head();
        Appender app = head.appender();
        app.append(0, L, 1000, 1);
        app.append(0, L, 1000, 1);
        app.commit();
        assertThat(wal.appended).containsExactly("series 1 1000=1.0");
    }
}
