package dev.sightline.server.logs.patterns;

import dev.sightline.core.Labels;
import dev.sightline.core.ValidationException;
import dev.sightline.logs.patterns.PatternMiner;
import dev.sightline.metricstore.Appender;
import dev.sightline.metricstore.CollectionLoop;

import java.io.IOException;
import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Writes the pattern miner's counters into the metric store, as a scrape would, every interval, so rules and the
 * anomaly detectors can watch them:
 * <ul>
 * <li>{@code sightline_log_new_patterns_total{service, level}}: patterns never seen before (a new kind of line);</li>
 * <li>{@code sightline_log_pattern_lines_total{service, level, pattern_id}}: lines per pattern, one series per
 * pattern held, so at most maxPatternsPerService per service; an evicted pattern's series goes stale.</li>
 * </ul>
 * Both are counters from the server's start; after a restart they begin again from zero (rate() and increase() take
 * the reset as such).
 */
public final class PatternMetrics implements AutoCloseable {
    public static final String NEW_PATTERNS = "sightline_log_new_patterns_total";
    public static final String PATTERN_LINES = "sightline_log_pattern_lines_total";

    private final PatternMiner miner;
    private final Duration interval;
    private final LongSupplier clockMs;
    private long lastCollectionMs = Long.MIN_VALUE;
    private long samplesRefused;
    private volatile CollectionLoop loop;

    public PatternMetrics(PatternMiner miner, Duration interval, LongSupplier clockMs) {
        if (interval.toMillis() <= 0) {
            throw new IllegalArgumentException("pattern metrics interval must be positive, got " + interval);
        }
        this.miner = miner;
        this.interval = interval;
        this.clockMs = clockMs;
    }

    /** Writes every counter at the clock's time into {@code appender} and commits; refused samples are counted. */
    public void collect(Appender appender) throws IOException {
        synchronized (this) {
            long ts = Math.max(clockMs.getAsLong(), lastCollectionMs + 1);
            lastCollectionMs = ts;
            miner.collect(new PatternMiner.StatsSink() {
                @Override
                public void newPatterns(String service, String level, long count) {
                    write(appender, Labels.of(Labels.METRIC_NAME, NEW_PATTERNS, "level", level, "service", service), ts, count);
                }

                @Override
                public void pattern(String service, String level, String id, String text, long lines) {
                    write(appender, Labels.of(Labels.METRIC_NAME, PATTERN_LINES, "level", level, "pattern_id", id,
                            "service", service), ts, lines);
                }
            });
        }
        // Outside the lock: a later collection waits for the clock only, not for this batch's durability.
        appender.commit();
    }

    private void write(Appender appender, Labels labels, long ts, long value) {
        try {
            appender.append(0, labels, ts, value);
        } catch (ValidationException e) {
            samplesRefused++;
        }
    }

    /** Samples the storage refused so far (series limit, label limits). */
    public synchronized long samplesRefused() {
        return samplesRefused;
    }

    /** Starts collecting every interval into a fresh appender from {@code appenders} (null while storage is not open). */
    public synchronized void start(Supplier<Appender> appenders) {
        if (loop != null) {
            throw new IllegalStateException("pattern metrics are already being written");
        }
        loop = CollectionLoop.start("pattern-metrics", interval, appenders, this::collect);
    }

    /** Stops the loop after one last collection, so the counts since the previous one are kept. */
    @Override
    public void close() {
        // Not under this object's lock: the last collection takes it.
        CollectionLoop l = loop;
        if (l != null) {
            l.close();
        }
    }
}
