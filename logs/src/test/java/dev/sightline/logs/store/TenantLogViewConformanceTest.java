package dev.sightline.logs.store;

import dev.sightline.core.Deadline;
import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.core.TenantScope;
import dev.sightline.logs.LogAppender;
import dev.sightline.logs.LogQuerier;
import dev.sightline.logs.LogSelection;
import dev.sightline.logs.LogStore;
import dev.sightline.logs.LogStoreConformanceTest;
import dev.sightline.logs.TenantLogView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The conformance suite through one tenant's view of a disk store that also holds another tenant's lines and
 * untenanted ones, in the suite's time range and with its label names: any of them leaking into the view would break
 * the suite's exact answers.
 */
class TenantLogViewConformanceTest extends LogStoreConformanceTest {
    @Override
    protected LogStore open(Path dir) throws IOException {
        boolean fresh;
        try (var files = Files.list(dir)) {
            fresh = files.findAny().isEmpty();
        }
        LogStore shared = LuceneLogStore.open(dir, LuceneLogStore.defaultOptions().withRetention(Duration.ZERO, 0));
        if (fresh) {
            seed(TenantLogView.store(shared, "b").appender());
            seed(shared.appender());
        }
        LogStore view = TenantLogView.store(shared, "a");
        return new LogStore() {
            @Override
            public LogAppender appender() {
                return view.appender();
            }

            @Override
            public LogQuerier querier() {
                return view.querier();
            }

            @Override
            public long delete(LogSelection selection) throws IOException {
                return view.delete(selection);
            }

            @Override
            public LogQuerier querier(Deadline deadline) {
                return view.querier(deadline);
            }

            @Override
            public void close() throws IOException {
                shared.close();
            }
        };
    }

    @Test
    void aDeleteThroughOneTenantsViewNeverReachesAnotherTenantsLines(@TempDir Path d) throws IOException {
        try (LuceneLogStore shared = LuceneLogStore.open(d, LuceneLogStore.defaultOptions()
                .withRetention(Duration.ZERO, 0))) {
            seed(TenantLogView.store(shared, "a").appender());
            seed(TenantLogView.store(shared, "b").appender());
            seed(shared.appender());
            LogStore a = TenantLogView.store(shared, "a");
            long all = Long.MIN_VALUE;
            long end = Long.MAX_VALUE;
            assertThat(a.delete(LogSelection.streams(all, end, List.of(LabelMatcher.eq(TenantScope.LABEL, "b")))))
                    .isZero();
            assertThat(a.delete(LogSelection.streams(all, end, List.of(LabelMatcher.re(TenantScope.LABEL, ".+")))))
                    .isZero();
            // A matcher the empty value meets is the tenant's own: a's lines go, no one else's.
            assertThat(a.delete(LogSelection.streams(all, end, List.of(LabelMatcher.eq("service", "noise"),
                    LabelMatcher.re(TenantScope.LABEL, "b|"))))).isEqualTo(50);
            assertThat(a.querier().stats(all, end, List.of()).entries()).isZero();
            assertThat(TenantLogView.store(shared, "b").querier().stats(all, end, List.of()).entries()).isEqualTo(50);
            assertThat(shared.querier().stats(all, end, List.of()).entries()).isEqualTo(100);
        }
    }

    private static void seed(LogAppender app) throws IOException {
        for (int i = 0; i < 50; i++) {
            app.append(Labels.of("service", "noise", "env", "prod", "level", "error"), T0 + i * HOUR / 10,
                    "noise line " + i + " level=error status=500 msg=\"other tenant\"", Labels.of("trace_id", "x"));
        }
        app.commit();
    }
}
