package dev.sightline.server.remotewrite;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.core.WritePriority;
import dev.sightline.ingest.IngestLimits;
import dev.sightline.metricstore.Querier;
import dev.sightline.metricstore.SampleIterator;
import dev.sightline.metricstore.SeriesSet;
import dev.sightline.metricstore.ValueType;
import dev.sightline.server.http.ApiTestServer;
import dev.sightline.server.ingest.IngestGuards;
import dev.sightline.server.ingest.WritesInProgress;
import dev.sightline.server.tenants.Tenants;
import dev.sightline.tsdb.Tsdb;
import dev.sightline.tsdb.TsdbOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** The endpoint over real HTTP and a real Tsdb, with small limits so the limit paths are cheap to reach. */
public class RemoteWriteEndpointTest {
    private static final long MAX_DECOMPRESSED = 64 * 1024;

    @TempDir
    Path dir;

    private final ApiTestServer server = new ApiTestServer();
    private Tsdb tsdb;
    private final AtomicReference<Tsdb> storage = new AtomicReference<>();

    @BeforeEach
    void start() throws Exception {
        tsdb = Tsdb.open(dir, TsdbOptions.defaults().withWalEnabled(false));
        storage.set(tsdb);
        new RemoteWriteEndpoint(storage::get, new RemoteWriteMetrics(server.metrics.registry()),
                IngestLimits.DEFAULT.withMaxDecompressedBytes(MAX_DECOMPRESSED)).register(server.api);
        server.listen();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        tsdb.close();
    }

    private HttpResponse<String> post(byte[] body, String contentType) throws Exception {
        return server.send(server.request("/api/v1/write")
                .header("Content-Encoding", "snappy")
                .header("X-Prometheus-Remote-Write-Version", "0.1.0")
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    private HttpResponse<String> post(byte[] body) throws Exception {
        return post(body, "application/x-protobuf");
    }

    @Test
    void storesSamplesAndAnswers204AfterCommit() throws Exception {
        byte[] body = snappy(request(series(List.of("__name__", "temp", "room", "a"), new double[]{20.5, 21}, new long[]{1000, 2000})));

        HttpResponse<String> r = post(body);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
        assertThat(samples(Labels.of("__name__", "temp", "room", "a"))).containsExactly("1000=20.5", "2000=21.0");
        String scraped = new String(server.metrics.scrape(), StandardCharsets.UTF_8);
        assertThat(scraped).contains("sightline_ingest_samples_total{protocol=\"prometheus_remote_write\",result=\"accepted\"} 2.0")
                .contains("sightline_ingest_requests_total{code=\"204\",protocol=\"prometheus_remote_write\"} 1.0");
    }

    @Test
    void eachRequestIsAWriteInProgressUntilAnsweredForQueriesToGiveWayTo() throws Exception {
        WritePriority writes = new WritePriority();
        List<Integer> during = new CopyOnWriteArrayList<>();
        try (ApiTestServer s = new ApiTestServer()) {
            new RemoteWriteEndpoint(() -> {
                during.add(writes.writing());
                return tsdb;
            }, new RemoteWriteMetrics(s.metrics.registry()), IngestLimits.DEFAULT, IngestGuards.none(),
                    Tenants.disabled(IngestGuards.none()), writes).register(s.api);
            s.listen();
            HttpRequest.Builder ok = s.request("/api/v1/write").header("Content-Encoding", "snappy")
                    .header("Content-Type", "application/x-protobuf")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(snappy(request(series(List.of("__name__", "w"),
                            new double[]{1}, new long[]{1000})))));
            assertThat(s.send(ok).statusCode()).isEqualTo(204);
            HttpRequest.Builder malformed = s.request("/api/v1/write").header("Content-Encoding", "snappy")
                    .header("Content-Type", "application/x-protobuf")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[]{1, 2, 3}));
            assertThat(s.send(malformed).statusCode()).isEqualTo(400);
            // Released once the answer is sent, refused or not.
            WritesInProgress.awaitNone(writes);
        }
        assertThat(during).containsExactly(1, 1);
    }

    @Test
    void invalidSeriesAre400WhileValidOnesAreStored() throws Exception {
        byte[] body = snappy(request(
                series(List.of("__name__", "ok"), new double[]{1}, new long[]{1000}),
                series(List.of("__name__", "bad metric"), new double[]{1}, new long[]{1000})));

        HttpResponse<String> r = post(body);

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("invalid metric name \"bad metric\"");
        assertThat(samples(Labels.of("__name__", "ok"))).containsExactly("1000=1.0");
        assertThat(new String(server.metrics.scrape(), StandardCharsets.UTF_8))
                .contains("sightline_ingest_samples_total{protocol=\"prometheus_remote_write\",result=\"invalid_metric_name\"} 1.0");
    }

    @Test
    void outOfOrderSamplesFromStorageAreReported() throws Exception {
        Labels m = Labels.of("__name__", "m");
        assertThat(post(snappy(request(series(List.of("__name__", "m"), new double[]{1}, new long[]{5000})))).statusCode()).isEqualTo(204);
        HttpResponse<String> r = post(snappy(request(series(List.of("__name__", "m"), new double[]{2, 3}, new long[]{4000, 6000}))));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("1 of 2 samples refused");
        assertThat(samples(m)).containsExactly("5000=1.0", "6000=3.0");
    }

    @Test
    void malformedBodyIs400AndNothingIsStored() throws Exception {
        byte[] proto = request(series(List.of("__name__", "m"), new double[]{1}, new long[]{1000}));
        byte[] cut = java.util.Arrays.copyOf(proto, proto.length - 3);
        HttpResponse<String> r = post(snappy(cut));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).startsWith("malformed protobuf WriteRequest at byte offset ");
        assertThat(samples(Labels.of("__name__", "m"))).isEmpty();
    }

    @Test
    void declaredDecompressedSizeOverTheLimitIs413() throws Exception {
        byte[] body = {(byte) 0x80, (byte) 0x80, 0x10, 0x00}; // declares 256 KiB
        HttpResponse<String> r = post(body);
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(r.body()).contains("262144 bytes").contains("limit of " + MAX_DECOMPRESSED);
    }

    @Test
    void bodyOverTheLimitIs413BeforeDecoding() throws Exception {
        HttpResponse<String> r = post(new byte[(int) (MAX_DECOMPRESSED * 2)]);
        assertThat(r.statusCode()).isEqualTo(413);
    }

    @Test
    void anUnknownProtoIs415() throws Exception {
        byte[] body = snappy(request(series(List.of("__name__", "m"), new double[]{1}, new long[]{1000})));
        HttpResponse<String> r = post(body, "application/x-protobuf;proto=io.prometheus.write.v3.Request");
        assertThat(r.statusCode()).isEqualTo(415);
        assertThat(samples(Labels.of("__name__", "m"))).isEmpty();
    }

    @Test
    void storageNotOpenYetIs503SoTheSenderRetries() throws Exception {
        storage.set(null);
        HttpResponse<String> r = post(snappy(request(series(List.of("__name__", "m"), new double[]{1}, new long[]{1000}))));
        assertThat(r.statusCode()).isEqualTo(503);
    }

    private List<String> samples(Labels labels) {
        List<String> out = new ArrayList<>();
        try (Querier q = tsdb.querier(Long.MIN_VALUE / 2, Long.MAX_VALUE / 2)) {
            SeriesSet ss = q.select(true, Long.MIN_VALUE / 2, Long.MAX_VALUE / 2, LabelMatcher.eq("__name__", labels.metricName()));
            while (ss.next()) {
                if (!ss.at().labels().equals(labels)) {
                    continue;
                }
                SampleIterator it = ss.at().iterator(null);
                while (it.next() == ValueType.FLOAT) {
                    out.add(it.timestamp() + "=" + it.value());
                }
            }
        }
        return out;
    }

    // ---- a minimal WriteRequest encoder (prompb field numbers) and a literal-only snappy block ----

    /**
     * One TimeSeries message, written straight into an array of its exact size: load tests build thousands of samples
     * per request, and a stream with its own 4 KB buffer per sample made the senders, not the server, the bottleneck.
     */
    public static byte[] series(List<String> labelPairs, double[] values, long[] timestamps) throws IOException {
        int size = 0;
        for (int i = 0; i < labelPairs.size(); i += 2) {
            size += nested(1, labelSize(labelPairs.get(i), labelPairs.get(i + 1)));
        }
        for (int i = 0; i < values.length; i++) {
            size += nested(2, sampleSize(values[i], timestamps[i]));
        }
        byte[] buf = new byte[size];
        CodedOutputStream o = CodedOutputStream.newInstance(buf);
        for (int i = 0; i < labelPairs.size(); i += 2) {
            String n = labelPairs.get(i), v = labelPairs.get(i + 1);
            o.writeTag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            o.writeUInt32NoTag(labelSize(n, v));
            o.writeString(1, n);
            o.writeString(2, v);
        }
        for (int i = 0; i < values.length; i++) {
            o.writeTag(2, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            o.writeUInt32NoTag(sampleSize(values[i], timestamps[i]));
            o.writeDouble(1, values[i]);
            o.writeInt64(2, timestamps[i]);
        }
        o.checkNoSpaceLeft();
        return buf;
    }

    private static int labelSize(String name, String value) {
        return CodedOutputStream.computeStringSize(1, name) + CodedOutputStream.computeStringSize(2, value);
    }

    private static int sampleSize(double value, long timestamp) {
        return CodedOutputStream.computeDoubleSize(1, value) + CodedOutputStream.computeInt64Size(2, timestamp);
    }

    /** A length-delimited field of {@code size} bytes, with its tag and length. */
    private static int nested(int field, int size) {
        return CodedOutputStream.computeTagSize(field) + CodedOutputStream.computeUInt32SizeNoTag(size) + size;
    }

    public static byte[] request(byte[]... series) throws IOException {
        return message(o -> {
            for (byte[] s : series) {
                o.writeByteArray(1, s);
            }
        });
    }

    public interface Writer {
        void write(CodedOutputStream out) throws IOException;
    }

    public static byte[] message(Writer w) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        CodedOutputStream o = CodedOutputStream.newInstance(b);
        w.write(o);
        o.flush();
        return b.toByteArray();
    }

    /** A valid snappy block holding the input as one literal (tag 63<<2: length-1 in the next 4 bytes). */
    public static byte[] snappy(byte[] raw) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CodedOutputStream o = CodedOutputStream.newInstance(out);
        o.writeUInt32NoTag(raw.length);
        o.flush();
        if (raw.length > 0) {
            int n = raw.length - 1;
            out.write(63 << 2);
            out.write(n & 0xff);
            out.write((n >>> 8) & 0xff);
            out.write((n >>> 16) & 0xff);
            out.write((n >>> 24) & 0xff);
            out.write(raw);
        }
        return out.toByteArray();
    }
}
