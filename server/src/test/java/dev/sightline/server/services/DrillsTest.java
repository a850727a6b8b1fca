package dev.sightline.server.services;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Recording drill results: merged with the record, the newest per drill and service, replaced atomically. */
class DrillsTest {
    private static Drills.Result result(String drill, String service, boolean passed, String finished) {
        return new Drills.Result(drill, service, passed, Instant.parse(finished));
    }

    @Test
    void resultsMergeKeepingTheNewestPerDrillAndService(@TempDir Path dir) throws Exception {
        Drills.record(dir, List.of(result("stale", "cache", true, "2026-12-01T00:00:00Z"),
                result("quiet", "cache", true, "2026-12-01T00:00:00Z"),
                result("quiet", "shop", true, "2026-12-01T00:00:00Z")));
        // A later failure replaces the pass; an older result does not replace a newer one; other drills stay.
        List<Drills.Result> all = Drills.record(dir, List.of(result("stale", "cache", false, "2026-12-02T00:00:00Z"),
                result("quiet", "shop", false, "2026-11-01T00:00:00Z"),
                result("runaway", "trading", true, "2026-12-02T00:00:00Z")));
        assertThat(all).containsExactly(result("quiet", "cache", true, "2026-12-01T00:00:00Z"),
                result("stale", "cache", false, "2026-12-02T00:00:00Z"),
                result("quiet", "shop", true, "2026-12-01T00:00:00Z"),
                result("runaway", "trading", true, "2026-12-02T00:00:00Z"));
        assertThat(Drills.read(dir)).isEqualTo(new Drills(all, null));
        // Only the record is left in the folder: no temporary file behind.
        try (Stream<Path> files = Files.list(dir.resolve("drills"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("results.json");
        }
    }

    @Test
    void aRecordThatDoesNotReadIsLeftAsItIs(@TempDir Path dir) throws Exception {
        Path file = dir.resolve(Drills.FILE);
        Files.createDirectories(file.getParent());
        String bad = "{\"results\": [{\"drill\": \"a\", \"service\": \"x\", \"passed\": \"yes\"}]}";
        Files.writeString(file, bad);
        assertThatThrownBy(() -> Drills.record(dir, List.of(result("b", "y", true, "2026-12-01T00:00:00Z"))))
                .isInstanceOf(Drills.InvalidResults.class)
                .hasMessage("drills/results.json: results[0].passed must be true or false");
        assertThat(Files.readString(file)).isEqualTo(bad);
    }

    @Test
    void aTornTemporaryFileFromACrashIsNotTheRecord(@TempDir Path dir) throws Exception {
        Drills.record(dir, List.of(result("a", "x", true, "2026-12-01T00:00:00Z")));
        // A writer that died before its move leaves only its temporary file: the record still reads, whole.
        Files.writeString(dir.resolve("drills").resolve("results-123.json.tmp"), "{\"results\": [{\"dri");
        assertThat(Drills.read(dir).results()).containsExactly(result("a", "x", true, "2026-12-01T00:00:00Z"));
        assertThat(Drills.record(dir, List.of(result("b", "x", true, "2026-12-02T00:00:00Z")))).hasSize(2);
    }

    @Test
    void emptyNamesAreRefused() {
        assertThatThrownBy(() -> Drills.parse("body", "{\"results\": [{\"drill\": \"\", \"service\": \"x\", \"passed\": true,"
                + " \"finished\": \"2026-12-01T00:00:00Z\"}]}"))
                .hasMessage("body: results[0]: \"drill\" and \"service\" must not be empty");
    }
}
