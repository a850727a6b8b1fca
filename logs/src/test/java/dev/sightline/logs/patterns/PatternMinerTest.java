package dev.sightline.logs.patterns;

import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.logs.LogEntry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PatternMinerTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long T0 = 1_765_000_000L * SECOND;
    private static final List<LabelMatcher> ALL = List.of(LabelMatcher.re("service_name", ".+"));
    private static final PatternMiner.Options NO_LEARNING = new PatternMiner.Options(Duration.ofSeconds(10),
            Duration.ofHours(3), 300, 64, 1000, 256, 0.5, Duration.ZERO);

    private static LogEntry entry(long t, String service, String line) {
        return new LogEntry(t, Labels.of("service_name", service), Labels.EMPTY, line);
    }

    /** A miner with default options that mined {@code lines} of service "api" at T0. */
    private static PatternMiner mined(String... lines) {
        PatternMiner m = new PatternMiner(PatternMiner.Options.DEFAULTS);
        for (String l : lines) {
            m.observe(entry(T0, "api", l));
        }
        return m;
    }

    /** What {@link PatternMiner#collect} hands out: new-pattern counts by service/level, lines by pattern id. */
    private static final class Collected implements PatternMiner.StatsSink {
        final Map<String, Long> newPatterns = new HashMap<>();
        final Map<String, Long> lines = new HashMap<>();

        Collected(PatternMiner m) {
            m.collect(this);
        }

        @Override
        public void newPatterns(String service, String level, long count) {
            newPatterns.put(service + "/" + level, count);
        }

        @Override
        public void pattern(String service, String level, String id, String text, long lines) {
            this.lines.put(id, lines);
        }
    }

    /** The non-zero new-pattern counts by service/level. */
    private static Map<String, Long> newPatterns(PatternMiner m) {
        Map<String, Long> counts = new HashMap<>(new Collected(m).newPatterns);
        counts.values().removeIf(c -> c == 0);
        return counts;
    }

    @Test
    void twentyTemplatesGiveTwentyPatternsNoneSplitNoneMerged() {
        PatternMiner m = new PatternMiner(PatternMiner.Options.DEFAULTS);
        PatternCorpus corpus = new PatternCorpus(42);
        SplittableRandom order = new SplittableRandom(7);
        int templates = PatternCorpus.TEMPLATES.size();
        long[] perTemplate = new long[templates];
        // A distinct number of lines per template, so the totals tell which pattern took which template's lines.
        List<Integer> draw = new ArrayList<>();
        for (int t = 0; t < templates; t++) {
            perTemplate[t] = 300 + 17L * t;
            for (int i = 0; i < perTemplate[t]; i++) {
                draw.add(t);
            }
        }
        for (int i = draw.size() - 1; i > 0; i--) {
            int j = order.nextInt(i + 1);
            draw.set(j, draw.set(i, draw.get(j)));
        }
        for (int i = 0; i < draw.size(); i++) {
            m.observe(entry(T0 + i * 1_000_000L, "shop", corpus.line(draw.get(i))));
        }
        List<dev.sightline.logs.patterns.Pattern> found = m.query(ALL, T0, T0 + 3600 * SECOND, 3600 * SECOND);
        StringBuilder shown = new StringBuilder();
        for (var p : found) {
            shown.append(p.total()).append(' ').append(p.level()).append(' ').append(p.text()).append('\n');
        }
        assertEquals(templates, found.size(), shown.toString());
        long[] expected = perTemplate.clone();
        long[] got = found.stream().mapToLong(dev.sightline.logs.patterns.Pattern::total).toArray();
        java.util.Arrays.sort(expected);
        java.util.Arrays.sort(got);
        assertArrayEquals(expected, got, shown.toString());
        // The line counts the metrics are written from agree.
        long[] collected = new Collected(m).lines.values().stream().mapToLong(Long::longValue).sorted().toArray();
        assertArrayEquals(expected, collected);
        // Each pattern's regex finds the lines it stands for: a fresh line of each template matches its pattern.
        PatternCorpus fresh = new PatternCorpus(99);
        for (int t = 0; t < templates; t++) {
            long lines = perTemplate[t];
            var p = found.stream().filter(f -> f.total() == lines).findFirst().orElseThrow();
            String line = fresh.line(t);
            assertTrue(Pattern.compile(PatternQuery.lineRegex(p.text())).matcher(line).find(), p.text() + " vs " + line);
        }
    }

    @Test
    void templatesRenderAsTheLineWithVariablesMasked() {
        PatternMiner m = mined(
                "ts=2026-12-06T10:00:00Z level=info msg=\"user logged in\" user=alice took=12ms",
                "ts=2026-12-06T10:00:01Z level=info msg=\"user logged in\" user=bob took=7ms",
                "{\"time\":\"2026-12-06T10:00:00Z\", \"level\":\"error\", \"msg\":\"cart 42 not found\", \"id\":\"a1b2\", \"tags\":[1,2]}",
                "GET /healthz from 10.0.0.1 took 0.3ms");
        List<String> texts = m.query(ALL, T0, T0, SECOND).stream().map(dev.sightline.logs.patterns.Pattern::text).sorted().toList();
        assertEquals(List.of(
                "GET /healthz from <_> took <_>",
                "ts=<_> level=info msg=\"user logged in\" user=<_> took=<_>",
                "{\"time\":\"<_>\", \"level\":\"error\", \"msg\":\"cart <_> not found\", \"id\":\"<_>\", \"tags\":<_>}"), texts);
    }

    @Test
    void jsonLinesWithOtherKeysOrLevelsAreOtherPatterns() {
        PatternMiner m = mined(
                "{\"level\":\"info\",\"msg\":\"stock low\",\"sku\":\"a\"}",
                "{\"level\":\"info\",\"msg\":\"stock low\",\"item\":\"a\"}",
                "{\"level\":\"error\",\"msg\":\"stock low\",\"sku\":\"a\"}",
                "{\"level\":\"info\",\"msg\":\"stock low\",\"sku\":\"b\"}");
        List<dev.sightline.logs.patterns.Pattern> found = m.query(ALL, T0, T0, SECOND);
        assertEquals(3, found.size());
        assertEquals(List.of("error", "info", "info"), found.stream().map(dev.sightline.logs.patterns.Pattern::level).sorted().toList());
        assertEquals("{\"level\":\"info\",\"msg\":\"stock low\",\"sku\":\"<_>\"}", found.get(0).text());
    }

    @Test
    void theMessageDecidesAndOtherFieldsGeneralise() {
        PatternMiner m = new PatternMiner(PatternMiner.Options.DEFAULTS);
        for (String user : new String[]{"alice", "bob", "carol"}) {
            m.observe(entry(T0, "pay", "level=error component=billing region=eu msg=\"charge failed\" user=" + user));
            m.observe(entry(T0, "pay", "level=error component=billing region=eu msg=\"refund failed\" user=" + user));
        }
        m.observe(entry(T0, "pay", "level=error component=ledger region=us msg=\"charge failed\" user=dave"));
        assertEquals(List.of(
                        "level=error component=<_> region=<_> msg=\"charge failed\" user=<_>",
                        "level=error component=billing region=eu msg=\"refund failed\" user=<_>"),
                m.query(ALL, T0, T0, SECOND).stream().map(dev.sightline.logs.patterns.Pattern::text).sorted().toList());
    }

    @Test
    void levelComesFromMetadataThenFieldThenLeadingWord() {
        PatternMiner m = new PatternMiner(NO_LEARNING);
        m.observe(new LogEntry(T0, Labels.of("app", "a"), Labels.of(LogEntry.LEVEL, "warn"), "disk almost full"));
        m.observe(entry(T0, "b", "lvl=ERR msg=boom"));
        m.observe(entry(T0, "c", "2026-12-06 10:00:00 [FATAL] giving up"));
        m.observe(entry(T0, "d", "a plain line"));
        Map<String, Long> counts = newPatterns(m);
        assertEquals(Map.of("a/warn", 1L, "b/error", 1L, "c/fatal", 1L, "d/unknown", 1L), counts);
    }

    @Test
    void aNewPatternCountsOnceAndSeenOnesNotAgain() {
        PatternMiner m = new PatternMiner(NO_LEARNING);
        for (int i = 0; i < 100; i++) {
            m.observe(entry(T0 + i * SECOND, "pay", "level=error msg=\"charge failed\" order=" + i));
        }
        assertEquals(Map.of("pay/error", 1L), newPatterns(m));
        m.observe(entry(T0, "pay", "level=error msg=\"refund failed\" reason=\"gateway down\" order=7"));
        m.observe(entry(T0, "pay", "level=info msg=\"charge ok\" order=8"));
        assertEquals(Map.of("pay/error", 2L, "pay/info", 1L), newPatterns(m));
    }

    @Test
    void patternsOfTheLearningPeriodAreNotNew() {
        PatternMiner m = new PatternMiner(PatternMiner.Options.DEFAULTS);
        m.observe(entry(T0, "pay", "level=error msg=\"charge failed\" order=1"));
        m.observe(entry(T0 + 599 * SECOND, "pay", "level=error msg=\"refund failed\" order=1"));
        // Every level is reported from the first line on, at 0 while learning.
        assertEquals(Map.of("pay/trace", 0L, "pay/debug", 0L, "pay/info", 0L, "pay/warn", 0L, "pay/error", 0L,
                "pay/fatal", 0L, "pay/unknown", 0L), new Collected(m).newPatterns);
        m.observe(entry(T0 + 600 * SECOND, "pay", "level=error msg=\"payout failed\" order=1"));
        m.observe(entry(T0 + 601 * SECOND, "pay", "level=error msg=\"charge failed\" order=2"));
        assertEquals(Map.of("pay/error", 1L), newPatterns(m));
        assertEquals(3, m.stats().patterns());
    }

    @Test
    void countsLandInTheirBucketsAndSumPerStep() {
        PatternMiner m = new PatternMiner(PatternMiner.Options.DEFAULTS);
        long base = 1_764_999_960L * SECOND; // a multiple of 60 s: steps align to the epoch
        long[] offsets = {0, 1, 9, 10, 35, 59, 61, 125};
        for (long o : offsets) {
            m.observe(entry(base + o * SECOND + 5, "s", "tick " + o));
        }
        // An out-of-order line lands in its own bucket too.
        m.observe(entry(base + 20 * SECOND, "s", "tick 20"));
        var p = m.query(ALL, base, base + 200 * SECOND, 10 * SECOND).get(0);
        assertArrayEquals(new long[]{base, base + 10 * SECOND, base + 20 * SECOND, base + 30 * SECOND, base + 50 * SECOND,
                base + 60 * SECOND, base + 120 * SECOND}, p.timesNanos());
        assertArrayEquals(new long[]{3, 1, 1, 1, 1, 1, 1}, p.counts());
        var perMinute = m.query(ALL, base, base + 200 * SECOND, 60 * SECOND).get(0);
        assertArrayEquals(new long[]{base, base + 60 * SECOND, base + 120 * SECOND}, perMinute.timesNanos());
        assertArrayEquals(new long[]{7, 1, 1}, perMinute.counts());
        // A step under the bucket is the bucket; a range inside one minute sees that minute's buckets only.
        var narrow = m.query(ALL, base + 60 * SECOND, base + 61 * SECOND, 1).get(0);
        assertArrayEquals(new long[]{base + 60 * SECOND}, narrow.timesNanos());
        assertEquals(9, p.total());
        assertTrue(m.query(ALL, base + 300 * SECOND, base + 400 * SECOND, SECOND).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> m.query(ALL, base, base - 1, SECOND));
    }

    @Test
    void selectorPicksStreams() {
        PatternMiner m = new PatternMiner(PatternMiner.Options.DEFAULTS);
        m.observe(new LogEntry(T0, Labels.of("service", "web", "env", "prod"), Labels.EMPTY, "served page 1"));
        m.observe(new LogEntry(T0, Labels.of("service", "web", "env", "dev"), Labels.EMPTY, "served page 2"));
        m.observe(new LogEntry(T0, Labels.of("job", "batch"), Labels.EMPTY, "job done"));
        var prod = m.query(List.of(LabelMatcher.eq("env", "prod")), T0, T0, SECOND);
        assertEquals(1, prod.size());
        assertEquals(1, prod.get(0).total());
        assertEquals("web", prod.get(0).service());
        var web = m.query(List.of(LabelMatcher.eq("service", "web")), T0, T0, SECOND);
        assertEquals(2, web.get(0).total());
        assertEquals("batch", m.query(List.of(LabelMatcher.eq("job", "batch")), T0, T0, SECOND).get(0).service());
        assertEquals(PatternMiner.UNKNOWN_SERVICE, PatternMiner.service(Labels.of("env", "x")));
    }

    @Test
    void memoryBoundsHold() {
        PatternMiner.Options o = new PatternMiner.Options(Duration.ofSeconds(10), Duration.ofMinutes(1), 10, 8, 2, 3, 0.5, Duration.ZERO);
        PatternMiner m = new PatternMiner(o);
        String[] words = {"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"};
        for (int i = 0; i < 50; i++) {
            // Fifty lines with fifty key sets: each is a new template.
            m.observe(entry(T0, "s", words[i % 10] + "_" + words[i / 10] + "=1"));
        }
        assertEquals(10, m.stats().patterns());
        assertEquals(40, m.stats().evicted());
        assertEquals(50L, newPatterns(m).get("s/unknown"));
        // A third service is not mined.
        m.observe(entry(T0, "t", "hello"));
        m.observe(entry(T0, "u", "hello"));
        assertEquals(2, m.stats().services());
        assertEquals(1, m.stats().linesDropped());
        // Ten minutes of lines in a one-minute window of 10 s buckets keep at most 6 buckets per pattern and stream.
        PatternMiner w = new PatternMiner(o);
        for (int i = 0; i < 600; i++) {
            w.observe(entry(T0 + i * SECOND, "s", "steady line"));
        }
        assertEquals(6, w.buckets());
        // Beyond maxStreamsPerService (3), streams are counted together under the service.
        for (int i = 0; i < 5; i++) {
            w.observe(new LogEntry(T0 + 599 * SECOND, Labels.of("service_name", "s", "pod", "p" + i), Labels.EMPTY, "steady line"));
        }
        // The window keeps the last minute: 60 lines of the first stream and the 5 of the pods.
        assertEquals(65, w.query(List.of(LabelMatcher.eq("service_name", "s")), T0, T0 + 600 * SECOND, 600 * SECOND)
                .get(0).total());
        assertEquals(1, w.query(List.of(LabelMatcher.re("pod", "p.+")), T0, T0 + 600 * SECOND, 600 * SECOND).get(0).total());
        // A line past the token budget keeps the first tokens, the rest one variable: long lines of one template stay one.
        PatternMiner t = new PatternMiner(o);
        t.observe(entry(T0, "s", "one two three four five six seven eight nine ten"));
        t.observe(entry(T0, "s", "one two three four five six seven other words entirely here"));
        var p = t.query(ALL, T0, T0, SECOND);
        assertEquals(1, p.size());
        assertEquals("one two three four five six seven <_>", p.get(0).text());
    }

    @Test
    void optionsRefuseBadLimits() {
        Duration s = Duration.ofSeconds(10);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new PatternMiner.Options(Duration.ZERO, s, 1, 2, 1, 2, 0.5, s))
                .getMessage().contains("bucket"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new PatternMiner.Options(s, Duration.ofSeconds(1), 1, 2, 1, 2, 0.5, s))
                .getMessage().contains("window"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new PatternMiner.Options(s, s, 1, 1, 1, 2, 0.5, s))
                .getMessage().contains("maxTokensPerLine"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new PatternMiner.Options(s, s, 1, 2, 1, 2, 0, s))
                .getMessage().contains("similarity"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new PatternMiner.Options(s, s, 1, 2, 1, 2, 0.5, s.negated()))
                .getMessage().contains("learning"));
    }

    @Test
    void idsAreStableAsTemplatesGeneralise() {
        PatternMiner m = new PatternMiner(PatternMiner.Options.DEFAULTS);
        m.observe(entry(T0, "s", "user alice signed up"));
        String first = m.query(ALL, T0, T0, SECOND).get(0).id();
        m.observe(entry(T0, "s", "user bob signed up"));
        var p = m.query(ALL, T0, T0, SECOND).get(0);
        assertEquals("user <_> signed up", p.text());
        assertEquals(first, p.id());
        assertEquals(16, first.length());
        PatternMiner other = new PatternMiner(PatternMiner.Options.DEFAULTS);
        other.observe(entry(T0, "t", "user alice signed up"));
        assertNotEquals(first, other.query(ALL, T0, T0, SECOND).get(0).id());
    }

    @Test
    void logqlOfAPatternFindsItsLines() {
        String text = "ts=<_> level=error msg=\"payment (card) failed\" amount=<_>";
        assertEquals("{service_name=\"pay\"} |~ `ts=.*? level=error msg=\"payment \\(card\\) failed\" amount=.*?`",
                PatternQuery.logql("{service_name=\"pay\"}", text));
        assertTrue(Pattern.compile(PatternQuery.lineRegex(text))
                .matcher("ts=2026-12-06T10:00:00Z level=error msg=\"payment (card) failed\" amount=12.5").find());
        assertEquals("{a=\"b\"} |~ \"x`y\\\\.\"", PatternQuery.logql("{a=\"b\"}", "x`y."));
    }
}
