package dev.sightline.server.ingest;

import dev.sightline.core.WritePriority;
import dev.sightline.server.http.ApiTestServer;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Each way an HTTP write request can end releases its mark, once. */
class WriteMarksTest {
    private final WritePriority writes = new WritePriority();
    private final List<Integer> during = new CopyOnWriteArrayList<>();

    @Test
    void answeredFailedAndThrowingRequestsReleaseTheirMark() throws Exception {
        try (ApiTestServer s = new ApiTestServer()) {
            s.api.post("/ok", 1024, WriteMarks.marked(writes, ctx -> {
                during.add(writes.writing());
                ctx.response().setStatusCode(204).end();
            }));
            s.api.post("/bad", 1024, WriteMarks.marked(writes, ctx -> {
                during.add(writes.writing());
                ctx.response().setStatusCode(400).end("bad\n");
            }));
            s.api.post("/throws", 1024, WriteMarks.marked(writes, ctx -> {
                during.add(writes.writing());
                throw new IllegalStateException("decoder bug");
            }));
            s.listen();
            HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.ofString("x");
            assertThat(s.send(s.request("/ok").POST(body)).statusCode()).isEqualTo(204);
            WritesInProgress.awaitNone(writes);
            assertThat(s.send(s.request("/bad").POST(body)).statusCode()).isEqualTo(400);
            WritesInProgress.awaitNone(writes);
            assertThat(s.send(s.request("/throws").POST(body)).statusCode()).isEqualTo(500);
            WritesInProgress.awaitNone(writes);
            // Over the body limit: refused before the body is read, never marked.
            assertThat(s.send(s.request("/ok").POST(HttpRequest.BodyPublishers.ofString("y".repeat(2048))))
                    .statusCode()).isEqualTo(413);
        }
        assertThat(during).containsExactly(1, 1, 1);
        assertThat(writes.writing()).isZero();
    }

    @Test
    void aClientGoneBeforeTheAnswerReleasesItsMark() throws Exception {
        CountDownLatch received = new CountDownLatch(1);
        try (ApiTestServer s = new ApiTestServer()) {
            // Never answers: only the connection's end can release the mark.
            s.api.post("/hang", 1024, WriteMarks.marked(writes, ctx -> received.countDown()));
            s.listen();
            try (Socket socket = new Socket("127.0.0.1", s.port())) {
                OutputStream out = socket.getOutputStream();
                out.write(("POST /hang HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1\r\n\r\nx")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertThat(received.await(5, TimeUnit.SECONDS)).isTrue();
                assertThat(writes.writing()).isEqualTo(1);
            }
            WritesInProgress.awaitNone(writes);
        }
    }

    @Test
    void aReleaseRunTwiceCountsOnce() {
        Runnable a = WriteMarks.begin(writes);
        Runnable b = WriteMarks.begin(writes);
        assertThat(writes.writing()).isEqualTo(2);
        a.run();
        a.run();
        assertThat(writes.writing()).isEqualTo(1);
        b.run();
        assertThat(writes.writing()).isZero();
    }
}
