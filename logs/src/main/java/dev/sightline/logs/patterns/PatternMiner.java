package dev.sightline.logs.patterns;

import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.logs.LogEntry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Log patterns, mined at ingest as Loki's pattern ingester and Datadog's log patterns do: each committed line joins
 * a template of its service (Drain: grouped by token count, level and key structure, then by similarity of the
 * literal tokens, differing tokens becoming {@code <_>}; numbers, ids, IPs, durations, quoted values masked before,
 * see {@link LineTokens}). Each pattern counts its lines per stream and time bucket over a window, has a stable id,
 * and its service counts the patterns it never saw before.
 * <p>
 * Memory is bounded: at most {@code maxServices} services (lines of further ones are not mined, see
 * {@link Stats#linesDropped()}), {@code maxPatternsPerService} patterns each (the least recently used evicted for a
 * new one; one that comes back counts as new again), {@code maxStreamsPerService} streams each (the rest counted as
 * one), {@code maxTokensPerLine} tokens per line (the rest of a longer line is one variable), and per pattern and
 * stream at most one count per bucket of the window. Thread-safe: services mine in parallel, one lock each; the line
 * is tokenised outside the lock into a per-thread buffer.
 */
public final class PatternMiner {
    /** The stream labels naming a line's service, in order of preference (Loki's service_name detection). */
    public static final List<String> SERVICE_LABELS = List.of("service_name", "service", "app", "job");
    /** The service of streams without any of {@link #SERVICE_LABELS}, as Loki names it. */
    public static final String UNKNOWN_SERVICE = "unknown_service";

    /**
     * @param bucket                the time resolution of the counts (Loki: 10 s)
     * @param window                how long counts are kept, back from the newest line of a service (Loki: 3 h)
     * @param maxPatternsPerService patterns kept per service
     * @param maxTokensPerLine      tokens a line is cut into at most
     * @param maxServices           services mined at most
     * @param maxStreamsPerService  streams counted apart per service (at least 2)
     * @param similarity            the share of a template's literal tokens a line must have equal to join it must exceed this (so a line
     *                              differing in one of two words starts a pattern of its own)
     * @param learning              how long after a service's first line (by line time) the patterns it finds are
     *                              taken as what the service normally writes and not counted as new: patterns are
     *                              not kept across restarts, so without it every restart would look like a burst
     *                              of new kinds of lines
     */
    public record Options(Duration bucket, Duration window, int maxPatternsPerService, int maxTokensPerLine,
                          int maxServices, int maxStreamsPerService, double similarity, Duration learning) {
        public static final Options DEFAULTS = new Options(Duration.ofSeconds(10), Duration.ofHours(3), 300, 64,
                1000, 256, 0.5, Duration.ofMinutes(10));

        public Options {
            if (bucket.toNanos() <= 0) {
                throw new IllegalArgumentException("patterns bucket must be positive, got " + bucket);
            }
            if (window.compareTo(bucket) < 0) {
                throw new IllegalArgumentException("patterns window " + window + " is shorter than the bucket " + bucket);
            }
            if (window.toNanos() / bucket.toNanos() > 1_000_000) {
                throw new IllegalArgumentException("patterns window " + window + " holds over 1,000,000 buckets of " + bucket);
            }
            if (maxPatternsPerService < 1 || maxTokensPerLine < 2 || maxServices < 1 || maxStreamsPerService < 2) {
                throw new IllegalArgumentException("patterns limits: maxPatternsPerService >= 1, maxTokensPerLine >= 2, "
                        + "maxServices >= 1 and maxStreamsPerService >= 2 needed, got " + maxPatternsPerService + ", "
                        + maxTokensPerLine + ", " + maxServices + ", " + maxStreamsPerService);
            }
            if (!(similarity > 0 && similarity <= 1)) {
                throw new IllegalArgumentException("patterns similarity must be in (0, 1], got " + similarity);
            }
            if (learning.isNegative()) {
                throw new IllegalArgumentException("patterns learning period must not be negative, got " + learning);
            }
        }
    }

    /** Receives the counters of {@link #collect}. */
    public interface StatsSink {
        /**
         * Patterns {@code service} found at {@code level} since its learning period ended (evicted ones included);
         * given for every level once the service has a line, 0 included, so a first new pattern is an increase.
         */
        void newPatterns(String service, String level, long count);

        /** A pattern held, with the lines it matched since it was found. */
        void pattern(String service, String level, String id, String text, long lines);
    }

    /**
     * @param services     services mined
     * @param patterns     patterns held
     * @param evicted      patterns evicted for new ones
     * @param linesDropped lines not mined because {@code maxServices} services were already mined
     */
    public record Stats(int services, int patterns, long evicted, long linesDropped) {
    }

    private final Options options;
    private final ConcurrentHashMap<String, ServiceMiner> services = new ConcurrentHashMap<>();
    private final ThreadLocal<LineTokens> tokens;
    private final AtomicLong linesDropped = new AtomicLong();

    public PatternMiner(Options options) {
        this.options = options;
        this.tokens = ThreadLocal.withInitial(() -> new LineTokens(options.maxTokensPerLine()));
    }

    /** Mines one committed line. */
    public void observe(LogEntry e) {
        ServiceMiner m = miner(service(e.stream()));
        if (m == null) {
            linesDropped.incrementAndGet();
            return;
        }
        LineTokens t = tokens.get();
        t.read(e.line());
        m.observe(e, t);
    }

    /** Mines the committed lines of one request. */
    public void observe(List<LogEntry> entries) {
        for (int i = 0, n = entries.size(); i < n; i++) {
            observe(entries.get(i));
        }
    }

    private ServiceMiner miner(String service) {
        ServiceMiner m = services.get(service);
        if (m == null) {
            if (services.size() >= options.maxServices()) {
                return null;
            }
            m = services.computeIfAbsent(service, s -> new ServiceMiner(s, options));
        }
        return m;
    }

    /** The service a stream belongs to: its first label of {@link #SERVICE_LABELS}, else {@link #UNKNOWN_SERVICE}. */
    public static String service(Labels stream) {
        for (int i = 0; i < SERVICE_LABELS.size(); i++) {
            String v = stream.get(SERVICE_LABELS.get(i));
            if (v != null && !v.isEmpty()) {
                return v;
            }
        }
        return UNKNOWN_SERVICE;
    }

    /**
     * The patterns of the streams {@code selector} matches with lines in {@code [startNanos, endNanos]}, their counts
     * summed per {@code stepNanos} (rounded up to whole buckets, steps aligned to the epoch), most lines first.
     */
    public List<Pattern> query(List<LabelMatcher> selector, long startNanos, long endNanos, long stepNanos) {
        if (endNanos < startNanos) {
            throw new IllegalArgumentException("end " + endNanos + " is before start " + startNanos);
        }
        long bucket = options.bucket().toNanos();
        long step = Math.max(bucket, (stepNanos + bucket - 1) / bucket * bucket);
        List<Pattern> out = new ArrayList<>();
        for (ServiceMiner m : services.values()) {
            m.query(selector, startNanos, endNanos, step, out);
        }
        out.sort(Comparator.comparingLong(Pattern::total).reversed().thenComparing(Pattern::text));
        return out;
    }

    /** Hands every service's new-pattern counts and every held pattern's line count to {@code sink}. */
    public void collect(StatsSink sink) {
        for (ServiceMiner m : services.values()) {
            m.collect(sink);
        }
    }

    public Stats stats() {
        int patterns = 0;
        long evicted = 0;
        for (ServiceMiner m : services.values()) {
            patterns += m.templates();
            evicted += m.evicted();
        }
        return new Stats(services.size(), patterns, evicted, linesDropped.get());
    }

    /** Count buckets held over all patterns and streams, for the memory bound's test. */
    int buckets() {
        int b = 0;
        for (ServiceMiner m : services.values()) {
            b += m.buckets();
        }
        return b;
    }

    public Options options() {
        return options;
    }
}
