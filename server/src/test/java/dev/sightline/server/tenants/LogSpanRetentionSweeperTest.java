package dev.sightline.server.tenants;

import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.core.span.Attributes;
import dev.sightline.core.span.InstrumentationScope;
import dev.sightline.core.span.Span;
import dev.sightline.core.span.SpanResource;
import dev.sightline.core.span.SpanKind;
import dev.sightline.core.span.StatusCode;
import dev.sightline.logs.LogAppender;
import dev.sightline.logs.LogSelection;
import dev.sightline.logs.LogStore;
import dev.sightline.logs.TenantLogView;
import dev.sightline.logs.store.LuceneLogStore;
import dev.sightline.server.RunningServer;
import dev.sightline.server.config.ConfigLoader;
import dev.sightline.server.config.TenantsConfig;
import dev.sightline.traces.SpanAppender;
import dev.sightline.traces.SpanQuery;
import dev.sightline.traces.SpanStore;
import dev.sightline.traces.TenantSpanView;
import dev.sightline.traces.TraceSummary;
import dev.sightline.traces.store.LuceneSpanStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sweeper with a clock of the test's: each tenant loses exactly its lines and spans older than its own retention,
 * found through the stores (no tenant here was ever seen by a request), untenanted data and tenants without a
 * retention keep everything, and a later sweep with the clock moved on deletes what has aged since.
 */
class LogSpanRetentionSweeperTest {
    private static final long MINUTE_MS = 60_000L;
    private static final long NOW_MS = 1_765_000_000_000L;
    private static final SpanResource SVC = new SpanResource(new Attributes.Builder().addString("service.name", "svc")
            .build(), 0, "");

    @TempDir
    Path dir;

    private TenantsConfig config() throws Exception {
        Path file = dir.resolve("sightline.yml");
        Files.writeString(file, """
                tenants:
                  multitenancy_enabled: true
                  defaults: {retention_period: 48h, block_retention: 48h}
                  overrides:
                    short: {retention_period: 1h, block_retention: 2h}
                    keep: {retention_period: 0s, block_retention: 0s}
                """);
        return new ConfigLoader().load(file).tenants();
    }

    /** Ages of the lines and spans each tenant writes, in minutes before NOW. */
    private static final long[] AGES = {180, 90, 30};

    @Test
    void eachTenantLosesWhatIsOlderThanItsOwnRetention() throws Exception {
        AtomicLong wall = new AtomicLong(NOW_MS);
        try (LuceneLogStore logs = LuceneLogStore.open(dir.resolve("logs"), LuceneLogStore.defaultOptions()
                .withRetention(Duration.ZERO, 0));
             LuceneSpanStore spans = LuceneSpanStore.open(dir.resolve("spans"), LuceneSpanStore.defaultOptions()
                     .withRetention(Duration.ZERO, 0))) {
            for (String tenant : List.of("short", "long", "keep")) {
                write(TenantLogView.store(logs, tenant), TenantSpanView.store(spans, tenant));
            }
            write(logs, spans);
            LogSpanRetentionSweeper sweeper = new LogSpanRetentionSweeper(config(), logs, spans, wall::get);

            LogSpanRetentionSweeper.Swept first = sweeper.sweep();
            // short: lines past 1h (180, 90 minutes old), spans past 2h (180); long (48h) and keep lose nothing.
            assertThat(first).isEqualTo(new LogSpanRetentionSweeper.Swept(2, 1));
            assertThat(lineAges(TenantLogView.store(logs, "short"))).containsExactly(30L);
            assertThat(spanAges(TenantSpanView.store(spans, "short"))).containsExactly(90L, 30L);
            for (String kept : List.of("long", "keep")) {
                assertThat(lineAges(TenantLogView.store(logs, kept))).containsExactly(180L, 90L, 30L);
                assertThat(spanAges(TenantSpanView.store(spans, kept))).containsExactly(180L, 90L, 30L);
            }
            assertThat(sweeper.sweep()).isEqualTo(new LogSpanRetentionSweeper.Swept(0, 0));

            // 47 hours on: long's 180 and 90 minute old data is past 48 hours; short's last line and spans too.
            wall.addAndGet(47 * 60 * MINUTE_MS);
            assertThat(sweeper.sweep()).isEqualTo(new LogSpanRetentionSweeper.Swept(1 + 2, 2 + 2));
            assertThat(lineAges(TenantLogView.store(logs, "long"))).containsExactly(30L);
            assertThat(spanAges(TenantSpanView.store(spans, "long"))).containsExactly(30L);
            assertThat(lineAges(TenantLogView.store(logs, "keep"))).containsExactly(180L, 90L, 30L);
            assertThat(spanAges(TenantSpanView.store(spans, "keep"))).containsExactly(180L, 90L, 30L);
            // Lines and spans of no tenant: the stores' own retention only.
            assertThat(lineAges(logs)).hasSize(1 + 3 + 3); // long's, keep's and the untenanted
            assertThat(logs.querier().stats(Long.MIN_VALUE, Long.MAX_VALUE,
                    List.of(LabelMatcher.eq("__tenant__", ""))).entries()).isEqualTo(3);
        }
    }

    /**
     * The server's wiring: lines and spans past a tenant's retention, written straight into the stores (as if kept from
     * before a restart), are gone soon after the server starts again, another tenant's stay.
     */
    @Test
    void theServerSweepsAtStart() throws Exception {
        RunningServer server = new RunningServer();
        try {
            server.start(dir, """
                    tenants:
                      multitenancy_enabled: true
                      overrides:
                        short: {retention_period: 1h, block_retention: 1h}
                    """);
            long now = System.currentTimeMillis();
            for (String tenant : List.of("short", "long")) {
                LogAppender la = TenantLogView.store(server.server().logs(), tenant).appender();
                SpanAppender sa = TenantSpanView.store(server.server().spans(), tenant).appender();
                for (long age : AGES) {
                    long t = (now - age * MINUTE_MS) * 1_000_000L;
                    la.append(Labels.of("job", "app"), t, "age " + age, Labels.EMPTY);
                    sa.append(SVC, InstrumentationScope.EMPTY, new Span(2, age, age, 0, "", 0, "age " + age,
                            SpanKind.SERVER, t, t + 1000, Attributes.EMPTY, 0, List.of(), 0, List.of(), 0,
                            StatusCode.OK, ""));
                }
                la.commit();
                sa.commit();
            }
            server.restart();
            LogStore shortLogs = TenantLogView.store(server.server().logs(), "short");
            SpanStore shortSpans = TenantSpanView.store(server.server().spans(), "short");
            long deadline = System.nanoTime() + 30_000_000_000L;
            while ((lineAges(shortLogs).size() > 1 || spanAges(shortSpans).size() > 1) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(lineAges(shortLogs)).containsExactly(30L);
            assertThat(spanAges(shortSpans)).containsExactly(30L);
            assertThat(lineAges(TenantLogView.store(server.server().logs(), "long"))).containsExactly(180L, 90L, 30L);
            assertThat(spanAges(TenantSpanView.store(server.server().spans(), "long"))).containsExactly(180L, 90L, 30L);
        } finally {
            server.close();
        }
    }

    private static void write(LogStore logs, SpanStore spans) throws IOException {
        LogAppender la = logs.appender();
        SpanAppender sa = spans.appender();
        for (long age : AGES) {
            long t = (NOW_MS - age * MINUTE_MS) * 1_000_000L;
            la.append(Labels.of("job", "app"), t, "age " + age, Labels.EMPTY);
            sa.append(SVC, InstrumentationScope.EMPTY, new Span(1, age, age, 0, "", 0, "age " + age, SpanKind.SERVER,
                    t, t + 1000, Attributes.EMPTY, 0, List.of(), 0, List.of(), 0, StatusCode.OK, ""));
        }
        la.commit();
        sa.commit();
    }

    private static List<Long> lineAges(LogStore store) {
        List<Long> out = new ArrayList<>();
        store.querier().select(LogSelection.streams(Long.MIN_VALUE, Long.MAX_VALUE, List.of()),
                e -> out.add(Long.parseLong(e.line().substring(4))));
        return out;
    }

    private static List<Long> spanAges(SpanStore store) {
        List<Long> out = new ArrayList<>();
        for (TraceSummary t : store.querier().search(new SpanQuery(Long.MIN_VALUE, Long.MAX_VALUE, List.of(), 100, 100))) {
            t.matchedSpans().forEach(s -> out.add(Long.parseLong(s.span().name().substring(4))));
        }
        out.sort((a, b) -> Long.compare(b, a));
        return out;
    }
}
