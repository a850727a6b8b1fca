package dev.sightline.server.tenants;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sightline.server.RunningServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * tenants.rules_dir at start and reload: a bad tenant rule file or alertmanager.yml is reported by FILE:LINE and
 * leaves every running rule and routing as it was, the server answering on; tenants' folders added or removed are
 * picked up at the reload.
 */
class TenantRulesReloadTest {
    @RegisterExtension
    final RunningServer server = new RunningServer();

    @TempDir
    Path dir;

    private static final String CONFIG = """
            global:
              evaluation_interval: 1s
            tenants:
              multitenancy_enabled: true
              rules_dir: tenant-rules
            alertmanager:
              route: {receiver: fallback}
              receivers: [{name: fallback}]
            """;

    private void rules(String tenant, String group) throws Exception {
        Files.createDirectories(dir.resolve("tenant-rules/" + tenant));
        Files.writeString(dir.resolve("tenant-rules/" + tenant + "/rules.yml"),
                "groups:\n  - name: " + group + "\n    rules:\n      - record: r\n        expr: vector(1)\n");
    }

    private JsonNode get(String tenant, String path) throws Exception {
        HttpResponse<String> r = server.send(server.request(path).header(Tenants.HEADER, tenant));
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return RunningServer.JSON.readTree(r.body());
    }

    private String groupNames(String tenant) throws Exception {
        StringBuilder sb = new StringBuilder();
        get(tenant, "/api/v1/rules").path("data").path("groups").forEach(g -> sb.append(g.path("name").asText()).append(' '));
        return sb.toString().strip();
    }

    @Test
    void aBadTenantFileFailsTheReloadByFileAndLineAndTheServerRunsOn() throws Exception {
        rules("a", "a1");
        rules("b", "b1");
        server.start(dir, CONFIG);
        assertThat(groupNames("a")).isEqualTo("a1");
        assertThat(groupNames("b")).isEqualTo("b1");

        Path bad = dir.resolve("tenant-rules/a/rules.yml");
        Files.writeString(bad, "groups:\n  - name: a2\n    rules:\n      - record: r\n        expr: sum(\n");
        rules("b", "b2");
        HttpResponse<String> reload = server.reload();
        assertThat(reload.statusCode()).isEqualTo(500);
        assertThat(reload.body()).contains(bad + ":5: could not parse expression");
        // Nothing applied, not even b's good change; the server answers on.
        assertThat(groupNames("a")).isEqualTo("a1");
        assertThat(groupNames("b")).isEqualTo("b1");
        assertThat(server.get("/-/healthy").statusCode()).isEqualTo(200);

        // A folder whose name is no tenant id is named as well.
        rules("a", "a2");
        Files.createDirectories(dir.resolve("tenant-rules/a b"));
        reload = server.reload();
        assertThat(reload.statusCode()).isEqualTo(500);
        assertThat(reload.body()).contains(dir.resolve("tenant-rules/a b") + ": the folder's name is not a tenant id");
        Files.delete(dir.resolve("tenant-rules/a b"));

        // Fixed: a's and b's changes apply, a new tenant's folder starts its rules, a removed one stops them.
        rules("c", "c1");
        Files.delete(dir.resolve("tenant-rules/b/rules.yml"));
        Files.delete(dir.resolve("tenant-rules/b"));
        assertThat(server.reload().statusCode()).isEqualTo(200);
        assertThat(groupNames("a")).isEqualTo("a2");
        assertThat(groupNames("b")).isEmpty();
        assertThat(groupNames("c")).isEqualTo("c1");
        assertThat(server.server().rules().manager("b")).isNull();

        // Multitenancy is on or off for the server's life: rule_files cannot come in through a reload.
        Files.writeString(dir.resolve("r.yml"), "groups: []\n");
        Files.writeString(server.configFile(), "rule_files: [r.yml]\n");
        reload = server.reload();
        assertThat(reload.statusCode()).isEqualTo(500);
        assertThat(reload.body()).contains("tenants.multitenancy_enabled: turning it on or off takes a restart");
        assertThat(groupNames("a")).isEqualTo("a2");
    }

    @Test
    void aTenantsAlertmanagerFileIsCheckedAndAppliedAtReload() throws Exception {
        rules("a", "a1");
        server.start(dir, CONFIG);
        assertThat(get("a", "/api/v2/receivers").toString()).isEqualTo("[{\"name\":\"fallback\"}]");

        Path am = dir.resolve("tenant-rules/a/alertmanager.yml");
        Files.writeString(am, "route:\n  receiver: own\nreceivers:\n  - name: other\n");
        HttpResponse<String> reload = server.reload();
        assertThat(reload.statusCode()).isEqualTo(500);
        assertThat(reload.body()).contains(am + ":2:3: route.receiver: undefined receiver \"own\" used in route");
        assertThat(get("a", "/api/v2/receivers").toString()).isEqualTo("[{\"name\":\"fallback\"}]");

        Files.writeString(am, "route:\n  receiver: own\nreceivers:\n  - name: own\n");
        assertThat(server.reload().statusCode()).isEqualTo(200);
        assertThat(get("a", "/api/v2/receivers").toString()).isEqualTo("[{\"name\":\"own\"}]");
        // Other tenants keep the fallback.
        assertThat(get("b", "/api/v2/receivers").toString()).isEqualTo("[{\"name\":\"fallback\"}]");
        assertThat(get("a", "/api/v2/status").path("config").path("original").asText()).contains("own");
    }

    @Test
    void aBadTenantFileRefusesTheStart() throws Exception {
        Files.createDirectories(dir.resolve("tenant-rules/a"));
        Path bad = dir.resolve("tenant-rules/a/rules.yml");
        Files.writeString(bad, "groups:\n  - name: x\n    rules:\n      - alert: A\n        expr: vector(1)\n        for: soon\n");
        assertThatThrownBy(() -> server.start(dir, CONFIG)).hasMessageContaining("invalid rule files")
                .hasMessageContaining(bad + ":6:");
    }

    @Test
    void aMissingRulesDirRefusesTheStart() {
        assertThatThrownBy(() -> server.start(dir, CONFIG)).hasMessageContaining("invalid rule files")
                .hasMessageContaining(dir.resolve("tenant-rules") + ": tenants.rules_dir: no such directory");
    }
}
