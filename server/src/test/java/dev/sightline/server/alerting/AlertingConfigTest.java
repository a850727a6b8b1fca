package dev.sightline.server.alerting;

import dev.sightline.alerting.Route;
import dev.sightline.core.Labels;
import dev.sightline.server.config.ConfigException;
import dev.sightline.server.config.ConfigYaml;
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
        String yaml = ConfigYaml.write(parse(FULL).alertmanager());
        assertThat(yaml).contains("resolve_timeout: 2m").contains("group_wait: 0s").contains("repeat_interval: 2h")
                .contains("continue: true").contains("- action=\"halt\"").contains("receiver: halt-trading")
                .contains("password: <secret>").contains("bearer_token: <secret>").contains("url: <secret>")
                .doesNotContain("t0k3n").doesNotContain("password: p\n").doesNotContain("http_config: {}")
                .doesNotContain("http://oms");
        // What it shows reads back as the same routing (webhook URLs being secrets, given one again).
        String reread = "alertmanager:\n" + yaml.replace("url: <secret>", "url: http://masked").indent(2);
        assertThat(parse(reread).alertmanager().route()).isEqualTo(parse(FULL).alertmanager().route());
        assertThat(ConfigYaml.write(null)).isEmpty();
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
    /** The mission's use case: non-critical pages muted outside New York market hours. */
    static final String TIMED = """
            alertmanager:
              route:
                receiver: ops
                routes:
                  - matchers: ['severity!="critical"']
                    receiver: ops
                    mute_time_intervals: [outside-market-hours]
                  - receiver: desk
                    active_time_intervals: [market-hours]
              receivers:
                - name: ops
                - name: desk
              time_intervals:
                - name: market-hours
                  time_intervals:
                    - times: [{start_time: '09:30', end_time: '16:00'}]
                      weekdays: ['monday:friday']
                      location: America/New_York
              mute_time_intervals:
                - name: outside-market-hours
                  time_intervals:
                    - times: [{start_time: '00:00', end_time: '09:30'}, {start_time: '16:00', end_time: '24:00'}]
                      weekdays: ['monday:friday']
                      days_of_month: ['1:31']
                      months: ['january:december']
                      years: ['2025:2030']
                      location: America/New_York
                    - weekdays: [saturday, sunday]
                      location: America/New_York
            """;

    @Test
    void timeIntervalsAreReadAndShownBackAsWritten() throws Exception {
        var am = parse(TIMED).alertmanager();
        assertThat(am.timeIntervalsByName()).containsOnlyKeys("market-hours", "outside-market-hours");
        Route tree = Route.tree(am.route());
        assertThat(tree.children().get(0).muteTimeIntervals()).containsExactly("outside-market-hours");
        assertThat(tree.children().get(1).activeTimeIntervals()).containsExactly("market-hours");
        // Saturday 2025-01-11 15:00 UTC is 10:00 in New York: weekend, so muted.
        assertThat(am.timeIntervalsByName().get("outside-market-hours").contains(java.time.Instant.parse("2025-01-11T15:00:00Z"))).isTrue();
        assertThat(am.timeIntervalsByName().get("market-hours").contains(java.time.Instant.parse("2025-01-10T15:00:00Z"))).isTrue();
        String yaml = ConfigYaml.write(am);
        assertThat(yaml).contains("mute_time_intervals:").contains("start_time: 09:30").contains("location: America/New_York");
        assertThat(parse("alertmanager:\n" + yaml.indent(2)).alertmanager()).isEqualTo(am);
    }

    /** An edit of {@link #TIMED} that makes it invalid, with the error Sightline gives and its line. */
    record TimeError(String from, String to, String message, int line) {
    }

    static final java.util.List<TimeError> TIME_ERRORS = java.util.List.of(
            new TimeError("start_time: '09:30'", "start_time: '9:30'", "alertmanager.time_intervals[0].time_intervals[0].times[0].start_time: invalid time \"9:30\"", 16),
            new TimeError("end_time: '16:00'}]\n          weekdays", "end_time: '08:00'}]\n          weekdays", "times[0].end_time: 08:00 is not after start_time 09:30", 16),
            new TimeError("weekdays: [saturday, sunday]", "weekdays: [saturday, sundae]", "alertmanager.mute_time_intervals[0].time_intervals[1].weekdays[1]: \"sundae\" is not a valid weekday", 28),
            new TimeError("months: ['january:december']", "months: ['january:decembre']", "months[0]: \"decembre\" is not a valid number", 25),
            new TimeError("days_of_month: ['1:31']", "days_of_month: ['1:32']", "days_of_month[0]: 32 is not a valid day of the month: out of range", 24),
            new TimeError("location: America/New_York\n  mute", "location: America/Nowhere\n  mute", "time_intervals[0].location: unknown time zone \"America/Nowhere\"", 18),
            new TimeError("active_time_intervals: [market-hours]", "active_time_intervals: [market-hour]", "alertmanager.route.routes[1].active_time_intervals[0]: undefined time interval \"market-hour\" used in route", 9),
            new TimeError("- name: outside-market-hours", "- name: market-hours", "alertmanager.time_intervals[0].name: time interval \"market-hours\" is not unique", 14));

    @Test
    void timeIntervalErrorsNameTheFieldAndItsPosition() {
        for (TimeError c : TIME_ERRORS) {
            String yaml = TIMED.replace(c.from(), c.to());
            assertThat(yaml).as(c.from()).isNotEqualTo(TIMED);
            ConfigException e = failure(yaml);
            assertThat(e).as(c.to()).isNotNull();
            assertThat(e.getMessage()).as(c.to()).contains(c.message());
            assertThat(e.line()).as(c.to()).isEqualTo(c.line());
        }
        ConfigException root = failure(TIMED.replace("    receiver: ops\n    routes:", "    receiver: ops\n    mute_time_intervals: [market-hours]\n    routes:"));
        assertThat(root.getMessage()).contains("alertmanager.route.mute_time_intervals: the root route must not have any mute time intervals");
    }
}
