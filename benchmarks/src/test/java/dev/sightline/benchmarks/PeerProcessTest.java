package dev.sightline.benchmarks;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PeerProcessTest {
    @Test
    void activeMergesSumEveryType() {
        String metrics = "vm_active_merges{type=\"indexdb\"} 0\nvm_active_merges{type=\"storage/big\"} 2\n"
                + "vm_active_merges{type=\"storage/small\"} 1\nvm_merges_total{type=\"storage/small\"} 40\n";
        assertThat(PeerProcess.activeMerges(metrics)).isEqualTo(3);
        assertThat(PeerProcess.activeMerges("vm_rows{type=\"indexdb\"} 7\n")).isZero();
    }

    @Test
    void aMissingPeerSaysHowToInstallIt() {
        assertThatThrownBy(() -> PeerProcess.requireInstalled(Path.of("/nonexistent/victoria-metrics"), "victoria-metrics"))
                .hasMessage("victoria-metrics not found at /nonexistent/victoria-metrics (Debian/Ubuntu: apt-get install"
                        + " victoria-metrics; or pass its path)");
        assertThatThrownBy(() -> PeerProcess.requirePeers(java.util.List.of("influxdb"), Path.of("/bin/true"), Path.of("/bin/true")))
                .hasMessage("peers are prometheus and victoria-metrics, got influxdb");
    }

    @Test
    void theServerStartsWithTheLaunchersJvmOptions() throws IOException {
        // Tests run in benchmarks/: the server module and the launcher are beside it.
        Path options = Path.of("../server/jvm.options").toAbsolutePath().normalize();
        String cp = "../server/target-any/sightline-server-1.0.jar:../server/target-any/lib/*";
        assertThat(PeerProcess.sightlineCommand(cp, java.util.List.of("-Xmx1g"), "--data-dir", "d"))
                .containsSubsequence("@" + options, "-Xmx1g", "-cp", cp, "dev.sightline.server.Main", "server", "--data-dir", "d");
        assertThat(Files.readString(Path.of("../sightline"))).contains("@\"$ROOT/server/jvm.options\"");
        assertThatThrownBy(() -> PeerProcess.sightlineCommand("/nonexistent/target/s.jar", java.util.List.of()))
                .hasMessageStartingWith("no JVM options file at /nonexistent/jvm.options");
    }
}
