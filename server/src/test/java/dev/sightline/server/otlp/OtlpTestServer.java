package dev.sightline.server.otlp;

import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.ingest.IngestLimits;
import dev.sightline.metricstore.Querier;
import dev.sightline.metricstore.SampleIterator;
import dev.sightline.metricstore.SeriesSet;
import dev.sightline.metricstore.ValueType;
import dev.sightline.server.http.ApiTestServer;
import dev.sightline.server.http.CrossOrigin;
import dev.sightline.server.security.WebSecurity;
import dev.sightline.tsdb.Tsdb;
import dev.sightline.tsdb.TsdbOptions;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/** A real Tsdb, the OTLP receiver on free ports (gRPC, OTLP/HTTP) and on a main HTTP API, for the endpoint tests. */
final class OtlpTestServer implements AutoCloseable {
    final Tsdb tsdb;
    final ApiTestServer main = new ApiTestServer();
    final AtomicReference<Tsdb> storage = new AtomicReference<>();
    final OtlpReceiver receiver;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    OtlpTestServer(Path dir, IngestLimits limits) throws Exception {
        this(dir, limits, CrossOrigin.NONE);
    }

    /** With OTLP/HTTP trusting {@code origins}' pages. */
    OtlpTestServer(Path dir, IngestLimits limits, CrossOrigin origins) throws Exception {
        tsdb = Tsdb.open(dir, TsdbOptions.defaults().withWalEnabled(false));
        storage.set(tsdb);
        receiver = new OtlpReceiver(storage::get, main.metrics.registry(), limits);
        receiver.register(main.api);
        main.listen();
        receiver.listen(main.vertx, "127.0.0.1", 0, 0, WebSecurity.open(main.vertx), () -> origins);
    }

    /** POST /v1/metrics on that port (the OTLP/HTTP one or the main one); no Content-Type header when type is null. */
    HttpResponse<byte[]> postMetrics(int port, String type, byte[] body) throws Exception {
        return postMetrics(port, type, body, new String[0]);
    }

    /** As above, with more headers (name, value, ...). */
    HttpResponse<byte[]> postMetrics(int port, String type, byte[] body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/metrics"))
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (type != null) {
            b.header("Content-Type", type);
        }
        if (headers.length > 0) {
            b.headers(headers);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** A CORS preflight of a POST to /v1/metrics on that port from {@code origin}. */
    HttpResponse<String> preflightMetrics(int port, String origin) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/metrics"))
                .timeout(Duration.ofSeconds(10)).method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", origin).header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "content-type").build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Every float sample (timestamp -> value) of each series matching the matchers. */
    Map<Labels, Map<Long, Double>> floats(LabelMatcher... matchers) {
        Map<Labels, Map<Long, Double>> out = new LinkedHashMap<>();
        try (Querier q = tsdb.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
            SeriesSet set = q.select(true, Long.MIN_VALUE, Long.MAX_VALUE, matchers);
            while (set.next()) {
                Map<Long, Double> samples = new LinkedHashMap<>();
                SampleIterator it = set.at().iterator(null);
                while (it.next() == ValueType.FLOAT) {
                    samples.put(it.timestamp(), it.value());
                }
                out.put(set.at().labels(), samples);
            }
        }
        return out;
    }

    /** The last float value of the one series with exactly these labels. */
    double lastValue(Labels labels) {
        LabelMatcher[] ms = new LabelMatcher[labels.size()];
        for (int i = 0; i < labels.size(); i++) {
            ms[i] = LabelMatcher.eq(labels.name(i), labels.value(i));
        }
        try (Querier q = tsdb.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
            SeriesSet set = q.select(true, Long.MIN_VALUE, Long.MAX_VALUE, ms);
            while (set.next()) {
                if (set.at().labels().equals(labels)) {
                    SampleIterator it = set.at().iterator(null);
                    double last = Double.NaN;
                    while (it.next() == ValueType.FLOAT) {
                        last = it.value();
                    }
                    return last;
                }
            }
        }
        throw new AssertionError("no series " + labels + "; have " + floats(LabelMatcher.eq(Labels.METRIC_NAME, labels.metricName())).keySet());
    }

    @Override
    public void close() throws IOException {
        client.close();
        receiver.close();
        main.close();
        tsdb.close();
    }
}
