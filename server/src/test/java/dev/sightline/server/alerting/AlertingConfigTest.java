package dev.sightline.server.alerting;

import dev.sightline.alerting.Route;
import dev.sightline.core.Labels;
import dev.sightline.server.config.ConfigException;
import dev.sightline.server.config.ConfigLoader;
import dev.sightline.server.config.SightlineConfig;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The alertmanager: and alerting: sections of sightline.yml: Alertmanager's and Prometheus's keys, errors at FILE:LINE:COL. */
class AlertingConfigTest {
    private final ConfigLoader loader = new ConfigLoader();

    private SightlineConfig parse(String yaml) throws ConfigException {
        return loader.parse("s.yml", yaml.getBytes(StandardCharsets.UTF_8));
    }

    private ConfigException failure(String yaml) {
        return catchThrowableOfType(ConfigException.class, () -> parse(yaml));
    }

    private static final String FULL = """
            alerting:
              alertmanagers:
                - static_configs:
                    - targets: ['am1:9093', 'am2:9093']
                  path_prefix: /am
                  timeout: 5s
                  api_version: v2
            alertmanager:
              global:
                resolve_timeout: 2m
              route:
                receiver: default
                group_by: [alertname, desk]
                group_wait: 10s
                group_interval: 1m
                repeat_interval: 2h
                routes:
                  - matchers: ['action="halt"', 'severity=~"page|critical"']
                    receiver: halt-trading
                    group_wait: 0s
                    continue: true
                  - match: {team: risk}
                    match_re: {desk: 'fx|rates'}
                    receiver: default
                    group_by: ['...']
              receivers:
                - name: default
                  webhook_configs:
                    - url: http://hooks.example/alert
                      send_resolved: false
                      max_alerts: 10
                      http_config:
                        basic_auth: {username: u, password: p}
                - name: halt-trading
                  webhook_configs:
                    - url: http://oms.example/halt
                      http_config:
                        bearer_token: t0k3n
              inhibit_rules:
                - source_matchers: ['severity="critical"']
                  target_matchers: ['severity="warning"']
                  equal: [desk]
                - source_match: {alertname: MarketClosed}
                  target_match_re: {alertname: '.+'}
            """;

    @Test
    void parsesAlertmanagersOwnKeys() throws Exception {
        SightlineConfig c = parse(FULL);
        var am = c.alertmanager();
        assertThat(am.global().resolveTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(am.receivers()).extracting(r -> r.name()).containsExactly("default", "halt-trading");
        var hook = am.receiver("default").webhookConfigs().get(0);
        assertThat(hook.sendResolved()).isFalse();
        assertThat(hook.maxAlerts()).isEqualTo(10);
        assertThat(hook.httpConfig().authorizationHeader()).isEqualTo("Basic dTpw");
        assertThat(am.receiver("halt-trading").webhookConfigs().get(0).httpConfig().authorizationHeader()).isEqualTo("Bearer t0k3n");
        assertThat(am.inhibitRules()).hasSize(2);

        Route tree = Route.tree(am.route());
        assertThat(tree.match(Labels.of("action", "halt", "severity", "page", "team", "risk", "desk", "fx")))
                .extracting(Route::receiver).containsExactly("halt-trading", "default");
        Route halt = tree.children().get(0);
        assertThat(halt.groupWaitMs()).isZero();
        assertThat(halt.groupIntervalMs()).isEqualTo(60_000);
        assertThat(halt.repeatIntervalMs()).isEqualTo(7_200_000);

        assertThat(c.alerting().alertsUrls()).containsExactly(URI.create("http://am1:9093/am/api/v2/alerts"),
                URI.create("http://am2:9093/am/api/v2/alerts"));
        assertThat(SightlineConfig.defaults().alertmanager()).isNull();
        assertThat(SightlineConfig.defaults().alerting().alertsUrls()).isEmpty();
    }

    @Test
    void statusShowsTheSectionAsYamlWithSecretsHidden() throws Exception {
        String yaml = AlertmanagerApi.configYaml(parse(FULL).alertmanager());
        assertThat(yaml).contains("resolve_timeout: 2m").contains("group_wait: 0s").contains("repeat_interval: 2h")
                .contains("continue: true").contains("- action=\"halt\"").contains("receiver: halt-trading")
                .contains("password: <secret>").contains("bearer_token: <secret>")
                .doesNotContain("t0k3n").doesNotContain("password: p\n").doesNotContain("http_config: {}");
        // What it shows reads back as the same routing.
        String reread = "alertmanager:\n" + yaml.indent(2);
        assertThat(parse(reread).alertmanager().route()).isEqualTo(parse(FULL).alertmanager().route());
        assertThat(AlertmanagerApi.configYaml(null)).isEmpty();
    }

    @Test
    void errorsNameTheKeyAndItsLine() {
        ConfigException undefined = failure(FULL.replace("receiver: halt-trading", "receiver: halt"));
        assertThat(undefined.getMessage()).contains("alertmanager.route.routes[0].receiver: undefined receiver \"halt\"");
        assertThat(undefined.line()).isEqualTo(FULL.lines().toList().indexOf("        receiver: halt-trading") + 1);

        ConfigException unknown = failure(FULL.replace("webhook_configs:\n        - url: http://oms", "email_configs:\n        - url: http://oms"));
        assertThat(unknown.getMessage()).contains("unknown key \"email_configs\"").contains("webhook_configs");
        assertThat(unknown.line()).isGreaterThan(30);

        ConfigException matcher = failure(FULL.replace("'action=\"halt\"'", "'action~halt'"));
        assertThat(matcher.getMessage()).contains("matchers[0]: bad matcher \"action~halt\"");
        assertThat(matcher.line()).isEqualTo(18);

        ConfigException duration = failure(FULL.replace("group_interval: 1m", "group_interval: 1x"));
        assertThat(duration.getMessage()).contains("s.yml:15:21: alertmanager.route.group_interval: invalid duration \"1x\"");

        ConfigException v1 = failure(FULL.replace("api_version: v2", "api_version: v1"));
        assertThat(v1.getMessage()).contains("api_version").contains("v1");

        ConfigException noRoute = failure("alertmanager:\n  receivers: [{name: a}]\n");
        assertThat(noRoute.getMessage()).contains("s.yml:1:").contains("route: missing");

        ConfigException badUrl = failure("alertmanager:\n  route: {receiver: a}\n  receivers:\n    - name: a\n      webhook_configs: [{url: 'ftp://x'}]\n");
        assertThat(badUrl.getMessage()).contains("not an http or https URL");
    }
}
