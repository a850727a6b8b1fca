package dev.sightline.logs;

import dev.sightline.core.Deadline;
import dev.sightline.core.FileTrees;
import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.logs.FieldCondition.Op;
import dev.sightline.logs.FieldCondition.Parser;
import dev.sightline.logs.FieldCondition.Type;
import dev.sightline.logs.LogSelection.Direction;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every {@link LogStore} must do the same way: exact round trips (stream labels, metadata, unicode, empty and
 * huge lines, equal times kept in append order), {@link LogSelection}'s order, limit and inclusive range, every line
 * filter and field condition with {@link LogSelection#matches}'s semantics (a property test compares a store with
 * that reference on random lines and selections), samples as the same lines as select, the listings, commit
 * visibility and rollback, (durable stores) everything again after close and open, and a querier with a deadline
 * stopping its scan though no line passes. A subclass opens its store in a folder.
 */
public abstract class LogStoreConformanceTest {
    protected static final long T0 = 1_700_000_000_000_000_000L;
    protected static final long HOUR = 3_600_000_000_000L;
    private static final long ALL_FROM = Long.MIN_VALUE;
    private static final long ALL_TO = Long.MAX_VALUE;

    /** Opens the store kept in {@code dir} (an empty folder the first time). */
    protected abstract LogStore open(Path dir) throws IOException;

    /** Whether what was committed is there again after close and {@link #open} of the same folder. */
    protected boolean durable() {
        return true;
    }

    private Path dir;
    private LogStore store;

    @BeforeEach
    void openStore() throws IOException {
        dir = Files.createTempDirectory("log-store");
        store = open(dir);
    }

    @AfterEach
    void closeStore() throws IOException {
        store.close();
        FileTrees.deleteRecursively(dir);
    }

    /** Closes and opens the store again; a store that is not durable stays as it is (its checks run once more). */
    protected LogStore reopen() throws IOException {
        if (durable()) {
            store.close();
            store = open(dir);
        }
        return store;
    }

    protected LogStore store() {
        return store;
    }

    protected static Labels stream(String service, String env) {
        return Labels.of("service", service, "env", env);
    }

    protected static LogEntry entry(Labels stream, long t, String line, Labels metadata) {
        return new LogEntry(t, stream, metadata, line);
    }

    protected static void commit(LogStore s, List<LogEntry> entries) throws IOException {
        LogAppender a = s.appender();
        for (LogEntry e : entries) {
            a.append(e.stream(), e.timeNanos(), e.line(), e.metadata());
        }
        a.commit();
    }

    protected static List<LogEntry> select(LogStore s, LogSelection selection) {
        List<LogEntry> out = new ArrayList<>();
        s.querier().select(selection, out::add);
        return out;
    }

    private static LogSelection all() {
        return LogSelection.streams(ALL_FROM, ALL_TO, List.of());
    }

    /** The reference: the appended lines meeting the selection, in the contract's order, cut at its limit. */
    protected static List<LogEntry> expected(List<LogEntry> appended, LogSelection s) {
        List<LogEntry> out = new ArrayList<>();
        for (LogEntry e : appended) {
            if (s.matches(e)) {
                out.add(e);
            }
        }
        out.sort(Comparator.comparingLong(LogEntry::timeNanos).thenComparing(LogEntry::stream));
        if (s.direction() == Direction.BACKWARD) {
            Collections.reverse(out);
        }
        return out.size() > s.limit() ? List.copyOf(out.subList(0, s.limit())) : out;
    }

    private void assertSelects(List<LogEntry> appended, LogSelection s) {
        assertThat(select(store, s)).as("%s", s).containsExactlyElementsOf(expected(appended, s));
    }

    // --- round trips ----------------------------------------------------------------------------------------------

    @Test
    void linesRoundTripExactlyWithEqualTimesInAppendOrder() throws IOException {
        Labels api = stream("api", "prod");
        Labels md = Labels.of(LogEntry.TRACE_ID, "0af7651916cd43dd8448eb211c80319c", LogEntry.LEVEL, "error");
        String huge = "h".repeat(1_500_000) + "✓";
        List<LogEntry> lines = List.of(
                entry(api, T0, "first at T0", Labels.EMPTY),
                entry(api, T0, "second at T0", md),
                entry(api, T0, "", Labels.EMPTY),
                entry(Labels.EMPTY, T0 + 1, "no stream labels", Labels.EMPTY),
                entry(api, T0 + 2, "ünïcödé ✓ 日本語 \uD83D\uDE00 tab\there\nnewline", Labels.of("k", "v ✓")),
                entry(api, T0 + 3, huge, Labels.EMPTY),
                entry(api, T0, "third at T0", md));
        commit(store, lines);
        for (int round = 0; round < 2; round++) {
            assertThat(select(store, all())).containsExactly(lines.get(0), lines.get(1), lines.get(2),
                    lines.get(6), lines.get(3), lines.get(4), lines.get(5));
            assertSelects(lines, all().withOrder(Direction.BACKWARD, Integer.MAX_VALUE));
            reopen();
        }
    }

    @Test
    void manyLinesOverManyStreamsAndPartitionsRoundTrip() throws IOException {
        SplittableRandom r = new SplittableRandom(7);
        List<LogEntry> lines = new ArrayList<>();
        for (int i = 0; i < 30_000; i++) {
            Labels s = stream("svc" + (i % 7), i % 2 == 0 ? "prod" : "dev");
            long t = T0 + (long) i * 300_000_000L + r.nextInt(3); // 2.5 hours, some times out of order
            lines.add(entry(s, t, i % 3 == 0
                    ? "{\"level\":\"info\",\"i\":" + i + ",\"msg\":\"request served\",\"ms\":" + r.nextInt(2000) + "}"
                    : "level=warn i=" + i + " msg=\"slow call\" took=" + r.nextInt(900) + "ms",
                    i % 5 == 0 ? Labels.of(LogEntry.LEVEL, "warn") : Labels.EMPTY));
        }
        LogAppender a = store.appender();
        for (int from = 0; from < lines.size(); from += 1000) {
            for (LogEntry e : lines.subList(from, from + 1000)) {
                a.append(e.stream(), e.timeNanos(), e.line(), e.metadata());
            }
            a.commit();
        }
        for (int round = 0; round < 2; round++) {
            assertSelects(lines, all());
            assertSelects(lines, all().withOrder(Direction.BACKWARD, 100));
            assertSelects(lines, LogSelection.streams(T0 + HOUR, T0 + 2 * HOUR, List.of(LabelMatcher.eq("env", "dev")))
                    .withLineFilters(List.of(LineFilter.of(LineFilter.Op.CONTAINS, "i=1234 ", "i=4321 ")))
                    .withOrder(Direction.FORWARD, 10));
            assertSelects(lines, all().withFieldConditions(List.of(
                    FieldCondition.compare(Parser.JSON, "ms", Type.NUMBER, Op.GE, 1990))));
            assertSelects(lines, all().withFieldConditions(List.of(
                    FieldCondition.compare(Parser.LOGFMT, "took", Type.DURATION, Op.LT, 0.002))));
            reopen();
        }
    }

    // --- delete ---------------------------------------------------------------------------------------------------

    /** Deletes from {@code kept} (the reference) and the store what {@code s} selects; checks the count. */
    private void assertDeletes(List<LogEntry> kept, LogSelection s) throws IOException {
        long expected = kept.stream().filter(s::matches).count();
        assertThat(store.delete(s)).as("deleted by %s", s).isEqualTo(expected);
        kept.removeIf(s::matches);
        assertSelects(kept, all());
    }

    @Test
    void deleteRemovesExactlyTheSelectedLinesInStoredBlocksAndHeadsDurably() throws IOException {
        SplittableRandom r = new SplittableRandom(11);
        List<LogEntry> kept = new ArrayList<>();
        for (int i = 0; i < 12_000; i++) {
            Labels s = stream("svc" + (i % 4), i % 3 == 0 ? "prod" : "dev");
            long t = T0 + (long) i * 900_000_000L + r.nextInt(3); // 3 hours: several partitions
            kept.add(entry(s, t, "i=" + i + (i % 10 == 0 ? " secret=hunter2" : "") + " took=" + r.nextInt(900) + "ms",
                    Labels.EMPTY));
        }
        // The first half is stored (reopened), the second half in open heads.
        commit(store, kept.subList(0, 6000));
        reopen();
        commit(store, kept.subList(6000, kept.size()));
        assertSelects(kept, all());
        // A whole stream over a partial range crossing a partition boundary, in stored blocks and heads.
        assertDeletes(kept, LogSelection.streams(T0 + HOUR / 2, T0 + 2 * HOUR + 17, List.of(
                LabelMatcher.eq("service", "svc1"), LabelMatcher.eq("env", "dev"))));
        // A line filter everywhere (Loki's delete of leaked secrets).
        assertDeletes(kept, LogSelection.streams(ALL_FROM, ALL_TO, List.of(LabelMatcher.re("service", "svc.*")))
                .withLineFilters(List.of(LineFilter.of(LineFilter.Op.CONTAINS, "secret="))));
        // Inclusive ends: exactly one line's time.
        LogEntry one = kept.get(kept.size() / 2);
        assertDeletes(kept, LogSelection.streams(one.timeNanos(), one.timeNanos(), List.of(
                LabelMatcher.eq("service", one.stream().get("service")))));
        // Nothing matching: nothing goes.
        assertDeletes(kept, LogSelection.streams(ALL_FROM, ALL_TO, List.of(LabelMatcher.eq("service", "none"))));
        assertThat(store.querier().series(ALL_FROM, ALL_TO, List.of(LabelMatcher.eq("service", "svc1"))))
                .containsExactly(stream("svc1", "dev"), stream("svc1", "prod"));
        for (int round = 0; round < 2; round++) {
            reopen();
            assertSelects(kept, all());
        }
        // Lines committed after a delete are kept, and a whole stream's every line can go.
        List<LogEntry> later = List.of(entry(stream("svc0", "prod"), T0 + 5, "later", Labels.EMPTY));
        commit(store, later);
        kept.addAll(later);
        assertDeletes(kept, LogSelection.streams(ALL_FROM, ALL_TO, List.of(LabelMatcher.eq("service", "svc2"))));
        assertThat(store.querier().series(ALL_FROM, ALL_TO, List.of(LabelMatcher.eq("service", "svc2")))).isEmpty();
        assertThat(store.querier().stats(ALL_FROM, ALL_TO, List.of()).entries()).isEqualTo(kept.size());
        reopen();
        assertSelects(kept, all());
        assertThat(store.querier().stats(ALL_FROM, ALL_TO, List.of()).entries()).isEqualTo(kept.size());
    }

    // --- order, limit, range --------------------------------------------------------------------------------------

    @Test
    void orderLimitAndInclusiveRanges() throws IOException {
        Labels a = stream("a", "prod");
        Labels b = stream("b", "prod");
        List<LogEntry> lines = List.of(entry(b, T0 + 10, "b10", Labels.EMPTY), entry(a, T0 + 10, "a10", Labels.EMPTY),
                entry(a, T0 + 20, "a20", Labels.EMPTY), entry(b, T0 + 5, "b5", Labels.EMPTY),
                entry(a, T0 + 30, "a30", Labels.EMPTY), entry(b, T0 + 30, "b30", Labels.EMPTY));
        commit(store, lines);
        assertThat(lines(select(store, all()))).containsExactly("b5", "a10", "b10", "a20", "a30", "b30");
        assertThat(lines(select(store, all().withOrder(Direction.BACKWARD, Integer.MAX_VALUE))))
                .containsExactly("b30", "a30", "a20", "b10", "a10", "b5");
        assertThat(lines(select(store, all().withOrder(Direction.FORWARD, 2)))).containsExactly("b5", "a10");
        assertThat(lines(select(store, all().withOrder(Direction.BACKWARD, 3)))).containsExactly("b30", "a30", "a20");
        assertThat(lines(select(store, LogSelection.streams(T0 + 10, T0 + 30, List.of()))))
                .containsExactly("a10", "b10", "a20", "a30", "b30");
        assertThat(lines(select(store, LogSelection.streams(T0 + 11, T0 + 29, List.of())))).containsExactly("a20");
        assertThat(lines(select(store, LogSelection.streams(T0 + 20, T0 + 20, List.of())))).containsExactly("a20");
        assertThat(lines(select(store, LogSelection.streams(T0 + 31, ALL_TO, List.of())))).isEmpty();
        assertThat(lines(select(store, LogSelection.streams(ALL_FROM, ALL_TO,
                List.of(LabelMatcher.re("service", "b|c")))))).containsExactly("b5", "b10", "b30");
        List<String> stopped = new ArrayList<>();
        store.querier().select(all(), e -> stopped.add(e.line()) && stopped.size() < 2);
        assertThat(stopped).containsExactly("b5", "a10");
    }

    private static List<String> lines(List<LogEntry> entries) {
        return entries.stream().map(LogEntry::line).toList();
    }

    // --- line filters ---------------------------------------------------------------------------------------------

    @Test
    void everyLineFilterOpWithOrAlternatives() throws IOException {
        Labels s = stream("api", "prod");
        List<LogEntry> lines = new ArrayList<>();
        String[] texts = {"GET /api/users 200 12ms", "POST /api/orders 500 timeout after 3000ms",
                "connection_timeout to db", "ERROR disk full ✓", "", "ab", "warn: retrying (attempt 2)"};
        for (int i = 0; i < texts.length; i++) {
            lines.add(entry(s, T0 + i, texts[i], Labels.EMPTY));
        }
        commit(store, lines);
        for (int round = 0; round < 2; round++) {
            for (LineFilter f : List.of(LineFilter.of(LineFilter.Op.CONTAINS, "timeout"),
                    LineFilter.of(LineFilter.Op.CONTAINS, "timeout", "full"),
                    LineFilter.of(LineFilter.Op.CONTAINS, "✓"), LineFilter.of(LineFilter.Op.CONTAINS, ""),
                    LineFilter.of(LineFilter.Op.CONTAINS, "ab"), LineFilter.of(LineFilter.Op.CONTAINS, "nowhere"),
                    LineFilter.of(LineFilter.Op.NOT_CONTAINS, "timeout"),
                    LineFilter.of(LineFilter.Op.NOT_CONTAINS, "timeout", "api"),
                    LineFilter.of(LineFilter.Op.REGEX, "[0-9]+ms$"), LineFilter.of(LineFilter.Op.REGEX, "time.*t"),
                    LineFilter.of(LineFilter.Op.REGEX, "orders|users"), LineFilter.of(LineFilter.Op.REGEX, "^$"),
                    LineFilter.of(LineFilter.Op.REGEX, "retr?ying", "dis+k"),
                    LineFilter.of(LineFilter.Op.REGEX, "(?i)error"), LineFilter.of(LineFilter.Op.NOT_REGEX, "\\d"),
                    LineFilter.of(LineFilter.Op.NOT_REGEX, "GET", "POST"))) {
                assertSelects(lines, all().withLineFilters(List.of(f)));
            }
            assertSelects(lines, all().withLineFilters(List.of(LineFilter.of(LineFilter.Op.CONTAINS, "api"),
                    LineFilter.of(LineFilter.Op.NOT_CONTAINS, "500"))));
            reopen();
        }
        assertThat(lines(select(store, all().withLineFilters(List.of(
                LineFilter.of(LineFilter.Op.CONTAINS, "timeout", "full"))))))
                .containsExactly(texts[1], texts[2], texts[3]);
    }

    // --- field conditions -----------------------------------------------------------------------------------------

    @Test
    void fieldConditionsFollowLokisReading() throws IOException {
        Labels pay = stream("payment", "prod");
        Labels labelled = Labels.of("service", "x", "status", "failed");
        List<LogEntry> lines = List.of(
                entry(pay, T0, "{\"status\":\"failed\",\"amount\":150,\"took\":\"1.5s\",\"size\":\"2KB\"}", Labels.EMPTY),
                entry(pay, T0 + 1, "{\"status\":\"ok\",\"amount\":50.5,\"took\":\"300ms\",\"size\":\"512\"}", Labels.EMPTY),
                entry(pay, T0 + 2, "{\"status\":\"failed\",\"amount\":\"lots\",\"took\":\"soon\",\"size\":\"big\"}",
                        Labels.EMPTY),
                entry(pay, T0 + 3, "{\"status\":\"failed\"}", Labels.EMPTY),
                entry(pay, T0 + 4, "not json at all", Labels.EMPTY),
                entry(pay, T0 + 5, "status=failed amount=101 took=2m size=1MiB", Labels.EMPTY),
                entry(pay, T0 + 6, "status=ok amount=99 took=10ms msg=\"unclosed", Labels.EMPTY),
                entry(pay, T0 + 7, "{\"user\":{\"id\":7},\"amount\":1e3}", Labels.of("status", "failed")),
                entry(pay, T0 + 8, "{\"status\":\"failed\",\"amount\":5}", Labels.of("status", "ok")),
                entry(labelled, T0 + 9, "{\"status\":\"ok\",\"amount\":500}", Labels.EMPTY),
                entry(labelled, T0 + 10, "status=ok amount=1", Labels.EMPTY));
        commit(store, lines);
        List<FieldCondition> conditions = new ArrayList<>();
        for (Parser p : Parser.values()) {
            conditions.add(FieldCondition.string(p, "status", "failed"));
            conditions.add(FieldCondition.string(p, "status", "ok"));
            conditions.add(FieldCondition.string(p, "user_id", "7"));
            conditions.add(FieldCondition.string(p, "missing", ""));
            conditions.add(FieldCondition.string(p, "service", "payment"));
            for (Op op : Op.values()) {
                conditions.add(FieldCondition.compare(p, "amount", Type.NUMBER, op, 100));
                conditions.add(FieldCondition.compare(p, "took", Type.DURATION, op, 1.5));
                conditions.add(FieldCondition.compare(p, "size", Type.BYTES, op, 2000));
            }
            conditions.add(FieldCondition.compare(p, "amount", Type.NUMBER, Op.EQ, 50.5));
            conditions.add(FieldCondition.compare(p, "nothing", Type.NUMBER, Op.GT, 0));
        }
        for (int round = 0; round < 2; round++) {
            for (FieldCondition c : conditions) {
                assertSelects(lines, all().withFieldConditions(List.of(c)));
            }
            assertSelects(lines, all().withFieldConditions(List.of(FieldCondition.string(Parser.JSON, "status",
                    "failed"), FieldCondition.compare(Parser.JSON, "amount", Type.NUMBER, Op.GT, 100))));
            reopen();
        }
        // The seed query, spelled out: failed payments over 100 (unreadable lines and the unconvertible amount pass,
        // as in Loki; the labelled stream's status label wins over its lines' "ok").
        assertThat(select(store, all().withFieldConditions(List.of(FieldCondition.string(Parser.JSON, "status",
                "failed"), FieldCondition.compare(Parser.JSON, "amount", Type.NUMBER, Op.GT, 100)))))
                .containsExactly(lines.get(0), lines.get(2), lines.get(4), lines.get(5), lines.get(6), lines.get(7),
                        lines.get(9), lines.get(10));
        // The stream label wins over the field: the labelled stream's lines all have status="failed".
        assertThat(select(store, LogSelection.streams(ALL_FROM, ALL_TO, List.of(LabelMatcher.eq("service", "x")))
                .withFieldConditions(List.of(FieldCondition.string(Parser.JSON, "status", "failed")))))
                .containsExactly(lines.get(9), lines.get(10));
    }

    // --- samples --------------------------------------------------------------------------------------------------

    @Test
    void samplesAreTheSelectedLinesWithTheirUtf8Lengths() throws IOException {
        Labels a = stream("a", "prod");
        List<LogEntry> lines = List.of(entry(a, T0, "ascii", Labels.EMPTY),
                entry(a, T0 + 1, "✓✓", Labels.of(LogEntry.LEVEL, "info")), entry(a, T0 + 1, "", Labels.EMPTY),
                entry(stream("b", "dev"), T0 + 2, "{\"n\":1} é", Labels.EMPTY));
        commit(store, lines);
        for (int round = 0; round < 2; round++) {
            for (LogSelection s : List.of(all(), all().withOrder(Direction.BACKWARD, 2),
                    all().withLineFilters(List.of(LineFilter.of(LineFilter.Op.CONTAINS, "✓"))),
                    LogSelection.streams(T0 + 1, T0 + 2, List.of(LabelMatcher.eq("service", "a"))))) {
                assertThat(samples(store, s)).as("%s", s).containsExactlyInAnyOrderElementsOf(
                        expected(lines, s).stream().map(LogStoreConformanceTest::sample).toList());
            }
            reopen();
        }
        assertThat(samples(store, all())).contains(new Sample(a, Labels.of(LogEntry.LEVEL, "info"), T0 + 1, 6));
    }

    protected record Sample(Labels stream, Labels metadata, long time, int bytes) {
    }

    private static Sample sample(LogEntry e) {
        return new Sample(e.stream(), e.metadata(), e.timeNanos(), e.line().getBytes(StandardCharsets.UTF_8).length);
    }

    protected static List<Sample> samples(LogStore s, LogSelection selection) {
        List<Sample> out = new ArrayList<>();
        s.querier().samples(selection, (stream, md, t, bytes) -> out.add(new Sample(stream, md, t, bytes)));
        return out;
    }

    // --- listings -------------------------------------------------------------------------------------------------

    @Test
    void labelNamesValuesSeriesAndStats() throws IOException {
        Labels a = stream("a", "prod");
        Labels b = Labels.of("service", "b", "env", "dev", "team", "core");
        Labels c = stream("c", "prod");
        commit(store, List.of(entry(a, T0, "12345", Labels.of("trace_id", "t1")), entry(a, T0 + HOUR, "✓", Labels.EMPTY),
                entry(b, T0 + 5, "bb", Labels.EMPTY), entry(c, T0 + 3 * HOUR, "ccc", Labels.EMPTY)));
        for (int round = 0; round < 2; round++) {
            var q = store.querier();
            assertThat(q.labelNames(ALL_FROM, ALL_TO, List.of())).containsExactly("env", "service", "team");
            assertThat(q.labelNames(T0 + 6, ALL_TO, List.of())).containsExactly("env", "service");
            assertThat(q.labelValues("service", ALL_FROM, ALL_TO, List.of())).containsExactly("a", "b", "c");
            assertThat(q.labelValues("service", ALL_FROM, ALL_TO, List.of(LabelMatcher.eq("env", "prod"))))
                    .containsExactly("a", "c");
            assertThat(q.labelValues("service", T0 + 1, T0 + HOUR - 1, List.of())).containsExactly("b");
            assertThat(q.labelValues("nothing", ALL_FROM, ALL_TO, List.of())).isEmpty();
            assertThat(q.series(ALL_FROM, ALL_TO, List.of())).containsExactly(b, a, c); // env="dev" sorts first
            assertThat(q.series(T0 + 5, T0 + HOUR, List.of(LabelMatcher.neq("service", "b")))).containsExactly(a);
            assertThat(q.series(T0 + 4 * HOUR, ALL_TO, List.of())).isEmpty();
            LogQuerier.Stats all = q.stats(ALL_FROM, ALL_TO, List.of());
            // Chunks are the store's own unit: at least one per stream with lines.
            assertThat(List.of(all.streams(), all.entries(), all.bytes())).containsExactly(3L, 4L, 5L + 3 + 2 + 3);
            assertThat(all.chunks()).isGreaterThanOrEqualTo(3);
            assertThat(q.stats(T0, T0 + HOUR, List.of(LabelMatcher.eq("service", "a"))).entries()).isEqualTo(2);
            assertThat(q.stats(T0 + 1, T0 + 4, List.of())).isEqualTo(new LogQuerier.Stats(0, 0, 0, 0));
            reopen();
        }
    }

    // --- commit, rollback -----------------------------------------------------------------------------------------

    @Test
    void onlyCommittedLinesAreVisibleAndRollbackForgets() throws IOException {
        Labels s = stream("a", "prod");
        LogAppender a = store.appender();
        a.append(s, T0, "rolled back", Labels.EMPTY);
        assertThat(select(store, all())).isEmpty();
        a.rollback();
        a.commit(); // nothing pending: a no-op
        a.append(s, T0 + 1, "kept", Labels.EMPTY);
        LogQuerier before = store.querier();
        assertThat(select(store, all())).isEmpty();
        a.commit();
        List<String> seen = new ArrayList<>();
        before.select(all(), e -> seen.add(e.line()));
        assertThat(seen).containsExactly("kept");
        LogAppender other = store.appender();
        other.append(s, T0 + 2, "other, not committed", Labels.EMPTY);
        a.append(s, T0 + 3, "after commit", Labels.EMPTY);
        a.commit();
        assertThat(lines(select(store, all()))).containsExactly("kept", "after commit");
        other.rollback();
        reopen();
        assertThat(lines(select(store, all()))).containsExactly("kept", "after commit");
    }

    // --- the reference, on random lines ---------------------------------------------------------------------------

    private static final String[] WORDS = {"timeout", "error", "✓", "amount", "x y", "level=info", "a", "ms\"",
            "failed", "\"level\":\"error\""};
    private static final String[] REGEXES = {"time.*t", "amo?unt", "[0-9]+ms", "^level", "err(or)?$", "x y|✓"};

    private static String randomLine(SplittableRandom r, int i) {
        String level = r.nextBoolean() ? "error" : "info";
        return switch (r.nextInt(6)) {
            case 0, 1 -> "{\"level\":\"" + level + "\",\"amount\":" + (r.nextInt(200) - 20) + ",\"took\":\""
                    + r.nextInt(900) + "ms\",\"size\":\"" + r.nextInt(80) + "KB\",\"msg\":\""
                    + WORDS[r.nextInt(WORDS.length)].replace("\"", "") + " " + i + "\"}";
            case 2, 3 -> "level=" + level + " amount=" + (r.nextInt(200) - 20) + " took=" + r.nextInt(3) + "s size="
                    + r.nextInt(80) + "kib msg=\"" + WORDS[r.nextInt(WORDS.length)].replace("\"", "") + "\" i=" + i;
            case 4 -> r.nextBoolean() ? "" : "plain ünïcode ✓ " + WORDS[r.nextInt(WORDS.length)] + " " + i;
            default -> r.nextBoolean() ? "{\"amount\":\"n/a\",\"took\":7}" : "amount= took=\"unclosed";
        };
    }

    private static FieldCondition randomCondition(SplittableRandom r) {
        Parser p = Parser.values()[r.nextInt(2)];
        String[] names = {"level", "amount", "took", "size", "service", LogEntry.LEVEL, "trace_id", "missing"};
        String name = names[r.nextInt(names.length)];
        Op op = Op.values()[r.nextInt(Op.values().length)];
        return switch (r.nextInt(4)) {
            case 0 -> FieldCondition.string(p, name, new String[] {"error", "info", "a", "t1", "prod"}[r.nextInt(5)]);
            case 1 -> FieldCondition.compare(p, name, Type.NUMBER, op, r.nextInt(220) - 20);
            case 2 -> FieldCondition.compare(p, name, Type.DURATION, op, r.nextInt(2000) / 1000.0);
            default -> FieldCondition.compare(p, name, Type.BYTES, op, r.nextInt(100_000));
        };
    }

    private static LineFilter randomFilter(SplittableRandom r) {
        LineFilter.Op op = LineFilter.Op.values()[r.nextInt(4)];
        String[] pool = op == LineFilter.Op.REGEX || op == LineFilter.Op.NOT_REGEX ? REGEXES : WORDS;
        List<String> values = new ArrayList<>();
        for (int n = r.nextInt(4) == 0 ? 2 : 1; n > 0; n--) {
            values.add(pool[r.nextInt(pool.length)]);
        }
        return new LineFilter(op, values);
    }

    @Property(tries = 20)
    void selectAndSamplesAgreeWithTheReference(@ForAll long seed) throws IOException {
        SplittableRandom r = new SplittableRandom(seed);
        Path d = Files.createTempDirectory("log-store-prop");
        LogStore s = open(d);
        try {
            Labels[] streams = {stream("a", "prod"), stream("b", "prod"), stream("a", "dev"),
                    Labels.of("service", "c", "level", "error")};
            Labels[] metadata = {Labels.EMPTY, Labels.of(LogEntry.LEVEL, "error"), Labels.of("trace_id", "t1"),
                    Labels.of("amount", "150")};
            List<LogEntry> lines = new ArrayList<>();
            int n = 50 + r.nextInt(250);
            for (int i = 0; i < n; i++) {
                long t = T0 + r.nextInt(5) * HOUR / 2 + r.nextInt(4);
                lines.add(entry(streams[r.nextInt(streams.length)], t, randomLine(r, i),
                        metadata[r.nextInt(metadata.length)]));
            }
            // Half committed before a reopen (stored blocks in a durable store), half after (open heads).
            commit(s, lines.subList(0, n / 2));
            if (durable()) {
                s.close();
                s = open(d);
            }
            commit(s, lines.subList(n / 2, n));
            for (int q = 0; q < 60; q++) {
                long from = r.nextInt(3) == 0 ? T0 + r.nextLong(2 * HOUR) : ALL_FROM;
                long to = r.nextInt(3) == 0 ? Math.max(from, T0 + r.nextLong(2 * HOUR)) : ALL_TO;
                List<LabelMatcher> matchers = switch (r.nextInt(4)) {
                    case 0 -> List.of();
                    case 1 -> List.of(LabelMatcher.eq("service", "a"));
                    case 2 -> List.of(LabelMatcher.re("service", "a|c"), LabelMatcher.neq("env", "dev"));
                    default -> List.of(LabelMatcher.eq("level", ""));
                };
                List<LineFilter> filters = new ArrayList<>();
                for (int k = r.nextInt(3); k > 0; k--) {
                    filters.add(randomFilter(r));
                }
                List<FieldCondition> conditions = new ArrayList<>();
                for (int k = r.nextInt(3); k > 0; k--) {
                    conditions.add(randomCondition(r));
                }
                int limit = new int[] {Integer.MAX_VALUE, 1, 7, 40}[r.nextInt(4)];
                LogSelection sel = new LogSelection(from, to, matchers, filters, conditions,
                        r.nextBoolean() ? Direction.FORWARD : Direction.BACKWARD, limit);
                List<LogEntry> want = expected(lines, sel);
                assertThat(select(s, sel)).as("%s", sel).containsExactlyElementsOf(want);
                assertThat(samples(s, sel)).as("samples %s", sel)
                        .containsExactlyInAnyOrderElementsOf(want.stream().map(LogStoreConformanceTest::sample).toList());
            }
        } finally {
            s.close();
            FileTrees.deleteRecursively(d);
        }
    }

    // --- deadlines ------------------------------------------------------------------------------------------------

    /**
     * A query whose line filter rejects every line hands the sink nothing, so only the store's own scan can see its
     * deadline expire: select and samples must stop there with {@link Deadline.Exceeded}, not read on to the end.
     */
    @Test
    void aScanWhoseFilterRejectsEveryLineStopsAtItsDeadline() throws IOException {
        List<LogEntry> lines = new ArrayList<>();
        StringBuilder digits = new StringBuilder();
        for (int i = 0; i < 6_000; i++) {
            digits.setLength(0);
            for (int k = 0; k < 12; k++) {
                digits.append(i * 7919L + k * 104729L);
            }
            lines.add(entry(stream("api", "prod"), T0 + i * 1_000_000L, digits.toString(), Labels.EMPTY));
        }
        commit(store, lines);
        // Digits then an "x" no line has: no literal an index could rule a block out with, and a regex search that
        // tries every digit of every line (quadratic in a line's length), so a whole scan takes a while.
        LogSelection none = all().withLineFilters(List.of(LineFilter.of(LineFilter.Op.REGEX, "[0-9]+x")));
        long t0 = System.nanoTime();
        assertThat(select(store, none)).isEmpty();
        long wholeMs = (System.nanoTime() - t0) / 1_000_000;
        // A tenth of the whole scan's time (the unbounded scan above warmed the code up).
        long timeoutMs = Math.max(1, wholeMs / 10);
        for (String call : List.of("select", "samples")) {
            Deadline d = Deadline.in(timeoutMs);
            LogQuerier q = store.querier(d);
            assertThatThrownBy(() -> {
                if (call.equals("select")) {
                    q.select(none, e -> true);
                } else {
                    q.samples(none, (st, m, t, b) -> true);
                }
            }).as("%s over a whole scan of %d ms", call, wholeMs)
                    .isInstanceOfSatisfying(Deadline.Exceeded.class, e -> assertThat(e.canceled()).isFalse());
        }
    }
}
