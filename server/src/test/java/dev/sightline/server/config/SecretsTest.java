package dev.sightline.server.config;

import dev.sightline.alerting.config.WebhookConfig;
import dev.sightline.ingest.scrape.ScrapeConfig;
import dev.sightline.server.RunningServer;
import dev.sightline.synthetics.canary.CanaryConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Every secret field of sightline.yml: given inline, as ${ENV} or as a *_file, it reaches the component, and the
 * running configuration shows {@code <secret>} in its place with no secret value anywhere in the text.
 */
class SecretsTest {
    /** Every secret value the configuration below resolves; none may appear in the masked YAML. */
    private static final List<String> SECRET_VALUES = List.of("hooks.example.com/services/T0/B0/XYZ", "am-pass-1",
            "am-token-2", "am-cred-3", "scrape-pass-4", "scrape-cred-5", "scrape-token-6", "db-pass-7",
            "redis-pass-8", "jdbc-pass-9", "inline-pass-10");
    private static final Map<String, String> ENV = Map.of("AM_PASS", "am-pass-1", "SCRAPE_PASS", "scrape-pass-4",
            "REDIS_PASS", "redis-pass-8", "JDBC_PASS", "jdbc-pass-9");

    @TempDir
    Path dir;

    private static final String CONFIG = """
            scrape_configs:
              - job_name: a
                basic_auth: {username: u, password: "${SCRAPE_PASS}"}
                static_configs: [{targets: ["h:1"]}]
              - job_name: b
                authorization: {credentials: scrape-cred-5}
                static_configs: [{targets: ["h:2"]}]
              - job_name: c
                bearer_token: scrape-token-6
                static_configs: [{targets: ["h:3"]}]
              - job_name: d
                basic_auth: {username: u, password_file: scrape.pass}
                static_configs: [{targets: ["h:4"]}]
            alertmanager:
              route: {receiver: hook}
              receivers:
                - name: hook
                  webhook_configs:
                    - url_file: slack.url
                      http_config: {basic_auth: {username: am, password: "pre-${AM_PASS}"}}
                    - url: http://hook-2.example.com/x
                      http_config: {bearer_token_file: am.token}
                    - url: http://hook-3.example.com/x
                      http_config: {authorization: {type: Token, credentials_file: am.cred}}
                    - url: http://hook-4.example.com/x
                      http_config: {basic_auth: {username: am, password: inline-pass-10}}
            canaries:
              - name: orders-db
                interval: 15s
                write: {sql: {url: "jdbc:postgresql://db:5432/shop?password=${JDBC_PASS}", user: canary, password_file: db.pass, table: ops_canary}}
                readers:
                  - {name: sessions, redis: {url: "redis://:${REDIS_PASS}@redis:6379", key: "canary:orders"}}
            """;

    private SightlineConfig load() throws Exception {
        Files.writeString(dir.resolve("slack.url"), "https://hooks.example.com/services/T0/B0/XYZ\n");
        Files.writeString(dir.resolve("am.token"), "am-token-2\n");
        Files.writeString(dir.resolve("am.cred"), "am-cred-3");
        Files.writeString(dir.resolve("scrape.pass"), "scrape-pass-file");
        Files.writeString(dir.resolve("db.pass"), "  db-pass-7\n");
        Path file = dir.resolve("sightline.yml");
        Files.writeString(file, CONFIG);
        return new ConfigLoader(ENV::get).load(file);
    }

    @Test
    void secretsComeFromEnvironmentVariablesAndFilesAndReachTheirComponents() throws Exception {
        SightlineConfig c = load();
        List<WebhookConfig> hooks = c.alertmanager().receivers().get(0).webhookConfigs();
        assertThat(hooks.get(0).url()).isEqualTo("https://hooks.example.com/services/T0/B0/XYZ");
        assertThat(hooks.get(0).httpConfig().basicAuth().password()).isEqualTo("pre-am-pass-1");
        assertThat(hooks.get(1).httpConfig().bearerToken()).isEqualTo("am-token-2");
        assertThat(hooks.get(2).httpConfig().authorization().credentials()).isEqualTo("am-cred-3");
        assertThat(hooks.get(2).httpConfig().authorizationHeader()).isEqualTo("Token am-cred-3");
        List<ScrapeConfig> jobs = c.scrapeConfigs();
        assertThat(jobs.get(0).basicAuth().password()).isEqualTo("scrape-pass-4");
        // Scrape jobs read their own password_file at each scrape, as Prometheus: left as the path.
        assertThat(jobs.get(3).basicAuth().passwordFile()).isEqualTo("scrape.pass");
        CanaryConfig db = c.canaries().get(0);
        assertThat(db.write().sql().password()).isEqualTo("db-pass-7");
        assertThat(db.write().sql().url()).endsWith("?password=jdbc-pass-9");
        assertThat(db.readers().get(0).redis().url()).isEqualTo("redis://:redis-pass-8@redis:6379");
        // The webhook URL as logs and delivery errors show it.
        assertThat(hooks.get(0).redactedUrl()).isEqualTo("https://hooks.example.com/<secret>");
    }

    @Test
    void theRunningConfigurationShowsEverySecretAsSecret() throws Exception {
        String yaml = ConfigYaml.write(load());
        for (String v : SECRET_VALUES) {
            assertThat(yaml).as("the masked configuration holds no secret").doesNotContain(v);
        }
        assertThat(yaml).doesNotContain("pre-").doesNotContain("scrape-pass-file");
        // 4 webhook URLs, 4 webhook credentials, 3 scrape credentials, the SQL URL and password, the Redis URL.
        assertThat(yaml.split("<secret>", -1)).hasSize(15);
        assertThat(yaml).contains("password_file: scrape.pass").contains("username: am");
        // The Alertmanager section alone (its /api/v2/status) masks the same fields.
        String am = ConfigYaml.write(load().alertmanager());
        assertThat(am).doesNotContain("XYZ").doesNotContain("am-pass-1").doesNotContain("am-token-2").contains("url: <secret>");
    }

    @Test
    void unresolvableSecretsAreLocatedErrorsThatDoNotShowTheValue() throws Exception {
        ConfigLoader loader = new ConfigLoader(Map.<String, String>of()::get);
        String unset = catchThrowableOfType(ConfigException.class, () -> loader.parse("s.yml", """
                scrape_configs:
                  - job_name: a
                    basic_auth: {username: u, password: "${NOPE}"}
                    static_configs: [{targets: ["h:1"]}]
                """.getBytes(StandardCharsets.UTF_8), dir)).getMessage();
        assertThat(unset).isEqualTo("s.yml:3:31: scrape_configs[0].basic_auth.password: environment variable NOPE is not set");
        String missing = catchThrowableOfType(ConfigException.class, () -> loader.parse("s.yml", """
                alertmanager:
                  route: {receiver: r}
                  receivers: [{name: r, webhook_configs: [{url_file: missing.url}]}]
                """.getBytes(StandardCharsets.UTF_8), dir)).getMessage();
        assertThat(missing).isEqualTo("s.yml:3:44: alertmanager.receivers[0].webhook_configs[0].url_file: cannot read secret file "
                + dir.resolve("missing.url") + ": no such file");
        String both = catchThrowableOfType(ConfigException.class, () -> loader.parse("s.yml", """
                alertmanager:
                  route: {receiver: r}
                  receivers: [{name: r, webhook_configs: [{url: "http://a/b", url_file: x}]}]
                """.getBytes(StandardCharsets.UTF_8), dir)).getMessage();
        assertThat(both).contains("webhook_configs[0].url_file: at most one of url and url_file may be set");
        Files.writeString(dir.resolve("bad.url"), "ftp://secret-host/token-xyz");
        String bad = catchThrowableOfType(ConfigException.class, () -> loader.parse("s.yml", """
                alertmanager:
                  route: {receiver: r}
                  receivers: [{name: r, webhook_configs: [{url_file: bad.url}]}]
                """.getBytes(StandardCharsets.UTF_8), dir)).getMessage();
        assertThat(bad).contains("not an http or https URL").doesNotContain("token-xyz");
        // A $ outside secret fields stays as written.
        SightlineConfig plain = loader.parse("s.yml", """
                scrape_configs:
                  - job_name: "${job}"
                    static_configs: [{targets: ["h:1"]}]
                """.getBytes(StandardCharsets.UTF_8), dir);
        assertThat(plain.scrapeConfigs().get(0).jobName()).isEqualTo("${job}");
    }

    @Test
    void statusConfigOverHttpShowsSecretsAsSecret() throws Exception {
        Files.writeString(dir.resolve("slack.url"), "https://hooks.example.com/services/T0/B0/XYZ\n");
        try (RunningServer server = new RunningServer().start(dir, """
                scrape_configs:
                  - job_name: a
                    basic_auth: {username: u, password: scrape-pass-4}
                    static_configs: [{targets: ["127.0.0.1:1"]}]
                alertmanager:
                  route: {receiver: hook}
                  receivers: [{name: hook, webhook_configs: [{url_file: slack.url, http_config: {bearer_token: am-token-2}}]}]
                """)) {
            String yaml = server.getJson("/api/v1/status/config").get("data").get("yaml").asText();
            assertThat(yaml).contains("password: <secret>").contains("url: <secret>").contains("bearer_token: <secret>")
                    .doesNotContain("scrape-pass-4").doesNotContain("XYZ").doesNotContain("am-token-2");
            String am = server.get("/api/v2/status").body();
            assertThat(am).doesNotContain("XYZ").doesNotContain("am-token-2");
        }
    }

    /** A tenant's alertmanager.yml is the alertmanager: section on its own: its secrets read, its errors located in it. */
    @Test
    void aSectionFileReadsItsSecretsAndLocatesItsErrors() throws Exception {
        Files.writeString(dir.resolve("hook.url"), "http://tenant-hook.example.com/x\n");
        ConfigLoader loader = new ConfigLoader(Map.of("HOOK_TOKEN", "t0k")::get);
        dev.sightline.alerting.config.AlertmanagerConfig am = loader.parseSection("alertmanager.yml", """
                route: {receiver: r}
                receivers:
                  - name: r
                    webhook_configs:
                      - url_file: hook.url
                      - url: "http://other.example.com/${HOOK_TOKEN}"
                """.getBytes(StandardCharsets.UTF_8), dir, "alertmanager", dev.sightline.alerting.config.AlertmanagerConfig.class);
        assertThat(am.receivers().get(0).webhookConfigs()).extracting(w -> w.url().toString())
                .containsExactly("http://tenant-hook.example.com/x", "http://other.example.com/t0k");
        String missing = catchThrowableOfType(ConfigException.class, () -> loader.parseSection("alertmanager.yml", """
                route: {receiver: r}
                receivers: [{name: r, webhook_configs: [{url_file: missing.url}]}]
                """.getBytes(StandardCharsets.UTF_8), dir, "alertmanager", dev.sightline.alerting.config.AlertmanagerConfig.class))
                .getMessage();
        assertThat(missing).isEqualTo("alertmanager.yml:2:42: receivers[0].webhook_configs[0].url_file: cannot read secret"
                + " file " + dir.resolve("missing.url") + ": no such file");
        String unknown = catchThrowableOfType(ConfigException.class, () -> loader.parseSection("alertmanager.yml",
                "route: {receiver: r}\nreceivers: [{name: r}]\nroutes: []\n".getBytes(StandardCharsets.UTF_8), dir,
                "alertmanager", dev.sightline.alerting.config.AlertmanagerConfig.class)).getMessage();
        assertThat(unknown).startsWith("alertmanager.yml:3:1: unknown key \"routes\" at top level");
    }
}
