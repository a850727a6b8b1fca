package dev.sightline.server.ingest;

import dev.sightline.core.Histogram;
import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.core.ValidationException;
import dev.sightline.ingest.IngestLimits;
import dev.sightline.ingest.spans.SpanLimits;
import dev.sightline.metricstore.Appender;
import dev.sightline.metricstore.Querier;
import dev.sightline.metricstore.SeriesSet;
import dev.sightline.metricstore.Storage;
import dev.sightline.server.http.ApiTestServer;
import dev.sightline.server.metadata.MetadataStore;
import dev.sightline.server.otlp.OtlpReceiver;
import dev.sightline.server.remotewrite.RemoteWriteEndpoint;
import dev.sightline.server.remotewrite.RemoteWriteMetrics;
import dev.sightline.tsdb.Tsdb;
import dev.sightline.tsdb.TsdbOptions;
import dev.sightline.tsdb.exemplar.ExemplarStore;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static dev.sightline.server.remotewrite.RemoteWriteEndpointTest.message;
import static dev.sightline.server.remotewrite.RemoteWriteEndpointTest.snappy;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The storage may refuse a whole batch at commit (TOO_OLD_SAMPLE when a head persistence moved the minimum valid
 * time past some of its samples after they were appended). Remote-write and OTLP must then answer a retryable 503
 * naming it, not a 500, and store nothing: no sample, no exemplar, while the next request is stored normally.
 */
class CommitRefusedTest {
    @TempDir
    Path dir;

    private Tsdb tsdb;
    private final ApiTestServer server = new ApiTestServer();
    private volatile boolean refuse = true;
    private final ExemplarStore exemplars = new ExemplarStore(100);

    /** The real storage, except that while {@link #refuse} is set every commit fails as a raced head persistence does. */
    private final class RefusingStorage implements Storage {
        @Override
        public Appender appender() {
            Appender a = tsdb.appender();
            return new Appender() {
                @Override
                public long append(long ref, Labels labels, long st, long t, double v) {
                    return a.append(ref, labels, st, t, v);
                }

                @Override
                public long appendHistogram(long ref, Labels labels, long st, long t, Histogram h) {
                    return a.appendHistogram(ref, labels, st, t, h);
                }

                @Override
                public void commit() throws IOException {
                    if (refuse) {
                        a.rollback();
                        throw new ValidationException(ValidationException.Reason.TOO_OLD_SAMPLE, "timestamp",
                                "commit refused the whole batch of 1 samples: 1 became older than the head's start");
                    }
                    a.commit();
                }

                @Override
                public void rollback() {
                    a.rollback();
                }
            };
        }

        @Override
        public Querier querier(long mint, long maxt) {
            return tsdb.querier(mint, maxt);
        }

        @Override
        public void close() {
        }
    }

    @BeforeEach
    void start() throws Exception {
        tsdb = Tsdb.open(dir, TsdbOptions.defaults().withWalEnabled(false));
        Storage storage = new RefusingStorage();
        IngestGuards guards = new IngestGuards(new PrometheusRegistry(), 0, new MetadataStore(), exemplars);
        new RemoteWriteEndpoint(() -> storage, new RemoteWriteMetrics(server.metrics.registry()), IngestLimits.DEFAULT, guards)
                .register(server.api);
        new OtlpReceiver(() -> storage, server.metrics.registry(), IngestLimits.DEFAULT, guards, null, SpanLimits.DEFAULT).register(server.api);
        server.listen();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        tsdb.close();
    }

    @Test
    void remoteWriteAnswers503AndStoresNeitherSamplesNorExemplars() throws Exception {
        byte[] series = message(o -> {
            o.writeByteArray(1, message(l -> {
                l.writeString(1, "__name__");
                l.writeString(2, "refused_total");
            }));
            o.writeByteArray(2, message(s -> {
                s.writeDouble(1, 1);
                s.writeInt64(2, 1000);
            }));
            o.writeByteArray(3, message(e -> {
                e.writeByteArray(1, message(l -> {
                    l.writeString(1, "trace_id");
                    l.writeString(2, "t1");
                }));
                e.writeDouble(2, 1);
                e.writeInt64(3, 1000);
            }));
        });
        byte[] body = snappy(message(o -> o.writeByteArray(1, series)));

        HttpResponse<String> r = post("/api/v1/write", body, "application/x-protobuf", "snappy");

        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).contains("storage refused the whole request at commit, nothing was stored; retry")
                .contains("older than the head's start");
        assertThat(seriesCount("refused_total")).isZero();
        assertThat(exemplarCount()).isZero();

        // The sender's retry, once storage accepts again, stores everything.
        refuse = false;
        assertThat(post("/api/v1/write", body, "application/x-protobuf", "snappy").statusCode()).isEqualTo(204);
        assertThat(seriesCount("refused_total")).isEqualTo(1);
        assertThat(exemplarCount()).isEqualTo(1);
    }

    @Test
    void remoteWriteTwoZeroSays503WithNothingWritten() throws Exception {
        byte[] req = message(o -> {
            for (String s : List.of("", "__name__", "refused_v2")) {
                o.writeString(4, s);
            }
            o.writeByteArray(5, message(t -> {
                t.writeByteArray(1, message(p -> {
                    p.writeUInt32NoTag(1);
                    p.writeUInt32NoTag(2);
                }));
                t.writeByteArray(2, message(s -> {
                    s.writeDouble(1, 1);
                    s.writeInt64(2, 1000);
                }));
            }));
        });
        HttpResponse<String> r = post("/api/v1/write", snappy(req), "application/x-protobuf;proto=io.prometheus.write.v2.Request", "snappy");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("X-Prometheus-Remote-Write-Samples-Written")).hasValue("0");
        assertThat(seriesCount("refused_v2")).isZero();
    }

    @Test
    void otlpAnswers503AndStoresNothing() throws Exception {
        String body = """
                {"resourceMetrics": [{"scopeMetrics": [{"metrics": [{"name": "refused_gauge", "gauge": {"dataPoints": [
                  {"timeUnixNano": "1000000000", "asDouble": 2,
                   "exemplars": [{"timeUnixNano": "1000000000", "asDouble": 2, "traceId": "0102030405060708090a0b0c0d0e0f10"}]}]}}]}]}]}
                """;
        HttpResponse<String> r = post("/v1/metrics", body.getBytes(StandardCharsets.UTF_8), "application/json", null);

        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).contains("storage refused the whole request at commit, nothing was stored");
        assertThat(seriesCount("refused_gauge")).isZero();
        assertThat(exemplarCount()).isZero();

        refuse = false;
        assertThat(post("/v1/metrics", body.getBytes(StandardCharsets.UTF_8), "application/json", null).statusCode()).isEqualTo(200);
        assertThat(seriesCount("refused_gauge")).isEqualTo(1);
        assertThat(exemplarCount()).isEqualTo(1);
    }

    private int seriesCount(String name) {
        int n = 0;
        try (Querier q = tsdb.querier(Long.MIN_VALUE / 2, Long.MAX_VALUE / 2)) {
            SeriesSet set = q.select(false, Long.MIN_VALUE / 2, Long.MAX_VALUE / 2, LabelMatcher.eq("__name__", name));
            while (set.next()) {
                n++;
            }
        }
        return n;
    }

    private int exemplarCount() {
        return exemplars.select(Long.MIN_VALUE, Long.MAX_VALUE, List.of(List.of())).stream()
                .mapToInt(s -> s.exemplars().size()).sum();
    }

    private HttpResponse<String> post(String path, byte[] body, String contentType, String encoding) throws Exception {
        HttpRequest.Builder b = server.request(path).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (encoding != null) {
            b.header("Content-Encoding", encoding);
        }
        return server.send(b);
    }
}
