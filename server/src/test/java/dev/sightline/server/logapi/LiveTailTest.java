package dev.sightline.server.logapi;

import dev.sightline.core.Labels;
import dev.sightline.logs.InMemoryLogStore;
import dev.sightline.logs.LogAppender;
import dev.sightline.logs.LogEntry;
import dev.sightline.server.BuildInfo;
import dev.sightline.server.http.ApiTestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static dev.sightline.server.logapi.LokiApiTest.S;
import static dev.sightline.server.logapi.LokiApiTest.T;
import static dev.sightline.server.logapi.LokiApiTest.enc;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Live tail over a websocket as logcli and Grafana's live mode use it: history first, then committed lines. */
public class LiveTailTest {
    static final Labels PAYMENT = Labels.of("service", "payment");
    static final Labels CHECKOUT = Labels.of("service", "checkout");

    @RegisterExtension
    final ApiTestServer server = new ApiTestServer();

    final InMemoryLogStore store = new InMemoryLogStore();
    final LiveLineHub hub = new LiveLineHub();
    final HttpClient client = HttpClient.newHttpClient();

    void start() throws Exception {
        LogAppender a = store.appender();
        a.append(PAYMENT, T + S, "error: card declined", Labels.of("trace_id", "abc123"));
        a.append(PAYMENT, T + 2 * S, "info: ok", Labels.EMPTY);
        a.append(CHECKOUT, T + 3 * S, "error: timeout", Labels.EMPTY);
        a.commit();
        new LokiApi(() -> store, q -> {
            throw new AssertionError("tail must not need the LogQL engine");
        }, hub, () -> T + 600 * S, BuildInfo.current()).register(server.api);
        server.listen();
    }

    /** Commits lines to the store and hands them to the hub, as ingest does after a commit. */
    void push(LogEntry... lines) throws Exception {
        LogAppender a = store.appender();
        for (LogEntry e : lines) {
            a.append(e.stream(), e.timeNanos(), e.line(), e.metadata());
        }
        a.commit();
        hub.accept(List.of(lines));
    }

    /** Frames as they arrive, whole messages only (the tenant tests read tails with it too). */
    public static final class Frames implements WebSocket.Listener {
        final BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                frames.add(new JsonObject(partial.toString()));
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }

        public JsonObject next() throws InterruptedException {
            JsonObject f = frames.poll(5, TimeUnit.SECONDS);
            assertThat(f).as("a frame within 5 s").isNotNull();
            return f;
        }
    }

    WebSocket connect(String query, Frames frames) {
        URI uri = URI.create("ws://127.0.0.1:" + server.port() + "/loki/api/v1/tail?" + query);
        return client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5)).buildAsync(uri, frames).join();
    }

    static JsonObject stream(JsonObject labels, String... nsAndLines) {
        JsonArray values = new JsonArray();
        for (int i = 0; i < nsAndLines.length; i += 2) {
            values.add(new JsonArray().add(nsAndLines[i]).add(nsAndLines[i + 1]));
        }
        return new JsonObject().put("stream", labels).put("values", values);
    }

    @Test
    void historyThenLiveLinesWithinASecondFilteredBySelectorAndLineFilters() throws Exception {
        start();
        Frames frames = new Frames();
        WebSocket ws = connect("query=" + enc("{service=~\"pay.*\"} |= \"error\" or \"warn\" != \"debug\"")
                + "&start=" + T, frames);
        JsonObject history = frames.next();
        // The line's metadata is among its labels, as in Loki's answers without categorized labels.
        assertThat(history).isEqualTo(new JsonObject()
                .put("streams", new JsonArray().add(stream(new JsonObject().put("service", "payment")
                        .put("trace_id", "abc123"), Long.toString(T + S), "error: card declined")))
                .put("dropped_entries", new JsonArray()));
        long t0 = System.nanoTime();
        push(new LogEntry(T + 700 * S, PAYMENT, Labels.EMPTY, "warn: retry"),
                new LogEntry(T + 700 * S, PAYMENT, Labels.EMPTY, "warn: debug retry"),
                new LogEntry(T + 700 * S, CHECKOUT, Labels.EMPTY, "error: elsewhere"),
                new LogEntry(T + 701 * S, PAYMENT, Labels.EMPTY, "error: again"));
        JsonObject live = frames.next();
        long elapsedMs = (System.nanoTime() - t0) / 1_000_000;
        assertThat(elapsedMs).as("a live line reaches the client within 1 s").isLessThan(1000);
        assertThat(live.getJsonArray("streams")).containsExactly(stream(new JsonObject().put("service", "payment"),
                Long.toString(T + 700 * S), "warn: retry", Long.toString(T + 701 * S), "error: again"));
        assertThat(hub.subscribers()).isEqualTo(1);
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (hub.subscribers() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(hub.subscribers()).as("closing the socket ends the subscription").isZero();
    }

    @Test
    void limitKeepsTheNewestHistoryLinesOldestFirst() throws Exception {
        start();
        Frames frames = new Frames();
        connect("query=" + enc("{service=~\".+\"}") + "&start=" + T + "&limit=2&delay_for=0", frames);
        JsonArray streams = frames.next().getJsonArray("streams");
        assertThat(streams).containsExactly(
                stream(new JsonObject().put("service", "payment"), Long.toString(T + 2 * S), "info: ok"),
                stream(new JsonObject().put("service", "checkout"), Long.toString(T + 3 * S), "error: timeout"));
    }

    @Test
    void delayForHoldsFramesBack() throws Exception {
        start();
        Frames frames = new Frames();
        long t0 = System.nanoTime();
        connect("query=" + enc("{service=\"checkout\"}") + "&start=" + T + "&delay_for=1", frames);
        assertThat(frames.next().getJsonArray("streams")).hasSize(1);
        assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(1000);
    }

    @Test
    void otherPipelineStagesAndBadParametersAreRefusedBeforeTheUpgrade() throws Exception {
        start();
        assertThat(handshakeStatus("query=" + enc("{service=\"payment\"} | json | level=\"error\"")))
                .isEqualTo(400);
        assertThat(handshakeStatus("query=" + enc("{service=\"payment\"}") + "&delay_for=6")).isEqualTo(400);
        assertThat(handshakeStatus("query=" + enc("{service=\"payment\"}") + "&delay_for=-1")).isEqualTo(400);
        assertThat(handshakeStatus("query=" + enc("{service=\"payment\"} |= \"unterminated"))).isEqualTo(400);
        assertThat(handshakeStatus("limit=5")).isEqualTo(400);
        assertThat(hub.subscribers()).isZero();
    }

    @Test
    void aPlainGetAnswersWhyTheTailWouldBeRefused() throws Exception {
        start();
        HttpResponse<String> bad = server.get("/loki/api/v1/tail?query=" + enc("{service=\"payment\"} | json"));
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).isEqualTo("live tail takes a stream selector and line filters (|= != |~ !~); not \"| json\": "
                + "run it as a query_range instead\n");
        HttpResponse<String> unparsed = server.get("/loki/api/v1/tail?query=" + enc("{service=\"payment\""));
        assertThat(unparsed.statusCode()).isEqualTo(400);
        assertThat(unparsed.body()).isEqualTo("parse error: query: stream selector not closed: {service=\"payment\"\n");
        HttpResponse<String> good = server.get("/loki/api/v1/tail?query=" + enc("{service=\"payment\"} |= \"error\""));
        assertThat(good.statusCode()).isEqualTo(400);
        assertThat(good.body()).isEqualTo("tail is a websocket endpoint: connect with Upgrade: websocket\n");
        assertThat(hub.subscribers()).isZero();
    }

    private int handshakeStatus(String query) {
        URI uri = URI.create("ws://127.0.0.1:" + server.port() + "/loki/api/v1/tail?" + query);
        Throwable[] failure = {null};
        assertThatThrownBy(() -> client.newWebSocketBuilder().buildAsync(uri, new Frames()).join())
                .isInstanceOf(CompletionException.class)
                .satisfies(e -> failure[0] = e.getCause());
        assertThat(failure[0]).isInstanceOf(WebSocketHandshakeException.class);
        return ((WebSocketHandshakeException) failure[0]).getResponse().statusCode();
    }

    @Test
    void lineFiltersParseAsLogQl() {
        LogSelector s = LogSelector.parse("query", "{a=\"b\"} |= `x\\y` != \"\" |~ \"er+\" or \"wa\\\"rn\" !~ \"d\"");
        assertThat(s.lineFiltersOrNull()).extracting(Object::toString).containsExactly(
                "|= \"x\\y\"", "!= \"\"", "|~ \"er+\" or \"wa\"rn\"", "!~ \"d\"");
        assertThat(LogSelector.parse("query", "{a=\"}\"}").matchers()).hasSize(1);
        assertThat(LogSelector.parse("query", "{}").matchers()).isEmpty();
        assertThat(LogSelector.parse("query", "{a=\"b\"} | json").lineFiltersOrNull()).isNull();
        assertThat(LogSelector.parse("query", "{a=\"b\"} |= \"x\" | logfmt").lineFiltersOrNull()).isNull();
        assertThatThrownBy(() -> LogSelector.parse("query", "rate({a=\"b\"}[1m])"))
                .hasMessageContaining("must start with a stream selector");
        assertThatThrownBy(() -> LogSelector.parse("query", "{a=\"b\"} |~ \"(\"").lineFiltersOrNull())
                .hasMessageContaining("invalid regular expression");
        // A frame's labels: the stream's, then metadata of other names.
        assertThat(LokiJson.labels(new LogEntry(T, PAYMENT, Labels.of("service", "x", "k", "v"), "l")))
                .isEqualTo(Labels.of("service", "payment", "k", "v"));
    }
}
