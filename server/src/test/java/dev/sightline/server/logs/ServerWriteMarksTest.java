package dev.sightline.server.logs;

import dev.sightline.core.WritePriority;
import dev.sightline.server.RunningServer;
import dev.sightline.server.ingest.WritesInProgress;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server hands its one WritePriority to the log write paths: Loki push, NDJSON push and OTLP logs on the main
 * port and on the OTLP/HTTP port are each a write in progress on it while their lines are committed.
 */
class ServerWriteMarksTest {
    @TempDir
    static Path dir;
    static RunningServer running;
    static final List<Integer> during = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        running = new RunningServer().start(dir, "");
        WritePriority writes = running.server().writePriority();
        running.server().logIngester().addListener(entries -> during.add(writes.writing()));
    }

    @AfterAll
    static void stop() {
        if (running != null) {
            running.close();
        }
    }

    @Test
    void everyLogPathMarksItsWritesOnTheServersPriority() throws Exception {
        long now = System.currentTimeMillis() * 1_000_000L;
        assertThat(post(running.uri(LogPushEndpoint.LOKI_PATH), "application/json",
                "{\"streams\":[{\"stream\":{\"job\":\"a\"},\"values\":[[\"" + now + "\",\"loki\"]]}]}")).isEqualTo(204);
        assertThat(post(running.uri(LogPushEndpoint.NDJSON_PATH), "application/x-ndjson", "{\"msg\":\"ndjson\"}\n"))
                .isEqualTo(200);
        String otlp = "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"timeUnixNano\":\"" + now
                + "\",\"body\":{\"stringValue\":\"otlp\"}}]}]}]}";
        assertThat(post(running.uri("/v1/logs"), "application/json", otlp)).isEqualTo(200);
        assertThat(post(URI.create("http://127.0.0.1:" + running.server().otlp().httpPort() + "/v1/logs"),
                "application/json", otlp)).isEqualTo(200);
        assertThat(during).containsExactly(1, 1, 1, 1);
        WritesInProgress.awaitNone(running.server().writePriority());
    }

    private static int post(URI uri, String type, String body) throws Exception {
        return running.send(HttpRequest.newBuilder(uri).header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofString(body))).statusCode();
    }
}
