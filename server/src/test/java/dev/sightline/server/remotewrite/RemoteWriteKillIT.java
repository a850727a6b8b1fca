package dev.sightline.server.remotewrite;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sightline.server.ChildServer;
import dev.sightline.server.KillMidIngest;
import dev.sightline.server.KillMidIngest.Sender;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.sightline.server.remotewrite.RemoteWriteEndpointTest.message;
import static dev.sightline.server.remotewrite.RemoteWriteEndpointTest.request;
import static dev.sightline.server.remotewrite.RemoteWriteEndpointTest.series;
import static dev.sightline.server.remotewrite.RemoteWriteEndpointTest.snappy;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * kill -9 of a real server process while senders remote-write into it: after a restart on the same data directory
 * every sample of every request answered 204 is there, and nothing else but (at most) each sender's one request that
 * was in flight when the process died, and likewise every request's exemplar is back in /api/v1/query_exemplars.
 * Default settings (WAL fsync before the answer).
 */
class RemoteWriteKillIT {
    private static final int SENDERS = 4;
    private static final int PER_REQUEST = 10;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** Sender id's request k: samples j = k * PER_REQUEST + i with timestamp base + j and value j, and an exemplar. */
    private static HttpRequest write(int port, int id, int k, long base) throws IOException {
        double[] values = new double[PER_REQUEST];
        long[] ts = new long[PER_REQUEST];
        for (int i = 0; i < PER_REQUEST; i++) {
            values[i] = k * PER_REQUEST + i;
            ts[i] = base + k * PER_REQUEST + i;
        }
        byte[] body = snappy(request(withExemplar(series(List.of("__name__", "kill_test", "sender",
                Integer.toString(id)), values, ts), k, ts[PER_REQUEST - 1])));
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/write"))
                .header("Content-Encoding", "snappy").header("Content-Type", "application/x-protobuf")
                .header("X-Prometheus-Remote-Write-Version", "0.1.0")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }

    /** The series plus one exemplar (TimeSeries field 3): trace_id "k", value k, at the request's last sample. */
    private static byte[] withExemplar(byte[] series, int k, long t) throws IOException {
        byte[] exemplar = message(e -> {
            e.writeByteArray(1, message(l -> {
                l.writeString(1, "trace_id");
                l.writeString(2, Integer.toString(k));
            }));
            e.writeDouble(2, k);
            e.writeInt64(3, t);
        });
        return message(o -> {
            o.writeRawBytes(series);
            o.writeByteArray(3, exemplar);
        });
    }

    @Test
    void everyAcknowledgedSampleSurvivesKill9() throws Exception {
        Path data = tmp.resolve("data");
        long base = System.currentTimeMillis() - 600_000;
        ChildServer first = ChildServer.start(data, tmp.resolve("run1.log"));
        List<Sender> senders = KillMidIngest.run(first, first.awaitReady(), SENDERS, 204,
                (port, id, k) -> write(port, id, k, base), Duration.ofSeconds(20), acked -> acked >= 400);

        ChildServer second = ChildServer.start(data, tmp.resolve("run2.log"));
        try {
            int port = second.awaitReady();
            int totalAcked = 0, totalPresent = 0;
            for (Sender s : senders) {
                String sel = "kill_test{sender=\"" + s.id() + "\"}[1h]";
                double count = scalar(port, "count_over_time(" + sel + ")");
                double max = scalar(port, "max_over_time(" + sel + ")");
                double min = scalar(port, "min_over_time(" + sel + ")");
                int acked = s.acknowledged() * PER_REQUEST;
                System.out.printf("sender %d: %d samples acknowledged, %d present after kill -9 and restart%n", s.id(),
                        acked, (long) count);
                assertThat(count).as("sender %d: every acknowledged sample is back", s.id()).isGreaterThanOrEqualTo(acked);
                assertThat(count).as("sender %d: at most the one request in flight besides", s.id())
                        .isLessThanOrEqualTo(acked + PER_REQUEST);
                if (count > 0) {
                    assertThat(min).isZero();
                    assertThat(max).as("sender %d: no holes", s.id()).isEqualTo(count - 1);
                }
                totalAcked += acked;
                totalPresent += (int) count;
            }
            JsonNode exemplars = exemplars(port, base);
            int totalExemplars = 0;
            for (Sender s : senders) {
                List<Integer> traces = new ArrayList<>();
                for (JsonNode series : exemplars) {
                    if (series.path("seriesLabels").path("sender").asText().equals(Integer.toString(s.id()))) {
                        for (JsonNode e : series.path("exemplars")) {
                            int k = Integer.parseInt(e.path("labels").path("trace_id").asText());
                            assertThat(Double.parseDouble(e.path("value").asText())).isEqualTo(k);
                            traces.add(k);
                        }
                    }
                }
                assertThat(traces.size()).as("sender %d: every acknowledged exemplar is back, at most one more", s.id())
                        .isBetween(s.acknowledged(), s.acknowledged() + 1);
                for (int k = 0; k < traces.size(); k++) {
                    assertThat(traces.get(k)).as("sender %d: exemplars in order, no holes", s.id()).isEqualTo(k);
                }
                totalExemplars += traces.size();
            }
            System.out.printf("kill -9 mid-ingest: %d exemplars acknowledged, %d present after restart%n",
                    senders.stream().mapToInt(Sender::acknowledged).sum(), totalExemplars);
            System.out.printf("kill -9 mid-ingest: %d samples acknowledged by %d senders, %d present after restart%n",
                    totalAcked, SENDERS, totalPresent);
        } finally {
            second.process().destroyForcibly();
        }
    }

    private static JsonNode exemplars(int port, long base) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + port + "/api/v1/query_exemplars?query=kill_test&start=" + (base / 1000 - 1)
                        + "&end=" + (System.currentTimeMillis() / 1000 + 1))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).path("data");
    }

    private static double scalar(int port, String query) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + port + "/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8)
                        + "&time=" + System.currentTimeMillis() / 1000.0)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode result = JSON.readTree(r.body()).path("data").path("result");
        return result.isEmpty() ? 0 : Double.parseDouble(result.get(0).path("value").get(1).asText());
    }
}
