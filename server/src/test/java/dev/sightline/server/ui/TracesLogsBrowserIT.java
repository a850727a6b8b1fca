package dev.sightline.server.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import dev.sightline.server.RunningServer;
import dev.sightline.server.traces.OtlpSpans;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static dev.sightline.server.traces.OtlpSpans.attr;
import static dev.sightline.server.traces.OtlpSpans.service;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Traces and Logs pages in Debian's headless Chromium against a running server holding real spans (OTLP/HTTP
 * protobuf) and log lines (Loki push with trace_id metadata): a trace searched and opened shows its waterfall,
 * spans and logs; the service graph draws the metrics generator's edge; a log line's trace link leads to the trace;
 * live tail shows a line pushed during the test, held while paused. No console errors; screenshots.
 *
 * <p>Trace T1, two minutes ago: frontend "GET /checkout" (120 ms, SERVER) > frontend "POST /charge" (80 ms, CLIENT)
 * > payment "charge" (70 ms, SERVER, an event) > payment "db query" (30 ms, error "deadlock"). Trace T2: frontend
 * "GET /health" (5 ms). Log lines: payment's error line and frontend's info line carry T1's id as metadata.
 */
class TracesLogsBrowserIT extends BrowserTest {
    private static final String T1 = "5b8efff798038103d269b633813fc60c";
    private static final String T2 = "0000000000000000eee19b7ec3c1b174";
    private static final long MS = 1_000_000L;
    private static final long BASE = (System.currentTimeMillis() - 120_000) * MS;

    @TempDir
    static Path dataDir;

    @RegisterExtension
    static final RunningServer server = new RunningServer();

    @BeforeAll
    static void start() throws Exception {
        server.start(dataDir, """
                metrics_generator:
                  collection_interval: 1s
                """);
        ExportTraceServiceRequest spans = ExportTraceServiceRequest.newBuilder()
                .addResourceSpans(service("frontend",
                        span(T1, 1, 0, "GET /checkout", Span.SpanKind.SPAN_KIND_SERVER, 0, 120)
                                .addAttributes(attr("http.status_code", AnyValue.newBuilder().setIntValue(500))),
                        span(T1, 2, 1, "POST /charge", Span.SpanKind.SPAN_KIND_CLIENT, 10, 80),
                        span(T2, 9, 0, "GET /health", Span.SpanKind.SPAN_KIND_SERVER, 1_000, 5)))
                .addResourceSpans(service("payment",
                        span(T1, 3, 2, "charge", Span.SpanKind.SPAN_KIND_SERVER, 15, 70)
                                .addEvents(Span.Event.newBuilder().setName("card checked").setTimeUnixNano(BASE + 20 * MS))
                                .addLinks(Span.Link.newBuilder().setTraceId(ByteString.copyFrom(HexFormat.of().parseHex(T2)))
                                        .setSpanId(ByteString.copyFrom(HexFormat.of().parseHex("0000000000000009")))),
                        span(T1, 4, 3, "db query", Span.SpanKind.SPAN_KIND_INTERNAL, 30, 30)
                                .addAttributes(attr("db.statement", AnyValue.newBuilder().setStringValue("UPDATE accounts")))
                                .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR).setMessage("deadlock"))))
                .build();
        OtlpSpans.post(server, spans);
        push("payment", BASE + 40 * MS, "{\"level\":\"error\",\"msg\":\"charge failed\",\"amount\":42}", T1);
        push("frontend", BASE + 100 * MS, "level=info msg=\"checkout answered\" status=500", T1);
    }

    /** One line pushed over Loki's JSON push API, with the trace id as structured metadata when given. */
    private static void push(String service, long timeNanos, String line, String traceId) throws Exception {
        String metadata = traceId == null ? "" : ",{\"trace_id\":\"" + traceId + "\"}";
        String body = "{\"streams\":[{\"stream\":{\"service_name\":\"" + service + "\"},\"values\":[[\"" + timeNanos + "\","
                + RunningServer.JSON.writeValueAsString(line) + metadata + "]]}]}";
        HttpResponse<String> r = server.post("/loki/api/v1/push", "application/json", body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
    }

    private static Span.Builder span(String trace, long id, long parent, String name, Span.SpanKind kind, long startMs,
                                     long durationMs) {
        return OtlpSpans.span(trace, id, parent, name, kind, BASE, startMs, durationMs);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    void aTraceSearchedAndOpenedShowsItsWaterfallSpansAndLogs() throws Exception {
        ui.open(server.uri("/traces"));
        // The selects come from the tag values API; choosing a service narrows the operations.
        wait.until(d -> !d.findElements(By.cssSelector("#service option[value='payment']")).isEmpty());
        new Select(browser.findElement(By.id("service"))).selectByValue("frontend");
        wait.until(d -> d.findElements(By.cssSelector("#operation option")).size() == 4);
        browser.findElement(By.id("min-duration")).sendKeys("100ms", Keys.ENTER);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("status"),
                "1 trace for { resource.service.name = \"frontend\" && traceDuration >= 100ms }"));
        List<WebElement> rows = browser.findElements(By.cssSelector("#traces tbody tr"));
        assertThat(rows).hasSize(1);
        assertThat(rows.getFirst().getText()).contains("GET /checkout", T1, "frontend", "120ms");
        assertThat(browser.getCurrentUrl()).contains("service=frontend").contains("min_duration=100ms").contains("range=1h");
        assertThat(ui.paintedPixels("#scatter")).isGreaterThan(20L);
        ui.screenshot("traces-search.png");

        rows.getFirst().findElement(By.cssSelector("a")).click();
        wait.until(ExpectedConditions.urlToBe(server.uri("/traces/" + T1).toString()));
        wait.until(d -> d.findElements(By.cssSelector("#waterfall .span-row")).size() == 4);
        List<String> names = browser.findElements(By.cssSelector("#waterfall .span-row .waterfall-name")).stream()
                .map(WebElement::getText).toList();
        assertThat(names).containsExactly("▾frontend GET /checkout", "▾frontend POST /charge", "▾payment charge",
                "!payment db query");
        assertThat(browser.findElements(By.cssSelector("#waterfall .span-row[aria-level='4'].error"))).hasSize(1);
        assertThat(browser.findElement(By.id("trace-summary")).getText()).contains("4 spans", "2 services", "1 with status error");

        // Keyboard: the first row takes focus, ArrowDown x3 reaches the error span, Enter shows its details.
        WebElement first = browser.findElement(By.cssSelector("#waterfall .span-row"));
        first.click();
        first.sendKeys(Keys.ARROW_DOWN);
        browser.switchTo().activeElement().sendKeys(Keys.ARROW_DOWN);
        browser.switchTo().activeElement().sendKeys(Keys.ARROW_DOWN);
        browser.switchTo().activeElement().sendKeys(Keys.ENTER);
        WebElement details = browser.findElement(By.id("span-details"));
        wait.until(ExpectedConditions.textToBePresentInElement(details, "error: deadlock"));
        assertThat(details.getText()).contains("db query", "db.statement", "UPDATE accounts", "service.name payment")
                .doesNotContain("null", "Events");
        // Up to "charge": its event; ArrowLeft collapses it ("db query" hidden), ArrowRight expands it again.
        browser.switchTo().activeElement().sendKeys(Keys.ARROW_UP);
        browser.switchTo().activeElement().sendKeys(Keys.ENTER);
        wait.until(ExpectedConditions.textToBePresentInElement(details, "Events\n+20ms card checked"));
        assertThat(details.getText()).contains("Links\ntrace " + T2 + " span 0000000000000009");
        // The chosen span is in the URL, which opens with it chosen.
        assertThat(browser.getCurrentUrl()).isEqualTo(server.uri("/traces/" + T1 + "?span=0000000000000003").toString());
        browser.switchTo().activeElement().sendKeys(Keys.ARROW_LEFT);
        assertThat(browser.findElements(By.cssSelector("#waterfall .span-row")).stream().filter(WebElement::isDisplayed)).hasSize(3);
        browser.switchTo().activeElement().sendKeys(Keys.ARROW_RIGHT);
        assertThat(browser.findElements(By.cssSelector("#waterfall .span-row")).stream().filter(WebElement::isDisplayed)).hasSize(4);

        // The trace's lines drawn inline, from /api/traces/<id>/logs.
        wait.until(d -> d.findElements(By.cssSelector("#trace-logs li")).size() == 2);
        assertThat(browser.findElement(By.id("trace-logs")).getText()).contains("checkout answered", "charge failed");
        ui.screenshot("traces-trace.png");
        assertThat(ui.severe()).isEmpty();

        // The link to Logs carries a LogQL query of the trace's lines.
        browser.findElement(By.id("trace-logs-link")).click();
        wait.until(d -> d.findElements(By.cssSelector("#lines li")).size() == 2);
        assertThat(browser.findElement(By.id("query")).getAttribute("value"))
                .isEqualTo("{service_name=~\"frontend|payment\"} | trace_id=\"" + T1 + "\"");
        assertThat(ui.severe()).isEmpty();
    }

    @Test
    void traceQlSearchAndItsErrors() throws Exception {
        ui.open(server.uri("/traces?q=" + enc("{ status = error }")));
        wait.until(d -> d.findElements(By.cssSelector("#traces tbody tr")).size() == 1);
        assertThat(browser.findElement(By.cssSelector("#traces tbody")).getText()).contains(T1);
        // The trace's point on the scatter: the opaque pixels inside the plot area (grid lines are translucent).
        @SuppressWarnings("unchecked")
        List<Number> point = (List<Number>) browser.executeScript("""
                const over = document.querySelector('#scatter .u-over');
                const canvas = document.querySelector('#scatter canvas');
                const o = over.getBoundingClientRect();
                const c = canvas.getBoundingClientRect();
                const scale = canvas.width / c.width;
                const d = canvas.getContext('2d').getImageData((o.left - c.left) * scale, (o.top - c.top) * scale, o.width * scale, o.height * scale);
                let sx = 0, sy = 0, n = 0;
                for (let i = 0; i < d.data.length; i += 4) {
                  if (d.data[i + 3] === 255) { const p = i / 4; sx += p % d.width; sy += Math.floor(p / d.width); n++; }
                }
                return n ? [sx / n / scale - o.width / 2, sy / n / scale - o.height / 2] : null;""");
        assertThat(point).isNotNull();
        new Actions(browser).moveToElement(browser.findElement(By.cssSelector("#scatter .u-over")),
                point.get(0).intValue(), point.get(1).intValue()).click().perform();
        wait.until(ExpectedConditions.urlToBe(server.uri("/traces/" + T1).toString()));
        wait.until(d -> d.findElements(By.cssSelector("#waterfall .span-row")).size() == 4);

        // A span named in the URL is chosen when the page opens.
        ui.open(server.uri("/traces/" + T1 + "?span=0000000000000004"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("span-details"), "error: deadlock"));
        assertThat(browser.findElement(By.cssSelector(".span-row[aria-selected='true']")).getText()).contains("db query");

        // A 64-bit trace id (leading zeros trimmed by the search) opens too.
        ui.open(server.uri("/traces?q=" + enc("{ name = \"GET /health\" }")));
        WebElement link = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#traces tbody a")));
        assertThat(link.getAttribute("href")).endsWith("/traces/eee19b7ec3c1b174");
        link.click();
        wait.until(d -> d.findElements(By.cssSelector("#waterfall .span-row")).size() == 1);
        assertThat(browser.findElement(By.id("trace-summary")).getText()).contains(T2);
        assertThat(ui.severe()).isEmpty();

        // A TraceQL error is shown with a caret under the column the server names.
        String bad = "{ name = }";
        ui.open(server.uri("/traces?q=" + enc(bad)));
        assertErrorWithCaret("/api/search?q=" + enc(bad), bad);

        // A field the page cannot read is refused naming it, before any request.
        ui.open(server.uri("/traces?min_duration=fast"));
        wait.until(ExpectedConditions.textToBe(By.id("error"), "min_duration: \"fast\" is not a duration such as 100ms, 1.5s or 2m"));
        ui.screenshot("traces-error.png");

        // A trace the store does not hold, and an id that is no trace id.
        ui.open(server.uri("/traces/abcdef"));
        wait.until(ExpectedConditions.textToBe(By.id("error"), "trace 00000000000000000000000000abcdef: trace not found"));
        ui.open(server.uri("/traces/not-an-id"));
        wait.until(ExpectedConditions.textToBe(By.id("error"), "trace id: \"not-an-id\" is not 1 to 32 hexadecimal digits"));
    }

    @Test
    void theServiceGraphDrawsTheEdgeFromTheMetricsGenerator() throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (server.query("traces_service_graph_request_total{client=\"frontend\",server=\"payment\"}").isEmpty()
                && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        ui.open(server.uri("/traces"));
        WebElement edge = wait.until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#service-graph g.sg-edge[data-client='frontend'][data-server='payment']")));
        assertThat(edge.getText()).contains("req");
        assertThat(browser.findElements(By.cssSelector("#service-graph a.sg-node")).stream()
                .map(n -> n.getAttribute("data-service")).toList()).contains("frontend", "payment");
        ui.screenshot("traces-service-graph.png");
        browser.findElement(By.cssSelector("#service-graph a.sg-node[data-service='payment']")).click();
        wait.until(ExpectedConditions.urlContains("/traces?service=payment"));
        wait.until(d -> new Select(d.findElement(By.id("service"))).getFirstSelectedOption().getText().equals("payment"));
        assertThat(ui.severe()).isEmpty();
    }

    @Test
    void aLogLinesTraceLinkLeadsToTheTrace() throws Exception {
        ui.open(server.uri("/logs?query=" + enc("{service_name=~\"payment|frontend\"}")));
        wait.until(d -> d.findElements(By.cssSelector("#lines li")).size() == 2);
        List<WebElement> lines = browser.findElements(By.cssSelector("#lines li"));
        // Newest first, level from the line, coloured by it.
        assertThat(lines.get(0).getText()).contains("checkout answered", "info");
        assertThat(lines.get(1).getAttribute("class")).contains("level-error");
        assertThat(ui.paintedPixels("#volume")).isGreaterThan(20L);

        WebElement summary = lines.get(1).findElement(By.cssSelector(".log-summary"));
        summary.sendKeys(Keys.ENTER);
        WebElement fields = wait.until(ExpectedConditions.visibilityOf(lines.get(1).findElement(By.cssSelector(".log-fields"))));
        assertThat(fields.getText()).contains("Stream labels", "service_name payment", "Structured metadata",
                "Parsed from the line", "msg charge failed", "amount 42");
        ui.screenshot("logs.png");
        assertThat(ui.severe()).isEmpty();
        fields.findElement(By.cssSelector("a.trace-link")).click();
        wait.until(ExpectedConditions.urlToBe(server.uri("/traces/" + T1).toString()));
        wait.until(d -> d.findElements(By.cssSelector("#waterfall .span-row")).size() == 4);
        assertThat(ui.severe()).isEmpty();
    }

    @Test
    void liveTailShowsALinePushedNowAndHoldsLinesWhilePaused() throws Exception {
        ui.open(server.uri("/logs?query=" + enc("{service_name=\"tailed\"}") + "&range=15m"));
        browser.findElement(By.id("live")).click();
        wait.until(ExpectedConditions.textToBe(By.id("status"), "Live: waiting for lines…"));
        push("tailed", System.currentTimeMillis() * MS, "level=warn msg=\"first live line\"", null);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("lines"), "first live line"));

        browser.findElement(By.id("pause")).click();
        push("tailed", System.currentTimeMillis() * MS, "level=warn msg=\"second live line\"", null);
        wait.until(ExpectedConditions.textToBe(By.id("status"), "Live, paused: 1 new line held"));
        assertThat(browser.findElement(By.id("lines")).getText()).doesNotContain("second live line");
        browser.findElement(By.id("pause")).click();
        wait.until(ExpectedConditions.textToBe(By.id("status"), "Live: 2 lines"));
        assertThat(browser.findElements(By.cssSelector("#lines .log-line")).stream().map(WebElement::getText).toList())
                .containsExactly("level=warn msg=\"second live line\"", "level=warn msg=\"first live line\"");
        ui.screenshot("logs-live.png");
        browser.findElement(By.id("live")).click();
        assertThat(browser.findElement(By.id("live")).getText()).isEqualTo("Live tail");
        assertThat(ui.severe()).isEmpty();
    }

    @Test
    void logQueryErrorsShowTheirPosition() throws Exception {
        String bad = "{service_name=\"payment\"} |=";
        ui.open(server.uri("/logs?query=" + enc(bad)));
        assertErrorWithCaret("/loki/api/v1/query_range?query=" + enc(bad), bad);

        // Live tail of no query says what it needs.
        ui.open(server.uri("/logs"));
        browser.findElement(By.id("live")).click();
        wait.until(ExpectedConditions.textToBe(By.id("error"), "query: live tail needs a stream selector, e.g. {service_name=\"checkout\"}"));

        // A tail of a query with a parser is refused; the page shows the server's reason.
        ui.open(server.uri("/logs?query=" + enc("{service_name=\"payment\"} | json")));
        wait.until(d -> d.findElements(By.cssSelector("#lines li")).size() == 1);
        browser.findElement(By.id("live")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("error"),
                "live tail takes a stream selector and line filters"));
        ui.screenshot("logs-error.png");
        JsonNode lines = server.getJson("/loki/api/v1/query_range?query=" + enc("{service_name=\"payment\"}"));
        assertThat(lines.path("data").path("result")).hasSize(1);
    }

    @Test
    void aMetricQueryDrawsItsSeriesInsteadOfLines() throws Exception {
        ui.open(server.uri("/logs?query=" + enc("sum by (service_name) (count_over_time({service_name=~\"payment|frontend\"}[1m]))")));
        wait.until(ExpectedConditions.textToBe(By.id("status"), "2 series"));
        assertThat(browser.findElements(By.cssSelector("#lines li"))).isEmpty();
        assertThat(browser.findElement(By.cssSelector("#volume .u-legend")).getText()).contains("payment", "frontend");
        assertThat(ui.paintedPixels("#volume")).isGreaterThan(20L);
        assertThat(ui.severe()).isEmpty();
    }

    @Test
    void theDarkThemeColoursTheTraceAndTheLines() throws Exception {
        browser.executeCdpCommand("Emulation.setEmulatedMedia",
                Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", "dark"))));
        ui.open(server.uri("/traces/" + T1));
        wait.until(d -> d.findElements(By.cssSelector("#trace-logs li")).size() == 2);
        assertThat(browser.executeScript("return getComputedStyle(document.body).backgroundColor")).isEqualTo("rgb(20, 24, 29)");
        // The error span's outline is the dark theme's error colour (--level-error).
        assertThat(browser.executeScript("return getComputedStyle(document.querySelector('.span-row.error .bar')).outlineColor"))
                .isEqualTo("rgb(255, 123, 114)");
        ui.screenshot("traces-trace-dark.png");
        ui.open(server.uri("/logs?query=" + enc("{service_name=~\"payment|frontend\"}")));
        wait.until(d -> d.findElements(By.cssSelector("#lines li")).size() == 2);
        ui.screenshot("logs-dark.png");
        assertThat(ui.severe()).isEmpty();
    }

    /**
     * The page shows the API's parse error for the query (as the API at apiPath answers it) and under it the query
     * with a caret below the column the error names.
     */
    private void assertErrorWithCaret(String apiPath, String query) throws Exception {
        WebElement error = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("error")));
        String api = server.get(apiPath).body().trim();
        assertThat(api).startsWith("parse error at line 1, col ");
        int col = Integer.parseInt(api.replaceAll("^parse error at line 1, col (\\d+):.*$", "$1"));
        assertThat(error.getAttribute("textContent")).isEqualTo(api + "\n\n" + query + "\n" + " ".repeat(col - 1) + "^");
    }

    /** The pages' pure functions, imported and run in the browser itself. */
    @Test
    void thePagesFunctionsInTheBrowser() throws Exception {
        ui.open(server.uri("/traces"));
        String json = (String) browser.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                Promise.all(['/ui/pages/traces.js', '/ui/waterfall.js', '/ui/loglines.js', '/ui/servicegraph.js', '/ui/format.js']
                    .map((m) => import(m))).then(([t, w, l, g, f]) => {
                  const out = {};
                  out.fields = t.fieldsToTraceQl({ service: 'front"end', operation: 'GET /checkout',
                    tags: 'http.status_code=500 region="eu west" span.cached=true', minDuration: '100ms', maxDuration: '2s' });
                  out.none = t.fieldsToTraceQl({ service: '', operation: '', tags: ' ', minDuration: '', maxDuration: '' });
                  for (const [name, bad] of [['tags', { tags: '=x' }], ['key', { tags: '9lives=x' }], ['max', { maxDuration: '2 s' }]]) {
                    try {
                      t.fieldsToTraceQl({ service: '', operation: '', tags: '', minDuration: '', maxDuration: '', ...bad });
                    } catch (e) {
                      out[name] = e.message;
                    }
                  }
                  out.logql = t.traceLogQl('ab', ['a.b', 'c']);
                  const span = (id, parent, start, name) => ({ spanId: id, parentSpanId: parent, name,
                    startTimeUnixNano: String(1700000000000000000n + BigInt(start)), endTimeUnixNano: String(1700000000000000000n + BigInt(start + 10)) });
                  const model = w.traceModel({ trace: { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 's' } }] },
                    scopeSpans: [{ spans: [span('c', 'ff', 5, 'orphan'), span('b', 'a', 2, 'child'), span('a', '', 0, 'root'), span('d', 'd', 7, 'self')] }] }] } });
                  out.model = model.spans.map((s) => `${s.name}:${s.depth}:${s.offset}:${s.missingParent ? 'missing' : ''}`);
                  out.duration = model.duration;
                  out.columns = Object.fromEntries(g.columns(['user', 'front', 'pay'], [{ client: 'user', server: 'front' },
                    { client: 'front', server: 'pay' }, { client: 'pay', server: 'front' }]));
                  out.logfmt = l.logfmt('a=1 b="x \\\\"y\\\\"" c d= e=f');
                  out.json = l.parseLine('{"a":{"b":1},"c":"d","e":[1]}');
                  out.notJson = l.parseLine('{oops level=warn');
                  out.durations = [850, 12345, 120e6, 1.5e9, 185e9, 7200e9].map(f.formatNanos);
                  const item = l.lineItem({ ts: '1700000000000000000', line: '{"traceID":"4BF92F3577B34DA6A3CE929D0E0E4736","level":"warning"}',
                    stream: { app: 'a' }, metadata: {} });
                  item.querySelector('.log-summary').click();
                  out.traceHref = item.querySelector('a.trace-link').getAttribute('href');
                  out.lineClass = item.className;
                  out.entries = l.entries([{ stream: { service_name: 'a', trace_id: 'x' }, values: [['2', 'l2'], ['10', 'l10']] }],
                    new Set(['service_name']));
                  out.caret = f.caretAt('parse error at line 2, col 3: x', 'first\\nsecond');
                  out.noCaret = f.caretAt('no position', 'x');
                  done(JSON.stringify(out));
                }).catch((e) => done('failed: ' + e));""");
        JsonNode out = RunningServer.JSON.readTree(json);
        String fields = out.path("fields").asText();
        assertThat(fields).isEqualTo("{ resource.service.name = \"front\\\"end\" && name = \"GET /checkout\" && "
                + "(.http.status_code = 500 || .http.status_code = \"500\") && .region = \"eu west\" && "
                + "(span.cached = true || span.cached = \"true\") && traceDuration >= 100ms && traceDuration <= 2s }");
        // What the fields spell is TraceQL the server runs.
        assertThat(server.get("/api/search?q=" + enc(fields)).statusCode()).isEqualTo(200);
        assertThat(out.path("none").asText()).isEqualTo("{ }");
        assertThat(out.path("tags").asText()).isEqualTo("tags: \"=x\" is not logfmt (key=value key2=\"a b\")");
        assertThat(out.path("key").asText()).isEqualTo("tags: \"9lives\" is not an attribute name");
        assertThat(out.path("max").asText()).isEqualTo("max_duration: \"2 s\" is not a duration such as 100ms, 1.5s or 2m");
        assertThat(out.path("logql").asText()).isEqualTo("{service_name=~\"a\\\\.b|c\"} | trace_id=\"ab\"");
        // Depth-first by start; a span whose parent is not stored is a root marked so; one that names itself too.
        assertThat(out.path("model").toString()).isEqualTo("[\"root:0:0:\",\"child:1:2:\",\"orphan:0:5:missing\",\"self:0:7:missing\"]");
        assertThat(out.path("duration").asInt()).isEqualTo(17);
        // A cycle (front <-> pay) is cut: every node keeps a finite column, callers left of what they call.
        assertThat(out.path("columns").path("user").asInt()).isZero();
        assertThat(out.path("columns").path("front").asInt()).isLessThan(out.path("columns").path("pay").asInt());
        assertThat(out.path("columns").path("pay").asInt()).isLessThan(3);
        assertThat(out.path("logfmt").toString()).isEqualTo("{\"a\":\"1\",\"b\":\"x \\\"y\\\"\",\"d\":\"\",\"e\":\"f\"}");
        assertThat(out.path("json").toString()).isEqualTo("{\"a_b\":\"1\",\"c\":\"d\",\"e\":\"[1]\"}");
        assertThat(out.path("notJson").toString()).isEqualTo("{\"level\":\"warn\"}");
        assertThat(out.path("durations").toString()).isEqualTo("[\"850ns\",\"12.3µs\",\"120ms\",\"1.5s\",\"3m5s\",\"2h0m\"]");
        // A trace id in the line's own JSON, spelled traceID in capitals, links to the trace; "warning" is warn.
        assertThat(out.path("traceHref").asText()).isEqualTo("/traces/4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(out.path("lineClass").asText()).isEqualTo("log-entry level-warn");
        // Newest first (by number, not text); labels that are not stream labels are the line's metadata.
        assertThat(out.path("entries").toString()).isEqualTo("[{\"ts\":\"10\",\"line\":\"l10\",\"stream\":{\"service_name\":\"a\"},"
                + "\"metadata\":{\"trace_id\":\"x\"}},{\"ts\":\"2\",\"line\":\"l2\",\"stream\":{\"service_name\":\"a\"},"
                + "\"metadata\":{\"trace_id\":\"x\"}}]");
        assertThat(out.path("caret").asText()).isEqualTo("\n\nsecond\n  ^");
        assertThat(out.path("noCaret").asText()).isEmpty();
        assertThat(ui.severe()).isEmpty();
    }
}
