package dev.sightline.server.dashboards;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

class DashboardStoreTest {
    @TempDir
    Path dir;
    private DashboardStore store;

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    @Test
    void readsYamlAndGrafanaFilesAndListsBadOnesWithTheirError() throws Exception {
        Files.writeString(dir.resolve("orders.yml"), DashboardReaderTest.ORDERS);
        Files.write(dir.resolve("node.json"), GrafanaImportTest.resource(GrafanaImportTest.NODE_LEGACY));
        Files.write(dir.resolve("grid.json"), GrafanaImportTest.resource(GrafanaImportTest.NODE_MODERN));
        Files.writeString(dir.resolve("broken.yaml"), "uid: broken\nrows:\n  - panels:\n      - type: stat\n        span: zero\n");
        Files.writeString(dir.resolve("twin.yml"), "uid: orders\ntitle: same uid\n");
        Files.writeString(dir.resolve("notes.txt"), "not a dashboard");
        Files.writeString(dir.resolve(".hidden.yml"), "uid: hidden\n");
        store = new DashboardStore(dir);
        store.start();

        assertThat(store.entries()).extracting(DashboardStore.Entry::file)
                .containsExactly("broken.yaml", "grid.json", "node.json", "orders.yml", "twin.yml");
        assertThat(store.get("orders").dashboard().title()).isEqualTo("Order flow");
        // A Grafana 4 export without a uid is known by its file's name; a newer one by its own uid.
        assertThat(store.get("node").dashboard().title()).isEqualTo("Node exporter (legacy rows)");
        assertThat(store.get("node-grid").dashboard().title()).isEqualTo("Node exporter (grid)");
        assertThat(store.get("node-grid").file()).isEqualTo("grid.json");
        DashboardStore.Entry broken = store.get("broken");
        assertThat(broken.dashboard()).isNull();
        assertThat(broken.error()).isEqualTo("broken.yaml:5:9: rows[0].panels[0].span: expected a whole number from 1 to 12");
        DashboardStore.Entry twin = store.entries().get(4);
        assertThat(twin.error()).isEqualTo("twin.yml: uid \"orders\" is already used by orders.yml");
        assertThat(store.get("hidden")).isNull();
    }

    @Test
    void aChangedFileIsReadAgainWithinASecond() throws Exception {
        Path file = dir.resolve("orders.yml");
        Files.writeString(file, DashboardReaderTest.ORDERS);
        store = new DashboardStore(dir);
        store.start();
        assertThat(store.get("orders").dashboard().title()).isEqualTo("Order flow");

        long start = System.nanoTime();
        Files.writeString(file, DashboardReaderTest.ORDERS.replace("title: Order flow", "title: Orders v2"));
        awaitWithin(2_000, () -> "Orders v2".equals(titleOf("orders")));
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(1_000);

        // Broken on disk: listed with its error, the others unaffected; fixed: back.
        Files.writeString(dir.resolve("other.yml"), "uid: other\n");
        Files.writeString(file, "uid: orders\nrows: {\n");
        awaitWithin(2_000, () -> store.get("orders").error() != null && store.get("other") != null);
        assertThat(store.get("orders").error()).startsWith("orders.yml:").contains("invalid YAML");
        assertThat(store.get("other").dashboard()).isNotNull();
        Files.delete(file);
        awaitWithin(2_000, () -> store.get("orders") == null);
        assertThat(store.entries()).extracting(DashboardStore.Entry::uid).containsExactly("other");
    }

    @Test
    void noDirectoryMeansNoDashboards() {
        store = new DashboardStore(null);
        store.start();
        assertThat(store.entries()).isEmpty();
        DashboardStore missing = new DashboardStore(dir.resolve("absent"));
        missing.start();
        assertThat(missing.entries()).isEmpty();
        missing.close();
    }

    @Test
    void uidsFromFileNames() {
        assertThat(DashboardStore.uidOf("node exporter (full).json")).isEqualTo("node-exporter-full-");
        assertThat(DashboardStore.uidOf("orders.yml")).isEqualTo("orders");
    }

    private String titleOf(String uid) {
        DashboardStore.Entry e = store.get(uid);
        return e == null || e.dashboard() == null ? null : e.dashboard().title();
    }

    private static void awaitWithin(long millis, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (!condition.getAsBoolean()) {
            assertThat(System.currentTimeMillis()).as("condition within %d ms", millis).isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
