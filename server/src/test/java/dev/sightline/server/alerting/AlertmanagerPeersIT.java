package dev.sightline.server.alerting;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sightline.server.SightlineServer;
import dev.sightline.server.config.ConfigLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Against the real peers: Debian's prometheus-alertmanager receives Sightline's alerts through its API v2 (the
 * {@code alerting:} section), and Debian's Prometheus, with Sightline as its Alertmanager, posts its alerts here.
 */
class AlertmanagerPeersIT {
    private static final Path ALERTMANAGER = Path.of("/usr/bin/prometheus-alertmanager");
    private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    private static final Path AMTOOL = Path.of("/usr/bin/amtool");
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path tmp;

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private Process run(Path log, String... command) throws IOException {
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** GETs a JSON list until one element has label alertname = {@code name}; null after the timeout. */
    private JsonNode awaitAlert(String url, String name, long timeoutSeconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    for (JsonNode a : JSON.readTree(r.body())) {
                        if (a.path("labels").path("alertname").asText().equals(name)) {
                            return a;
                        }
                    }
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        return null;
    }

    private static String log(Path log) throws IOException {
        String s = Files.readString(log);
        return s.length() > 3000 ? s.substring(s.length() - 3000) : s;
    }

    @Test
    void debianAlertmanagerReceivesSightlinesAlerts() throws Exception {
        assumeTrue(Files.isExecutable(ALERTMANAGER), "peer not available: " + ALERTMANAGER + " (Debian package prometheus-alertmanager)");
        int amPort = freePort();
        Path amConfig = tmp.resolve("alertmanager.yml");
        Files.writeString(amConfig, "route: {receiver: blackhole}\nreceivers: [{name: blackhole}]\n");
        Path amLog = tmp.resolve("alertmanager.log");
        Process am = run(amLog, ALERTMANAGER.toString(), "--config.file=" + amConfig,
                "--storage.path=" + tmp.resolve("am-data"), "--web.listen-address=127.0.0.1:" + amPort,
                "--cluster.listen-address=");
        try {
            // Sightline sends the first alert at once and resends only after a minute: the peer must be listening first.
            awaitReady("http://127.0.0.1:" + amPort + "/-/ready", amLog);
            Path cfg = tmp.resolve("sightline.yml");
            Files.writeString(cfg, """
                    global:
                      evaluation_interval: 1s
                      external_labels: {site: lab}
                    rule_files: [rules.yml]
                    alerting:
                      alertmanagers:
                        - static_configs: [{targets: ['127.0.0.1:%d']}]
                          api_version: v2
                          timeout: 5s
                    """.formatted(amPort));
            Files.writeString(tmp.resolve("rules.yml"), """
                    groups:
                      - name: g
                        rules:
                          - alert: SightlinePeerCheck
                            expr: vector(7)
                            labels: {severity: page}
                            annotations: {summary: 'value {{ $value }}'}
                    """);
            try (SightlineServer server = SightlineServer.start(new SightlineServer.Settings(tmp.resolve("data"), "127.0.0.1", 0,
                    new ConfigLoader().load(cfg), cfg))) {
                server.storage().get(60, TimeUnit.SECONDS);
                JsonNode a = awaitAlert("http://127.0.0.1:" + amPort + "/api/v2/alerts", "SightlinePeerCheck", 30);
                assertThat(a).as("alert in Alertmanager (log: %s)", log(amLog)).isNotNull();
                assertThat(a.get("labels").toString())
                        .isEqualTo("{\"alertname\":\"SightlinePeerCheck\",\"severity\":\"page\",\"site\":\"lab\"}");
                assertThat(a.get("annotations").get("summary").asText()).isEqualTo("value 7");
                assertThat(a.get("status").get("state").asText()).isEqualTo("active");
                assertThat(a.get("receivers").get(0).get("name").asText()).isEqualTo("blackhole");
                // Alertmanager computes the same fingerprint for the label set as Sightline does.
                JsonNode ours = awaitAlert("http://127.0.0.1:" + server.httpPort() + "/api/v2/alerts", "SightlinePeerCheck", 5);
                assertThat(a.get("fingerprint").asText()).isEqualTo(ours.get("fingerprint").asText());
                assertThat(server.metrics().scrape()).asString()
                        .contains("sightline_alerting_external_alerts_sent_total{alertmanager=\"127.0.0.1:" + amPort + "\"}");
            }
        } finally {
            stop(am);
        }
    }

    @Test
    void webhookPayloadIsAlertmanagersFieldByField() throws Exception {
        assumeTrue(Files.isExecutable(ALERTMANAGER), "peer not available: " + ALERTMANAGER + " (Debian package prometheus-alertmanager)");
        try (WebhookReceiver hooks = new WebhookReceiver()) {
            String route = """
                      route: {receiver: hook, group_by: [alertname, desk], group_wait: 0s, group_interval: 1s}
                      receivers: [{name: hook, webhook_configs: [{url: '%s'}]}]
                    """;
            int amPort = freePort();
            Path amConfig = tmp.resolve("alertmanager.yml");
            Files.writeString(amConfig, route.formatted(hooks.url("/am")).stripIndent());
            Path amLog = tmp.resolve("alertmanager.log");
            Process am = run(amLog, ALERTMANAGER.toString(), "--config.file=" + amConfig,
                    "--storage.path=" + tmp.resolve("am-data"), "--web.listen-address=127.0.0.1:" + amPort,
                    "--cluster.listen-address=");
            Path cfg = tmp.resolve("sightline.yml");
            Files.writeString(cfg, "alertmanager:\n" + route.formatted(hooks.url("/sl")));
            try (SightlineServer server = SightlineServer.start(new SightlineServer.Settings(tmp.resolve("data"), "127.0.0.1", 0,
                    new ConfigLoader().load(cfg), cfg))) {
                String alerts = """
                        [{"labels":{"alertname":"Drift","desk":"fx","instance":"a"},"annotations":{"summary":"s","x":"1"},
                          "startsAt":"2026-01-02T03:04:05.678Z","generatorURL":"http://prom/graph"},
                         {"labels":{"alertname":"Drift","desk":"fx","instance":"b"},"annotations":{"summary":"s","x":"2"},
                          "startsAt":"2026-01-02T03:04:05Z","endsAt":"2026-01-02T03:09:05Z"}]
                        """;
                postUntilAccepted("http://127.0.0.1:" + amPort + "/api/v2/alerts", alerts);
                postUntilAccepted("http://127.0.0.1:" + server.httpPort() + "/api/v2/alerts", alerts);
                WebhookReceiver.Call theirs = hooks.await(c -> c.path().equals("/am"), 30_000);
                WebhookReceiver.Call ours = hooks.await(c -> c.path().equals("/sl"), 10_000);
                assertThat(theirs).as("Alertmanager's webhook call (log: %s)", log(amLog)).isNotNull();
                assertThat(ours).isNotNull();
                JsonNode t = theirs.payload();
                JsonNode o = ours.payload();
                System.out.println("Alertmanager: " + t + "\nSightline:    " + o);
                assertThat(o.fieldNames()).toIterable().containsExactlyInAnyOrderElementsOf(() -> t.fieldNames());
                for (String field : List.of("version", "groupKey", "truncatedAlerts", "status", "receiver", "groupLabels",
                        "commonLabels", "commonAnnotations")) {
                    assertThat(o.get(field)).as(field).isEqualTo(t.get(field));
                }
                assertThat(o.get("alerts").size()).isEqualTo(t.get("alerts").size());
                for (int i = 0; i < t.get("alerts").size(); i++) {
                    JsonNode ta = t.get("alerts").get(i);
                    JsonNode oa = o.get("alerts").get(i);
                    assertThat(oa.fieldNames()).toIterable().containsExactlyInAnyOrderElementsOf(() -> ta.fieldNames());
                    String at = "alerts[" + i + "].";
                    ta.fieldNames().forEachRemaining(f -> assertThat(oa.get(f)).as(at + f).isEqualTo(ta.get(f)));
                }

                // The API v2 shapes too: alerts (times set on arrival aside) and silences (id and times aside).
                String silence = """
                        {"matchers":[{"name":"instance","value":"a","isRegex":false,"isEqual":true}],
                         "startsAt":"2020-01-01T00:00:00Z","endsAt":"2099-01-01T00:00:00Z","createdBy":"me","comment":"c"}
                        """;
                postUntilAccepted("http://127.0.0.1:" + amPort + "/api/v2/silences", silence);
                postUntilAccepted("http://127.0.0.1:" + server.httpPort() + "/api/v2/silences", silence);
                JsonNode theirAlerts = awaitAlert("http://127.0.0.1:" + amPort + "/api/v2/alerts", "Drift", 5);
                JsonNode ourAlerts = awaitAlert("http://127.0.0.1:" + server.httpPort() + "/api/v2/alerts", "Drift", 5);
                sameExcept(ourAlerts, theirAlerts, "updatedAt", "endsAt", "status");
                // Silence ids are each side's own.
                sameExcept(ourAlerts.get("status"), theirAlerts.get("status"), "silencedBy");
                assertThat(ourAlerts.get("status").get("silencedBy").size()).isEqualTo(1);
                JsonNode theirGroups = getList("http://127.0.0.1:" + amPort + "/api/v2/alerts/groups");
                JsonNode ourGroups = getList("http://127.0.0.1:" + server.httpPort() + "/api/v2/alerts/groups");
                assertThat(ourGroups.size()).isEqualTo(theirGroups.size()).isEqualTo(1);
                sameExcept(ourGroups.get(0), theirGroups.get(0), "alerts");
                assertThat(ourGroups.get(0).get("alerts").size()).isEqualTo(theirGroups.get(0).get("alerts").size());
                assertThat(getList("http://127.0.0.1:" + server.httpPort() + "/api/v2/receivers"))
                        .isEqualTo(getList("http://127.0.0.1:" + amPort + "/api/v2/receivers"));
                JsonNode theirSilence = getList("http://127.0.0.1:" + amPort + "/api/v2/silences").get(0);
                JsonNode ourSilence = getList("http://127.0.0.1:" + server.httpPort() + "/api/v2/silences").get(0);
                sameExcept(ourSilence, theirSilence, "id", "updatedAt", "startsAt");
            } finally {
                stop(am);
            }
        }
    }

    private JsonNode getList(String url) throws Exception {
        return JSON.readTree(client.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    /** Same field names, and the same values except in the fields named. */
    private static void sameExcept(JsonNode ours, JsonNode theirs, String... ignored) {
        assertThat(ours.fieldNames()).toIterable().containsExactlyInAnyOrderElementsOf(() -> theirs.fieldNames());
        List<String> skip = List.of(ignored);
        theirs.fieldNames().forEachRemaining(f -> {
            if (!skip.contains(f)) {
                assertThat(ours.get(f)).as(f + " in " + ours + " vs " + theirs).isEqualTo(theirs.get(f));
            }
        });
    }

    /** GETs until the peer answers 200 (it may still be starting); fails with its log after 30 s. */
    private void awaitReady(String url, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try {
                if (client.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError(url + " not ready after 30 s; log: " + log(log));
    }

    /** POSTs until the peer answers 200 (it may still be starting). */
    private void postUntilAccepted(String url, String body) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int code = 0;
        while (System.nanoTime() < deadline) {
            try {
                code = client.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
                if (code == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        assertThat(code).as("POST " + url).isEqualTo(200);
    }

    @Test
    void amtoolManagesSilencesAndReadsAlerts() throws Exception {
        assumeTrue(Files.isExecutable(AMTOOL), "peer not available: " + AMTOOL + " (Debian package prometheus-alertmanager)");
        Path cfg = tmp.resolve("sightline.yml");
        Files.writeString(cfg, """
                alertmanager:
                  route:
                    receiver: r
                    group_by: [alertname]
                    routes: [{matchers: ['action="halt"'], receiver: halt, group_wait: 0s}]
                  receivers:
                    - name: r
                    - name: halt
                      webhook_configs: [{url: 'http://oms/halt', http_config: {bearer_token: s3cret}}]
                """);
        try (SightlineServer server = SightlineServer.start(new SightlineServer.Settings(tmp.resolve("data"), "127.0.0.1", 0,
                new ConfigLoader().load(cfg), cfg))) {
            String url = "--alertmanager.url=http://127.0.0.1:" + server.httpPort();
            postUntilAccepted("http://127.0.0.1:" + server.httpPort() + "/api/v2/alerts",
                    "[{\"labels\":{\"alertname\":\"Amtool\",\"desk\":\"fx\"}}]");
            // amtool first warns that our version is not its own; the id is the last line.
            String id = amtool(url, "silence", "add", "desk=fx", "--comment=maintenance", "--author=ops", "--duration=1h")
                    .strip().lines().reduce((a, b) -> b).orElse("");
            assertThat(id).matches("[0-9a-f-]{36}");
            assertThat(amtool(url, "silence", "query", "-o", "json")).contains(id).contains("maintenance");
            assertThat(amtool(url, "alert", "query", "-o", "json", "--silenced")).contains("Amtool").contains(id);
            amtool(url, "silence", "expire", id);
            assertThat(amtool(url, "silence", "query", "-o", "json")).doesNotContain(id);
            assertThat(amtool(url, "alert", "query", "-o", "json")).contains("Amtool");
            // amtool reads the routing tree from /api/v2/status's config.original, where the webhook URL is a secret as
            // in Alertmanager 0.26 and later; amtool before 0.26.1 cannot read that (alertmanager#3505), from any of them.
            AmtoolRun routes = amtoolRun(url, "config", "routes");
            if (amtoolReadsSecretWebhookUrls()) {
                assertThat(routes.exit()).as(routes.text()).isZero();
                assertThat(routes.text()).contains("halt").contains("action=\"halt\"");
            } else {
                assertThat(routes.text()).contains("unsupported scheme \"\" for URL");
            }
            assertThat(amtool(url, "config", "show")).contains("url: <secret>").contains("bearer_token: <secret>")
                    .doesNotContain("s3cret").doesNotContain("oms/halt");
        }
    }

    @Test
    void amtoolAcceptsTheTimeIntervalsSightlineAcceptsAndRefusesWhatItRefuses() throws Exception {
        assumeTrue(Files.isExecutable(AMTOOL), "peer not available: " + AMTOOL + " (Debian package prometheus-alertmanager)");
        assertThat(amtoolCheckConfig(AlertingConfigTest.TIMED)).as("amtool check-config on the valid example").isZero();
        for (AlertingConfigTest.TimeError e : AlertingConfigTest.TIME_ERRORS) {
            assertThat(amtoolCheckConfig(AlertingConfigTest.TIMED.replace(e.from(), e.to()))).as("amtool on: " + e.to()).isNotZero();
        }
    }

    /** amtool check-config's exit code on the alertmanager section of a sightline.yml, written as Alertmanager's file. */
    private int amtoolCheckConfig(String sightlineYml) throws Exception {
        String section = sightlineYml.substring(sightlineYml.indexOf('\n') + 1).indent(-2);
        Path file = tmp.resolve("alertmanager.yml");
        Files.writeString(file, section);
        Process p = run(tmp.resolve("amtool-check.out"), AMTOOL.toString(), "check-config", file.toString());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return p.exitValue();
    }

    /** Runs amtool; its standard output, failing the test on a non-zero exit. */
    private String amtool(String... args) throws Exception {
        AmtoolRun r = amtoolRun(args);
        assertThat(r.exit()).as("amtool " + String.join(" ", args) + ": " + r.text()).isZero();
        return r.text();
    }

    private record AmtoolRun(int exit, String text) {
    }

    private AmtoolRun amtoolRun(String... args) throws Exception {
        Path out = tmp.resolve("amtool.out");
        List<String> command = new java.util.ArrayList<>(List.of(AMTOOL.toString()));
        command.addAll(List.of(args));
        Process p = run(out, command.toArray(String[]::new));
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new AmtoolRun(p.exitValue(), Files.readString(out));
    }

    /** Whether amtool reads a webhook URL shown as {@code <secret>}: from 0.26.1 (alertmanager#3509). */
    private boolean amtoolReadsSecretWebhookUrls() throws Exception {
        Matcher m = Pattern.compile("version (\\d+)\\.(\\d+)\\.(\\d+)").matcher(amtool("--version"));
        assertThat(m.find()).isTrue();
        int[] v = {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))};
        return v[0] > 0 || v[1] > 26 || v[1] == 26 && v[2] >= 1;
    }

    @Test
    void debianPrometheusPostsItsAlertsToSightline() throws Exception {
        assumeTrue(Files.isExecutable(PROMETHEUS), "peer not available: " + PROMETHEUS + " (Debian package prometheus)");
        try (SightlineServer server = SightlineServer.start(new SightlineServer.Settings(tmp.resolve("data"), "127.0.0.1", 0,
                new ConfigLoader().parse("s.yml", new byte[0])))) {
            server.storage().get(60, TimeUnit.SECONDS);
            int promPort = freePort();
            Path promConfig = tmp.resolve("prometheus.yml");
            Files.writeString(promConfig, """
                    global:
                      evaluation_interval: 1s
                    rule_files: [prom-rules.yml]
                    alerting:
                      alertmanagers:
                        - static_configs: [{targets: ['127.0.0.1:%d']}]
                          api_version: v2
                    """.formatted(server.httpPort()));
            Files.writeString(tmp.resolve("prom-rules.yml"), """
                    groups:
                      - name: p
                        rules:
                          - alert: FromRealPrometheus
                            expr: vector(1)
                            labels: {team: risk}
                    """);
            Path log = tmp.resolve("prometheus.log");
            // Prometheus finds its Alertmanagers ~5 s after start and drops what fires before; a short resend
            // delay re-sends within the test's time instead of after the default minute.
            Process prom = run(log, PROMETHEUS.toString(), "--config.file=" + promConfig,
                    "--storage.tsdb.path=" + tmp.resolve("prom-data"), "--web.listen-address=127.0.0.1:" + promPort,
                    "--rules.alert.resend-delay=1s");
            try {
                JsonNode a = awaitAlert("http://127.0.0.1:" + server.httpPort() + "/api/v2/alerts", "FromRealPrometheus", 45);
                assertThat(a).as("alert from Prometheus (log: %s)", log(log)).isNotNull();
                assertThat(a.get("labels").get("team").asText()).isEqualTo("risk");
                assertThat(a.get("generatorURL").asText()).contains("/graph?g0.expr=");
                assertThat(a.get("status").get("state").asText()).isEqualTo("active");
                assertThat(List.of(a.get("endsAt").asText())).doesNotContain("0001-01-01T00:00:00Z");
            } finally {
                stop(prom);
            }
        }
    }
}
