package dev.sightline.server.config;

import dev.sightline.timeindex.StoreOptions;
import dev.sightline.traces.store.LuceneSpanStore;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class TracesConfigTest {
    private final ConfigLoader loader = new ConfigLoader();

    private SightlineConfig parse(String yaml) throws Exception {
        return loader.parse("sightline.yml", yaml.getBytes(StandardCharsets.UTF_8));
    }

    private ConfigException failure(String yaml) {
        return catchThrowableOfType(ConfigException.class, () -> parse(yaml));
    }

    @Test
    void everyKeyIsReadAndBecomesTheStoreOptions() throws Exception {
        TracesConfig t = parse("""
                storage:
                  traces:
                    retention_time: 3d
                    retention_size: 20GB
                    partition: 2h
                """).storage().traces();
        assertThat(t.retentionTime()).isEqualTo(Duration.ofDays(3));
        assertThat(t.retentionSize()).isEqualTo(20L << 30);
        assertThat(t.partition()).isEqualTo(Duration.ofHours(2));
        StoreOptions o = t.toOptions();
        assertThat(o.retentionTime()).isEqualTo(Duration.ofDays(3));
        assertThat(o.retentionBytes()).isEqualTo(20L << 30);
        assertThat(o.partition()).isEqualTo(Duration.ofHours(2));
    }

    @Test
    void absentKeysTakeTheStoreDefaults() throws Exception {
        assertThat(parse("storage:\n  tsdb: {}\n").storage().traces().toOptions())
                .isEqualTo(LuceneSpanStore.defaultOptions());
        assertThat(SightlineConfig.defaults().storage().traces().partition()).isEqualTo(Duration.ofHours(1));
        assertThat(parse("storage:\n  traces:\n    retention_time: 0s\n").storage().traces().toOptions().retentionTime())
                .isZero();
    }

    @Test
    void badValuesNameTheFieldAndItsLine() {
        ConfigException e = failure("storage:\n  traces:\n    partition: 10s\n");
        assertThat(e.line()).isEqualTo(3);
        assertThat(e.detail()).isEqualTo("storage.traces.partition: must be between 1m and 1w, got 10s");
        assertThat(failure("storage:\n  traces:\n    partition: 30d\n").detail())
                .contains("partition: must be between 1m and 1w, got 720h");
        assertThat(failure("storage:\n  traces:\n    retention_size: lots\n").getMessage())
                .contains(":3:").contains("storage.traces.retention_size: invalid size \"lots\"");
        assertThat(failure("storage:\n  traces:\n    retention_time: 1x\n").getMessage())
                .contains(":3:").contains("storage.traces.retention_time: invalid duration \"1x\"");
        assertThat(failure("storage:\n  traces:\n    partitions: 1h\n").detail())
                .contains("unknown key \"partitions\" in storage.traces");
    }
}
