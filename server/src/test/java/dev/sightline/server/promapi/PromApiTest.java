package dev.sightline.server.promapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.luben.zstd.Zstd;
import dev.sightline.core.Histogram;
import dev.sightline.core.Labels;
import dev.sightline.metricstore.Appender;
import dev.sightline.promql.ast.FunctionTable;
import dev.sightline.server.RunningServer;
import dev.sightline.tsdb.Tsdb;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The query API end to end: a real server on an ephemeral port, data appended straight into its database. */
class PromApiTest {
    /** 2015-07-01T20:10:51.781Z, the timestamp of Prometheus's API documentation. */
    private static final long T = 1435781451781L;

    @TempDir
    static Path dataDir;

    @RegisterExtension
    static final RunningServer server = new RunningServer();

    @BeforeAll
    static void start() throws Exception {
        server.start(dataDir, null);
        Tsdb db = server.storage();
        Appender app = db.appender();
        app.append(0, Labels.of("__name__", "up", "job", "api", "instance", "a"), T - 60_000, 1);
        app.append(0, Labels.of("__name__", "up", "job", "api", "instance", "a"), T, 1);
        app.append(0, Labels.of("__name__", "up", "job", "api", "instance", "b"), T, 0);
        app.append(0, Labels.of("__name__", "f", "case", "big"), T, 1e21);
        app.append(0, Labels.of("__name__", "f", "case", "tenth"), T, 0.1);
        app.append(0, Labels.of("__name__", "f", "case", "negzero"), T, -0.0);
        app.append(0, Labels.of("__name__", "f", "case", "nan"), T, Double.NaN);
        app.append(0, Labels.of("__name__", "f", "case", "inf"), T, Double.POSITIVE_INFINITY);
        app.append(0, Labels.of("__name__", "f", "case", "ninf"), T, Double.NEGATIVE_INFINITY);
        app.append(0, Labels.of("__name__", "f", "case", "tiny"), T, 1.5e-7);
        // zero bucket 2, buckets (0.5,1]: 3 and (1,2]: 5, one negative bucket [-1,-0.5): 1.
        app.appendHistogram(0, Labels.of("__name__", "h"), T, new Histogram(Histogram.CounterResetHint.UNKNOWN, 0,
                0.001, 2, 11, 20.5, new int[]{0}, new int[]{2}, new double[]{3, 5},
                new int[]{0}, new int[]{1}, new double[]{1}, null));
        app.appendHistogram(0, Labels.of("__name__", "nhcb"), T, new Histogram(Histogram.CounterResetHint.UNKNOWN,
                Histogram.CUSTOM_BUCKETS_SCHEMA, 0, 0, 6, 7, new int[]{0}, new int[]{3}, new double[]{1, 2, 3},
                null, null, null, new double[]{1, 2}));
        app.commit();
        // A day of data at 10 s in 30 series: enough work that a 1 ms timeout always trips.
        Appender heavy = db.appender();
        long[] refs = new long[30];
        for (long t = T - 86_400_000L; t <= T; t += 10_000) {
            for (int i = 0; i < refs.length; i++) {
                refs[i] = heavy.append(refs[i], Labels.of("__name__", "heavy", "i", Integer.toString(i)), t, t % 7);
            }
        }
        heavy.commit();
    }

    private static HttpResponse<String> post(String pathAndQuery, String form) throws Exception {
        return server.post(pathAndQuery, "application/x-www-form-urlencoded", form);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static void assertOk(HttpResponse<String> r, String body) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(r.body()).isEqualTo(body);
    }

    private static void assertError(HttpResponse<String> r, int status, String type, String error) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        JsonNode json = RunningServer.JSON.readTree(r.body());
        assertThat(json.get("status").asText()).isEqualTo("error");
        assertThat(json.get("errorType").asText()).isEqualTo(type);
        assertThat(json.get("error").asText()).isEqualTo(error);
        assertThat(json.has("data")).isFalse();
    }

    private static final String UP_VECTOR = "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
            + "{\"metric\":{\"__name__\":\"up\",\"instance\":\"a\",\"job\":\"api\"},\"value\":[1435781451.781,\"1\"]},"
            + "{\"metric\":{\"__name__\":\"up\",\"instance\":\"b\",\"job\":\"api\"},\"value\":[1435781451.781,\"0\"]}]}}";

    @Test
    void instantQueryVectorGetAndPost() throws Exception {
        assertOk(server.get("/api/v1/query?query=up&time=1435781451.781"), UP_VECTOR);
        assertOk(server.get("/api/v1/query?query=up&time=2015-07-01T20:10:51.781Z"), UP_VECTOR);
        assertOk(post("/api/v1/query", "query=up&time=1435781451.781"), UP_VECTOR);
        // As Go's ParseForm: the body's value comes before the query string's.
        assertOk(post("/api/v1/query?query=nothing&time=1", "query=up&time=1435781451.781"), UP_VECTOR);
    }

    @Test
    void scalarAndStringResults() throws Exception {
        assertOk(server.get("/api/v1/query?query=1.5&time=10"),
                "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[10,\"1.5\"]}}");
        assertOk(server.get("/api/v1/query?query=" + enc("\"hi\"") + "&time=10.5"),
                "{\"status\":\"success\",\"data\":{\"resultType\":\"string\",\"result\":[10.500,\"hi\"]}}");
    }

    @Test
    void rangeQueryMatrixGetAndPost() throws Exception {
        String expected = "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
                + "{\"metric\":{\"__name__\":\"up\",\"instance\":\"a\",\"job\":\"api\"},\"values\":["
                + "[1435781391.781,\"1\"],[1435781421.781,\"1\"],[1435781451.781,\"1\"]]}]}}";
        String q = "query=" + enc("up{instance=\"a\"}") + "&start=1435781391.781&end=1435781451.781&step=30s";
        assertOk(server.get("/api/v1/query_range?" + q), expected);
        assertOk(post("/api/v1/query_range", q), expected);
        assertOk(server.get("/api/v1/query_range?" + q.replace("30s", "30")), expected);
    }

    /** The heavy series' day at 10 s: over a megabyte of JSON, sent as each client's Accept-Encoding asks. */
    @Test
    void largeAnswersFollowAcceptEncoding() throws Exception {
        String path = "/api/v1/query_range?query=heavy&start=" + (T / 1000 - 86_000) + "&end=" + T / 1000 + "&step=10";
        HttpResponse<byte[]> plain = getBytes(path, null);
        assertThat(plain.statusCode()).isEqualTo(200);
        assertThat(plain.headers().firstValue("content-encoding")).isEmpty();
        assertThat(plain.headers().firstValue("vary")).hasValue("Accept-Encoding");
        assertThat(plain.body().length).isGreaterThan(1_000_000);
        assertThat(new String(plain.body(), StandardCharsets.UTF_8)).startsWith("{\"status\":\"success\"");

        HttpResponse<byte[]> gzip = getBytes(path, "gzip");
        assertThat(gzip.headers().firstValue("content-encoding")).hasValue("gzip");
        assertThat(gzip.body().length).isLessThan(plain.body().length / 4);
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip.body()))) {
            assertThat(in.readAllBytes()).isEqualTo(plain.body());
        }

        HttpResponse<byte[]> zstd = getBytes(path, "gzip;q=0.8, zstd");
        assertThat(zstd.headers().firstValue("content-encoding")).hasValue("zstd");
        assertThat(Zstd.decompress(zstd.body(), plain.body().length)).isEqualTo(plain.body());

        assertThat(getBytes(path, "gzip;q=0, br").headers().firstValue("content-encoding")).isEmpty();
        // Small answers (the error envelope here) are not worth a coding.
        HttpResponse<byte[]> small = getBytes("/api/v1/query?query=up(", "gzip");
        assertThat(small.statusCode()).isEqualTo(400);
        assertThat(small.headers().firstValue("content-encoding")).isEmpty();
        assertThat(new String(small.body(), StandardCharsets.UTF_8)).contains("\"errorType\":\"bad_data\"");
    }

    private static HttpResponse<byte[]> getBytes(String path, String acceptEncoding) throws Exception {
        HttpRequest.Builder b = server.request(path);
        if (acceptEncoding != null) {
            b.header("Accept-Encoding", acceptEncoding);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** As Prometheus 2.42 answers: a vector's values in the 'e' form below 1e-6 and from 1e21 on. */
    @Test
    void floatFormatting() throws Exception {
        HttpResponse<String> r = server.get("/api/v1/query?query=f&time=1435781451.781");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode result = RunningServer.JSON.readTree(r.body()).get("data").get("result");
        java.util.Map<String, String> byCase = new java.util.TreeMap<>();
        for (JsonNode s : result) {
            byCase.put(s.get("metric").get("case").asText(), s.get("value").get(1).asText());
        }
        assertThat(byCase).containsExactlyInAnyOrderEntriesOf(java.util.Map.of(
                "big", "1e+21", "tenth", "0.1", "negzero", "-0", "nan", "NaN",
                "inf", "+Inf", "ninf", "-Inf", "tiny", "1.5e-07"));
    }

    @Test
    void nativeHistograms() throws Exception {
        assertOk(server.get("/api/v1/query?query=h&time=1435781451.781"),
                "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{\"__name__\":\"h\"},"
                        + "\"histogram\":[1435781451.781,{\"count\":\"11\",\"sum\":\"20.5\",\"buckets\":["
                        + "[1,\"-1\",\"-0.5\",\"1\"],[3,\"-0.001\",\"0.001\",\"2\"],[0,\"0.5\",\"1\",\"3\"],[0,\"1\",\"2\",\"5\"]]}]}]}}");
        assertOk(server.get("/api/v1/query?query=nhcb&time=1435781451.781"),
                "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{\"__name__\":\"nhcb\"},"
                        + "\"histogram\":[1435781451.781,{\"count\":\"6\",\"sum\":\"7\",\"buckets\":["
                        + "[3,\"-Inf\",\"1\",\"1\"],[0,\"1\",\"2\",\"2\"],[0,\"2\",\"+Inf\",\"3\"]]}]}]}}");
        assertOk(server.get("/api/v1/query_range?query=h&start=1435781451.781&end=1435781451.781&step=1"),
                "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{\"__name__\":\"h\"},"
                        + "\"histograms\":[[1435781451.781,{\"count\":\"11\",\"sum\":\"20.5\",\"buckets\":["
                        + "[1,\"-1\",\"-0.5\",\"1\"],[3,\"-0.001\",\"0.001\",\"2\"],[0,\"0.5\",\"1\",\"3\"],[0,\"1\",\"2\",\"5\"]]}]]}]}}");
    }

    @Test
    void limitTruncatesWithWarning() throws Exception {
        assertOk(server.get("/api/v1/query?query=up&time=1435781451.781&limit=1"),
                "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
                        + "{\"metric\":{\"__name__\":\"up\",\"instance\":\"a\",\"job\":\"api\"},\"value\":[1435781451.781,\"1\"]}]},"
                        + "\"warnings\":[\"results truncated due to limit\"]}");
        assertError(server.get("/api/v1/query?query=up&limit=-1"), 400, "bad_data",
                "invalid parameter \"limit\": limit must be non-negative");
        assertError(server.get("/api/v1/query?query=up&limit=x"), 400, "bad_data",
                "invalid parameter \"limit\": strconv.Atoi: parsing \"x\": invalid syntax");
    }

    @Test
    void annotationsAreListed() throws Exception {
        HttpResponse<String> r = server.get("/api/v1/query?query=" + enc("rate(up[5m])") + "&time=1435781451.781");
        JsonNode json = RunningServer.JSON.readTree(r.body());
        assertThat(json.get("status").asText()).isEqualTo("success");
        assertThat(json.get("infos").get(0).asText())
                .isEqualTo("PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: \"up\" (1:6)");
    }

    @Test
    void parseErrorIsBadDataWithPosition() throws Exception {
        assertError(server.get("/api/v1/query?query=" + enc("sum(up")), 400, "bad_data",
                "invalid parameter \"query\": 1:7: parse error: unclosed left parenthesis");
        assertError(post("/api/v1/query_range", "query=" + enc("up{") + "&start=1&end=2&step=1"), 400, "bad_data",
                "invalid parameter \"query\": 1:4: parse error: unexpected end of input inside braces");
        assertError(server.get("/api/v1/query_range?query=" + enc("up[5m]") + "&start=1&end=2&step=1"), 400, "bad_data",
                "invalid parameter \"query\": invalid expression type \"range vector\" for range query, must be Scalar or instant Vector");
    }

    @Test
    void badTimesAndStepsUsePrometheusTexts() throws Exception {
        assertError(server.get("/api/v1/query_range?query=up&start=x&end=2&step=1"), 400, "bad_data",
                "invalid parameter \"start\": cannot parse \"x\" to a valid timestamp");
        assertError(server.get("/api/v1/query_range?query=up&start=1&step=1"), 400, "bad_data",
                "invalid parameter \"end\": cannot parse \"\" to a valid timestamp");
        assertError(server.get("/api/v1/query_range?query=up&start=2&end=1&step=1"), 400, "bad_data",
                "end timestamp must not be before start time");
        assertError(server.get("/api/v1/query_range?query=up&start=1&end=2&step=0"), 400, "bad_data",
                "zero or negative query resolution step widths are not accepted. Try a positive integer");
        assertError(server.get("/api/v1/query_range?query=up&start=1&end=2&step=-1s"), 400, "bad_data",
                "invalid parameter \"step\": cannot parse \"-1s\" to a valid duration");
        assertError(server.get("/api/v1/query_range?query=up&start=0&end=11001&step=1"), 400, "bad_data",
                "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)");
        assertThat(server.get("/api/v1/query_range?query=up&start=0&end=11000&step=1").statusCode()).isEqualTo(200);
        assertError(server.get("/api/v1/query?query=up&time=yesterday"), 400, "bad_data",
                "invalid parameter \"time\": invalid time value for 'time': cannot parse \"yesterday\" to a valid timestamp");
        assertError(server.get("/api/v1/query?query=up&timeout=soon"), 400, "bad_data",
                "invalid parameter \"timeout\": cannot parse \"soon\" to a valid duration");
    }

    @Test
    void executionErrorIs422() throws Exception {
        assertError(server.get("/api/v1/query?query=" + enc("label_replace(up, \"instance\", \"\", \"\", \"\")")
                        + "&time=1435781451.781"), 422, "execution",
                "vector cannot contain metrics with the same labelset");
        // 8.64e11 subquery steps: refused before anything runs, not after seconds and gigabytes.
        assertError(server.get("/api/v1/query?query=" + enc("max_over_time(vector(1)[10000d:1ms])")), 422, "execution",
                "query processing would load too many samples into memory in query execution");
    }

    @Test
    void timeoutIs503() throws Exception {
        HttpResponse<String> r = server.get("/api/v1/query_range?query=" + enc("sum by (i) (rate(heavy[1h]))")
                + "&start=" + (T - 86_400_000L) / 1000 + "&end=" + T / 1000 + "&step=10&timeout=1ms");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        JsonNode json = RunningServer.JSON.readTree(r.body());
        assertThat(json.get("errorType").asText()).isEqualTo("timeout");
        // The 1 ms runs out in execution, or already in line for a query slot when the machine is busy.
        assertThat(json.get("error").asText()).matches("query timed out in query (execution|queue after 1ms .*)");
        // timeout=0: no time to run at all, and at most a millisecond in line.
        HttpResponse<String> zero = server.get("/api/v1/query?query=up&timeout=0");
        assertThat(zero.statusCode()).as(zero.body()).isEqualTo(503);
        assertThat(RunningServer.JSON.readTree(zero.body()).get("error").asText())
                .matches("query timed out in query (execution|queue after 1ms .*)");
        // The parameter is read for the gate once: a bad one is bad_data where the engine runs, ignored elsewhere.
        assertError(server.get("/api/v1/query_range?query=up&start=0&end=60&step=15&timeout=-1s"), 400, "bad_data",
                "invalid parameter \"timeout\": cannot parse \"-1s\" to a valid duration");
        assertThat(server.get("/api/v1/labels?timeout=soon").statusCode()).isEqualTo(200);
        assertThat(server.get("/api/v1/query?query=up&timeout=1m").statusCode()).isEqualTo(200);
    }

    @Test
    void series() throws Exception {
        String up = "{\"__name__\":\"up\",\"instance\":\"a\",\"job\":\"api\"},{\"__name__\":\"up\",\"instance\":\"b\",\"job\":\"api\"}";
        assertOk(server.get("/api/v1/series?match[]=up"), "{\"status\":\"success\",\"data\":[" + up + "]}");
        assertOk(post("/api/v1/series", "match%5B%5D=up"), "{\"status\":\"success\",\"data\":[" + up + "]}");
        assertOk(server.get("/api/v1/series?match[]=up&match[]=" + enc("f{case=\"tenth\"}") + "&match[]=" + enc("up{instance=\"a\"}")),
                "{\"status\":\"success\",\"data\":[{\"__name__\":\"f\",\"case\":\"tenth\"}," + up + "]}");
        assertOk(server.get("/api/v1/series?match[]=up&limit=1"), "{\"status\":\"success\",\"data\":["
                + "{\"__name__\":\"up\",\"instance\":\"a\",\"job\":\"api\"}],\"warnings\":[\"results truncated due to limit\"]}");
        // A window before any data.
        assertOk(server.get("/api/v1/series?match[]=up&start=0&end=1000"), "{\"status\":\"success\",\"data\":[]}");
        assertError(server.get("/api/v1/series"), 400, "bad_data", "no match[] parameter provided");
        assertError(server.get("/api/v1/series?match[]=" + enc("{job=\"\"}")), 400, "bad_data",
                "invalid parameter \"match[]\": match[] must contain at least one non-empty matcher");
        assertError(server.get("/api/v1/series?match[]=up&start=x"), 400, "bad_data",
                "invalid parameter \"start\": invalid time value for 'start': cannot parse \"x\" to a valid timestamp");
    }

    @Test
    void labelNames() throws Exception {
        assertOk(server.get("/api/v1/labels"), "{\"status\":\"success\",\"data\":[\"__name__\",\"case\",\"i\",\"instance\",\"job\"]}");
        assertOk(post("/api/v1/labels", "match%5B%5D=up"), "{\"status\":\"success\",\"data\":[\"__name__\",\"instance\",\"job\"]}");
        assertOk(server.get("/api/v1/labels?match[]=up&match[]=f"),
                "{\"status\":\"success\",\"data\":[\"__name__\",\"case\",\"instance\",\"job\"]}");
        assertOk(server.get("/api/v1/labels?limit=2"),
                "{\"status\":\"success\",\"data\":[\"__name__\",\"case\"],\"warnings\":[\"results truncated due to limit\"]}");
    }

    @Test
    void labelValues() throws Exception {
        assertOk(server.get("/api/v1/label/__name__/values"),
                "{\"status\":\"success\",\"data\":[\"f\",\"h\",\"heavy\",\"nhcb\",\"up\"]}");
        assertOk(server.get("/api/v1/label/instance/values?match[]=up"), "{\"status\":\"success\",\"data\":[\"a\",\"b\"]}");
        assertOk(server.get("/api/v1/label/nope/values"), "{\"status\":\"success\",\"data\":[]}");
        // Prometheus's U__ escaping of label names that are not valid in the classic charset.
        assertOk(server.get("/api/v1/label/U__instance/values"), "{\"status\":\"success\",\"data\":[\"a\",\"b\"]}");
        assertThat(server.get("/api/v1/label/__name__/values").statusCode()).isEqualTo(200);
    }

    @Test
    void metadataFormatQueryAndExemplars() throws Exception {
        assertOk(server.get("/api/v1/metadata"), "{\"status\":\"success\",\"data\":{}}");
        assertError(server.get("/api/v1/metadata?limit=x"), 400, "bad_data", "limit must be a number");
        assertOk(server.get("/api/v1/format_query?query=" + enc("sum(up) by (job)")),
                "{\"status\":\"success\",\"data\":\"sum by (job) (up)\"}");
        assertOk(post("/api/v1/format_query", "query=" + enc("foo+bar")), "{\"status\":\"success\",\"data\":\"foo + bar\"}");
        assertError(server.get("/api/v1/format_query?query=" + enc("sum(up")), 400, "bad_data",
                "invalid parameter \"query\": 1:7: parse error: unclosed left parenthesis");
        assertOk(server.get("/api/v1/query_exemplars?query=up&start=1&end=2"), "{\"status\":\"success\",\"data\":[]}");
        assertOk(post("/api/v1/query_exemplars", "query=1"), "{\"status\":\"success\",\"data\":null}");
    }

    @Test
    void postOnlyWhereAllowedAndHeadLikeGet() throws Exception {
        assertThat(post("/api/v1/metadata", "").statusCode()).isEqualTo(405);
        assertThat(post("/api/v1/label/job/values", "").statusCode()).isEqualTo(405);
        HttpResponse<String> head = server.send(server.request("/api/v1/query?query=up&time=1435781451.781")
                .method("HEAD", HttpRequest.BodyPublishers.noBody()));
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(head.headers().firstValue("content-length")).hasValue(Integer.toString(UP_VECTOR.length()));
    }

    /** {@code up{instance=~"a|x0|x1|..."}} grown to at least {@code chars} characters: the long regex lists tools send. */
    private static String longRegexQuery(int chars) {
        StringBuilder re = new StringBuilder("up{instance=~\"a");
        for (int i = 0; re.length() < chars; i++) {
            re.append("|x").append(i);
        }
        return re.append("\"}").toString();
    }

    @Test
    void longQueryUrlsAreServedUpToPrometheusLimit() throws Exception {
        String q = enc(longRegexQuery(100_000));
        assertThat(q.length()).isGreaterThan(100_000);
        String tooLong = "/api/v1/query?time=1435781451.781&query=" + enc(longRegexQuery(1_100_000));
        // Over HTTP/1.1, and upgraded to h2c as Java's client does by default.
        for (java.net.http.HttpClient.Version v : java.net.http.HttpClient.Version.values()) {
            HttpResponse<String> ok = server.send(server.request("/api/v1/query?time=1435781451.781&query=" + q).version(v));
            assertOk(ok, UP_VECTOR.replace(",{\"metric\":{\"__name__\":\"up\",\"instance\":\"b\",\"job\":\"api\"},\"value\":[1435781451.781,\"0\"]}", ""));
            // Past Go's 1 MiB of request line and headers: 414 over HTTP/1.1, 431 (Go's answer) as HTTP/2
            // headers; and the server keeps serving.
            assertThat(server.send(server.request(tooLong).version(v)).statusCode()).as(v.name())
                    .isEqualTo(v == java.net.http.HttpClient.Version.HTTP_1_1 ? 414 : 431);
            assertOk(server.send(server.request("/api/v1/query?query=up&time=1435781451.781").version(v)), UP_VECTOR);
        }
    }

    @Test
    void longOperatorChainsAreNotNesting() throws Exception {
        // 1,000 terms were refused as nesting more than 300 levels deep.
        assertOk(server.get("/api/v1/query?time=10&query=" + enc("1" + " + 1".repeat(999))),
                "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[10,\"1000\"]}}");
        assertError(server.get("/api/v1/query?time=10&query=" + enc("(".repeat(400) + "1" + ")".repeat(400))), 400,
                "bad_data", "invalid parameter \"query\": 1:301: parse error: expression nesting too deep (more than 300 levels)");
    }

    @Test
    void largeFormBodiesUpToPrometheusLimit() throws Exception {
        HttpResponse<String> ok = post("/api/v1/query", "time=1435781451.781&query=" + enc(longRegexQuery(2_000_000)));
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(RunningServer.JSON.readTree(ok.body()).get("data").get("result")).hasSize(1);
        assertError(post("/api/v1/query", "time=1435781451.781&query=" + enc(longRegexQuery(11 << 20))), 400, "bad_data",
                "http: POST too large: form bodies are limited to 10485760 bytes");
        assertOk(post("/api/v1/query", "query=up&time=1435781451.781"), UP_VECTOR);
    }

    @Test
    void functionsListTheParsersTableWithSignaturesAndDescriptions() throws Exception {
        HttpResponse<String> r = server.get("/api/v1/status/functions");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        JsonNode body = RunningServer.JSON.readTree(r.body());
        assertThat(body.get("status").asText()).isEqualTo("success");
        JsonNode data = body.get("data");
        assertThat(data).hasSize(FunctionTable.all().size());
        JsonNode round = null;
        for (JsonNode f : data) {
            assertThat(f.get("description").asText()).as(f.get("name").asText()).isNotBlank();
            if (f.get("name").asText().equals("round")) {
                round = f;
            }
        }
        assertThat(round).isNotNull();
        assertThat(round.toString()).isEqualTo("{\"name\":\"round\",\"signature\":\"round(v instant-vector[, to_nearest scalar]) instant-vector\","
                + "\"args\":[{\"name\":\"v\",\"type\":\"instant-vector\"},{\"name\":\"to_nearest\",\"type\":\"scalar\"}],"
                + "\"variadic\":1,\"returns\":\"instant-vector\",\"experimental\":false,"
                + "\"description\":\"Rounds every sample to the nearest multiple of to_nearest (1 by default)\"}");
        // Names are sorted and unique; the anomaly functions, which Prometheus lacks, are in.
        List<String> names = new ArrayList<>();
        data.forEach(f -> names.add(f.get("name").asText()));
        assertThat(names).isSorted().doesNotHaveDuplicates().contains("rate", "histogram_quantile", "seasonal_upper");
        assertThat(server.get("/api/v1/status/functions").body()).isEqualTo(r.body());
    }
}
