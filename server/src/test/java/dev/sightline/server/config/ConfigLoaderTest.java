package dev.sightline.server.config;

import dev.sightline.core.LabelLimits;
import dev.sightline.tsdb.wal.FsyncPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    private final ConfigLoader loader = new ConfigLoader();

    private Path write(String yaml) throws Exception {
        Path f = dir.resolve("sightline.yml");
        Files.writeString(f, yaml, StandardCharsets.UTF_8);
        return f;
    }

    private ConfigException failure(String yaml) throws Exception {
        return catchThrowableOfType(ConfigException.class, () -> loader.load(write(yaml)));
    }

    /** Fuzzing found it: YAML nested past Jackson's limit of 1000 was refused with no line (the limit has no location). */
    @Test
    void nestingPastTheYamlLimitIsRefusedAtALine() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.parse("s.yml",
                ("global:\n  external_labels: " + "[".repeat(1001)).getBytes(StandardCharsets.UTF_8)));
        assertThat(e.line()).isEqualTo(2);
        assertThat(e.getMessage()).startsWith("s.yml:2:").contains("invalid YAML: Document nesting depth (1001) exceeds the maximum allowed");
    }

    @Test
    void validFileAppliesEveryValue() throws Exception {
        SightlineConfig c = loader.load(write("""
                global:
                  scrape_interval: 15s
                  scrape_timeout: 5s
                  evaluation_interval: 1h30m
                  external_labels:
                    region: eu-west
                server:
                  listen_address: 127.0.0.1
                  http_port: 9999
                storage:
                  tsdb:
                    retention_time: 2d
                    retention_size: 10GB
                    out_of_order_time_window: 10m
                    wal_fsync: batch
                    block_duration: 1h
                    head_snapshot_on_shutdown: false
                limits:
                  max_label_names_per_series: 30
                  max_label_name_length: 100
                  max_label_value_length: 2048
                  metric_name_validation: utf8
                """));
        assertThat(c.global().scrapeInterval()).isEqualTo(Duration.ofSeconds(15));
        assertThat(c.global().scrapeTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.global().evaluationInterval()).isEqualTo(Duration.ofMinutes(90));
        assertThat(c.global().externalLabels()).isEqualTo(Map.of("region", "eu-west"));
        assertThat(c.server().listenAddress()).isEqualTo("127.0.0.1");
        assertThat(c.server().httpPort()).isEqualTo(9999);
        TsdbConfig t = c.storage().tsdb();
        assertThat(t.retentionTime()).isEqualTo(Duration.ofDays(2));
        assertThat(t.retentionSize()).isEqualTo(10L << 30);
        assertThat(t.outOfOrderTimeWindow()).isEqualTo(Duration.ofMinutes(10));
        assertThat(t.walFsync()).isEqualTo(FsyncPolicy.BATCH);
        assertThat(t.blockDuration()).isEqualTo(Duration.ofHours(1));
        assertThat(t.headSnapshotOnShutdown()).isFalse();
        assertThat(c.limits().toLabelLimits()).isEqualTo(new LabelLimits(LabelLimits.NameScheme.UTF8, 30, 100, 2048));
    }

    @Test
    void emptyFileAndMissingSectionsMeanDefaults() throws Exception {
        assertThat(loader.load(write(""))).isEqualTo(SightlineConfig.defaults());
        SightlineConfig c = loader.load(write("storage:\n  tsdb:\n    wal_fsync: never\n"));
        assertThat(c.storage().tsdb().walFsync()).isEqualTo(FsyncPolicy.NEVER);
        assertThat(c.storage().tsdb().retentionTime()).isEqualTo(Duration.ofDays(15));
        assertThat(c.storage().tsdb().headSnapshotOnShutdown()).isTrue();
        assertThat(c.server().httpPort()).isEqualTo(9797);
        assertThat(c.limits().toLabelLimits()).isEqualTo(LabelLimits.DEFAULT);
        assertThat(c.global().scrapeInterval()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void unknownKeyIsAnErrorNamingFileAndLine() throws Exception {
        ConfigException e = failure("""
                global:
                  scrape_interval: 15s
                  scrape_intervall: 20s
                """);
        assertThat(e.line()).isEqualTo(3);
        assertThat(e.getMessage()).startsWith(dir.resolve("sightline.yml") + ":3:")
                .contains("unknown key \"scrape_intervall\" in global");
    }

    @Test
    void unknownTopLevelSectionIsAnError() throws Exception {
        ConfigException e = failure("storage:\n  tsdb: {}\nstorgae:\n  x: 1\n");
        assertThat(e.line()).isEqualTo(3);
        assertThat(e.detail()).contains("unknown key \"storgae\" at top level");
    }

    @Test
    void badDurationIsAnErrorWithLineAndColumn() throws Exception {
        ConfigException e = failure("""
                global:
                  scrape_interval: 15s
                  evaluation_interval: 1m5
                """);
        assertThat(e.line()).isEqualTo(3);
        assertThat(e.column()).isEqualTo(24);
        assertThat(e.detail()).isEqualTo("global.evaluation_interval: invalid duration \"1m5\": unknown or missing unit at position 4 (use y, w, d, h, m, s, ms)");
    }

    @Test
    void badValuesOfEachKindAreLocated() throws Exception {
        assertThat(failure("storage:\n  tsdb:\n    wal_fsync: sometimes\n").getMessage())
                .contains(":3:").contains("storage.tsdb.wal_fsync: \"sometimes\" is not one of always|batch|never");
        assertThat(failure("storage:\n  tsdb:\n    head_snapshot_on_shutdown: maybe\n").getMessage())
                .contains(":3:").contains("storage.tsdb.head_snapshot_on_shutdown");
        assertThat(failure("storage:\n  tsdb:\n    retention_size: 10XB\n").getMessage())
                .contains(":3:").contains("storage.tsdb.retention_size: invalid size \"10XB\"");
        assertThat(failure("limits:\n  max_label_name_length: -3\n").getMessage())
                .contains(":2:").contains("limits.max_label_name_length: expected a positive integer, got -3");
        assertThat(failure("limits:\n  metric_name_validation: [a]\n").getMessage())
                .contains(":2:").contains("expected one of legacy|utf8, found a list");
        assertThat(failure("server:\n  http_port: abc\n").getMessage())
                .contains(":2:").contains("server.http_port: expected a number");
        assertThat(failure("global:\n  scrape_interval: 10s\n  scrape_timeout: 20s\n").getMessage())
                .contains("scrape_timeout (20s) is greater than scrape_interval (10s)");
    }

    @Test
    void externalUrlIsAnHttpUrlWithoutTrailingSlash() throws Exception {
        assertThat(loader.load(write("server:\n  external_url: https://ops.example.org/sightline/\n")).server().externalUrl())
                .isEqualTo("https://ops.example.org/sightline");
        assertThat(loader.load(write("server: {}\n")).server().externalUrl()).isNull();
        for (String bad : new String[] {"ops.example.org", "ftp://ops.example.org", "http://ops/x?a=1", "http://a b/"}) {
            assertThat(failure("server:\n  external_url: '" + bad + "'\n").getMessage()).as(bad)
                    .contains(":2:").contains("external_url: \"" + bad.replaceAll("/+$", "") + "\" is not");
        }
    }

    @Test
    void duplicateKeyIsAnError() throws Exception {
        ConfigException e = failure("limits:\n  max_label_name_length: 3\n  max_label_name_length: 4\n");
        assertThat(e.line()).isEqualTo(3);
        assertThat(e.detail()).contains("Duplicate field 'max_label_name_length'");
    }

    @Test
    void ruleFilesAreAListOfGlobs() throws Exception {
        SightlineConfig c = loader.parse("s.yml", "rule_files:\n  - rules/*.yml\n  - extra.yml\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(c.ruleFiles()).containsExactly("rules/*.yml", "extra.yml");
        assertThat(SightlineConfig.defaults().ruleFiles()).isEmpty();
    }

    @Test
    void malformedYamlAndNonMappingAreLocatedErrors() throws Exception {
        assertThat(failure("global:\n  scrape_interval: [15s\n").line()).isGreaterThan(0);
        assertThat(failure("- a\n- b\n").detail()).isEqualTo("the configuration must be a mapping of sections");
    }

    @Test
    void missingFileIsAnError() {
        assertThatThrownBy(() -> loader.load(dir.resolve("nope.yml")))
                .isInstanceOf(ConfigException.class)
                .hasMessage(dir.resolve("nope.yml") + ": configuration file not found");
    }
}
