package dev.sightline.ingest.exposition;

import dev.sightline.core.fuzz.FuzzTarget;
import dev.sightline.ingest.exposition.ExpositionParser.Entry;
import dev.sightline.ingest.exposition.ExpositionParser.Format;

import java.util.List;

/**
 * Fuzz targets of the scrape parser, Prometheus's text format and OpenMetrics: every entry is read the way the scrape
 * loop reads it (names, labels, values, timestamps, exemplars, _created); a refusal is an {@link ExpositionException}
 * with its line.
 */
public final class ExpositionFuzzTargets {
    private ExpositionFuzzTargets() {
    }

    private static final String TEXT = """
            # HELP http_requests_total The total number of HTTP requests.
            # TYPE http_requests_total counter
            http_requests_total{method="post",code="200"} 1027 1395066363000
            http_requests_total{method="post",code="400"}    3 1395066363000
            msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9
            metric_without_timestamp_and_labels 12.47
            something_weird{problem="division by zero"} +Inf -3982045
            # HELP rpc_duration_seconds A summary.
            # TYPE rpc_duration_seconds summary
            rpc_duration_seconds{quantile="0.5"} 4773
            rpc_duration_seconds_sum 1.7560473e+07
            rpc_duration_seconds_count 2693
            # TYPE latency histogram
            latency_bucket{le="0.05"} 24054
            latency_bucket{le="+Inf"} 144320
            latency_sum 53423
            latency_count 144320
            """;

    private static final String OPENMETRICS = """
            # TYPE acme_http_router_request_seconds summary
            # UNIT acme_http_router_request_seconds seconds
            # HELP acme_http_router_request_seconds Latency though all of ACME's HTTP request router.
            acme_http_router_request_seconds_sum{path="/api/v1",method="GET"} 9036.32
            acme_http_router_request_seconds_count{path="/api/v1",method="GET"} 807283.0
            acme_http_router_request_seconds_created{path="/api/v1",method="GET"} 1605281325.0
            # TYPE foo histogram
            foo_bucket{le="0.01"} 0
            foo_bucket{le="1.0"} 1 # {trace_id="KOO5S4vxi0o"} 0.67 1605281325.5
            foo_bucket{le="+Inf"} 17
            foo_count 17
            foo_sum 324789.3
            foo_created 1520430000.123
            # TYPE up gauge
            up 1 1605281325.0
            # EOF
            """;

    private static FuzzTarget parser(String name, Format format, String seed) {
        return FuzzTarget.named(name).seeds(seed)
                .tokens("{", "}", "=", "\"", ",", " ", "\n", "# HELP ", "# TYPE ", "# UNIT ", "# EOF\n", " # {", "_bucket{le=\"",
                        "_created ", "\\", "NaN", "+Inf", "counter\n", "histogram\n", "gaugehistogram\n", "stateset\n", "info\n")
                .rejects(ExpositionException.class, e -> e.line() > 0)
                .run(in -> {
                    ExpositionParser p = new ExpositionParser(format, in, 0, in.length);
                    Entry e;
                    while ((e = p.next()) != Entry.EOF) {
                        switch (e) {
                            case HELP, UNIT -> p.text();
                            case TYPE -> p.type();
                            case SAMPLE -> {
                                p.metricName();
                                p.labels();
                                p.value();
                                if (p.hasTimestamp()) {
                                    p.timestamp();
                                }
                                p.startTimestamp();
                                if (p.hasExemplar()) {
                                    p.exemplarLabels();
                                    p.exemplarValue();
                                    if (p.exemplarHasTimestamp()) {
                                        p.exemplarTimestamp();
                                    }
                                }
                            }
                            default -> {
                            }
                        }
                    }
                }).build();
    }

    public static List<FuzzTarget> all() {
        return List.of(parser("exposition-text", Format.PROMETHEUS_TEXT, TEXT), parser("openmetrics", Format.OPENMETRICS, OPENMETRICS));
    }
}
