package dev.sightline.server.logapi;

import dev.sightline.core.Labels;
import dev.sightline.logs.InMemoryLogStore;
import dev.sightline.logs.LogAppender;
import dev.sightline.logs.LogSelection.Direction;
import dev.sightline.logs.logql.LogQlEngine;
import dev.sightline.logs.logql.LogQlException;
import dev.sightline.logs.logql.LogQlResult;
import dev.sightline.server.BuildInfo;
import dev.sightline.server.http.ApiTestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Loki's query API over an in-memory store through a running server: the index endpoints read the store itself;
 * query and query_range are checked for Loki's JSON shapes and parameter handling with an engine that returns
 * given results and records what it was asked.
 */
class LokiApiTest {
    /** 2023-11-14T22:13:20Z in unix nanoseconds. */
    static final long T = 1_700_000_000_000_000_000L;
    static final long S = 1_000_000_000L;
    static final String PAY_1 = "{\"level\":\"error\",\"status\":\"failed\",\"amount\":150,\"took\":\"1.5s\","
            + "\"size\":\"2KB\",\"ok\":true,\"env\":\"p\"}";
    static final String PAY_2 = "{\"level\":\"info\",\"status\":\"ok\",\"amount\":20,\"took\":\"300ms\","
            + "\"size\":\"10KB\",\"ok\":false}";
    static final String CHK_1 = "level=warn msg=\"slow call\" took=1200ms user=42";
    static final String CHK_2 = "level=info msg=done took=5ms user=43";
    static final String UUID_1 = "0b0e2c6e-8d3f-4a43-9a55-0d3f7f1d2a11";
    static final String UUID_2 = "7f4c8a52-1c2d-4e5f-8a9b-0c1d2e3f4a5b";

    @RegisterExtension
    final ApiTestServer server = new ApiTestServer();

    final InMemoryLogStore store = new InMemoryLogStore();
    final LiveLineHub hub = new LiveLineHub();
    final RecordingEngine engine = new RecordingEngine();

    /** What the engine was asked, and what it answers. */
    static final class RecordingEngine implements LogQlEngine {
        final List<String> calls = new ArrayList<>();
        LogQlResult answer = new LogQlResult.Streams(List.of());

        @Override
        public LogQlResult instant(String query, long timeNanos, Direction direction, int limit) {
            calls.add("instant " + query + " @" + timeNanos + " " + direction + " " + limit);
            return answer();
        }

        @Override
        public LogQlResult range(String query, long startNanos, long endNanos, long stepNanos, Direction direction,
                                 int limit) {
            calls.add("range " + query + " [" + startNanos + "," + endNanos + "] step " + stepNanos + " " + direction
                    + " " + limit);
            return answer();
        }

        private LogQlResult answer() {
            if (answer == null) {
                throw new LogQlException("parse error at line 1, col 3: syntax error: unexpected IDENTIFIER");
            }
            return answer;
        }
    }

    void start() throws Exception {
        LogAppender a = store.appender();
        Labels payment = Labels.of("service", "payment", "env", "prod");
        a.append(payment, T + S, PAY_1, Labels.of("trace_id", "abc123"));
        a.append(payment, T + 2 * S, PAY_2, Labels.EMPTY);
        Labels checkout = Labels.of("service", "checkout", "env", "dev");
        a.append(checkout, T + 3 * S, CHK_1, Labels.EMPTY);
        a.append(checkout, T + 4 * S, CHK_2, Labels.EMPTY);
        a.append(Labels.of("service", "batch", "pod", "1234", "request_id", UUID_1), T + 5 * S, "plain one", Labels.EMPTY);
        a.append(Labels.of("service", "batch", "pod", "5678", "request_id", UUID_2), T + 6 * S, "plain two", Labels.EMPTY);
        a.commit();
        new LokiApi(() -> store, q -> engine, hub, () -> T + 600 * S, BuildInfo.current()).register(server.api);
        server.listen();
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static final String RANGE = "start=" + T + "&end=" + (T + 60 * S);

    JsonObject ok(String path) throws Exception {
        HttpResponse<String> r = server.get(path);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        return new JsonObject(r.body());
    }

    JsonArray data(String path) throws Exception {
        JsonObject o = ok(path);
        assertThat(o.getString("status")).isEqualTo("success");
        return o.getJsonArray("data");
    }

    /** A 400 as Loki writes it: plain text; returns the text. */
    String bad(String path) throws Exception {
        HttpResponse<String> r = server.get(path);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(r.headers().firstValue("content-type")).hasValue("text/plain; charset=utf-8");
        return r.body();
    }

    HttpResponse<String> post(String path, String form) throws Exception {
        return server.send(server.request(path).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)));
    }

    // ------------------------------------------------------------------ the index

    @Test
    void labelsAndValuesComeFromTheStoreNarrowedBySelectorAndTime() throws Exception {
        start();
        assertThat(data("/loki/api/v1/labels?" + RANGE)).containsExactly("env", "pod", "request_id", "service");
        assertThat(data("/loki/api/v1/labels?" + RANGE + "&query=" + enc("{env=\"prod\"}")))
                .containsExactly("env", "service");
        // Default range: the 6 hours before now, which holds everything.
        assertThat(data("/loki/api/v1/label/service/values")).containsExactly("batch", "checkout", "payment");
        assertThat(data("/loki/api/v1/label/service/values?" + RANGE + "&query=" + enc("{env=~\"d.*\"}")))
                .containsExactly("checkout");
        // Only lines in [start, end] count: the batch streams' lines are at T+5s and T+6s.
        assertThat(data("/loki/api/v1/label/service/values?start=" + T + "&end=" + (T + 4 * S)))
                .containsExactly("checkout", "payment");
        // since: the range before end; 2s before T+6s holds only the batch lines and checkout's last.
        assertThat(data("/loki/api/v1/label/service/values?end=" + (T + 6 * S) + "&since=2s"))
                .containsExactly("batch", "checkout");
        assertThat(data("/loki/api/v1/label/nope/values?" + RANGE)).isEmpty();
        HttpResponse<String> r = post("/loki/api/v1/labels", RANGE + "&query=" + enc("{service=\"checkout\"}"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(r.body()).getJsonArray("data")).containsExactly("env", "service");
    }

    @Test
    void seriesUnitesItsMatchers() throws Exception {
        start();
        JsonArray d = data("/loki/api/v1/series?" + RANGE + "&match[]=" + enc("{service=\"payment\"}")
                + "&match[]=" + enc("{env=\"dev\"}"));
        assertThat(d).containsExactly(
                new JsonObject().put("env", "dev").put("service", "checkout"),
                new JsonObject().put("env", "prod").put("service", "payment"));
        assertThat(data("/loki/api/v1/series?" + RANGE)).hasSize(4);
        assertThat(bad("/loki/api/v1/series?" + RANGE + "&match[]=" + enc("{service=}")))
                .contains("match[]").contains("parse error");
        assertThat(bad("/loki/api/v1/series?" + RANGE + "&match[]=" + enc("{}"))).contains("0 matchers in group");
    }

    @Test
    void indexStatsCountsStreamsLinesAndBytes() throws Exception {
        start();
        JsonObject s = ok("/loki/api/v1/index/stats?" + RANGE + "&query=" + enc("{service=\"payment\"}"));
        assertThat(s.fieldNames()).containsExactlyInAnyOrder("streams", "chunks", "entries", "bytes");
        assertThat(s.getLong("streams")).isEqualTo(1);
        assertThat(s.getLong("entries")).isEqualTo(2);
        assertThat(s.getLong("bytes")).isEqualTo(PAY_1.length() + PAY_2.length());
    }

    @Test
    void volumeSumsBytesByTheLabelsOfTheQueryOrTheTargetLabels() throws Exception {
        start();
        long pay = PAY_1.length() + PAY_2.length();
        long chk = CHK_1.length() + CHK_2.length();
        long batch = "plain one".length() + "plain two".length();
        JsonObject d = ok("/loki/api/v1/index/volume?" + RANGE + "&query=" + enc("{service=~\".+\"}"))
                .getJsonObject("data");
        assertThat(d.getString("resultType")).isEqualTo("vector");
        // Biggest first; the time is the end, in seconds.
        assertThat(d.getJsonArray("result")).containsExactly(
                sample(new JsonObject().put("service", "payment"), T / S + 60, pay),
                sample(new JsonObject().put("service", "checkout"), T / S + 60, chk),
                sample(new JsonObject().put("service", "batch"), T / S + 60, batch));
        JsonArray byEnv = ok("/loki/api/v1/index/volume?" + RANGE + "&query=" + enc("{service=~\".+\"}")
                + "&targetLabels=env&limit=2").getJsonObject("data").getJsonArray("result");
        // The batch streams have no env: they count as {} and the limit leaves them out.
        assertThat(byEnv).containsExactly(sample(new JsonObject().put("env", "prod"), T / S + 60, pay),
                sample(new JsonObject().put("env", "dev"), T / S + 60, chk));
        JsonArray byName = ok("/loki/api/v1/index/volume?" + RANGE + "&query=" + enc("{service=~\".+\"}")
                + "&targetLabels=env,pod&aggregateBy=labels").getJsonObject("data").getJsonArray("result");
        assertThat(byName).containsExactly(sample(new JsonObject().put("env", ""), T / S + 60, pay + chk),
                sample(new JsonObject().put("pod", ""), T / S + 60, batch));
        assertThat(bad("/loki/api/v1/index/volume?" + RANGE + "&query=" + enc("{service=~\".+\"}")
                + "&aggregateBy=streams")).isEqualTo("invalid aggregation option\n");
        assertThat(bad("/loki/api/v1/index/volume?" + RANGE)).contains("missing required parameter 'query'");
    }

    @Test
    void volumeRangeSplitsIntoSteps() throws Exception {
        start();
        // Points at T, T+2s, T+4s, T+6s, each holding (t-2s, t].
        JsonObject d = ok("/loki/api/v1/index/volume_range?start=" + T + "&end=" + (T + 6 * S) + "&step=2s&query="
                + enc("{env=~\".+\"}")).getJsonObject("data");
        assertThat(d.getString("resultType")).isEqualTo("matrix");
        assertThat(d.getJsonArray("result")).containsExactly(
                new JsonObject().put("metric", new JsonObject().put("env", "prod")).put("values", new JsonArray()
                        .add(point(T / S + 2, PAY_1.length() + PAY_2.length()))),
                new JsonObject().put("metric", new JsonObject().put("env", "dev")).put("values", new JsonArray()
                        .add(point(T / S + 4, CHK_1.length() + CHK_2.length()))));
        // An end off the step: the last point is T+4s, so the lines after it (T+5s, T+6s) are in none.
        JsonArray offStep = ok("/loki/api/v1/index/volume_range?start=" + T + "&end=" + (T + 5 * S) + "&step=2s&query="
                + enc("{service=~\".+\"}")).getJsonObject("data").getJsonArray("result");
        assertThat(offStep).extracting(o -> ((JsonObject) o).getJsonObject("metric").getString("service"))
                .containsExactly("payment", "checkout");
        assertThat(bad("/loki/api/v1/index/volume_range?start=" + T + "&end=" + (T + 6 * S) + "&step=0&query="
                + enc("{env=~\".+\"}"))).contains("zero or negative query resolution step");
    }

    static JsonObject sample(JsonObject metric, long seconds, long value) {
        return new JsonObject().put("metric", metric).put("value", point(seconds, value));
    }

    static JsonArray point(long seconds, long value) {
        return new JsonArray().add(seconds).add(Long.toString(value));
    }

    @Test
    void detectedLabelsLeaveOutIdLikeLabelsButNotStaticOnes() throws Exception {
        start();
        JsonObject d = ok("/loki/api/v1/detected_labels?" + RANGE);
        assertThat(d.getJsonArray("detectedLabels")).containsExactly(
                new JsonObject().put("label", "env").put("cardinality", 2),
                new JsonObject().put("label", "pod").put("cardinality", 2),
                new JsonObject().put("label", "service").put("cardinality", 3));
        assertThat(ok("/loki/api/v1/detected_labels?" + RANGE + "&query=" + enc("{service=\"checkout\"}"))
                .getJsonArray("detectedLabels")).containsExactly(
                new JsonObject().put("label", "env").put("cardinality", 1),
                new JsonObject().put("label", "service").put("cardinality", 1));
        assertThat(LokiApi.allIds(List.of("0", "1"))).isFalse();
        assertThat(LokiApi.allIds(List.of("12", "1.5e3", UUID_1))).isTrue();
        assertThat(LokiApi.allIds(List.of("12", "web"))).isFalse();
    }

    @Test
    void detectedFieldsReadJsonLogfmtAndMetadataWithLokisTypes() throws Exception {
        start();
        JsonObject d = ok("/loki/api/v1/detected_fields?" + RANGE + "&query=" + enc("{env=~\".+\"}"));
        assertThat(d.getInteger("limit")).isEqualTo(1000);
        JsonArray f = d.getJsonArray("fields");
        assertThat(f).containsExactly(
                field("amount", "int", 2, "json"),
                field("env_extracted", "string", 1, "json"),
                field("level", "string", 3, "json", "logfmt"),
                field("msg", "string", 2, "logfmt"),
                field("ok", "boolean", 2, "json"),
                field("size", "bytes", 2, "json"),
                field("status", "string", 2, "json"),
                field("took", "duration", 4, "json", "logfmt"),
                new JsonObject().put("label", "trace_id").put("type", "string").put("cardinality", 1)
                        .putNull("parsers"),
                field("user", "int", 2, "logfmt"));
        // Line filters narrow in the store; line_limit samples the newest lines.
        JsonArray slow = ok("/loki/api/v1/detected_fields?" + RANGE + "&query="
                + enc("{service=\"checkout\"} |= \"slow\"")).getJsonArray("fields");
        assertThat(slow).extracting(o -> ((JsonObject) o).getString("label")).containsExactly("level", "msg", "took", "user");
        assertThat(slow).allSatisfy(o -> assertThat(((JsonObject) o).getInteger("cardinality")).isEqualTo(1));
        JsonArray newest = ok("/loki/api/v1/detected_fields?" + RANGE + "&line_limit=1&query="
                + enc("{service=\"checkout\"}")).getJsonArray("fields");
        assertThat(newest.getJsonObject(1).getString("label")).isEqualTo("msg");
        assertThat(newest.getJsonObject(2)).isEqualTo(field("took", "duration", 1, "logfmt"));
        assertThat(ok("/loki/api/v1/detected_fields?" + RANGE + "&limit=2&query=" + enc("{env=~\".+\"}"))
                .getJsonArray("fields")).hasSize(2);
        assertThat(ok("/loki/api/v1/detected_field/took/values?" + RANGE + "&query=" + enc("{env=~\".+\"}"))
                .getJsonArray("values")).containsExactly("1.5s", "1200ms", "300ms", "5ms");
        assertThat(ok("/loki/api/v1/detected_field/took/values?" + RANGE + "&limit=1&query="
                + enc("{env=~\".+\"}")).getJsonArray("values")).containsExactly("1.5s");
        assertThat(ok("/loki/api/v1/detected_field/nope/values?" + RANGE + "&query=" + enc("{env=~\".+\"}"))
                .getJsonArray("values")).isEmpty();
        assertThat(engine.calls).isEmpty();
        // Other stages go through the engine; its lines are read.
        engine.answer = new LogQlResult.Streams(List.of(new LogQlResult.Stream(Labels.of("a", "b"),
                List.of(new LogQlResult.Line(T, "x=1 y=2.5")))));
        JsonArray viaEngine = ok("/loki/api/v1/detected_fields?" + RANGE + "&query="
                + enc("{env=~\".+\"} | logfmt | x > 0")).getJsonArray("fields");
        assertThat(viaEngine).containsExactly(field("x", "int", 1, "logfmt"), field("y", "float", 1, "logfmt"));
        assertThat(engine.calls).containsExactly("range {env=~\".+\"} | logfmt | x > 0 [" + T + "," + (T + 60 * S)
                + "] step 1000000000 BACKWARD 1000");
    }

    static JsonObject field(String label, String type, int cardinality, String... parsers) {
        return new JsonObject().put("label", label).put("type", type).put("cardinality", cardinality)
                .put("parsers", new JsonArray(List.of((Object[]) parsers)));
    }

    @Test
    void fieldTypesAreLokisDetermineType() {
        assertThat(DetectedFields.type("42")).isEqualTo("int");
        assertThat(DetectedFields.type("-7")).isEqualTo("int");
        assertThat(DetectedFields.type("99999999999999999999")).isEqualTo("float");
        assertThat(DetectedFields.type("1.5")).isEqualTo("float");
        assertThat(DetectedFields.type("1e3")).isEqualTo("float");
        assertThat(DetectedFields.type("true")).isEqualTo("boolean");
        assertThat(DetectedFields.type("F")).isEqualTo("boolean");
        assertThat(DetectedFields.type("1h2m")).isEqualTo("duration");
        assertThat(DetectedFields.type("250ms")).isEqualTo("duration");
        assertThat(DetectedFields.type("10KiB")).isEqualTo("bytes");
        assertThat(DetectedFields.type("5 MB")).isEqualTo("bytes");
        assertThat(DetectedFields.type("yes")).isEqualTo("string");
        assertThat(DetectedFields.type("")).isEqualTo("string");
    }

    // ------------------------------------------------------------------ LogQL through the engine

    @Test
    void queryRangeWritesStreamsAsLoki() throws Exception {
        start();
        engine.answer = new LogQlResult.Streams(List.of(new LogQlResult.Stream(Labels.of("service", "payment"),
                List.of(new LogQlResult.Line(T + 2 * S, "b"), new LogQlResult.Line(T + S, "a \"q\"")))));
        HttpResponse<String> r = server.get("/loki/api/v1/query_range?query=" + enc("{service=\"payment\"}")
                + "&" + RANGE);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).startsWith("{\"status\":\"success\",\"data\":{\"resultType\":\"streams\",\"result\":"
                + "[{\"stream\":{\"service\":\"payment\"},\"values\":[[\"1700000002000000000\",\"b\"],"
                + "[\"1700000001000000000\",\"a \\\"q\\\"\"]]}],\"stats\":{\"summary\":{\"execTime\":");
        JsonObject summary = new JsonObject(r.body()).getJsonObject("data").getJsonObject("stats")
                .getJsonObject("summary");
        assertThat(summary.getLong("totalEntriesReturned")).isEqualTo(2);
        // Defaults: limit 100, backward; step (end-start)/250 in whole seconds, at least 1 s.
        assertThat(engine.calls).containsExactly("range {service=\"payment\"} [" + T + "," + (T + 60 * S)
                + "] step 1000000000 BACKWARD 100");
    }

    @Test
    void queryRangeWritesMatricesAsPrometheus() throws Exception {
        start();
        engine.answer = new LogQlResult.Matrix(List.of(new LogQlResult.Series(Labels.of("level", "error"),
                new long[]{1_700_000_000_000L, 1_700_000_000_500L}, new double[]{0.5, 2})));
        String body = server.get("/loki/api/v1/query_range?query=" + enc("rate({a=\"b\"}[1m])")
                + "&start=1700000000&end=2023-11-14T23:13:20.5Z&step=30&direction=FORWARD&limit=7").body();
        assertThat(body).startsWith("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":"
                + "[{\"metric\":{\"level\":\"error\"},\"values\":[[1700000000,\"0.5\"],[1700000000.500,\"2\"]]}],");
        // 10-digit integers are seconds, RFC 3339 keeps its fraction, float steps are seconds.
        assertThat(engine.calls).containsExactly("range rate({a=\"b\"}[1m]) [" + T + "," + (T + 3600 * S + S / 2)
                + "] step 30000000000 FORWARD 7");
    }

    @Test
    void instantQueriesWriteVectorsAndScalars() throws Exception {
        start();
        // Grafana's health check of a Loki data source.
        engine.answer = new LogQlResult.Scalar(1_700_000_000_123L, 2);
        assertThat(server.get("/loki/api/v1/query?query=" + enc("vector(1)+vector(1)") + "&time=1700000000.123")
                .body()).startsWith("{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":"
                + "[1700000000.123,\"2\"],");
        engine.answer = new LogQlResult.Vector(List.of(new LogQlResult.Sample(Labels.of("level", "warn"),
                1_700_000_000_000L, 37.77166666666667)));
        assertThat(server.get("/loki/api/v1/query?query=" + enc("sum by (level) (rate({a=\"b\"}[10m]))")).body())
                .contains("\"resultType\":\"vector\",\"result\":[{\"metric\":{\"level\":\"warn\"},"
                        + "\"value\":[1700000000,\"37.77166666666667\"]}]");
        // Default time: now; unix nanoseconds taken as given.
        ok("/loki/api/v1/query?query=x&time=1700000000000000001");
        assertThat(engine.calls).containsExactly(
                "instant vector(1)+vector(1) @" + (T + 123_000_000L) + " BACKWARD 100",
                "instant sum by (level) (rate({a=\"b\"}[10m])) @" + (T + 600 * S) + " BACKWARD 100",
                "instant x @" + (T + 1) + " BACKWARD 100");
        HttpResponse<String> r = post("/loki/api/v1/query", "query=" + enc("vector(1)+vector(1)"));
        assertThat(r.statusCode()).isEqualTo(200);
    }

    @Test
    void intervalKeepsLinesAtLeastThatFarApart() {
        LogQlResult.Streams s = new LogQlResult.Streams(List.of(
                new LogQlResult.Stream(Labels.of("a", "1"), List.of(new LogQlResult.Line(T, "x"),
                        new LogQlResult.Line(T + 3 * S, "y"))),
                new LogQlResult.Stream(Labels.of("a", "2"), List.of(new LogQlResult.Line(T + S, "z"),
                        new LogQlResult.Line(T + 2 * S, "w")))));
        LogQlResult.Streams kept = LokiApi.everyInterval(s, 2 * S, Direction.FORWARD);
        assertThat(kept.streams()).hasSize(2);
        assertThat(kept.streams().get(0).lines()).extracting(LogQlResult.Line::text).containsExactly("x");
        assertThat(kept.streams().get(1).lines()).extracting(LogQlResult.Line::text).containsExactly("w");
        // Backward from y (T+3s): w (T+2s) is too close, z (T+1s) is kept, x (T) too close to z.
        LogQlResult.Streams back = LokiApi.everyInterval(s, 2 * S, Direction.BACKWARD);
        assertThat(back.streams()).extracting(st -> st.lines().getFirst().text()).containsExactly("y", "z");
    }

    @Test
    void badParametersAndLogQlErrorsAre400WithLokisMessages() throws Exception {
        start();
        String q = "query=" + enc("{a=\"b\"}") + "&";
        assertThat(bad("/loki/api/v1/query_range?" + q + "start=abc"))
                .isEqualTo("could not parse 'start' parameter: strconv.ParseInt: parsing \"abc\": invalid syntax\n");
        assertThat(bad("/loki/api/v1/query_range?" + q + "start=" + (T + S) + "&end=" + T))
                .isEqualTo("end timestamp must not be before or equal to start time\n");
        // Fuzzing found it: seconds past 2262 wrapped to a negative nanosecond time and the range query failed with a 500.
        assertThat(bad("/loki/api/v1/query_range?" + q + "start=9796576574&step=60"))
                .isEqualTo("could not parse 'start' parameter: 9796576574 seconds is out of the range of unix nanoseconds\n");
        assertThat(bad("/loki/api/v1/query_range?" + q + RANGE + "&step=-5"))
                .startsWith("zero or negative query resolution step widths are not accepted");
        assertThat(bad("/loki/api/v1/query_range?" + q + RANGE + "&step=1ms"))
                .startsWith("exceeded maximum resolution of 11,000 points per time series");
        assertThat(bad("/loki/api/v1/query_range?" + q + RANGE + "&step=fast"))
                .isEqualTo("cannot parse \"fast\" to a valid duration\n");
        assertThat(bad("/loki/api/v1/query_range?" + q + RANGE + "&limit=0")).isEqualTo("limit must be a positive value\n");
        assertThat(bad("/loki/api/v1/query_range?" + q + RANGE + "&limit=10000"))
                .isEqualTo("max entries limit per query exceeded, limit > max_entries_limit (10000 > 5000)\n");
        assertThat(bad("/loki/api/v1/query_range?" + q + RANGE + "&direction=up")).isEqualTo("invalid direction 'up'\n");
        assertThat(bad("/loki/api/v1/query_range?" + q + "start=" + T + "&end=" + (T + 800 * 3600 * S)))
                .isEqualTo("the query time range exceeds the limit (query length: 800.0h, limit: 721.0h)\n");
        assertThat(bad("/loki/api/v1/query_range?" + q + RANGE + "&since=2x"))
                .startsWith("could not parse 'since' parameter");
        assertThat(bad("/loki/api/v1/query_range?" + RANGE)).isEqualTo("missing required parameter 'query'\n");
        engine.answer = null;
        assertThat(bad("/loki/api/v1/query_range?query=" + enc("{a=\"b\"} | nope") + "&" + RANGE))
                .isEqualTo("parse error at line 1, col 3: syntax error: unexpected IDENTIFIER\n");
        assertThat(bad("/loki/api/v1/query?query=" + enc("nope"))).startsWith("parse error");
    }

    @Test
    void buildInfoAndReady() throws Exception {
        start();
        JsonObject b = ok("/loki/api/v1/status/buildinfo");
        assertThat(b.getString("version")).startsWith(LokiApi.LOKI_API_VERSION);
        assertThat(b.fieldNames()).contains("revision", "branch", "buildUser", "buildDate", "goVersion");
        HttpResponse<String> r = server.get("/ready");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("ready\n");
    }

    @Test
    void aStoreNotOpenAnswers503() throws Exception {
        new LokiApi(() -> null, q -> engine, hub, () -> T, BuildInfo.current()).register(server.api);
        server.listen();
        assertThat(server.get("/loki/api/v1/labels").statusCode()).isEqualTo(503);
        assertThat(server.get("/ready").statusCode()).isEqualTo(503);
    }
}
