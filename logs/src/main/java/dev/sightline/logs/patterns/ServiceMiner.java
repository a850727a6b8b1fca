package dev.sightline.logs.patterns;

import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.logs.LogEntry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The patterns of one service (Drain's parse tree, flattened): lines are grouped by token count, level and key
 * structure, and within a group a line joins the most similar template if similar enough, or starts a new one. At
 * most {@code maxPatterns} templates: a new one beyond that evicts the least recently used. Every method runs under
 * this object's lock.
 */
final class ServiceMiner {
    private final String service;
    private final PatternMiner.Options options;
    private final long bucketNanos;
    private final int windowBuckets;
    private final GroupTable groups = new GroupTable();
    private int templates;
    private long useCounter;
    private final long[] newPatterns = new long[Levels.NAMES.length];
    /** Line time from which a pattern found counts as new; set by the first line. */
    private long learnedAt = Long.MIN_VALUE;
    private long evicted;
    /** Stream label sets seen, by ordinal; streams past the bound share the last ordinal. */
    private final Map<Labels, Integer> streamOrdinals = new HashMap<>();
    private final List<Labels> streams = new ArrayList<>();
    private Labels lastStream;
    private int lastOrdinal;
    private int newestBucket = Integer.MIN_VALUE;

    ServiceMiner(String service, PatternMiner.Options options) {
        this.service = service;
        this.options = options;
        this.bucketNanos = options.bucket().toNanos();
        this.windowBuckets = (int) Math.max(1, options.window().toNanos() / bucketNanos);
    }

    /** Adds the line {@code t} holds (tokenised from {@code e}). Returns true when it started a new pattern. */
    synchronized boolean observe(LogEntry e, LineTokens t) {
        int level = level(e, t);
        long key = groupKey(t, level);
        List<Template> group = groups.get(key);
        Template best = null;
        if (group != null) {
            double bestSim = -1;
            for (int i = 0, n = group.size(); i < n; i++) {
                Template c = group.get(i);
                double sim = c.similarity(t);
                if (sim > bestSim) {
                    bestSim = sim;
                    best = c;
                }
            }
            if (bestSim <= options.similarity()) {
                best = null;
            } else {
                best.merge(t);
            }
        }
        boolean created = best == null;
        if (created) {
            if (templates >= options.maxPatternsPerService()) {
                evictLeastRecentlyUsed();
            }
            best = new Template(service, t, level, key);
            // Looked up again: the eviction may have removed the group.
            groups.getOrCreate(key).add(best);
            templates++;
            if (learnedAt == Long.MIN_VALUE) {
                learnedAt = saturatedAdd(e.timeNanos(), options.learning().toNanos());
            }
            if (e.timeNanos() >= learnedAt) {
                newPatterns[level]++;
            }
        }
        long b = Math.floorDiv(e.timeNanos(), bucketNanos);
        int bucket = (int) Math.max(Integer.MIN_VALUE + 1L, Math.min(Integer.MAX_VALUE, b));
        newestBucket = Math.max(newestBucket, bucket);
        best.count(stream(e.stream()), bucket, windowBuckets);
        best.lastUsed = ++useCounter;
        return created;
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    private void evictLeastRecentlyUsed() {
        Template[] victim = new Template[1];
        groups.forEach(c -> {
            if (victim[0] == null || c.lastUsed < victim[0].lastUsed) {
                victim[0] = c;
            }
        });
        evict(victim[0]);
    }

    private void evict(Template victim) {
        List<Template> g = groups.get(victim.groupKey);
        g.remove(victim);
        if (g.isEmpty()) {
            groups.remove(victim.groupKey);
        }
        templates--;
        evicted++;
    }

    /**
     * The line's level: the store's {@code detected_level} metadata when the ingester set it, else the line's level
     * field, else a level word among its first tokens ({@code [ERROR]}, {@code WARN}), else unknown.
     */
    private static int level(LogEntry e, LineTokens t) {
        String meta = e.metadata().get(LogEntry.LEVEL);
        if (meta != null) {
            int l = Levels.of(meta, 0, meta.length());
            return l < 0 ? Levels.UNKNOWN : l;
        }
        if (t.levelStart >= 0) {
            int l = Levels.of(t.line, t.levelStart, t.levelEnd);
            return l < 0 ? Levels.UNKNOWN : l;
        }
        for (int i = 0, n = Math.min(t.count, 4); i < n; i++) {
            int len = t.coreEnd[i] - t.coreStart[i];
            // One-letter words ("a", "I") are too common to be a level in running text.
            if (t.kind[i] == LineTokens.WORD && !t.masked[i] && len > 1) {
                int l = Levels.of(t.line, t.coreStart[i], t.coreEnd[i]);
                if (l >= 0) {
                    return l;
                }
            }
        }
        return Levels.UNKNOWN;
    }

    /** Token count, level and the key tokens with their positions: lines that differ in any never share a template. */
    private static long groupKey(LineTokens t, int level) {
        long h = t.count * 31L + level;
        for (int i = 0; i < t.count; i++) {
            if (t.kind[i] == LineTokens.KEY) {
                h = h * 0x9E3779B97F4A7C15L + ((long) i << 32 | (t.hash[i] & 0xffffffffL));
            }
        }
        return h;
    }

    private int stream(Labels labels) {
        if (labels == lastStream) {
            return lastOrdinal;
        }
        Integer o = streamOrdinals.get(labels);
        if (o == null) {
            int max = options.maxStreamsPerService();
            if (streams.size() < max - 1) {
                o = streams.size();
                streams.add(labels);
                streamOrdinals.put(labels, o);
            } else {
                // Past the bound, further streams are counted together, as one stream with the service label only.
                if (streams.size() == max - 1) {
                    streams.add(Labels.of(PatternMiner.SERVICE_LABELS.get(0), service));
                }
                o = max - 1;
            }
        }
        lastStream = labels;
        lastOrdinal = o;
        return o;
    }

    /** Adds this service's patterns with lines in {@code [fromNanos, toNanos]} of streams matching {@code selector}. */
    synchronized void query(List<LabelMatcher> selector, long fromNanos, long toNanos, long stepNanos, List<Pattern> out) {
        boolean[] selected = new boolean[streams.size()];
        boolean any = false;
        for (int i = 0; i < selected.length; i++) {
            selected[i] = matches(selector, streams.get(i));
            any |= selected[i];
        }
        if (!any || newestBucket == Integer.MIN_VALUE) {
            return;
        }
        int per = (int) Math.max(1, stepNanos / bucketNanos);
        long oldest = (long) newestBucket - windowBuckets + 1;
        long from = Math.max(Math.floorDiv(fromNanos, bucketNanos), oldest);
        from = Math.floorDiv(from, per) * per;
        long to = Math.min(Math.floorDiv(toNanos, bucketNanos), newestBucket);
        if (to < from) {
            return;
        }
        int steps = (int) ((to - from) / per + 1);
        long first = from;
        groups.forEach(c -> {
            long[] sums = new long[steps];
            if (c.sumInto(selected, (int) first, (int) to, per, sums)) {
                addSamples(c, sums, first, per, out);
            }
        });
    }

    /** Adds the pattern with its non-zero steps; nothing when all are zero. */
    private void addSamples(Template c, long[] sums, long from, int per, List<Pattern> out) {
        int nonZero = 0;
        for (long s : sums) {
            nonZero += s > 0 ? 1 : 0;
        }
        if (nonZero == 0) {
            return;
        }
        long[] times = new long[nonZero];
        long[] counts = new long[nonZero];
        for (int i = 0, j = 0; i < sums.length; i++) {
            if (sums[i] > 0) {
                times[j] = (from + (long) i * per) * bucketNanos;
                counts[j++] = sums[i];
            }
        }
        out.add(new Pattern(service, Levels.NAMES[c.level], c.id, c.render(), times, counts));
    }

    private static boolean matches(List<LabelMatcher> selector, Labels stream) {
        for (LabelMatcher m : selector) {
            String v = stream.get(m.name());
            if (!m.matches(v == null ? "" : v)) {
                return false;
            }
        }
        return true;
    }

    synchronized void collect(PatternMiner.StatsSink sink) {
        for (int l = 0; l < newPatterns.length; l++) {
            sink.newPatterns(service, Levels.NAMES[l], newPatterns[l]);
        }
        groups.forEach(c -> sink.pattern(service, Levels.NAMES[c.level], c.id, c.render(), c.lines));
    }

    synchronized int templates() {
        return templates;
    }

    synchronized long evicted() {
        return evicted;
    }

    synchronized int buckets() {
        int[] b = new int[1];
        groups.forEach(c -> b[0] += c.buckets());
        return b[0];
    }
}
