package dev.sightline.traces.conformance;

import dev.sightline.core.FileTrees;
import dev.sightline.core.span.Attributes;
import dev.sightline.core.span.InstrumentationScope;
import dev.sightline.core.span.SpanKind;
import dev.sightline.core.span.SpanResource;
import dev.sightline.core.span.StatusCode;
import dev.sightline.traces.SpanAppender;
import dev.sightline.traces.SpanCondition;
import dev.sightline.traces.SpanCondition.Op;
import dev.sightline.traces.SpanCondition.Scope;
import dev.sightline.traces.SpanCondition.Target;
import dev.sightline.traces.SpanQuerier;
import dev.sightline.traces.SpanQuery;
import dev.sightline.traces.SpanStore;
import dev.sightline.traces.StoredSpan;
import dev.sightline.traces.TraceId;
import dev.sightline.traces.TraceSummary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;

import static dev.sightline.traces.conformance.SpanData.HOUR;
import static dev.sightline.traces.conformance.SpanData.T0;
import static dev.sightline.traces.conformance.SpanData.attrs;
import static dev.sightline.traces.conformance.SpanData.commit;
import static dev.sightline.traces.conformance.SpanData.resource;
import static dev.sightline.traces.conformance.SpanData.span;
import static dev.sightline.traces.conformance.SpanData.stored;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every {@link SpanStore} must do the same way: exact round trips of every span field, trace by id across
 * partitions and time hints, search with {@link SpanCondition#matches}'s semantics (a property test compares a store
 * with that reference on random spans and conditions), limits and ordering, the listing calls, commit visibility and
 * rollback, and (durable stores) everything again after close and open. A subclass opens its store in a folder.
 */
public abstract class SpanStoreConformanceTest {
    private static final long ALL_FROM = Long.MIN_VALUE;
    private static final long ALL_TO = Long.MAX_VALUE;

    /** Opens the store kept in {@code dir} (an empty folder the first time). */
    protected abstract SpanStore open(Path dir) throws IOException;

    /** Whether what was committed is there again after close and {@link #open} of the same folder. */
    protected boolean durable() {
        return true;
    }

    private Path dir;
    private SpanStore store;

    @BeforeEach
    void openStore() throws IOException {
        dir = Files.createTempDirectory("span-store");
        store = open(dir);
    }

    @AfterEach
    void closeStore() throws IOException {
        store.close();
        FileTrees.deleteRecursively(dir);
    }

    /** Closes and opens the store again; a store that is not durable stays as it is (its checks run once more). */
    protected SpanStore reopen() throws IOException {
        if (!durable()) {
            return store;
        }
        store.close();
        store = open(dir);
        return store;
    }

    protected SpanStore store() {
        return store;
    }

    private SpanQuerier q() {
        return store.querier();
    }

    private static SpanQuery query(List<SpanCondition> conditions, int traceLimit, int spansPerTrace) {
        return new SpanQuery(ALL_FROM, ALL_TO, conditions, traceLimit, spansPerTrace);
    }

    private static List<Long> spanIds(List<StoredSpan> spans) {
        return spans.stream().map(s -> s.span().spanId()).toList();
    }

    // --- round trips ----------------------------------------------------------------------------------------------

    @Test
    void everySpanFieldRoundTripsExactly() throws IOException {
        StoredSpan s = SpanData.everything();
        commit(store.appender(), List.of(s));
        assertThat(q().trace(s.traceId(), ALL_FROM, ALL_TO)).containsExactly(s);
        reopen();
        assertThat(q().trace(s.traceId(), ALL_FROM, ALL_TO)).containsExactly(s);
    }

    @Test
    void hugeValuesAndManyAttributesRoundTripAndAreSearchable() throws IOException {
        String huge = "v".repeat(200_000) + "✓";
        Attributes.Builder b = new Attributes.Builder().addString("huge", huge);
        for (int i = 0; i < 2_000; i++) {
            b.addLong("k" + i, i);
        }
        StoredSpan big = stored(resource("svc", "blob", huge), span(1, 1, 0, "n".repeat(50_000), SpanKind.SERVER,
                T0, 10, StatusCode.UNSET, b.build()));
        StoredSpan other = stored(resource("svc", "blob", "v".repeat(200_000)),
                span(2, 2, 0, "m", SpanKind.SERVER, T0, 10, StatusCode.UNSET,
                        attrs("huge", "v".repeat(200_000) + "x")));
        commit(store.appender(), List.of(big, other));
        assertThat(q().trace(big.traceId(), ALL_FROM, ALL_TO)).containsExactly(big);
        assertThat(searchIds(SpanCondition.attribute(Scope.SPAN, "huge", Op.EQ, huge))).containsExactly(1L);
        assertThat(searchIds(SpanCondition.attribute(Scope.SPAN, "huge", Op.NEQ, huge))).containsExactly(2L);
        assertThat(searchIds(SpanCondition.attribute(Scope.ANY, "huge", Op.REGEX, "v+✓"))).containsExactly(1L);
        assertThat(searchIds(SpanCondition.attribute(Scope.RESOURCE, "blob", Op.EQ, huge))).containsExactly(1L);
        assertThat(searchIds(SpanCondition.attribute(Scope.RESOURCE, "blob", Op.GT, "v".repeat(200_000))))
                .containsExactly(1L);
        assertThat(searchIds(SpanCondition.intrinsic(Target.NAME, Op.EQ, "n".repeat(50_000)))).containsExactly(1L);
        assertThat(searchIds(SpanCondition.attribute(Scope.SPAN, "k1999", Op.GTE, 1999L))).containsExactly(1L);
        assertThat(q().attributeValues(Scope.SPAN, "huge", List.of(), ALL_FROM, ALL_TO, 10))
                .containsExactly("v".repeat(200_000) + "x", huge); // 'x' sorts before '✓'
        assertThat(q().attributeKeys(Scope.SPAN, ALL_FROM, ALL_TO)).hasSize(2_001);
    }

    // --- trace by id ----------------------------------------------------------------------------------------------

    @Test
    void aTraceComesBackWholeAcrossPartitionsAndTheRangeOnlyNarrowsIt() throws IOException {
        SpanResource r = resource("api");
        List<StoredSpan> spans = new ArrayList<>();
        // One trace over three days (a batch job), and neighbours in the same hours.
        for (int i = 0; i < 6; i++) {
            spans.add(stored(r, span(7, 100 + i, i == 0 ? 0 : 100, "step", SpanKind.INTERNAL, T0 + i * 13 * HOUR,
                    5, StatusCode.OK, Attributes.EMPTY)));
            spans.add(stored(r, span(8, 200 + i, 0, "other", SpanKind.SERVER, T0 + i * 13 * HOUR, 5,
                    StatusCode.OK, Attributes.EMPTY)));
        }
        SpanAppender a = store.appender();
        commit(a, spans.subList(0, 6));
        commit(a, spans.subList(6, 12)); // an appender goes on after a commit
        TraceId id = spans.get(0).traceId();
        for (int round = 0; round < 2; round++) {
            assertThat(spanIds(q().trace(id, ALL_FROM, ALL_TO))).containsExactly(100L, 101L, 102L, 103L, 104L, 105L);
            assertThat(spanIds(q().trace(id, T0 + 13 * HOUR, T0 + 39 * HOUR))).containsExactly(101L, 102L, 103L);
            assertThat(spanIds(q().trace(id, T0 + 13 * HOUR + 1, T0 + 39 * HOUR - 1))).containsExactly(102L);
            assertThat(q().trace(new TraceId(0x1234, 9), ALL_FROM, ALL_TO)).isEmpty();
            assertThat(q().trace(new TraceId(0x1235, 7), ALL_FROM, ALL_TO)).isEmpty();
            reopen();
        }
    }

    @Test
    void spansOfATraceAreOrderedByStartThenSpanId() throws IOException {
        SpanResource r = resource("api");
        commit(store.appender(), List.of(
                stored(r, span(1, -5, 0, "a", SpanKind.SERVER, T0 + 2, 1, StatusCode.UNSET, Attributes.EMPTY)),
                stored(r, span(1, 9, 0, "b", SpanKind.SERVER, T0 + 1, 1, StatusCode.UNSET, Attributes.EMPTY)),
                stored(r, span(1, 3, 0, "c", SpanKind.SERVER, T0 + 2, 1, StatusCode.UNSET, Attributes.EMPTY))));
        assertThat(spanIds(q().trace(new TraceId(0x1234, 1), ALL_FROM, ALL_TO))).containsExactly(9L, 3L, -5L);
    }

    // --- commit, rollback -----------------------------------------------------------------------------------------

    @Test
    void onlyCommittedSpansAreVisibleAndRollbackForgets() throws IOException {
        SpanResource r = resource("api");
        SpanAppender a = store.appender();
        a.append(r, InstrumentationScope.EMPTY, span(1, 1, 0, "x", SpanKind.SERVER, T0, 1, StatusCode.UNSET,
                Attributes.EMPTY));
        assertThat(q().trace(new TraceId(0x1234, 1), ALL_FROM, ALL_TO)).isEmpty();
        a.rollback();
        a.append(r, InstrumentationScope.EMPTY, span(1, 2, 0, "x", SpanKind.SERVER, T0, 1, StatusCode.UNSET,
                Attributes.EMPTY));
        SpanQuerier before = q();
        a.commit();
        assertThat(spanIds(q().trace(new TraceId(0x1234, 1), ALL_FROM, ALL_TO))).containsExactly(2L);
        assertThat(spanIds(before.trace(new TraceId(0x1234, 1), ALL_FROM, ALL_TO))).containsExactly(2L);
        a.commit(); // nothing pending: a no-op
        a.rollback();
        SpanAppender other = store.appender();
        other.append(r, InstrumentationScope.EMPTY, span(1, 3, 0, "x", SpanKind.SERVER, T0, 1, StatusCode.UNSET,
                Attributes.EMPTY));
        other.rollback();
        other.commit();
        assertThat(q().search(query(List.of(), 10, 10))).singleElement()
                .satisfies(t -> assertThat(spanIds(t.matchedSpans())).containsExactly(2L));
        reopen();
        assertThat(spanIds(q().trace(new TraceId(0x1234, 1), ALL_FROM, ALL_TO))).containsExactly(2L);
    }

    @Test
    void concurrentAppendersLoseNothing() throws Exception {
        SpanResource r = resource("api");
        List<Thread> threads = new ArrayList<>();
        List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < 4; t++) {
            int id = t;
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    SpanAppender a = store.appender();
                    for (int batch = 0; batch < 10; batch++) {
                        for (int i = 0; i < 25; i++) {
                            long spanId = id * 1000 + batch * 25 + i + 1;
                            a.append(r, InstrumentationScope.EMPTY, span(id + 1, spanId, 0, "x", SpanKind.SERVER,
                                    T0 + spanId, 1, StatusCode.UNSET, Attributes.EMPTY));
                        }
                        a.commit();
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(errors).isEmpty();
        for (int round = 0; round < 2; round++) {
            for (int t = 0; t < 4; t++) {
                assertThat(q().trace(new TraceId(0x1234, t + 1), ALL_FROM, ALL_TO)).hasSize(250);
            }
            reopen();
        }
    }

    // --- search ---------------------------------------------------------------------------------------------------

    private List<Long> searchIds(SpanCondition... conditions) {
        List<Long> out = new ArrayList<>();
        for (TraceSummary t : q().search(query(List.of(conditions), 1000, 1000))) {
            out.addAll(spanIds(t.matchedSpans()));
        }
        out.sort(null);
        return out;
    }

    /** Three services, two traces each: the fixture of the example-based search tests. */
    private void fixture() throws IOException {
        SpanResource api = resource("api", "env", "prod", "cpus", 4L);
        SpanResource db = resource("db", "env", "dev", "cpus", 2.5);
        SpanResource noService = resource(null, "env", "prod");
        commit(store.appender(), List.of(
                stored(api, span(1, 1, 0, "GET /users", SpanKind.SERVER, T0, 50_000_000, StatusCode.OK,
                        attrs("http.status_code", 200L, "http.route", "/users", "retry", false))),
                stored(db, span(1, 2, 1, "SELECT", SpanKind.CLIENT, T0 + 1_000, 30_000_000, StatusCode.UNSET,
                        attrs("db.rows", 12.0, "http.status_code", "200"))),
                stored(api, span(2, 3, 0, "GET /orders", SpanKind.SERVER, T0 + HOUR, 900_000_000, StatusCode.ERROR,
                        attrs("http.status_code", 500L, "http.route", "/orders", "retry", true))),
                stored(db, span(2, 4, 3, "SELECT", SpanKind.CLIENT, T0 + HOUR + 5, 800_000_000, StatusCode.ERROR,
                        attrs("db.rows", 0.0))),
                stored(noService, span(3, 5, 9, "cron", SpanKind.INTERNAL, T0 + 2 * HOUR, 1, StatusCode.UNSET,
                        Attributes.EMPTY))));
    }

    @Test
    void searchByIntrinsicsAndAttributesOfEachType() throws IOException {
        fixture();
        for (int round = 0; round < 2; round++) {
            assertThat(searchIds(SpanCondition.service("api"))).containsExactly(1L, 3L);
            assertThat(searchIds(SpanCondition.intrinsic(Target.NAME, Op.EQ, "SELECT"))).containsExactly(2L, 4L);
            assertThat(searchIds(SpanCondition.intrinsic(Target.NAME, Op.REGEX, "GET .*"))).containsExactly(1L, 3L);
            assertThat(searchIds(SpanCondition.intrinsic(Target.NAME, Op.REGEX, "GET"))).isEmpty();
            assertThat(searchIds(SpanCondition.intrinsic(Target.KIND, Op.EQ, SpanKind.CLIENT))).containsExactly(2L, 4L);
            assertThat(searchIds(SpanCondition.intrinsic(Target.KIND, Op.NEQ, SpanKind.CLIENT)))
                    .containsExactly(1L, 3L, 5L);
            assertThat(searchIds(SpanCondition.intrinsic(Target.STATUS, Op.EQ, StatusCode.ERROR))).containsExactly(3L, 4L);
            assertThat(searchIds(SpanCondition.intrinsic(Target.DURATION, Op.GTE, 50_000_000L)))
                    .containsExactly(1L, 3L, 4L);
            assertThat(searchIds(SpanCondition.intrinsic(Target.DURATION, Op.LT, 0.05e9))).containsExactly(2L, 5L);
            // Integer and string attributes of one key never meet: a type mismatch fails every operator.
            assertThat(searchIds(SpanCondition.attribute(Scope.SPAN, "http.status_code", Op.GTE, 400L)))
                    .containsExactly(3L);
            assertThat(searchIds(SpanCondition.attribute(Scope.SPAN, "http.status_code", Op.EQ, "200")))
                    .containsExactly(2L);
            assertThat(searchIds(SpanCondition.attribute(Scope.SPAN, "http.status_code", Op.NEQ, 200L)))
                    .containsExactly(3L);
            assertThat(searchIds(SpanCondition.attribute(Scope.SPAN, "http.status_code", Op.EQ, 200.0)))
                    .containsExactly(1L);
            assertThat(searchIds(SpanCondition.attribute(Scope.SPAN, "db.rows", Op.GT, 1L))).containsExactly(2L);
            assertThat(searchIds(SpanCondition.attribute(Scope.SPAN, "db.rows", Op.EQ, 0L))).containsExactly(4L);
            assertThat(searchIds(SpanCondition.attribute(Scope.SPAN, "retry", Op.EQ, true))).containsExactly(3L);
            assertThat(searchIds(SpanCondition.attribute(Scope.SPAN, "retry", Op.NEQ, true))).containsExactly(1L);
            // A missing attribute fails NEQ and NOT_REGEX too.
            assertThat(searchIds(SpanCondition.attribute(Scope.SPAN, "http.route", Op.NEQ, "/users")))
                    .containsExactly(3L);
            assertThat(searchIds(SpanCondition.attribute(Scope.SPAN, "http.route", Op.NOT_REGEX, "/u.*")))
                    .containsExactly(3L);
            assertThat(searchIds(SpanCondition.attribute(Scope.SPAN, "http.route", Op.EXISTS, null)))
                    .containsExactly(1L, 3L);
            assertThat(searchIds(SpanCondition.attribute(Scope.SPAN, "http.status_code", Op.EXISTS, null)))
                    .containsExactly(1L, 2L, 3L);
            assertThat(searchIds(SpanCondition.attribute(Scope.RESOURCE, "cpus", Op.GT, 3L))).containsExactly(1L, 3L);
            assertThat(searchIds(SpanCondition.attribute(Scope.RESOURCE, "cpus", Op.LT, 3L))).containsExactly(2L, 4L);
            assertThat(searchIds(SpanCondition.attribute(Scope.RESOURCE, "env", Op.EQ, "prod")))
                    .containsExactly(1L, 3L, 5L);
            assertThat(searchIds(SpanCondition.attribute(Scope.RESOURCE, "service.name", Op.EXISTS, null)))
                    .containsExactly(1L, 2L, 3L, 4L);
            assertThat(searchIds(SpanCondition.attribute(Scope.ANY, "http.status_code", Op.EQ, 500L)))
                    .containsExactly(3L);
            assertThat(searchIds(SpanCondition.attribute(Scope.ANY, "env", Op.GT, "e"))).containsExactly(1L, 3L, 5L);
            // Conditions hold for one span together.
            assertThat(searchIds(SpanCondition.service("db"),
                    SpanCondition.intrinsic(Target.DURATION, Op.GT, 100_000_000L))).containsExactly(4L);
            assertThat(searchIds(SpanCondition.service("db"),
                    SpanCondition.attribute(Scope.SPAN, "retry", Op.EXISTS, null))).isEmpty();
            reopen();
        }
    }

    @Test
    void searchOrdersTracesNewestFirstAndAppliesLimitsAndRange() throws IOException {
        fixture();
        List<TraceSummary> all = q().search(query(List.of(), 10, 10));
        assertThat(all).extracting(t -> t.traceId().lo()).containsExactly(3L, 2L, 1L);
        TraceSummary t2 = all.get(1);
        assertThat(t2.rootServiceName()).isEqualTo("api");
        assertThat(t2.rootSpanName()).isEqualTo("GET /orders");
        assertThat(t2.startNanos()).isEqualTo(T0 + HOUR);
        assertThat(t2.endNanos()).isEqualTo(T0 + HOUR + 900_000_000);
        assertThat(t2.matchedCount()).isEqualTo(2);
        assertThat(all.get(0).rootServiceName()).isEmpty(); // its root span was never stored
        assertThat(all.get(0).rootSpanName()).isEmpty();

        assertThat(q().search(query(List.of(), 2, 10))).extracting(t -> t.traceId().lo()).containsExactly(3L, 2L);
        TraceSummary capped = q().search(query(List.of(SpanCondition.service("db")), 1, 1)).get(0);
        assertThat(capped.matchedCount()).isEqualTo(1);
        TraceSummary one = q().search(query(List.of(), 10, 1)).get(2);
        assertThat(spanIds(one.matchedSpans())).containsExactly(1L);
        assertThat(one.matchedCount()).isEqualTo(2);

        // The range selects matching spans by start; the summary still covers the whole trace.
        List<TraceSummary> ranged = q().search(new SpanQuery(T0 + 500, T0 + HOUR, List.of(), 10, 10));
        assertThat(ranged).extracting(t -> t.traceId().lo()).containsExactly(2L, 1L);
        assertThat(spanIds(ranged.get(1).matchedSpans())).containsExactly(2L);
        assertThat(ranged.get(1).startNanos()).isEqualTo(T0);
        assertThat(ranged.get(1).rootSpanName()).isEqualTo("GET /users");
        assertThat(q().search(new SpanQuery(T0 + 3 * HOUR, ALL_TO, List.of(), 10, 10))).isEmpty();
    }

    @Test
    void listingCallsCoverTheRange() throws IOException {
        fixture();
        for (int round = 0; round < 2; round++) {
            assertThat(q().serviceNames(ALL_FROM, ALL_TO)).containsExactly("", "api", "db");
            assertThat(q().serviceNames(T0, T0 + HOUR - 1)).containsExactly("api", "db");
            assertThat(q().serviceNames(T0 + 1, T0 + HOUR - 1)).containsExactly("db");
            assertThat(q().operations("db", ALL_FROM, ALL_TO))
                    .containsExactly(new SpanQuerier.Operation("SELECT", SpanKind.CLIENT));
            assertThat(q().operations("", ALL_FROM, ALL_TO)).containsExactly(
                    new SpanQuerier.Operation("GET /orders", SpanKind.SERVER),
                    new SpanQuerier.Operation("GET /users", SpanKind.SERVER),
                    new SpanQuerier.Operation("SELECT", SpanKind.CLIENT),
                    new SpanQuerier.Operation("cron", SpanKind.INTERNAL));
            assertThat(q().operations("api", T0 + 1, ALL_TO))
                    .containsExactly(new SpanQuerier.Operation("GET /orders", SpanKind.SERVER));
            assertThat(q().operations("nobody", ALL_FROM, ALL_TO)).isEmpty();
            assertThat(q().attributeKeys(Scope.SPAN, ALL_FROM, ALL_TO))
                    .containsExactly("db.rows", "http.route", "http.status_code", "retry");
            assertThat(q().attributeKeys(Scope.RESOURCE, ALL_FROM, ALL_TO)).containsExactly("cpus", "env", "service.name");
            assertThat(q().attributeKeys(Scope.ANY, T0 + 2 * HOUR, ALL_TO)).containsExactly("env");
            assertThat(q().attributeValues(Scope.SPAN, "http.status_code", List.of(), ALL_FROM, ALL_TO, 10))
                    .containsExactly("200", "500");
            assertThat(q().attributeValues(Scope.RESOURCE, "cpus", List.of(), ALL_FROM, ALL_TO, 10))
                    .containsExactly("2.5", "4");
            assertThat(q().attributeValues(Scope.ANY, "env", List.of(SpanCondition.intrinsic(Target.STATUS, Op.EQ,
                    StatusCode.ERROR)), ALL_FROM, ALL_TO, 10)).containsExactly("dev", "prod");
            assertThat(q().attributeValues(Scope.SPAN, "retry", List.of(), ALL_FROM, T0 + 10, 10))
                    .containsExactly("false");
            assertThat(q().attributeValues(Scope.SPAN, "http.route", List.of(), ALL_FROM, ALL_TO, 1))
                    .containsExactly("/orders");
            assertThat(q().attributeValues(Scope.SPAN, "nothing", List.of(), ALL_FROM, ALL_TO, 10)).isEmpty();
            reopen();
        }
    }

    @Test
    void anEmptyStoreAnswersEmpty() {
        assertThat(q().search(query(List.of(SpanCondition.service("x")), 10, 10))).isEmpty();
        assertThat(q().serviceNames(ALL_FROM, ALL_TO)).isEmpty();
        assertThat(q().operations("", ALL_FROM, ALL_TO)).isEmpty();
        assertThat(q().attributeKeys(Scope.ANY, ALL_FROM, ALL_TO)).isEmpty();
        assertThat(q().attributeValues(Scope.ANY, "k", List.of(), ALL_FROM, ALL_TO, 10)).isEmpty();
        assertThat(q().trace(new TraceId(1, 2), ALL_FROM, ALL_TO)).isEmpty();
    }

    // --- the reference semantics on random data -------------------------------------------------------------------

    /**
     * Random spans (keys whose type changes from span to span, repeated keys, NaN, -0.0, huge longs, unicode) and
     * random conditions: every search, key and value listing equals what {@link SpanCondition#matches} says.
     */
    @Property(tries = 25)
    void searchAgreesWithTheReferenceSemantics(@ForAll long seed) throws IOException {
        SplittableRandom r = new SplittableRandom(seed);
        Path d = Files.createTempDirectory("span-store-prop");
        try (SpanStore s = open(d)) {
            List<StoredSpan> spans = SpanData.randomSpans(r, 60, 4);
            SpanAppender a = s.appender();
            commit(a, spans.subList(0, 30));
            commit(a, spans.subList(30, 60));
            SpanQuerier querier = s.querier();
            for (int i = 0; i < 150; i++) {
                List<SpanCondition> conditions = new ArrayList<>();
                int n = i < 100 ? 1 : 1 + r.nextInt(3);
                for (int c = 0; c < n; c++) {
                    conditions.add(SpanData.randomCondition(r));
                }
                long from = r.nextInt(4) == 0 ? T0 + r.nextLong(4 * HOUR) : ALL_FROM;
                long to = r.nextInt(4) == 0 ? Math.max(from, T0 + r.nextLong(4 * HOUR)) : ALL_TO;
                assertSearchAgrees(querier, spans, new SpanQuery(from, to, conditions, 1000, 1000));
                Scope scope = Scope.values()[r.nextInt(3)];
                String key = SpanData.KEYS[r.nextInt(SpanData.KEYS.length)];
                assertThat(querier.attributeValues(scope, key, conditions, from, to, 1000))
                        .as("values of %s %s where %s", scope, key, conditions)
                        .isEqualTo(expectedValues(spans, scope, key, conditions, from, to));
            }
            assertThat(querier.attributeKeys(Scope.ANY, ALL_FROM, ALL_TO)).isEqualTo(expectedKeys(spans));
        } finally {
            FileTrees.deleteRecursively(d);
        }
    }

    /**
     * Deletes with random conditions and ranges, half the spans stored before a reopen and half after: what is left
     * is what {@link SpanCondition#matches} says, counts included, and stays so after another reopen.
     */
    @Property(tries = 10)
    void deleteAgreesWithTheReferenceSemantics(@ForAll long seed) throws IOException {
        SplittableRandom r = new SplittableRandom(seed);
        Path d = Files.createTempDirectory("span-store-delete");
        SpanStore s = open(d);
        try {
            List<StoredSpan> spans = new ArrayList<>(SpanData.randomSpans(r, 80, 4));
            commit(s.appender(), spans.subList(0, 40));
            if (durable()) {
                s.close();
                s = open(d);
            }
            commit(s.appender(), spans.subList(40, 80));
            for (int i = 0; i < 4; i++) {
                List<SpanCondition> conditions = i == 0 ? List.of() : List.of(SpanData.randomCondition(r));
                long from = T0 + r.nextLong(4 * HOUR);
                long to = i == 0 ? from + HOUR / 2 : r.nextBoolean() ? ALL_TO : Math.max(from, T0 + r.nextLong(4 * HOUR));
                long expected = spans.stream().filter(x -> inRange(x, from, to) && matchesAll(x, conditions)).count();
                assertThat(s.delete(conditions, from, to)).as("deleted where %s", conditions).isEqualTo(expected);
                spans.removeIf(x -> inRange(x, from, to) && matchesAll(x, conditions));
                assertSearchAgrees(s.querier(), spans, query(List.of(), Integer.MAX_VALUE, Integer.MAX_VALUE));
            }
            if (durable()) {
                s.close();
                s = open(d);
            }
            assertSearchAgrees(s.querier(), spans, query(List.of(), Integer.MAX_VALUE, Integer.MAX_VALUE));
            assertThat(s.querier().attributeKeys(Scope.ANY, ALL_FROM, ALL_TO)).isEqualTo(expectedKeys(spans));
        } finally {
            s.close();
            FileTrees.deleteRecursively(d);
        }
    }

    @Test
    void deleteByResourceAttributeAndRangeAndByAnOverlongValue() throws IOException {
        fixture();
        String huge = "v".repeat(5000);
        commit(store.appender(), List.of(stored(resource("api", "env", "prod"), span(4, 6, 0, "big",
                SpanKind.SERVER, T0 + 3, 1, StatusCode.OK, attrs("payload", huge)))));
        // env=prod in the first hour: spans 1 and 6 (3 is an hour later, 5 two hours later).
        assertThat(store.delete(List.of(SpanCondition.attribute(Scope.RESOURCE, "env", Op.EQ, "prod")), T0,
                T0 + HOUR - 1)).isEqualTo(2);
        assertThat(searchIds()).containsExactly(2L, 3L, 4L, 5L);
        commit(store.appender(), List.of(stored(resource("api"), span(4, 7, 0, "big", SpanKind.SERVER, T0 + 4, 1,
                StatusCode.OK, attrs("payload", huge)))));
        // A value the index keeps cut: checked on the stored span.
        assertThat(store.delete(List.of(SpanCondition.attribute(Scope.SPAN, "payload", Op.EQ, huge)), ALL_FROM,
                ALL_TO)).isEqualTo(1);
        assertThat(store.delete(List.of(SpanCondition.service("nobody")), ALL_FROM, ALL_TO)).isZero();
        for (int round = 0; round < 2; round++) {
            assertThat(searchIds()).containsExactly(2L, 3L, 4L, 5L);
            assertThat(q().trace(new TraceId(0x1234, 1), ALL_FROM, ALL_TO)).extracting(x -> x.span().spanId())
                    .containsExactly(2L);
            assertThat(q().attributeValues(Scope.SPAN, "payload", List.of(), ALL_FROM, ALL_TO, 10)).isEmpty();
            reopen();
        }
        assertThat(store.delete(List.of(), ALL_FROM, ALL_TO)).isEqualTo(4);
        reopen();
        assertThat(searchIds()).isEmpty();
        assertThat(q().serviceNames(ALL_FROM, ALL_TO)).isEmpty();
    }

    private static boolean inRange(StoredSpan s, long from, long to) {
        return s.span().startUnixNano() >= from && s.span().startUnixNano() <= to;
    }

    private static boolean matchesAll(StoredSpan s, List<SpanCondition> conditions) {
        return conditions.stream().allMatch(c -> c.matches(s));
    }

    private static void assertSearchAgrees(SpanQuerier querier, List<StoredSpan> spans, SpanQuery query) {
        Map<TraceId, List<Long>> expected = new LinkedHashMap<>();
        Map<TraceId, Long> earliest = new LinkedHashMap<>();
        for (StoredSpan s : spans) {
            if (inRange(s, query.fromNanos(), query.toNanos()) && matchesAll(s, query.conditions())) {
                expected.computeIfAbsent(s.traceId(), k -> new ArrayList<>()).add(s.span().spanId());
                earliest.merge(s.traceId(), s.span().startUnixNano(), Math::min);
            }
        }
        List<TraceId> order = new ArrayList<>(expected.keySet());
        order.sort(Comparator.comparingLong((TraceId t) -> -earliest.get(t)).thenComparing(t -> t));
        List<TraceSummary> actual = querier.search(query);
        assertThat(actual).as("traces where %s", query.conditions()).extracting(TraceSummary::traceId)
                .containsExactlyElementsOf(order);
        for (TraceSummary t : actual) {
            assertThat(spanIds(t.matchedSpans())).as("spans of %s where %s", t.traceId(), query.conditions())
                    .containsExactlyInAnyOrderElementsOf(expected.get(t.traceId()));
            assertThat(t.matchedCount()).isEqualTo(expected.get(t.traceId()).size());
        }
    }

    private static List<String> expectedValues(List<StoredSpan> spans, Scope scope, String key,
                                               List<SpanCondition> conditions, long from, long to) {
        TreeSet<String> out = new TreeSet<>();
        for (StoredSpan s : spans) {
            if (inRange(s, from, to) && matchesAll(s, conditions)) {
                if (scope != Scope.RESOURCE && s.span().attributes().indexOf(key) >= 0) {
                    out.add(s.span().attributes().valueText(s.span().attributes().indexOf(key)));
                }
                if (scope != Scope.SPAN && s.resource().attributes().indexOf(key) >= 0) {
                    out.add(s.resource().attributes().valueText(s.resource().attributes().indexOf(key)));
                }
            }
        }
        return List.copyOf(out);
    }

    private static List<String> expectedKeys(List<StoredSpan> spans) {
        TreeSet<String> out = new TreeSet<>();
        for (StoredSpan s : spans) {
            for (Attributes a : List.of(s.span().attributes(), s.resource().attributes())) {
                for (int i = 0; i < a.size(); i++) {
                    out.add(a.key(i));
                }
            }
        }
        return List.copyOf(out);
    }
}
