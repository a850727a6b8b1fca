package dev.sightline.server.config;

import dev.sightline.timeindex.StoreOptions;
import dev.sightline.logs.store.LuceneLogStore;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class LogsConfigTest {
    private static SightlineConfig parse(String yaml) throws Exception {
        return new ConfigLoader().parse("sightline.yml", yaml.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void storageLogsBecomesTheLogStoreOptions() throws Exception {
        StoreOptions o = parse("""
                storage:
                  logs:
                    retention_time: 7d
                    retention_size: 500MB
                    partition: 30m
                """).storage().logs().toOptions();
        assertThat(o).isEqualTo(LuceneLogStore.defaultOptions().withPartition(Duration.ofMinutes(30))
                .withRetention(Duration.ofDays(7), 500L << 20));
        assertThat(parse("storage:\n  traces: {}\n").storage().logs().toOptions())
                .isEqualTo(LuceneLogStore.defaultOptions());
        assertThat(SightlineConfig.defaults().storage().logs().partition()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void badValuesNameTheirKey() {
        assertThat(catchThrowableOfType(ConfigException.class, () -> parse("storage:\n  logs:\n    partition: 5s\n"))
                .detail()).isEqualTo("storage.logs.partition: must be between 1m and 1w, got 5s");
        assertThat(catchThrowableOfType(ConfigException.class,
                () -> parse("storage:\n  logs:\n    retention_size: -1\n")).getMessage())
                .contains("storage.logs.retention_size");
        assertThat(catchThrowableOfType(ConfigException.class,
                () -> parse("storage:\n  logs:\n    partition_duration: 1h\n")).detail())
                .contains("unknown key \"partition_duration\" in storage.logs");
    }
}
