package dev.sightline.server.tenants;

import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.core.TenantScope;
import dev.sightline.metricstore.Appender;
import dev.sightline.metricstore.Querier;
import dev.sightline.metricstore.SampleIterator;
import dev.sightline.metricstore.SeriesSet;
import dev.sightline.metricstore.TenantView;
import dev.sightline.metricstore.ValueType;
import dev.sightline.server.config.ConfigLoader;
import dev.sightline.server.config.TenantsConfig;
import dev.sightline.tsdb.Tsdb;
import dev.sightline.tsdb.TsdbOptions;
import dev.sightline.tsdb.block.BlockMeta;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The per-tenant metric retention sweep, on a clock of the test's: deletes what is past retention, frees the disk. */
class MetricRetentionSweeperTest {
    private static final long HOUR = 3600_000L;
    private static final long MINUTE = 60_000L;

    @TempDir
    Path dir;

    private TenantsConfig config(String tenants) throws Exception {
        Path file = dir.resolve("sightline.yml");
        Files.writeString(file, tenants);
        return new ConfigLoader().load(file).tenants();
    }

    /** The oldest timestamp of the tenant's series, and how many samples it has. */
    private static long[] oldestAndCount(Tsdb db, String tenant) {
        long oldest = Long.MAX_VALUE;
        long n = 0;
        try (Querier q = db.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
            SeriesSet ss = q.select(false, Long.MIN_VALUE, Long.MAX_VALUE, LabelMatcher.eq(TenantScope.LABEL, tenant));
            SampleIterator it = null;
            while (ss.next()) {
                it = ss.at().iterator(it);
                while (it.next() != ValueType.NONE) {
                    oldest = Math.min(oldest, it.timestamp());
                    n++;
                }
            }
        }
        return new long[]{oldest, n};
    }

    private long blockBytes(Tsdb db) throws IOException {
        long sum = 0;
        for (BlockMeta m : db.blocks()) {
            try (Stream<Path> s = Files.walk(dir.resolve("data").resolve(m.ulid()))) {
                sum += s.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
            }
        }
        return sum;
    }

    @Test
    void deletesEachTenantsSamplesPastItsRetentionAndFreesTheDisk() throws Exception {
        TenantsConfig config = config("""
                tenants:
                  multitenancy_enabled: true
                  overrides:
                    a: {compactor_blocks_retention_period: 2h}
                    c: {compactor_blocks_retention_period: 30m}
                """);
        assertThat(MetricRetentionSweeper.needed(config)).isTrue();
        try (Tsdb db = Tsdb.open(dir.resolve("data"), TsdbOptions.defaults().withBlockDurationMs(HOUR))) {
            for (String tenant : new String[]{"a", "b", "c"}) {
                Appender app = TenantView.storage(db, tenant).appender();
                for (int s = 0; s < 20; s++) {
                    for (long t = 0; t < 10 * HOUR; t += MINUTE) {
                        app.append(0, Labels.of("__name__", "m", "s", Integer.toString(s)), t, t);
                    }
                }
                app.commit();
            }
            db.flushHead();
            long before = blockBytes(db);
            AtomicLong now = new AtomicLong(10 * HOUR);
            MetricRetentionSweeper sweeper = new MetricRetentionSweeper(db, db, config, now::get);
            assertThat(sweeper.sweep()).isEqualTo(2);
            long after = blockBytes(db);
            System.out.printf("MetricRetentionSweeperTest: block bytes %d before the sweep, %d after (3 tenants, 10 h;"
                    + " a keeps 2 h, c 30 min, b everything)%n", before, after);
            // Reads keep the cutoff itself (now - retention), so that is the oldest sample left.
            assertThat(oldestAndCount(db, "a")).containsExactly(8 * HOUR, 20 * 120);
            assertThat(oldestAndCount(db, "c")).containsExactly(10 * HOUR - 30 * MINUTE, 20 * 30);
            assertThat(oldestAndCount(db, "b")).containsExactly(0, 20 * 600);
            assertThat(after).isLessThan(before * 2 / 3 - before / 10);
            for (BlockMeta m : db.blocks()) {
                assertThat(dir.resolve("data").resolve(m.ulid()).resolve("tombstones")).as("cleaned").doesNotExist();
            }
            // Nothing more is due at the same time: no new tombstones, nothing rewritten.
            var ulids = db.blocks().stream().map(BlockMeta::ulid).toList();
            sweeper.sweep();
            assertThat(db.blocks().stream().map(BlockMeta::ulid).toList()).isEqualTo(ulids);
            // An hour later, another hour of a's goes.
            now.set(11 * HOUR);
            sweeper.sweep();
            assertThat(oldestAndCount(db, "a")).containsExactly(9 * HOUR, 20 * 60);
            assertThat(oldestAndCount(db, "b")).containsExactly(0, 20 * 600);
        }
    }

    @Test
    void runsAtStartOnItsOwnThread() throws Exception {
        TenantsConfig config = config("""
                tenants:
                  multitenancy_enabled: true
                  defaults: {compactor_blocks_retention_period: 1h}
                """);
        try (Tsdb db = Tsdb.open(dir.resolve("data"), TsdbOptions.defaults().withBlockDurationMs(HOUR))) {
            Appender app = TenantView.storage(db, "t").appender();
            for (long t = 0; t < 3 * HOUR; t += MINUTE) {
                app.append(0, Labels.of("__name__", "m"), t, t);
            }
            app.commit();
            try (MetricRetentionSweeper sweeper = new MetricRetentionSweeper(db, db, config, () -> 3 * HOUR)) {
                sweeper.start(HOUR);
                long deadline = System.nanoTime() + 30_000_000_000L;
                while (oldestAndCount(db, "t")[0] < 2 * HOUR && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
            }
            assertThat(oldestAndCount(db, "t")).containsExactly(2 * HOUR, 60);
        }
    }

    @Test
    void notNeededWithoutTenantsOrARetention() throws Exception {
        assertThat(MetricRetentionSweeper.needed(TenantsConfig.DISABLED)).isFalse();
        assertThat(MetricRetentionSweeper.needed(config("""
                tenants:
                  multitenancy_enabled: true
                  overrides:
                    a: {ingestion_rate: 10}
                """))).isFalse();
        assertThat(MetricRetentionSweeper.needed(config("""
                tenants:
                  multitenancy_enabled: true
                  defaults: {compactor_blocks_retention_period: 1d}
                """))).isTrue();
    }
}
