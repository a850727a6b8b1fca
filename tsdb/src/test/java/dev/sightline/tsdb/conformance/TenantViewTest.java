package dev.sightline.tsdb.conformance;

import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.core.TenantScope;
import dev.sightline.metricstore.Appender;
import dev.sightline.metricstore.ExemplarStorage;
import dev.sightline.metricstore.ExemplarAppender;
import dev.sightline.metricstore.ExemplarSeries;
import dev.sightline.metricstore.Querier;
import dev.sightline.metricstore.SeriesSet;
import dev.sightline.metricstore.Storage;
import dev.sightline.metricstore.TenantView;
import dev.sightline.tsdb.Tsdb;
import dev.sightline.tsdb.TsdbOptions;
import dev.sightline.tsdb.exemplar.ExemplarStore;
import dev.sightline.tsdb.wal.FsyncPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What a tenant may try to reach another's series with, through the view, and that it gets nothing of theirs. */
class TenantViewTest {
    @TempDir
    Path dir;
    Tsdb db;
    Storage a;
    Storage b;

    @BeforeEach
    void open() throws Exception {
        db = Tsdb.open(dir, TsdbOptions.defaults().withFsyncPolicy(FsyncPolicy.NEVER));
        a = TenantView.storage(db, "team-a");
        b = TenantView.storage(db, "team-b");
        write(a, Labels.of("__name__", "up", "job", "a-job"), 1);
        // b tries to write into a by sending the reserved label itself: the view replaces it.
        write(b, Labels.of("__name__", "up", "job", "b-job", TenantScope.LABEL, "team-a"), 2);
    }

    @AfterEach
    void close() throws Exception {
        db.close();
    }

    private static void write(Storage s, Labels l, double v) throws Exception {
        Appender app = s.appender();
        app.append(0, l, 1000, v);
        app.commit();
    }

    private static List<Labels> select(Storage s, LabelMatcher... m) {
        List<Labels> out = new ArrayList<>();
        try (Querier q = s.querier(0, 10_000)) {
            SeriesSet set = q.select(true, 0, 10_000, m);
            while (set.next()) {
                out.add(set.at().labels());
            }
        }
        return out;
    }

    @Test
    void everySelectorStaysInsideTheTenant() {
        Labels onlyA = Labels.of("__name__", "up", "job", "a-job");
        assertThat(select(a, LabelMatcher.re("__name__", ".+"))).containsExactly(onlyA);
        assertThat(select(a, LabelMatcher.re("__name__", ".+"), LabelMatcher.re(TenantScope.LABEL, ".*")))
                .containsExactly(onlyA);
        // The label is absent to the tenant: a matcher needing it non-empty finds nothing, even naming the tenant.
        assertThat(select(a, LabelMatcher.re(TenantScope.LABEL, "team-.*"))).isEmpty();
        assertThat(select(a, LabelMatcher.eq("__name__", "up"), LabelMatcher.eq(TenantScope.LABEL, "team-b"))).isEmpty();
        assertThat(select(a, LabelMatcher.eq("__name__", "up"), LabelMatcher.neq(TenantScope.LABEL, "team-a"))).containsExactly(onlyA);
        assertThat(select(b, LabelMatcher.eq("job", "b-job"))).containsExactly(Labels.of("__name__", "up", "job", "b-job"));
        assertThat(select(b, LabelMatcher.eq("job", "a-job"))).isEmpty();
        assertThatThrownBy(() -> select(a, LabelMatcher.eq(TenantScope.LABEL, "")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("non-empty matcher");
    }

    @Test
    void labelNamesAndValuesStayInsideTheTenant() {
        try (Querier q = a.querier(0, 10_000)) {
            assertThat(q.labelNames()).containsExactly("__name__", "job");
            assertThat(q.labelValues("job")).containsExactly("a-job");
            assertThat(q.labelValues("job", LabelMatcher.re(TenantScope.LABEL, ".+"))).isEmpty();
            assertThat(q.labelValues(TenantScope.LABEL)).isEmpty();
        }
        try (Querier q = db.querier(0, 10_000)) {
            assertThat(q.labelValues(TenantScope.LABEL)).containsExactly("team-a", "team-b");
        }
    }

    @Test
    void exemplarsStayInsideTheTenant() {
        ExemplarStore store = new ExemplarStore(100);
        ExemplarStorage ea = TenantView.exemplars(store, "team-a");
        ExemplarStorage eb = TenantView.exemplars(store, "team-b");
        Labels series = Labels.of("__name__", "req", "job", "x");
        for (ExemplarStorage e : List.of(ea, eb)) {
            ExemplarAppender app = e.appender();
            app.add(series, Labels.of("trace_id", e == ea ? "aaa" : "bbb"), 1, 1000);
            app.commit();
        }
        List<ExemplarSeries> got = ea.select(0, 10_000, List.of(List.of(LabelMatcher.re("__name__", ".+"))));
        assertThat(got).hasSize(1);
        assertThat(got.get(0).seriesLabels()).isEqualTo(series);
        assertThat(got.get(0).exemplars().get(0).labels()).isEqualTo(Labels.of("trace_id", "aaa"));
        assertThat(ea.select(0, 10_000, List.of(List.of(LabelMatcher.eq(TenantScope.LABEL, "team-b"))))).isEmpty();
    }
}
