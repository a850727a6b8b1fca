package dev.sightline.server;

import dev.sightline.core.Labels;
import dev.sightline.metricstore.Appender;
import dev.sightline.metricstore.TenantView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code sightline maturity} against a running server, and without one. */
class MaturityCommandTest {
    @Test
    void printsEveryServiceWithItsLevelAndWhatIsMissing(@TempDir Path dir) throws Exception {
        try (RunningServer server = new RunningServer().start(dir, null)) {
            long now = System.currentTimeMillis();
            Appender app = server.storage().appender();
            app.append(0, Labels.of("__name__", "up", "job", "node", "instance", "host:9100"), now, 1);
            app.append(0, Labels.of("__name__", "node_load1", "job", "node", "instance", "host:9100"), now, 0.5);
            app.commit();
            var logs = server.server().logs().appender();
            logs.append(Labels.of("service_name", "frontend"), now * 1_000_000L, "GET / 200", Labels.EMPTY);
            logs.commit();

            CliRun run = CliRun.run("maturity", "--target", server.uri("/").toString());
            assertThat(run.err()).isEmpty();
            assertThat(run.exit()).isZero();
            assertThat(run.out().lines().toList()).containsExactly(
                    "SERVICE   LEVEL       MISSING FOR THE NEXT LEVEL",
                    "frontend  1 blind     2 reactive: metrics",
                    "node      2 reactive  3 proactive: golden signals (rate, errors, duration); alert rules covering the golden signals",
                    "Drills: none recorded (./sightline drill records them in <data dir>/drills/results.json; see docs/maturity.md)");

            CliRun verbose = CliRun.run("maturity", "--target", server.uri("/").toString(), "--verbose");
            assertThat(verbose.out()).contains("node:\n  2 [x] metrics: 2 metric name(s)\n        node_load1\n        up\n")
                    .contains("  5 [ ] drills passed in the last 30 days: none recorded\n");
        }
    }

    @Test
    void anOrgIdAssessesThatTenant(@TempDir Path dir) throws Exception {
        try (RunningServer server = new RunningServer().start(dir, "tenants:\n  multitenancy_enabled: true\n")) {
            long now = System.currentTimeMillis();
            for (String t : List.of("a", "b")) {
                Appender app = TenantView.storage(server.storage(), t).appender();
                app.append(0, Labels.of("__name__", "up", "job", t + "-node"), now, 1);
                app.commit();
            }
            CliRun a = CliRun.run("maturity", "--target", server.uri("/").toString(), "--org-id", "a");
            assertThat(a.exit()).as(a.err()).isZero();
            assertThat(a.out()).contains("a-node").doesNotContain("b-node");
            CliRun none = CliRun.run("maturity", "--target", server.uri("/").toString());
            assertThat(none.exit()).isEqualTo(1);
            assertThat(none.err()).contains("answered 401").contains("no org id");
        }
    }

    @Test
    void noServerIsAClearError() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        CliRun run = CliRun.run("maturity", "--target", "http://127.0.0.1:" + port);
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("maturity: no server at http://127.0.0.1:" + port
                + " (start one with `sightline server`, or pass --target URL)\n");
    }
}
