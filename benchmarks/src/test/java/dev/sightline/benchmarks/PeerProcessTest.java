package dev.sightline.benchmarks;

import org.junit.jupiter.api.Test;

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
}
