package dev.sightline.ingest.otlp;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class OtlpNamesTest {
    @Test
    void unitsBecomeSuffixes() {
        assertThat(OtlpNames.metricName("http.server.request.duration", "s", false, false)).isEqualTo("http_server_request_duration_seconds");
        assertThat(OtlpNames.metricName("system.network.io", "By", true, false)).isEqualTo("system_network_io_bytes_total");
        assertThat(OtlpNames.metricName("throughput", "By/s", false, true)).isEqualTo("throughput_bytes_per_second");
        assertThat(OtlpNames.metricName("latency", "ms", false, true)).isEqualTo("latency_milliseconds");
        assertThat(OtlpNames.metricName("temp", "Cel", false, true)).isEqualTo("temp_celsius");
    }

    @Test
    void unitAlreadyInTheNameIsNotRepeated() {
        assertThat(OtlpNames.metricName("request_duration_seconds", "s", false, false)).isEqualTo("request_duration_seconds");
        assertThat(OtlpNames.metricName("rate_bytes_per_second", "By/s", false, true)).isEqualTo("rate_bytes_per_second");
    }

    @Test
    void annotationsAreDropped() {
        assertThat(OtlpNames.metricName("http.requests", "{request}", true, false)).isEqualTo("http_requests_total");
        assertThat(OtlpNames.metricName("queue.size", "{item}", false, true)).isEqualTo("queue_size");
    }

    @Test
    void annotationsAreDroppedAsTheRegexDropsThem() {
        // Every '{' up to the next '}' goes, a '{' with no '}' after it stays: random units of braces and letters,
        // against the regex the one-pass scan replaced.
        java.util.Random random = new java.util.Random(18);
        for (int n = 0; n < 20_000; n++) {
            StringBuilder unit = new StringBuilder();
            for (int len = random.nextInt(12); len > 0; len--) {
                unit.append("{}Bs/ ".charAt(random.nextInt(6)));
            }
            String regex = unit.toString().replaceAll("\\{[^}]*}", "").trim();
            assertThat(OtlpNames.metricName("m", unit.toString(), false, true)).as(unit.toString())
                    .isEqualTo(OtlpNames.metricName("m", regex, false, true));
        }
    }

    @Test
    void aLongRunOfOpeningBracesIsOnePass() {
        // Found by the fuzzer: 64 KiB of "B{{{..." took minutes with the regex (quadratic); a hang bound as the fuzzer's.
        String unit = "B" + "{".repeat(65_536);
        String name = assertTimeoutPreemptively(java.time.Duration.ofSeconds(5),
                () -> OtlpNames.metricName("m", unit, false, true));
        assertThat(name).startsWith("m");
    }

    @Test
    void totalOnlyOnCountersAndAtTheEnd() {
        assertThat(OtlpNames.metricName("requests_total", "", true, false)).isEqualTo("requests_total");
        assertThat(OtlpNames.metricName("total_requests", "", true, false)).isEqualTo("requests_total");
        assertThat(OtlpNames.metricName("requests_total", "", false, true)).isEqualTo("requests");
    }

    @Test
    void unitOneIsRatioOnGaugesOnly() {
        assertThat(OtlpNames.metricName("cpu.utilization", "1", false, true)).isEqualTo("cpu_utilization_ratio");
        assertThat(OtlpNames.metricName("events", "1", true, false)).isEqualTo("events_total");
    }

    @Test
    void invalidCharactersAndLeadingDigits() {
        assertThat(OtlpNames.metricName("my-metric.name@v2", "", false, true)).isEqualTo("my_metric_name_v2");
        assertThat(OtlpNames.metricName("2xx.count", "", false, true)).isEqualTo("_2xx_count");
        assertThat(OtlpNames.metricName("ns:metric", "", false, true)).isEqualTo("ns:metric");
        assertThat(OtlpNames.labelName("http.method")).isEqualTo("http_method");
        assertThat(OtlpNames.labelName("0abc")).isEqualTo("key_0abc");
        assertThat(OtlpNames.labelName("näme")).isEqualTo("n_me");
        assertThat(OtlpNames.labelName("a\uD83D\uDE00b")).isEqualTo("a_b");
        assertThat(OtlpNames.labelName("_private")).isEqualTo("key_private");
        assertThat(OtlpNames.labelName("__meta")).isEqualTo("__meta");
        assertThat(OtlpNames.labelName("_")).isEqualTo("key_");
        assertThat(OtlpNames.labelName("9")).isEqualTo("key_9");
        // A key that is already a label name comes back as is, not copied.
        String valid = "http_status_code2";
        assertThat(OtlpNames.labelName(valid)).isSameAs(valid);
    }
}
