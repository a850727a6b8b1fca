package dev.sightline.ingest.scrape;

import dev.sightline.core.Labels;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

class ScrapeManagerTest {
    private final RecordingStorage storage = new RecordingStorage();
    private final ScrapeManager manager = new ScrapeManager(storage, 7);

    @AfterEach
    void close() {
        manager.close();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.currentTimeMillis() + 10_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    private static ScrapeConfig fileSd(String job, Path file, Duration refresh, Path... more) {
        List<String> files = new java.util.ArrayList<>(List.of(file.toString()));
        for (Path p : more) {
            files.add(p.toString());
        }
        return new ScrapeConfig(job, Duration.ofHours(1), Duration.ofSeconds(1), null, null, null, false, null, null,
                List.of(new FileSdConfig(files, refresh)), null, null, null, null, null, null, null, 0L, 0L, 0L, 0L, null);
    }

    /** Writes a file whole (through a temporary name), so discovery never reads it half written. */
    private static void replace(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private List<String> addresses() {
        return manager.activeTargets().stream().map(t -> t.labels().get("instance")).sorted().toList();
    }

    @Test
    void fileSdFilesAreReadAgainWhenTheyChange(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("targets.json");
        Files.writeString(json, "[{\"targets\": [\"127.0.0.1:1\", \"127.0.0.1:2\"], \"labels\": {\"env\": \"prod\"}}]");
        // A refresh interval of an hour: only the file watch can notice the change within the test.
        manager.apply(List.of(fileSd("files", dir.resolve("*.json"), Duration.ofHours(1), dir.resolve("*.yml"))));
        assertThat(addresses()).containsExactly("127.0.0.1:1", "127.0.0.1:2");
        Target t = manager.activeTargets().get(0);
        assertThat(t.labels()).isEqualTo(Labels.of("instance", "127.0.0.1:1", "job", "files", "env", "prod"));
        assertThat(t.discoveredLabels().get("__meta_filepath")).isEqualTo(json.toString());

        Path yaml = dir.resolve("more.yml");
        replace(yaml, "- targets: ['127.0.0.1:3']\n");
        Files.writeString(json, "[{\"targets\": [\"127.0.0.1:2\"]}]");
        await(() -> addresses().equals(List.of("127.0.0.1:2", "127.0.0.1:3")), "targets from the changed files");

        // A broken file keeps its previous targets, as in Prometheus. Every refresh reads all files, so the one that
        // shows a file written after the break has read the broken file too.
        replace(json, "[{\"targets\": ");
        replace(dir.resolve("later.json"), "[{\"targets\": [\"127.0.0.1:4\"]}]");
        await(() -> addresses().contains("127.0.0.1:4"), "the target of the file written after the broken one");
        assertThat(addresses()).containsExactly("127.0.0.1:2", "127.0.0.1:3", "127.0.0.1:4");

        Files.delete(yaml);
        await(() -> addresses().equals(List.of("127.0.0.1:2", "127.0.0.1:4")), "targets of the deleted file gone");
    }

    @Test
    void relabelingDropsTargetsAndUnknownKeysInTargetFilesAreErrors(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("t.yaml");
        Files.writeString(f, "- targets: ['a:1', 'b:2']\n");
        RelabelConfig keepA = new RelabelConfig(List.of("__address__"), null, "a:.*", null, null, null, "keep");
        ScrapeConfig c = fileSd("j", f, Duration.ofHours(1));
        c = new ScrapeConfig(c.jobName(), c.scrapeInterval(), c.scrapeTimeout(), null, null, null, false, null, null,
                c.fileSdConfigs(), List.of(keepA), null, null, null, null, null, null, 0L, 0L, 0L, 0L, null);
        manager.apply(List.of(c));
        assertThat(addresses()).containsExactly("a:1");
        assertThat(manager.droppedTargets().get("j")).extracting(l -> l.get("__address__")).containsExactly("b:2");

        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> {
            Files.writeString(f, "- targets: ['a:1']\n  lables: {x: y}\n");
            FileDiscovery.read(f);
        })).hasMessageContaining("lables");
    }

    @Test
    void reloadKeepsUnchangedTargetsAndStalesRemovedJobs() throws Exception {
        ExporterStub stub = new ExporterStub();
        try {
            stub.body = "a 1\n";
            ScrapeConfig job = ScrapeConfig.ofStatic("j", Duration.ofMillis(200), Duration.ofMillis(150), List.of(stub.address()));
            manager.apply(List.of(job));
            await(() -> manager.activeTargets().get(0).health() == Target.Health.UP, "first scrape");
            Target before = manager.activeTargets().get(0);

            manager.apply(List.of(job));
            assertThat(manager.activeTargets().get(0)).isSameAs(before); // unchanged job: same loop, nothing restarted

            // A changed job (new timeout) continues the same target: no stale markers, health carried over.
            ScrapeConfig changed = ScrapeConfig.ofStatic("j", Duration.ofMillis(200), Duration.ofMillis(100), List.of(stub.address()));
            manager.apply(List.of(changed));
            assertThat(manager.activeTargets().get(0).health()).isEqualTo(Target.Health.UP);
            assertThat(storage.all()).noneMatch(RecordingStorage.Sample::stale);

            manager.apply(List.of());
            assertThat(manager.activeTargets()).isEmpty();
            assertThat(storage.last()).allMatch(RecordingStorage.Sample::stale)
                    .extracting(s -> s.labels().metricName()).contains("a", "up");
        } finally {
            stub.close();
        }
    }

    @Test
    void invalidConfigurationLeavesRunningJobsAlone() throws Exception {
        ScrapeConfig a = ScrapeConfig.ofStatic("a", Duration.ofHours(1), Duration.ofSeconds(1), List.of("h:1"));
        manager.apply(List.of(a));
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> manager.apply(List.of(a, a))))
                .hasMessageContaining("multiple scrape configs with job name \"a\"");
        assertThat(addresses()).containsExactly("h:1");
    }
}
