package dev.sightline.logs.store;

import dev.sightline.core.Deadline;
import dev.sightline.core.Labels;
import dev.sightline.logs.LogAppender;
import dev.sightline.logs.LogQuerier;
import dev.sightline.logs.LogStore;
import dev.sightline.logs.LogStoreConformanceTest;
import dev.sightline.logs.TenantLogView;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

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
            public LogQuerier querier(Deadline deadline) {
                return view.querier(deadline);
            }

            @Override
            public void close() throws IOException {
                shared.close();
            }
        };
    }

    private static void seed(LogAppender app) throws IOException {
        for (int i = 0; i < 50; i++) {
            app.append(Labels.of("service", "noise", "env", "prod", "level", "error"), T0 + i * HOUR / 10,
                    "noise line " + i + " level=error status=500 msg=\"other tenant\"", Labels.of("trace_id", "x"));
        }
        app.commit();
    }
}
