package dev.sightline.ingest.logs;

import dev.sightline.core.Labels;
import dev.sightline.logs.LogEntry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LogBatchTest {
    private static final long NOW = 1_800_000_000_000_000_000L;
    private static final long HOUR = 3600L * 1_000_000_000L;
    private static final LogLimits LIMITS = new LogLimits(20, 3, 12, 12, 24 * HOUR, HOUR / 6);

    @Test
    void eachEntryCheckedAloneAndTheRestKept() {
        CollectingSink out = new CollectingSink();
        LogBatch b = new LogBatch(LIMITS, NOW, 10, out);
        Labels ok = Labels.of("service_name", "api");
        b.accept(ok, NOW, "fine", Labels.EMPTY);
        b.accept(ok, NOW, "a line that is far too long", Labels.EMPTY);
        b.accept(ok, NOW - 25 * HOUR, "old", Labels.EMPTY);
        b.accept(ok, NOW + HOUR, "future", Labels.EMPTY);
        b.accept(ok, NOW + HOUR / 6, "just in grace", Labels.EMPTY);
        b.accept(Labels.of("a", "1", "b", "2", "c", "3"), NOW, "4 labels with service_name", Labels.EMPTY);
        b.accept(Labels.of("service_name", "a-value-too-long"), NOW, "x", Labels.EMPTY);
        b.accept(Labels.of("service_name", "x", "a_name_too_long_", "1"), NOW, "x", Labels.EMPTY);
        b.accept(Labels.of("service_name", "x", "bad-name", "1"), NOW, "x", Labels.EMPTY);
        LogResult r = b.result();
        assertThat(out.entries).extracting(LogEntry::line).containsExactly("fine", "just in grace");
        assertThat(r.accepted()).isEqualTo(2);
        assertThat(r.acceptedBytes()).isEqualTo(4 + 13);
        assertThat(r.rejected()).isEqualTo(7);
        assertThat(r.rejectedBy()).containsEntry(LogRejection.LINE_TOO_LONG, 1L).containsEntry(LogRejection.TOO_OLD, 1L)
                .containsEntry(LogRejection.TOO_NEW, 1L).containsEntry(LogRejection.TOO_MANY_LABELS, 1L)
                .containsEntry(LogRejection.LABEL_VALUE_TOO_LONG, 1L).containsEntry(LogRejection.LABEL_NAME_TOO_LONG, 1L)
                .containsEntry(LogRejection.INVALID_LABELS, 1L);
        assertThat(r.errorMessage()).startsWith("7 entries refused: line of 27 bytes is longer than max_line_size (20 bytes)")
                .contains("is older than reject_old_samples_max_age allows (oldest accepted 2027-01-14T08:00:00Z)")
                .contains("further in the future than creation_grace_period")
                .contains("4 labels, more than max_label_names_per_series (3)")
                .contains("invalid label name \"bad-name\"");
    }

    @Test
    void reportedErrorsAreCappedAndNameNdjsonLines() {
        LogBatch b = new LogBatch(LIMITS, NOW, 2, new CollectingSink());
        for (int i = 1; i <= 5; i++) {
            b.at(i);
            b.accept(Labels.of("service_name", "s"), NOW, "x".repeat(30), Labels.EMPTY);
        }
        assertThat(b.result().errorMessage()).startsWith("5 entries refused: line 1: line of 30 bytes")
                .contains("; line 2: ").endsWith("; and 3 more");
    }

    @Test
    void serviceNameDiscoveredAsLokiDoes() {
        CollectingSink out = new CollectingSink();
        LogBatch b = new LogBatch(LogLimits.DEFAULT, NOW, 10, out);
        b.accept(Labels.of("app", "web", "job", "j"), NOW, "x", Labels.EMPTY);
        b.accept(Labels.of("job", "j"), NOW, "x", Labels.EMPTY);
        b.accept(Labels.of("env", "dev"), NOW, "x", Labels.EMPTY);
        b.accept(Labels.of("service_name", "given", "app", "web"), NOW, "x", Labels.EMPTY);
        assertThat(out.entries).extracting(e -> e.stream().get("service_name")).containsExactly("web", "j", "unknown_service", "given");
    }

    @Test
    void detectedLevelFromLabelsMetadataOrTheLine() {
        CollectingSink out = new CollectingSink();
        LogBatch b = new LogBatch(LogLimits.DEFAULT, NOW, 10, out);
        Labels s = Labels.of("service_name", "s");
        b.accept(s, NOW, "{\"level\":\"WARNING\",\"msg\":\"disk\"}", Labels.EMPTY);
        b.accept(s, NOW, "ts=1 lvl=err msg=boom", Labels.EMPTY);
        b.accept(s, NOW, "plain text with error in it", Labels.EMPTY);
        b.accept(s, NOW, "x", Labels.of("severity_text", "DEBUG"));
        b.accept(Labels.of("service_name", "s", "level", "fatal"), NOW, "x", Labels.EMPTY);
        b.accept(s, NOW, "x", Labels.of(LogEntry.LEVEL, "info", "severity_text", "ERROR"));
        assertThat(out.entries).extracting(e -> e.metadata().get(LogEntry.LEVEL))
                .containsExactly("warn", "error", "unknown", "debug", "fatal", "info");
        assertThat(out.entries.get(3).metadata()).isEqualTo(Labels.of("severity_text", "DEBUG", LogEntry.LEVEL, "debug"));
    }

    @Test
    void levelWords() {
        assertThat(LogLevels.normalize("Warning")).isEqualTo("warn");
        assertThat(LogLevels.normalize("CRITICAL")).isEqualTo("fatal");
        assertThat(LogLevels.normalize("verbose")).isNull();
        assertThat(LogLevels.fromSeverityNumber(0)).isNull();
        assertThat(LogLevels.fromSeverityNumber(1)).isEqualTo("trace");
        assertThat(LogLevels.fromSeverityNumber(9)).isEqualTo("info");
        assertThat(LogLevels.fromSeverityNumber(17)).isEqualTo("error");
        assertThat(LogLevels.fromSeverityNumber(24)).isEqualTo("fatal");
        assertThat(LogLevels.fromSeverityNumber(25)).isNull();
    }
}
