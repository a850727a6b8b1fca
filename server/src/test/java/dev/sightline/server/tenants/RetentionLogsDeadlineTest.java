package dev.sightline.server.tenants;

import dev.sightline.core.Deadline;
import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.logs.InMemoryLogStore;
import dev.sightline.logs.LineFilter;
import dev.sightline.logs.LogAppender;
import dev.sightline.logs.LogQuerier;
import dev.sightline.logs.LogSelection;
import dev.sightline.logs.LogStore;
import dev.sightline.logs.TenantLogView;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A tenant's log store (its view, then its retention) hands a query's deadline on to the shared store, whose own
 * scan watches it (so a filter that rejects every line stops too), and still reads from the retention's cutoff on.
 */
class RetentionLogsDeadlineTest {
    private static final long NOW_MS = 1_800_000_000_000L;
    private static final long NOW_NS = NOW_MS * 1_000_000L;

    @Test
    void theDeadlineReachesTheSharedStoresScanThroughTheTenantsViews() throws Exception {
        InMemoryLogStore shared = new InMemoryLogStore();
        List<Deadline> seen = new ArrayList<>();
        LogStore recording = new LogStore() {
            @Override
            public LogAppender appender() {
                return shared.appender();
            }

            @Override
            public LogQuerier querier() {
                return shared.querier();
            }

            @Override
            public LogQuerier querier(Deadline deadline) {
                seen.add(deadline);
                return shared.querier(deadline);
            }

            @Override
            public void close() {
            }
        };
        LogStore tenant = Retention.logs(TenantLogView.store(recording, "a"), 3_600_000L, () -> NOW_MS);
        LogAppender a = tenant.appender();
        for (int i = 0; i < 3 * Deadline.CHECK_EVERY; i++) {
            a.append(Labels.of("app", "x"), NOW_NS - i * 1_000_000L, "line " + i, Labels.EMPTY);
        }
        a.append(Labels.of("app", "x"), NOW_NS - 2 * 3_600_000_000_000L, "past retention", Labels.EMPTY);
        a.commit();

        Deadline d = Deadline.in(60_000);
        LogQuerier q = tenant.querier(d);
        assertThat(seen).containsExactly(d);
        LogSelection all = LogSelection.streams(Long.MIN_VALUE, Long.MAX_VALUE, List.of(LabelMatcher.eq("app", "x")));
        List<String> lines = new ArrayList<>();
        q.select(all.withLineFilters(List.of(LineFilter.of(LineFilter.Op.CONTAINS, "e"))), e -> lines.add(e.line()));
        assertThat(lines).hasSize(3 * Deadline.CHECK_EVERY).doesNotContain("past retention");
    }
}
