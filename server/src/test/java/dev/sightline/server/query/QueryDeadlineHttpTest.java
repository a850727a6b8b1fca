package dev.sightline.server.query;

import dev.sightline.core.Labels;
import dev.sightline.core.span.Attributes;
import dev.sightline.core.span.InstrumentationScope;
import dev.sightline.core.span.Span;
import dev.sightline.core.span.SpanKind;
import dev.sightline.core.span.SpanResource;
import dev.sightline.core.span.StatusCode;
import dev.sightline.logs.InMemoryLogStore;
import dev.sightline.logs.LogAppender;
import dev.sightline.logs.LogQuerier;
import dev.sightline.logs.LogStore;
import dev.sightline.logs.logql.LogQlEvaluator;
import dev.sightline.logs.store.LuceneLogStore;
import dev.sightline.server.BuildInfo;
import dev.sightline.server.http.ApiTestServer;
import dev.sightline.server.logapi.LiveLineHub;
import dev.sightline.server.logapi.LokiApi;
import dev.sightline.server.traceapi.TraceApi;
import dev.sightline.server.traceapi.TraceQlEngineBackend;
import dev.sightline.traces.InMemorySpanStore;
import dev.sightline.traces.SpanAppender;
import dev.sightline.traces.SpanQuerier;
import dev.sightline.traces.SpanStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * LogQL and TraceQL queries that run past their timeout stop themselves: the client gets Loki's or Tempo's 504, the
 * store's scan ends early, and the query's slot in the gate is free again soon after, where before they held it to
 * their end (here seconds later: the slowed store takes at least 5 s for every line, 3 s for every trace). A LogQL
 * filter that the log store finds no line for stops too: the store's own scan watches the deadline.
 */
class QueryDeadlineHttpTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long T0 = 1_700_000_000L * SECOND;
    private static final int LINES = 100_000;
    private static final int TRACES = 3_000;
    /** The gate's timeout; a store read unbounded takes at least ten times as long. */
    private static final long TIMEOUT_MS = 500;

    @RegisterExtension
    final ApiTestServer server = new ApiTestServer();

    /** What the slowed store handed out: lines, or traces fetched. */
    private final AtomicLong given = new AtomicLong();

    /** {@code target} through a proxy running {@code slow} before each call of {@code method} (and each line of a scan). */
    @SuppressWarnings("unchecked")
    private <T> T slowed(Class<T> type, T target, String method) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[]{type}, (p, m, args) -> {
            if (m.getName().equals(method)) {
                if (args[1] instanceof LogQuerier.EntrySink sink) {
                    args[1] = (LogQuerier.EntrySink) e -> {
                        slow(20);
                        return sink.accept(e);
                    };
                } else {
                    slow(1);
                }
            }
            try {
                return m.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    /** Counts one item and sleeps a millisecond every {@code every} items. */
    private void slow(int every) {
        if (given.incrementAndGet() % every == 0) {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** Waits for the gate to have no running query, as it must soon after the answer. */
    private static void assertSlotFreed(QueryGate gate) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (gate.running() > 0 && System.nanoTime() < until) {
            Thread.sleep(5);
        }
        assertThat(gate.running()).as("queries still running").isZero();
    }

    /**
     * Serves Loki's API over {@code logs} through {@code gate}, after a first query ({@code warmUp}, over no stream)
     * has loaded the engine's classes: on a loaded machine that can take longer than the timeout.
     */
    private void serveLoki(QueryGate gate, LogStore logs, String warmUp) throws Exception {
        new LokiApi(() -> logs, LogQlEvaluator::new, new LiveLineHub(), () -> T0 + 3600 * SECOND,
                BuildInfo.current(), gate, RangeLimits.DEFAULT).register(server.api);
        server.listen();
        server.get("/loki/api/v1/query_range?query=" + enc(warmUp));
        assertSlotFreed(gate);
    }

    /** The query over the first minute: Loki's 504 naming the timeout soon, and its slot free again soon after. */
    private void assertAnswered504AndSlotFreed(QueryGate gate, String query) throws Exception {
        long t0 = System.nanoTime();
        HttpResponse<String> r = server.get("/loki/api/v1/query_range?query=" + enc(query)
                + "&start=" + T0 + "&end=" + (T0 + 60 * SECOND) + "&limit=10");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(r.statusCode()).as(r.body()).isEqualTo(504);
        assertThat(r.body()).startsWith("request timed out, decrease the duration of the request")
                .contains("query timed out after " + TIMEOUT_MS + "ms (limits.query_timeout)");
        assertThat(ms).as("ms to the answer").isLessThan(2_500);
        assertSlotFreed(gate);
    }

    @Test
    void aSlowLogQlQueryIsAnswered504AndFreesItsSlot() throws Exception {
        InMemoryLogStore logs = new InMemoryLogStore();
        LogAppender a = logs.appender();
        for (int i = 0; i < LINES; i++) {
            a.append(Labels.of("app", "a"), T0 + i * 1_000_000L, "{\"n\":" + i + "}", Labels.EMPTY);
        }
        a.commit();
        LogStore slow = new LogStore() {
            @Override
            public LogAppender appender() {
                return logs.appender();
            }

            @Override
            public LogQuerier querier() {
                return slowed(LogQuerier.class, logs.querier(), "select");
            }

            @Override
            public void close() {
            }
        };
        try (QueryGate gate = new QueryGate(2, 2, TIMEOUT_MS)) {
            serveLoki(gate, slow, "{app=\"none\"} | json | line_format \"{{.n}}\" |= \"none\"");
            // Every line is read and dropped by the pipeline (a filter after line_format, which the store cannot
            // answer): only the deadline ends the scan early.
            assertAnswered504AndSlotFreed(gate, "{app=\"a\"} | json | line_format \"{{.n}}\" |= \"none\"");
            assertThat(given.get()).as("lines read").isLessThan(LINES);
        }
    }

    @Test
    void aLogQlFilterMatchingNoLineOfALargeStoreIsAnswered504AndFreesItsSlot(@TempDir Path dir) throws Exception {
        try (LuceneLogStore logs = LuceneLogStore.open(dir, LuceneLogStore.defaultOptions())) {
            LogAppender a = logs.appender();
            StringBuilder digits = new StringBuilder();
            for (int i = 0; i < 40_000; i++) {
                digits.setLength(0);
                for (int k = 0; k < 12; k++) {
                    digits.append(i * 7919L + k * 104729L);
                }
                a.append(Labels.of("app", "a"), T0 + i * 1_000_000L, digits.toString(), Labels.EMPTY);
            }
            a.commit();
            try (QueryGate gate = new QueryGate(2, 2, TIMEOUT_MS)) {
                serveLoki(gate, logs, "{app=\"none\"} |~ `[0-9]+x`");
                // Digits then an "x" no line has: the store reads every line (no literal for its index to skip a
                // block by), each costing a regex search over its ~100 digits, and hands none on. Only the store's
                // own scan can see the deadline; before, it read all 40,000 lines (seconds) holding the slot.
                assertAnswered504AndSlotFreed(gate, "{app=\"a\"} |~ `[0-9]+x`");
            }
        }
    }

    @Test
    void aSlowTraceQlSearchIsAnswered504AndFreesItsSlot() throws Exception {
        InMemorySpanStore spans = new InMemorySpanStore();
        SpanAppender a = spans.appender();
        SpanResource web = new SpanResource(new Attributes.Builder().addString("service.name", "web").build(), 0, "");
        for (int t = 1; t <= TRACES; t++) {
            long start = T0 + t * 1_000_000L;
            a.append(web, InstrumentationScope.EMPTY, new Span(0, t, 1, 0, "", 0, "GET /", SpanKind.SERVER, start,
                    start + 1_000_000L, Attributes.EMPTY, 0, java.util.List.of(), 0, java.util.List.of(), 0,
                    StatusCode.OK, ""));
        }
        a.commit();
        SpanStore slow = new SpanStore() {
            @Override
            public SpanAppender appender() {
                return spans.appender();
            }

            @Override
            public SpanQuerier querier() {
                return slowed(SpanQuerier.class, spans.querier(), "trace");
            }

            @Override
            public void close() {
            }
        };
        try (QueryGate gate = new QueryGate(2, 2, TIMEOUT_MS)) {
            new TraceApi(() -> slow, () -> null, new TraceQlEngineBackend(), () -> T0 + 3600 * SECOND,
                    BuildInfo.current(), gate, RangeLimits.DEFAULT).register(server.api);
            server.listen();
            // A first query loads the engine's classes (on a loaded machine that can take longer than the timeout).
            server.get("/api/search?q=" + enc("{ name = \"none\" } | count() > 1"));
            assertSlotFreed(gate);
            given.set(0);
            long t0 = System.nanoTime();
            // No trace has two spans: every candidate is fetched and evaluated.
            HttpResponse<String> r = server.get("/api/search?q=" + enc("{ } | count() > 1") + "&start="
                    + T0 / SECOND + "&end=" + (T0 / SECOND + 60) + "&limit=20");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(r.statusCode()).as(r.body()).isEqualTo(504);
            assertThat(r.body()).contains("query timed out after " + TIMEOUT_MS + "ms (limits.query_timeout)");
            assertThat(ms).as("ms to the answer").isLessThan(2_500);
            assertSlotFreed(gate);
            assertThat(given.get()).as("traces fetched").isLessThan(TRACES);
        }
    }
}
