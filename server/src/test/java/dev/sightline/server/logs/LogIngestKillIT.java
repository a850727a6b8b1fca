package dev.sightline.server.logs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sightline.server.ChildServer;
import dev.sightline.server.KillMidIngest;
import dev.sightline.server.KillMidIngest.Sender;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * kill -9 of a real server process while senders push lines over Loki's push API (JSON), then a restart on the same
 * data: read back through Loki's query API, every line of every request answered 204 is there exactly once, a
 * request in flight at the kill is all there or not at all, and nothing is there of a request never sent. Default
 * settings (WAL fsync before the answer).
 */
class LogIngestKillIT {
    private static final int SENDERS = 4;
    private static final int TARGET = 300;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** 1 to 8 lines, varying from request to request. */
    private static int lineCount(int sender, int k) {
        return 1 + (k * 5 + sender) % 8;
    }

    private static HttpRequest push(int port, int sender, int k, long baseNanos) {
        StringBuilder values = new StringBuilder();
        for (int i = 0; i < lineCount(sender, k); i++) {
            values.append(i == 0 ? "" : ",").append("[\"").append(baseNanos + k * 16L + i)
                    .append("\",\"request ").append(k).append(" line ").append(i).append(" \\\"quoted\\\" é\"]");
        }
        String body = "{\"streams\":[{\"stream\":{\"service\":\"kill-" + sender + "\"},\"values\":[" + values + "]}]}";
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + LogPushEndpoint.LOKI_PATH))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    /** Request number to the lines found of it, for one sender's stream, through query_range. */
    private static Map<Integer, List<String>> found(HttpClient client, int port, int sender, long from, long to)
            throws Exception {
        String query = URLEncoder.encode("{service=\"kill-" + sender + "\"}", StandardCharsets.UTF_8);
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/loki/api/v1/query_range?direction=forward&limit=5000&start=" + from + "&end=" + to
                + "&query=" + query)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        Map<Integer, List<String>> byRequest = new TreeMap<>();
        int total = 0;
        for (JsonNode stream : JSON.readTree(r.body()).path("data").path("result")) {
            for (JsonNode v : stream.path("values")) {
                String line = v.get(1).asText();
                assertThat(line).endsWith(" \"quoted\" é");
                int k = Integer.parseInt(line.split(" ")[1]);
                byRequest.computeIfAbsent(k, x -> new ArrayList<>()).add(line);
                total++;
            }
        }
        assertThat(total).as("under the query limit").isLessThan(5000);
        return byRequest;
    }

    @Test
    void everyAcknowledgedLineSurvivesKill9ExactlyOnce() throws Exception {
        Path data = tmp.resolve("data");
        ChildServer first = ChildServer.start(data, tmp.resolve("run1.log"));
        long base = System.currentTimeMillis() * 1_000_000L - 60_000_000_000L;
        List<Sender> senders = KillMidIngest.run(first, first.awaitReady(), SENDERS, 204,
                (port, sender, k) -> push(port, sender, k, base), Duration.ofSeconds(20), acked -> acked >= TARGET);

        ChildServer second = ChildServer.start(data, tmp.resolve("run2.log"));
        try {
            int port = second.awaitReady();
            HttpClient client = HttpClient.newHttpClient();
            int ackedLines = 0, inFlight = 0, inFlightFound = 0;
            for (Sender s : senders) {
                Map<Integer, List<String>> found = found(client, port, s.id(), base - 1, base + 1_000_000_000L);
                for (int k = 0; k < s.started(); k++) {
                    List<String> lines = found.getOrDefault(k, List.of());
                    assertThat(lines).as("sender %d request %d: no line twice", s.id(), k).doesNotHaveDuplicates();
                    if (k < s.acknowledged()) {
                        assertThat(lines).as("sender %d acknowledged request %d: every line", s.id(), k)
                                .hasSize(lineCount(s.id(), k));
                        ackedLines += lines.size();
                    } else {
                        assertThat(lines.size()).as("sender %d in-flight request %d: all or nothing", s.id(), k)
                                .isIn(0, lineCount(s.id(), k));
                        inFlight++;
                        inFlightFound += lines.isEmpty() ? 0 : 1;
                    }
                }
                assertThat(found.keySet()).as("sender %d: nothing of a request never sent", s.id())
                        .allMatch(k -> k < s.started());
            }
            System.out.printf("after kill -9: %d requests (%d lines) acknowledged, all found; %d in flight, %d of them"
                            + " found whole%n", senders.stream().mapToInt(Sender::acknowledged).sum(), ackedLines,
                    inFlight, inFlightFound);
        } finally {
            second.process().destroyForcibly();
        }
    }
}
