package dev.sightline.server.config;

import dev.sightline.ingest.IngestLimits;
import dev.sightline.ingest.logs.LogLimits;
import dev.sightline.ingest.spans.SpanLimits;
import dev.sightline.promql.engine.EngineOptions;
import dev.sightline.server.query.QueryGate;
import dev.sightline.server.query.RangeLimits;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The series and body-size keys of {@code limits:}: parsed, defaulted, handed to the decoders, bad values located. */
class LimitsConfigTest {
    private static SightlineConfig parse(String yaml) throws ConfigException {
        return new ConfigLoader().parse("sightline.yml", yaml.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void keysAreParsedAndReachTheDecoderLimits() throws Exception {
        LimitsConfig l = parse("limits:\n  max_series_per_metric: 1000\n  max_request_body_bytes: 2MB\n  max_label_names_per_series: 7\n").limits();
        assertThat(l.maxSeriesPerMetric()).isEqualTo(1000);
        assertThat(l.maxRequestBodyBytes()).isEqualTo(2L << 20);
        IngestLimits d = l.toDecoderLimits();
        assertThat(d.maxDecompressedBytes()).isEqualTo(2L << 20);
        assertThat(d.labelLimits().maxLabelNames()).isEqualTo(7);
    }

    @Test
    void absentKeysMeanNoSeriesLimitAnd64MBBodies() {
        LimitsConfig l = LimitsConfig.defaults();
        assertThat(l.maxSeriesPerMetric()).isZero();
        assertThat(l.maxRequestBodyBytes()).isEqualTo(64L << 20);
    }

    @Test
    void badValuesAreLocated() {
        ConfigException zero = catchThrowableOfType(ConfigException.class,
                () -> parse("limits:\n  max_series_per_metric: 0\n"));
        assertThat(zero.getMessage()).contains(":2:").contains("limits.max_series_per_metric: expected a positive integer, got 0");
        ConfigException unit = catchThrowableOfType(ConfigException.class,
                () -> parse("limits:\n  max_request_body_bytes: 10XB\n"));
        assertThat(unit.getMessage()).contains(":2:").contains("limits.max_request_body_bytes: invalid size \"10XB\"");
        ConfigException huge = catchThrowableOfType(ConfigException.class,
                () -> parse("limits:\n  max_request_body_bytes: 4GB\n"));
        assertThat(huge.getMessage()).contains("max_request_body_bytes must be more than 0 and less than 2GB");
    }

    @Test
    void queryTimeoutAndSampleLimitReachTheEngine() throws Exception {
        assertThat(LimitsConfig.defaults().toEngineOptions()).isEqualTo(EngineOptions.defaults());
        EngineOptions o = parse("limits:\n  query_timeout: 1m30s\n  query_max_samples: 1000\n").limits().toEngineOptions();
        assertThat(o.timeoutMs()).isEqualTo(90_000);
        assertThat(o.maxSamples()).isEqualTo(1000);
        assertThat(o.lookbackDeltaMs()).isEqualTo(EngineOptions.defaults().lookbackDeltaMs());
        ConfigException zero = catchThrowableOfType(ConfigException.class, () -> parse("limits:\n  query_timeout: 0s\n"));
        assertThat(zero.getMessage()).contains("query_timeout must be more than 0, got 0ms");
        ConfigException samples = catchThrowableOfType(ConfigException.class, () -> parse("limits:\n  query_max_samples: -5\n"));
        assertThat(samples.getMessage()).contains(":2:").contains("limits.query_max_samples: expected a positive integer, got -5");
    }

    @Test
    void spanLimitsAreParsedDefaultedAndChecked() throws Exception {
        assertThat(LimitsConfig.defaults().toSpanLimits()).isEqualTo(SpanLimits.DEFAULT);
        SpanLimits l = parse("limits:\n  max_span_attributes: 64\n  max_span_attribute_value_length: 512\n"
                + "  max_span_events: 10\n  max_span_links: 5\n").limits().toSpanLimits();
        assertThat(l).isEqualTo(new SpanLimits(64, 512, 10, 5));
        ConfigException bad = catchThrowableOfType(ConfigException.class,
                () -> parse("limits:\n  max_span_events: -1\n"));
        assertThat(bad.getMessage()).contains(":2:").contains("limits.max_span_events: expected a positive integer, got -1");
    }

    @Test
    void logLimitsAreParsedDefaultedAndChecked() throws Exception {
        assertThat(LimitsConfig.defaults().toLogLimits()).isEqualTo(new LogLimits(256 * 1024, 64, 256, 4096,
                7L * 24 * 3600 * 1_000_000_000L, 600L * 1_000_000_000L));
        LogLimits l = parse("limits:\n  max_line_size: 1KB\n  reject_old_samples_max_age: 2d\n"
                + "  creation_grace_period: 1m\n  max_label_names_per_series: 15\n").limits().toLogLimits();
        assertThat(l).isEqualTo(new LogLimits(1024, 15, 256, 4096, 2L * 86400 * 1_000_000_000L, 60L * 1_000_000_000L));
        assertThat(parse("limits:\n  reject_old_samples_max_age: 0s\n").limits().toLogLimits().rejectOldSamplesMaxAgeNanos())
                .isZero();
        ConfigException bad = catchThrowableOfType(ConfigException.class, () -> parse("limits:\n  max_line_size: lots\n"));
        assertThat(bad.getMessage()).contains(":2:").contains("limits.max_line_size");
    }

    @Test
    void queryProtectionIsParsedDefaultedAndChecked() throws Exception {
        LimitsConfig d = LimitsConfig.defaults();
        assertThat(d.queryMaxConcurrency()).isEqualTo(Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
        assertThat(d.queryMaxQueue()).isEqualTo(100);
        assertThat(d.toRangeLimits()).isEqualTo(RangeLimits.DEFAULT);
        LimitsConfig l = parse("limits:\n  query_max_concurrency: 4\n  query_max_queue: 0\n  query_max_range: 31d\n"
                + "  query_max_points_per_series: 500\n  query_timeout: 5s\n").limits();
        assertThat(l.toRangeLimits()).isEqualTo(new RangeLimits(31L * 86_400_000_000_000L, 500));
        try (QueryGate gate = l.newQueryGate()) {
            assertThat(gate.timeoutMs()).isEqualTo(5_000);
        }
        ConfigException zero = catchThrowableOfType(ConfigException.class, () -> parse("limits:\n  query_max_concurrency: 0\n"));
        assertThat(zero.getMessage()).contains(":2:").contains("limits.query_max_concurrency: expected a positive integer, got 0");
        ConfigException queue = catchThrowableOfType(ConfigException.class, () -> parse("limits:\n  query_max_queue: -1\n"));
        assertThat(queue.getMessage()).contains("query_max_queue must not be negative, got -1");
        ConfigException points = catchThrowableOfType(ConfigException.class, () -> parse("limits:\n  query_max_points_per_series: x\n"));
        assertThat(points.getMessage()).contains(":2:").contains("limits.query_max_points_per_series");
        ConfigException range = catchThrowableOfType(ConfigException.class, () -> parse("limits:\n  query_max_range: -1h\n"));
        assertThat(range.getMessage()).contains("query_max_range");
    }
}
