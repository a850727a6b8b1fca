package dev.sightline.traces.traceql;

import dev.sightline.core.span.SpanEvent;
import dev.sightline.core.span.SpanKind;
import dev.sightline.core.span.SpanLink;
import dev.sightline.core.span.StatusCode;
import dev.sightline.traces.traceql.TraceQLEngine.Attribute;
import dev.sightline.traces.traceql.TraceQLEngine.SearchResult;
import dev.sightline.traces.traceql.TraceQLEngine.SpanSetMatch;
import dev.sightline.traces.traceql.TraceQLEngine.TraceMatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static dev.sightline.traces.traceql.TestTraces.MS;
import static dev.sightline.traces.traceql.TestTraces.SECOND;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Hand-built traces with known answers. Span names carry their trace and position: trace A is
 * <pre>
 *   a1 GET / (frontend, server, ok, 500ms)
 *   +-- a2 auth (auth, client)
 *   |   +-- a4 db.query (db, error, postgresql, rows 10)
 *   +-- a3 render (frontend, internal, cache.hit)
 *       +-- a5 db.query (db, mysql, rows 3)
 * </pre>
 * trace B is {@code b1 POST /order (backend, error, 2s)} with two children {@code b2, b3 db.query} (postgresql,
 * rows 5 and 7, b2 in error), trace C has no stored root: {@code c2 orphan (frontend)} whose parent is missing, with
 * a child {@code c3 db.query} (redis, rows 100). Spans are identified by their {@code id} attribute.
 */
class TraceQLEngineTest {
    private static final long T0 = 1_000 * SECOND;
    private final TestTraces data = new TestTraces()
            .span(1, 1, 0, "frontend", "GET /", SpanKind.SERVER, StatusCode.OK, T0, 500 * MS,
                    "id", "a1", "http.method", "GET", "http.status_code", 200)
            .span(1, 2, 1, "auth", "auth", SpanKind.CLIENT, StatusCode.UNSET, T0 + 10 * MS, 50 * MS, "id", "a2")
            .span(1, 3, 1, "frontend", "render", SpanKind.INTERNAL, StatusCode.UNSET, T0 + 100 * MS, 100 * MS,
                    "id", "a3", "cache.hit", true)
            .span(1, 4, 2, "db", "db.query", SpanKind.CLIENT, StatusCode.ERROR, T0 + 20 * MS, 30 * MS,
                    "id", "a4", "db.system", "postgresql", "rows", 10)
            .span(1, 5, 3, "db", "db.query", SpanKind.CLIENT, StatusCode.OK, T0 + 110 * MS, 40 * MS,
                    "id", "a5", "db.system", "mysql", "rows", 3)
            .span(2, 1, 0, "backend", "POST /order", SpanKind.SERVER, StatusCode.ERROR, T0 + SECOND, 2 * SECOND,
                    "id", "b1", "http.method", "POST", "http.status_code", 500)
            .span(2, 2, 1, "db", "db.query", SpanKind.CLIENT, StatusCode.ERROR, T0 + SECOND + 10 * MS, 300 * MS,
                    "id", "b2", "db.system", "postgresql", "rows", 5)
            .span(2, 3, 1, "db", "db.query", SpanKind.CLIENT, StatusCode.OK, T0 + SECOND + 400 * MS, 600 * MS,
                    "id", "b3", "db.system", "postgresql", "rows", 7)
            .span(3, 2, 99, "frontend", "orphan", SpanKind.SERVER, StatusCode.UNSET, T0 + 5 * SECOND, 20 * MS,
                    "id", "c2")
            .span(3, 3, 2, "db", "db.query", SpanKind.CLIENT, StatusCode.UNSET, T0 + 5 * SECOND + MS, 10 * MS,
                    "id", "c3", "db.system", "redis", "rows", 100);
    private final TraceQLEngine engine = new TraceQLEngine(data.store.querier());

    private SearchResult search(String q) {
        return engine.search(TraceQL.parse(q), T0 - SECOND, T0 + 60 * SECOND, 20, 100);
    }

    /** The matched spans' ids: spansets of a trace joined by "+", traces sorted, separated by " ". */
    private String ids(String q) {
        return search(q).traces().stream().map(t -> t.spanSets().stream()
                        .map(ss -> ss.spans().stream().map(s -> s.span().span().attributes())
                                .map(a -> a.stringValue(a.indexOf("id"))).sorted().collect(Collectors.joining(",")))
                        .collect(Collectors.joining("+")))
                .sorted().collect(Collectors.joining(" "));
    }

    @ParameterizedTest
    @CsvSource(delimiterString = " => ", value = {
        "{ resource.service.name = \"db\" } => a4,a5 b2,b3 c3",
        "{ } => a1,a2,a3,a4,a5 b1,b2,b3 c2,c3",
        "{ name = \"db.query\" && .rows >= 7 } => a4 b3 c3",
        // regular expressions match the whole value (anchored at both ends)
        "{ name =~ \"db\" } => ",
        "{ name =~ \"db.*\" } => a4,a5 b2,b3 c3",
        "{ resource.service.name = \"db\" && name !~ \".*query\" } => ",
        "{ .http.method =~ \"G.T|P.ST\" } => a1 b1",
        // structural: > child, >> descendant, < parent, << ancestor, ~ sibling; the right side's spans come back
        "{ name = \"GET /\" } > { } => a2,a3",
        "{ name = \"GET /\" } >> { name = \"db.query\" } => a4,a5",
        "{ name = \"auth\" } > { name = \"db.query\" } => a4",
        "{ name = \"render\" } ~ { } => a2",
        "{ name = \"db.query\" } ~ { name = \"db.query\" } => b2,b3",
        "{ name = \"db.query\" } < { } => a2,a3 b1 c2",
        "{ name = \"db.query\" } << { } => a1,a2,a3 b1 c2",
        "{ span.db.system = \"postgresql\" } << { kind = server } => a1 b1",
        "{ resource.service.name = \"frontend\" } >> { status = error } => a4",
        "{ kind = server } > { } > { name = \"db.query\" } => a4,a5",
        // negated and union flavours
        "{ } !> { } => a1 b1 c2",
        "{ name = \"auth\" } !> { name = \"db.query\" } => a5 b2,b3 c3",
        "{ } !< { resource.service.name = \"db\" } => a4,a5 b2,b3 c3",
        "{ name = \"auth\" } &> { status = error } => a2,a4",
        "{ name = \"db.query\" } !~ { name = \"db.query\" } => a4,a5 c3",
        "{ name = \"render\" } &~ { } => a2,a3",
        "{ name = \"GET /\" } &>> { name = \"db.query\" } => a1,a4,a5",
        // trace intrinsics: the root's name and service, the trace's duration
        "{ rootServiceName = \"frontend\" && name = \"db.query\" } => a4,a5",
        "{ trace:rootName = \"POST /order\" } => b1,b2,b3",
        "{ traceDuration > 1s } => b1,b2,b3",
        "{ trace:duration < 100ms && kind = server } => c2",
        "{ rootName = nil } => c2,c3",
        // && and || between spansets: both sides' spans, either side's spans
        "{ .db.system = \"postgresql\" } && { .db.system = \"mysql\" } => a4,a5",
        "{ status = error } || { .cache.hit = true } => a3,a4 b1,b2",
        "{ .db.system = \"mysql\" || .http.method = \"POST\" } => a5 b1",
        "{ .cache.hit } => a3",
        "{ .cache.hit = nil && resource.service.name = \"frontend\" } => a1 c2",
        "{ !(status = error) && name = \"db.query\" } => a5 b3 c3",
        "{ duration * 2 > 1s } => b1,b3",
        "{ span:childCount = 0 && resource.service.name != \"db\" } => ",
        "{ span:childCount = 2 } => a1 b1",
        // nested set numbers: a1 [1,10] > a2 [2,5] > a4 [3,4], a3 [6,9] > a5 [7,8]; b1 [1,6] > b2 [2,3], b3 [4,5];
        // roots have parent -1, c2 (parent not stored) 0
        "{ nestedSetParent < 0 } => a1 b1",
        "{ nestedSetParent = 0 } => c2",
        "{ nestedSetLeft = 3 && nestedSetRight = 4 && nestedSetParent = 2 } => a4",
        "{ nestedSetLeft > 5 && nestedSetRight < 10 && rootName = \"GET /\" } => a3,a5",
        "{ span.http.status_code >= 400 || span:id = \"0000000000000003\" } => a3 b1,b3 c3",
        // pipelines
        "{ name = \"db.query\" } | count() > 1 => a4,a5 b2,b3",
        "{ name = \"db.query\" } | avg(.rows) > 6 => a4,a5 c3",
        "{ name = \"db.query\" } | by(.db.system) | count() > 1 => b2,b3",
        "{ name = \"db.query\" } | by(span.db.system) => a4+a5 b2,b3 c3",
        "{ } | max(duration) > 1s => b1,b2,b3",
        "{ } | sum(.rows) = 13 => a1,a2,a3,a4,a5",
        "{ } | min(duration) < 15ms => c2,c3",
        "{ status = error } | { name = \"db.query\" } => a4 b2",
        "({ name = \"db.query\" } | count() > 1) && { .http.method = \"GET\" } => a1,a4,a5",
        // a nested pipeline's by() groups merge back into one spanset, as Tempo's spanset operations merge them
        "({ name = \"db.query\" } | by(.db.system) | count() > 1) && { kind = server } => b1,b2,b3",
        "{ } | by(resource.service.name) | coalesce() | count() = 2 => c2,c3",
        "count() > 3 => a1,a2,a3,a4,a5",
    })
    void search(String query, String expected) {
        assertThat(ids(query)).as(query).isEqualTo(expected == null ? "" : expected);
    }

    @Test
    void traceFieldsComeFromTheWholeTrace() {
        SearchResult r = search("{ name = \"db.query\" } | count() > 1");
        assertThat(r.truncated()).isFalse();
        TraceMatch b = r.traces().stream().filter(t -> t.traceId().equals(TestTraces.id(2))).findFirst().orElseThrow();
        assertThat(b.rootServiceName()).isEqualTo("backend");
        assertThat(b.rootSpanName()).isEqualTo("POST /order");
        assertThat(b.startNanos()).isEqualTo(T0 + SECOND);
        assertThat(b.durationNanos()).isEqualTo(2 * SECOND);
        SpanSetMatch ss = b.spanSets().get(0);
        assertThat(ss.matched()).isEqualTo(2);
        assertThat(ss.attributes()).containsExactly(new Attribute("count()", 2L));
        // The orphan trace has no stored root: empty root fields, as the store's summaries.
        TraceMatch c = search("{ name = \"orphan\" } | count() = 1").traces().get(0);
        assertThat(c.rootServiceName()).isEmpty();
        assertThat(c.rootSpanName()).isEmpty();
    }

    @Test
    void spansetAttributesAndSelectedFields() {
        TraceMatch b = search("{ name = \"db.query\" } | by(.db.system) | avg(duration) > 400ms | select(status, .rows)")
                .traces().get(0);
        assertThat(b.traceId()).isEqualTo(TestTraces.id(2));
        assertThat(b.spanSets().get(0).attributes()).containsExactly(
                new Attribute("by(.db.system)", "postgresql"), new Attribute("avg(duration)", Duration.ofMillis(450)));
        assertThat(b.spanSets().get(0).spans().get(0).attributes()).containsExactly(
                new Attribute("db.system", "postgresql"), new Attribute("status", "error"),
                new Attribute("rows", 5L));
        // A plain filter answered by the store still shows the attributes it names.
        TraceMatch a = search("{ .db.system = \"mysql\" }").traces().get(0);
        assertThat(a.spanSets().get(0).spans().get(0).attributes()).containsExactly(new Attribute("db.system", "mysql"));
        assertThat(a.rootServiceName()).isEqualTo("frontend");
        assertThat(a.durationNanos()).isEqualTo(500 * MS);
    }

    @Test
    void spansPerSpanSetCapsTheSpansNotTheCount() {
        for (String q : List.of("{ resource.service.name = \"db\" }", "{ resource.service.name = \"db\" } | count() > 0")) {
            SearchResult r = engine.search(TraceQL.parse(q), T0 - SECOND, T0 + 60 * SECOND, 20, 1);
            Map<Long, Integer> matched = r.traces().stream().collect(Collectors.toMap(t -> t.traceId().lo(),
                    t -> t.spanSets().get(0).matched()));
            assertThat(matched).as(q).containsExactlyInAnyOrderEntriesOf(Map.of(1L, 2, 2L, 2, 3L, 1));
            assertThat(r.traces()).allSatisfy(t -> assertThat(t.spanSets().get(0).spans()).hasSize(1));
        }
    }

    @Test
    void onlySpansInTheRangeMatchButStructureSeesTheWholeTrace() {
        // Range covering trace A's children but not its root (which starts at T0).
        var q = TraceQL.parse("{ name = \"GET /\" } > { }");
        assertThat(engine.search(q, T0 + MS, T0 + SECOND / 2, 20, 10).traces()).isEmpty();
        // Filters see only in-range spans: a2 and a3, whose parent a1 is out of range, are "not a child of a match".
        var orphans = engine.search(TraceQL.parse("{ } !> { }"), T0 + MS, T0 + SECOND / 2, 20, 10);
        assertThat(orphans.traces()).singleElement().satisfies(t -> assertThat(t.spanSets().get(0).spans())
                .extracting(m -> m.span().span().name()).containsExactly("auth", "render"));
        var r = engine.search(TraceQL.parse("{ rootName = \"GET /\" && kind = client }"), T0 + MS, T0 + SECOND / 2,
                20, 10);
        assertThat(r.traces()).hasSize(1);
        assertThat(r.traces().get(0).spanSets().get(0).matched()).isEqualTo(3);
    }

    @Test
    void limitIsMetEvenWhenMostCandidatesFailLaterStages() {
        // 3000 traces whose span matches the pushed-down filter, only every 500th passes count() > 1: the engine
        // must look past the first batch of candidates to find the 6 that match.
        TestTraces many = new TestTraces();
        for (int t = 1; t <= 3000; t++) {
            many.span(t, 1, 0, "svc", "op", SpanKind.SERVER, StatusCode.OK, T0 + t * MS, MS, "k", "v");
            if (t % 500 == 0) {
                many.span(t, 2, 1, "svc", "op", SpanKind.CLIENT, StatusCode.OK, T0 + t * MS, MS, "k", "v");
            }
        }
        TraceQLEngine e = new TraceQLEngine(many.store.querier());
        SearchResult r = e.search(TraceQL.parse("{ .k = \"v\" } | count() > 1"), 0, Long.MAX_VALUE, 5, 10);
        assertThat(r.traces()).extracting(t -> t.traceId().lo()).containsExactly(3000L, 2500L, 2000L, 1500L, 1000L);
        assertThat(r.truncated()).isFalse();
        SearchResult all = e.search(TraceQL.parse("{ .k = \"v\" } | count() > 1"), 0, Long.MAX_VALUE, 50, 10);
        assertThat(all.traces()).hasSize(6);
        assertThat(all.truncated()).isFalse();
        // A bound below what the query needs says the answer may be partial instead of pretending.
        SearchResult cut = new TraceQLEngine(many.store.querier(), 1000).search(
                TraceQL.parse("{ .k = \"v\" } | count() > 1"), 0, Long.MAX_VALUE, 5, 10);
        assertThat(cut.traces()).extracting(t -> t.traceId().lo()).containsExactly(3000L, 2500L);
        assertThat(cut.truncated()).isTrue();
        assertThatThrownBy(() -> new TraceQLEngine(many.store.querier(), 1000).queryRange(
                TraceQL.parse("{ .k = \"v\" } | count() > 1 | rate()"), T0, T0 + 10 * SECOND, SECOND))
                .isInstanceOf(TraceQLException.class).hasMessageContaining("more than 1000 traces");
    }

    @Test
    void metricsOverMoreTracesThanTheBoundSplitTheRange() {
        TestTraces many = new TestTraces();
        for (int t = 1; t <= 3000; t++) {
            many.span(t, 1, 0, "svc", "op", SpanKind.SERVER, StatusCode.OK, T0 + t * MS, MS, "k", "v");
        }
        TraceQLEngine bounded = new TraceQLEngine(many.store.querier(), 700);
        var series = bounded.queryRange(TraceQL.parse("{ .k = \"v\" } | count_over_time()"), T0, T0 + 4 * SECOND,
                SECOND);
        assertThat(series).singleElement().satisfies(s -> {
            assertThat(s.timestampsNanos()).containsExactly(T0, T0 + SECOND, T0 + 2 * SECOND, T0 + 3 * SECOND,
                    T0 + 4 * SECOND);
            assertThat(s.values()).containsExactly(0, 1000, 1000, 1000, 0);
        });
        assertThat(bounded.tagValues(TraceQLEngine.TagScope.INTRINSIC, "kind", TraceQL.parse("{ .k = \"v\" }"),
                T0, T0 + 4 * SECOND, 10)).extracting(TraceQLEngine.TagValue::text).containsExactly("server");
        // Evaluated in memory (nestedSetParent, rootName need the trace), still split by time.
        var roots = bounded.queryRange(TraceQL.parse("{ nestedSetParent < 0 && true } | rate() by (rootName)"), T0,
                T0 + 4 * SECOND, SECOND);
        assertThat(roots).singleElement().satisfies(s -> {
            assertThat(s.promLabels()).isEqualTo("{rootName=\"op\"}");
            assertThat(s.values()).containsExactly(0, 1000, 1000, 1000, 0);
        });
        // A pipeline stage relates spans of a trace: it cannot be split by time; past the bound, a clear error.
        assertThatThrownBy(() -> bounded.queryRange(TraceQL.parse("{ .k = \"v\" } | count() > 0 | rate()"),
                T0, T0 + 4 * SECOND, SECOND)).isInstanceOf(TraceQLException.class)
                .hasMessageContaining("more than 700 traces");
    }

    @Test
    void aRareSideFindsOldMatchesPastTheCommonSidesFirstBatch() {
        // Every trace has a "common" span; only the three oldest have a "rare" child. The common side's first
        // search returns the newest traces only; the rare side's search is complete and bounds the candidates.
        TestTraces many = new TestTraces();
        for (int t = 1; t <= 3000; t++) {
            many.span(t, 1, 0, "svc", "common", SpanKind.SERVER, StatusCode.OK, T0 + t * MS, MS);
            if (t <= 3) {
                many.span(t, 2, 1, "svc", "rare", SpanKind.CLIENT, StatusCode.OK, T0 + t * MS, MS);
            }
        }
        TraceQLEngine e = new TraceQLEngine(many.store.querier());
        for (String q : List.of("{ name = \"common\" } > { name = \"rare\" }",
                "{ name = \"common\" } && { name = \"rare\" }", "{ name = \"rare\" } < { name = \"common\" }")) {
            SearchResult r = e.search(TraceQL.parse(q), 0, Long.MAX_VALUE, 20, 10);
            assertThat(r.traces()).as(q).extracting(t -> t.traceId().lo()).containsExactly(3L, 2L, 1L);
            assertThat(r.truncated()).isFalse();
            assertThat(r.inspectedTraces()).as(q).isEqualTo(3);
        }
        SearchResult union = e.search(TraceQL.parse("{ name = \"rare\" } || { name = \"common\" && kind = client }"),
                0, Long.MAX_VALUE, 20, 10);
        assertThat(union.traces()).extracting(t -> t.traceId().lo()).containsExactly(3L, 2L, 1L);
    }

    @Test
    void instrumentationScopeNameVersionAndAttributes() {
        TestTraces scoped = new TestTraces()
                .scope("io.grpc", "1.2", "language", "java")
                .span(1, 1, 0, "s", "rpc", SpanKind.SERVER, StatusCode.OK, T0, MS)
                .scope("okhttp", "4.0", "language", "kotlin")
                .span(2, 1, 0, "s", "call", SpanKind.CLIENT, StatusCode.OK, T0, MS);
        TraceQLEngine e = new TraceQLEngine(scoped.store.querier());
        for (var c : Map.of("{ instrumentation.language = \"java\" }", 1L,
                "{ instrumentation:name = \"okhttp\" }", 2L,
                "{ instrumentation:version =~ \"1[.].*\" && kind = server }", 1L).entrySet()) {
            assertThat(e.search(TraceQL.parse(c.getKey()), 0, Long.MAX_VALUE, 10, 10).traces())
                    .as(c.getKey()).extracting(t -> t.traceId().lo()).containsExactly(c.getValue());
        }
    }

    @Test
    void eventAndLinkFieldsPassWhenOneEventOrLinkDoes() {
        TestTraces ev = new TestTraces()
                .eventsAndLinks(List.of(
                        new SpanEvent(T0 + 3 * MS, "exception", TestTraces.attrs("exception.message", "boom"), 0),
                        new SpanEvent(T0 + 9 * MS, "log", TestTraces.attrs("level", "info"), 0)),
                        List.of(new SpanLink(0, 7, 70, "", 0, TestTraces.attrs("ref", "follows"), 0)))
                .span(1, 1, 0, "s", "with events", SpanKind.SERVER, StatusCode.OK, T0, 20 * MS)
                .eventsAndLinks(List.of(new SpanEvent(T0 + MS, "log", TestTraces.attrs("level", "warn"), 0)), List.of())
                .span(2, 1, 0, "s", "one event", SpanKind.SERVER, StatusCode.OK, T0, 20 * MS)
                .span(3, 1, 0, "s", "nothing", SpanKind.SERVER, StatusCode.OK, T0, 20 * MS);
        TraceQLEngine e = new TraceQLEngine(ev.store.querier());
        Map<String, List<Long>> cases = new java.util.LinkedHashMap<>();
        cases.put("{ event:name = \"exception\" }", List.of(1L));
        cases.put("{ event:name = \"log\" }", List.of(2L, 1L));
        cases.put("{ event:name != \"exception\" }", List.of(2L));
        cases.put("{ event.exception.message =~ \".*oo.*\" }", List.of(1L));
        cases.put("{ event.level = \"warn\" || event.level = \"debug\" }", List.of(2L));
        cases.put("{ event.level != \"info\" }", List.of(2L));
        cases.put("{ event.level = nil }", List.of(3L));
        cases.put("{ event:timeSinceStart > 5ms }", List.of(1L));
        cases.put("{ event:timeSinceStart <= 1ms }", List.of(2L));
        cases.put("{ link:traceID = \"00000000000000000000000000000007\" && link.ref = \"follows\" }", List.of(1L));
        cases.put("{ link:spanID = \"0000000000000046\" }", List.of(1L));
        cases.put("{ link:spanID != nil }", List.of(1L));
        for (var c : cases.entrySet()) {
            assertThat(e.search(TraceQL.parse(c.getKey()), 0, Long.MAX_VALUE, 10, 10).traces())
                    .as(c.getKey()).extracting(t -> t.traceId().lo()).containsExactlyInAnyOrderElementsOf(c.getValue());
        }
        assertThat(e.tagValues(TraceQLEngine.TagScope.INTRINSIC, "event:name", TraceQL.parse("{ kind = server }"), 0,
                Long.MAX_VALUE, 10)).extracting(TraceQLEngine.TagValue::text).containsExactly("exception", "log");
    }

    @Test
    void tagValuesFilteredByAQuery() {
        long from = T0 - SECOND;
        long to = T0 + 60 * SECOND;
        assertThat(engine.tagValues(TraceQLEngine.TagScope.SPAN, "db.system", null, from, to, 10))
                .extracting(TraceQLEngine.TagValue::text).containsExactly("mysql", "postgresql", "redis");
        assertThat(engine.tagValues(TraceQLEngine.TagScope.SPAN, "db.system",
                TraceQL.parse("{ status = error }"), from, to, 10)).extracting(TraceQLEngine.TagValue::text).containsExactly("postgresql");
        // Not expressible as one store search: evaluated over the matching traces.
        assertThat(engine.tagValues(TraceQLEngine.TagScope.SPAN, "db.system",
                TraceQL.parse("{ rootServiceName = \"frontend\" }"), from, to, 10)).extracting(TraceQLEngine.TagValue::text).containsExactly("mysql", "postgresql");
        assertThat(engine.tagValues(TraceQLEngine.TagScope.RESOURCE, "service.name",
                TraceQL.parse("{ kind = server } > { }"), from, to, 10)).extracting(TraceQLEngine.TagValue::text).containsExactly("auth", "db", "frontend");
        assertThat(engine.tagValues(TraceQLEngine.TagScope.INTRINSIC, "name", null, from, to, 3))
                .extracting(TraceQLEngine.TagValue::text).containsExactly("GET /", "POST /order", "auth");
        assertThat(engine.tagValues(TraceQLEngine.TagScope.INTRINSIC, "status", null, from, to, 10))
                .extracting(TraceQLEngine.TagValue::text).containsExactly("error", "ok", "unset");
        assertThat(engine.tagValues(TraceQLEngine.TagScope.INTRINSIC, "status",
                TraceQL.parse("{ name = \"db.query\" && .rows > 4 }"), from, to, 10)).extracting(TraceQLEngine.TagValue::text).containsExactly("error", "ok", "unset");
        assertThat(engine.tagValues(TraceQLEngine.TagScope.INTRINSIC, "trace:rootService",
                TraceQL.parse("{ name = \"db.query\" }"), from, to, 10)).extracting(TraceQLEngine.TagValue::text).containsExactly("backend", "frontend");
        // Typed as Tempo types them: by the attribute's type, or the intrinsic's.
        assertThat(engine.tagValues(TraceQLEngine.TagScope.SPAN, "rows", null, from, to, 10))
                .allSatisfy(v -> assertThat(v.type()).isEqualTo("int"));
        assertThat(engine.tagValues(TraceQLEngine.TagScope.SPAN, "rows", TraceQL.parse("{ rootServiceName != \"x\" }"),
                from, to, 10)).allSatisfy(v -> assertThat(v.type()).isEqualTo("int")).isNotEmpty();
        assertThat(engine.tagValues(TraceQLEngine.TagScope.INTRINSIC, "status", TraceQL.parse("{ status = error }"),
                from, to, 10)).containsExactly(new TraceQLEngine.TagValue("keyword", "error"));
        assertThat(engine.tagValues(TraceQLEngine.TagScope.INTRINSIC, "duration", TraceQL.parse("{ status = error }"),
                from, to, 10)).isNotEmpty().allSatisfy(v -> assertThat(v.type()).isEqualTo("duration"));
        assertThat(engine.tagNames(TraceQLEngine.TagScope.SPAN, TraceQL.parse("{ status = error }"), from, to, 10))
                .contains("db.system");
        assertThat(engine.tagNames(TraceQLEngine.TagScope.RESOURCE, TraceQL.parse("{ status = error }"), from, to, 10))
                .contains("service.name").doesNotContain("db.system");
        assertThatThrownBy(() -> engine.tagValues(TraceQLEngine.TagScope.INTRINSIC, "bogus", null, from, to, 10))
                .isInstanceOf(TraceQLException.class).hasMessageContaining("unknown intrinsic \"bogus\"");
    }

    @Test
    void metricsQueriesAndSearchesDoNotMix() {
        assertThatThrownBy(() -> search("{ } | rate()")).isInstanceOf(TraceQLException.class)
                .hasMessageContaining("metrics query (rate())");
        assertThatThrownBy(() -> engine.queryRange(TraceQL.parse("{ }"), T0, T0 + SECOND, SECOND))
                .isInstanceOf(TraceQLException.class).hasMessageContaining("not a metrics query");
    }

    // ---------------------------------------------------------------- metrics

    /**
     * Service a: 3 spans in (100s, 110s] with durations 1ms, 2ms, 4ms and one in (120s, 130s] of 1s; service b: two
     * spans in (110s, 120s] of 3ms and 5ms; one span of service a at exactly 100s belongs to the step ending at 100s.
     */
    private final TestTraces steps = new TestTraces()
            .span(1, 1, 0, "a", "op", SpanKind.SERVER, StatusCode.OK, 101 * SECOND, MS, "n", 1)
            .span(2, 1, 0, "a", "op", SpanKind.SERVER, StatusCode.OK, 105 * SECOND, 2 * MS, "n", 2)
            .span(3, 1, 0, "a", "op", SpanKind.SERVER, StatusCode.ERROR, 110 * SECOND, 4 * MS, "n", 3)
            .span(4, 1, 0, "a", "op", SpanKind.SERVER, StatusCode.OK, 125 * SECOND, SECOND)
            .span(5, 1, 0, "b", "op", SpanKind.CLIENT, StatusCode.OK, 111 * SECOND, 3 * MS, "n", 10)
            .span(5, 2, 1, "b", "child", SpanKind.INTERNAL, StatusCode.OK, 119 * SECOND, 5 * MS, "n", 20)
            .span(6, 1, 0, "a", "op", SpanKind.SERVER, StatusCode.OK, 100 * SECOND, 7 * MS);
    private final TraceQLEngine metrics = new TraceQLEngine(steps.store.querier());

    private String range(String q, long from, long to, long step) {
        return metrics.queryRange(TraceQL.parse(q), from * SECOND, to * SECOND, step * SECOND).stream()
                .map(s -> s.promLabels() + " " + samples(s)).collect(Collectors.joining("; "));
    }

    private static String samples(TraceQLEngine.Series s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.values().length; i++) {
            sb.append(i == 0 ? "" : " ").append(s.timestampsNanos()[i] / SECOND).append('=')
                    .append(Values.formatFloat(s.values()[i]));
        }
        return sb.toString();
    }

    @Test
    void countOverTimeAndRateByService() {
        // [101s, 130s] step 10s aligns to (100, 130] plus Tempo's extra leading step (90, 100]; each step is
        // stamped with its end, so the span at exactly 100s counts at 100.
        assertThat(range("{ } | count_over_time() by (resource.service.name)", 101, 130, 10)).isEqualTo(
                "{resource.service.name=\"a\"} 100=1 110=3 120=0 130=1; "
                        + "{resource.service.name=\"b\"} 100=0 110=0 120=2 130=0");
        assertThat(range("{ kind = server } | rate()", 101, 130, 10)).isEqualTo(
                "{__name__=\"rate\"} 100=0.1 110=0.3 120=0 130=0.1");
        assertThat(range("{ status = error } | count_over_time()", 100, 130, 10)).isEqualTo(
                "{__name__=\"count_over_time\"} 100=0 110=1 120=0 130=0");
        // Structural queries count the spans the pipeline returns.
        assertThat(range("{ } > { } | count_over_time() by (name)", 100, 130, 10)).isEqualTo(
                "{name=\"child\"} 100=0 110=0 120=1 130=0");
        assertThat(range("{ } | count() > 1 | count_over_time() by (rootServiceName)", 100, 130, 10)).isEqualTo(
                "{rootServiceName=\"b\"} 100=0 110=0 120=2 130=0");
    }

    @Test
    void topkAndBottomkKeepTheSeriesRankedAtEachStep() {
        // count_over_time by service: a = 1, 3, 0, 1 and b = 0, 0, 2, 0 at 100..130.
        assertThat(range("{ } | count_over_time() by (resource.service.name) | topk(1)", 101, 130, 10)).isEqualTo(
                "{resource.service.name=\"a\"} 100=1 110=3 130=1; {resource.service.name=\"b\"} 120=2");
        assertThat(range("{ } | count_over_time() by (resource.service.name) | bottomk(1)", 101, 130, 10)).isEqualTo(
                "{resource.service.name=\"a\"} 120=0; {resource.service.name=\"b\"} 100=0 110=0 130=0");
        assertThat(range("{ } | count_over_time() by (resource.service.name) | topk(5)", 101, 130, 10))
                .isEqualTo(range("{ } | count_over_time() by (resource.service.name)", 101, 130, 10));
    }

    @Test
    void compareSplitsSpansIntoSelectionAndBaselineByAttributeValue() {
        // Service a's spans from 100s to 130s: t6, t1, t2, t4 ok (t1 n=1, t2 n=2), t3 in error (n=3).
        List<String> got = metrics.queryInstant(TraceQL.parse("{ resource.service.name = \"a\" } | compare({ status = "
                + "error }, 1)"), 100 * SECOND, 130 * SECOND).stream().map(s -> s.promLabels() + " " + samples(s))
                .toList();
        assertThat(got).containsExactly(
                "{__meta_error=\"__too_many_values__\", span.n=\"<nil>\"} ",
                "{__meta_type=\"baseline\", kind=\"server\"} 130=4",
                "{__meta_type=\"baseline\", name=\"op\"} 130=4",
                "{__meta_type=\"baseline\", resource.service.name=\"a\"} 130=4",
                "{__meta_type=\"baseline\", span.n=\"1\"} 130=1",
                "{__meta_type=\"baseline\", status=\"ok\"} 130=4",
                "{__meta_type=\"baseline_total\", kind=\"<nil>\"} 130=4",
                "{__meta_type=\"baseline_total\", name=\"<nil>\"} 130=4",
                "{__meta_type=\"baseline_total\", resource.service.name=\"<nil>\"} 130=4",
                "{__meta_type=\"baseline_total\", span.n=\"<nil>\"} 130=2",
                "{__meta_type=\"baseline_total\", status=\"<nil>\"} 130=4",
                "{__meta_type=\"selection\", kind=\"server\"} 130=1",
                "{__meta_type=\"selection\", name=\"op\"} 130=1",
                "{__meta_type=\"selection\", resource.service.name=\"a\"} 130=1",
                "{__meta_type=\"selection\", span.n=\"3\"} 130=1",
                "{__meta_type=\"selection\", status=\"error\"} 130=1",
                "{__meta_type=\"selection_total\", kind=\"<nil>\"} 130=1",
                "{__meta_type=\"selection_total\", name=\"<nil>\"} 130=1",
                "{__meta_type=\"selection_total\", resource.service.name=\"<nil>\"} 130=1",
                "{__meta_type=\"selection_total\", span.n=\"<nil>\"} 130=1",
                "{__meta_type=\"selection_total\", status=\"<nil>\"} 130=1");
        // A selection window: only spans starting in [104s, 111s) can be selected: t2 and t3 (b's 111s is out).
        var windowed = metrics.queryRange(TraceQL.parse("{ } | compare({ kind = server }, 10, 104000000000, "
                + "111000000000)"), 100 * SECOND, 130 * SECOND, 10 * SECOND).stream()
                .filter(s -> s.promLabels().equals("{__meta_type=\"selection_total\", name=\"<nil>\"}"))
                .map(TraceQLEngineTest::samples).toList();
        assertThat(windowed).containsExactly("100=0 110=2 120=0 130=0");
    }

    @Test
    void instantQueryIsOneClosedInterval() {
        List<TraceQLEngine.Series> s = metrics.queryInstant(TraceQL.parse("{ } | count_over_time() by (.n)"),
                100 * SECOND, 111 * SECOND);
        // Spans without .n form the series whose only label is nil, as Tempo labels it.
        Map<String, String> got = s.stream().collect(Collectors.toMap(TraceQLEngine.Series::promLabels,
                TraceQLEngineTest::samples, (x, y) -> x, TreeMap::new));
        assertThat(got).containsExactly(
                Map.entry("{.n=\"1\"}", "111=1"), Map.entry("{.n=\"10\"}", "111=1"), Map.entry("{.n=\"2\"}", "111=1"),
                Map.entry("{.n=\"3\"}", "111=1"), Map.entry("{.n=\"<nil>\"}", "111=1"));
    }

    @Test
    void minMaxAvgSumOverTimeInSeconds() {
        assertThat(range("{ resource.service.name = \"a\" } | max_over_time(duration)", 101, 130, 10)).isEqualTo(
                "{__name__=\"max_over_time\"} 100=0.007 110=0.004 130=1");
        assertThat(range("{ resource.service.name = \"a\" } | avg_over_time(.n)", 101, 130, 10)).isEqualTo(
                "{__name__=\"avg_over_time\"} 110=2");
        assertThat(range("{ } | sum_over_time(.n) by (resource.service.name)", 101, 130, 10)).isEqualTo(
                "{resource.service.name=\"a\"} 110=6; {resource.service.name=\"b\"} 120=30");
        assertThat(range("{ } | min_over_time(duration)", 101, 130, 10)).isEqualTo(
                "{__name__=\"min_over_time\"} 100=0.007 110=0.001 120=0.003 130=1");
    }

    @Test
    void quantileOverTimeOneSeriesPerQuantileWithPLabel() {
        // Step (100, 110] holds a's 1ms, 2ms, 4ms: log2 buckets 2^20ns (1.048576ms), 2^21, 2^22. p50 takes
        // ceil(1.5) = 2 samples and ends on bucket 2^21 exactly: 0.002097152s; p100 is the top bucket 2^22;
        // p0 (at least one sample) the first. The 1s span of step (120, 130] is alone: 2^30ns = 1.073741824s.
        assertThat(range("{ resource.service.name = \"a\" } | quantile_over_time(duration, 0, .5, 1)", 101, 130, 10))
                .isEqualTo("{p=\"0\"} 100=0.008388608 110=0.001048576 130=1.073741824; "
                        + "{p=\"0.5\"} 100=0.008388608 110=0.002097152 130=1.073741824; "
                        + "{p=\"1\"} 100=0.008388608 110=0.004194304 130=1.073741824");
        // p90 of three samples: ceil(2.7) = 3, the last bucket: interpolation lands on its bound.
        // b's 3ms and 5ms: buckets 2^22 and 2^23; p50 takes 1 sample: bound of the first bucket.
        assertThat(range("{ } | quantile_over_time(duration, .5) by (resource.service.name)", 111, 120, 10))
                .isEqualTo("{resource.service.name=\"a\", p=\"0.5\"} 110=0.002097152; "
                        + "{resource.service.name=\"b\", p=\"0.5\"} 120=0.004194304");
    }

    @Test
    void quantileInterpolatesExponentiallyInsideABucket() {
        // Four samples in one bucket 2^22 (a span of 3ms, 3.5ms, 4ms, 4.1ms): p50 takes 2 of 4, half way, and
        // the first bucket's lower bound is half its upper: 2^(21 + 0.5) ns.
        TestTraces one = new TestTraces();
        long[] durations = {3_000_000, 3_500_000, 4_000_000, 4_100_000};
        for (int i = 0; i < durations.length; i++) {
            one.span(i + 1, 1, 0, "s", "op", SpanKind.SERVER, StatusCode.OK, 105 * SECOND, durations[i]);
        }
        var s = new TraceQLEngine(one.store.querier()).queryInstant(
                TraceQL.parse("{ } | quantile_over_time(duration, .5)"), 100 * SECOND, 110 * SECOND);
        assertThat(s).hasSize(1);
        assertThat(s.get(0).values()[0]).isCloseTo(Math.pow(2, 21.5) / 1e9, org.assertj.core.data.Offset.offset(1e-15));
    }

    @Test
    void histogramOverTimeBucketLabelInSeconds() {
        assertThat(range("{ resource.service.name = \"b\" } | histogram_over_time(duration)", 111, 120, 10))
                .isEqualTo("{__bucket=\"0.004194304\"} 110=0 120=1; {__bucket=\"0.008388608\"} 110=0 120=1");
        assertThat(range("{ } | histogram_over_time(.n) by (resource.service.name)", 101, 110, 10)).isEqualTo(
                "{resource.service.name=\"a\", __bucket=\"2\"} 100=0 110=1; "
                        + "{resource.service.name=\"a\", __bucket=\"4\"} 100=0 110=1");
    }

    @Test
    void metricsFromTheStoreSearchAndFromEvaluationAgree() {
        // The first is answered from the store's search alone, the second evaluates every trace: same numbers.
        String direct = range("{ kind = server } | count_over_time() by (status)", 90, 140, 10);
        String evaluated = range("{ kind = server } | count() > 0 | count_over_time() by (status)", 90, 140, 10);
        assertThat(direct).isEqualTo(evaluated).isEqualTo(
                "{status=\"error\"} 90=0 100=0 110=1 120=0 130=0 140=0; "
                        + "{status=\"ok\"} 90=0 100=1 110=2 120=0 130=1 140=0");
        assertThat(Arrays.asList(direct.split("; "))).hasSize(2);
    }
}
