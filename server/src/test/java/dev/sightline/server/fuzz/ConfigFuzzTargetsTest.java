package dev.sightline.server.fuzz;

import dev.sightline.core.fuzz.FuzzTarget;
import dev.sightline.core.fuzz.FuzzTests;
import dev.sightline.server.config.ConfigException;
import dev.sightline.server.config.ConfigLoader;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.List;
import java.util.stream.Stream;

/**
 * Fuzz targets of sightline.yml and of its Alertmanager section (routes, receivers, inhibit rules, time intervals):
 * a refusal is a {@link ConfigException} at a line and column of the file.
 */
class ConfigFuzzTargetsTest {
    private static final String SIGHTLINE = """
            global:
              scrape_interval: 15s
              scrape_timeout: 10s
              evaluation_interval: 30s
              external_labels: {site: fuzz, region: "eu-1"}
            limits:
              max_label_names_per_series: 30
              max_request_body_bytes: 16MiB
              query_timeout: 2m
              max_line_size: 256KB
              reject_old_samples_max_age: 168h
            scrape_configs:
              - job_name: node
                scrape_interval: 5s
                metrics_path: /metrics
                static_configs:
                  - targets: ['127.0.0.1:9100', 'h2:9100']
                    labels: {env: prod}
                relabel_configs:
                  - source_labels: [__address__]
                    regex: '([^:]+):\\d+'
                    target_label: host
                    replacement: '$1'
            rule_files: [rules/*.yml]
            alerting:
              alertmanagers:
                - static_configs:
                    - targets: ['127.0.0.1:9093']
            """;

    private static final String ALERTMANAGER = """
            alertmanager:
              global:
                resolve_timeout: 5m
              route:
                receiver: ops
                group_by: [alertname, team]
                group_wait: 30s
                group_interval: 5m
                repeat_interval: 4h
                routes:
                  - matchers: ['action="halt"', 'severity=~"crit.*"']
                    receiver: halt
                    continue: true
                    mute_time_intervals: [nights]
                  - receiver: ops
                    active_time_intervals: [nights]
              receivers:
                - name: ops
                  webhook_configs:
                    - url: 'http://127.0.0.1:9099/ops'
                - name: halt
                  webhook_configs:
                    - url: 'http://127.0.0.1:9099/halt'
                      send_resolved: false
              inhibit_rules:
                - source_matchers: ['alertname="Down"']
                  target_matchers: ['alertname=~"Slow|Errors"']
                  equal: [instance]
              time_intervals:
                - name: nights
                  time_intervals:
                    - times: [{start_time: '00:00', end_time: '06:30'}]
                      weekdays: ['monday:friday', saturday]
                      days_of_month: ['1:5', '-1']
                      months: ['january', '6:12']
                      years: ['2026:2030']
                      location: Europe/Paris
            """;

    private static final String[] TOKENS = {"\n", "  ", "- ", ": ", "{", "}", "[", "]", "&a ", "*a", "<<: ", "|\n", "\"", "'",
            "!!str ", "!!int ", "!!binary ", "? ", "---\n", "#", "\t", "~", "null", "1e309", "-1", "9999999999999999999",
            "0x10", "1h2m", "16EiB", "'24:00'", "'-32'", "'9999:1'"};

    static List<FuzzTarget> targets() {
        ConfigLoader loader = new ConfigLoader();
        return Stream.of(SIGHTLINE, ALERTMANAGER).map(seed -> FuzzTarget.named(seed == SIGHTLINE ? "sightline-yml" : "alertmanager-config")
                .seeds(seed).tokens(TOKENS)
                .rejects(ConfigException.class, e -> e.line() > 0)
                .run(in -> loader.parse("fuzz.yml", in))
                .build()).toList();
    }

    @TestFactory
    Stream<DynamicTest> fuzz() {
        return FuzzTests.dynamicTests(targets());
    }
}
