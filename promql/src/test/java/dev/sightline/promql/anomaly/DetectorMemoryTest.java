package dev.sightline.promql.anomaly;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a rule's detector state holds per series for a {@code [7d]} window of minutely points (the state
 * DetectorCache keeps between evaluations): built by a full read, then kept up to date for two days of additions
 * and evictions, as a rule evaluating every minute would. Sizes by {@link RetainedSize} (array lengths and fields).
 */
class DetectorMemoryTest {
    private static final long MINUTE = 60_000L;
    private static final long DAY = 1440 * MINUTE;
    private static final long RANGE = 7 * DAY;

    @Test
    void bytesPerSeriesOfASevenDayMinutelyWindow() {
        // Bytes per point each may hold: 12 per point of the window (4-byte time offsets) and its 16th of room, 8 more
        // per sorted copy (robust: the baseline; combined: the robust baseline and the decomposition's three residual
        // samples, 16 bytes a point each, their times held once, a model's sorted copy only once it judges, and its own
        // timestamps).
        Map<String, Double> budget = Map.of("zscore_over_time", 13.0, "robust_zscore_over_time", 21.5,
                "seasonal_score", 13.6, "anomaly_score_over_time", 75.0);
        Map<String, Supplier<StreamingDetector>> detectors = new LinkedHashMap<>();
        detectors.put("zscore_over_time", ZScore::new);
        detectors.put("robust_zscore_over_time", RobustZScore::new);
        detectors.put("seasonal_score", () -> new SeasonalBaseline(DAY));
        detectors.put("anomaly_score_over_time", () -> new CombinedDetector(DAY));
        long total = 0;
        for (Map.Entry<String, Supplier<StreamingDetector>> e : detectors.entrySet()) {
            StreamingDetector d = e.getValue().get();
            steadyState(d);
            long bytes = RetainedSize.of(d);
            total += bytes;
            System.out.printf("%-26s %8d bytes per series, %5.1f per point (%d points)%n", e.getKey(), bytes,
                    (double) bytes / d.size(), d.size());
            assertThat((double) bytes / d.size()).as(e.getKey()).isLessThanOrEqualTo(budget.get(e.getKey()));
        }
        long mean = total / detectors.size();
        System.out.printf("%-26s %8d bytes per series%n", "mean", mean);
    }

    /** Trimming moves arrays and nothing else: a trimmed detector scores every point exactly as an untrimmed one. */
    @Test
    void trimmingChangesNoScore() {
        CombinedDetector trimmed = new CombinedDetector(DAY);
        CombinedDetector kept = new CombinedDetector(DAY);
        Random rnd = new Random(5);
        for (long t = 0; t < RANGE + 2 * DAY; t += MINUTE) {
            double v = value(t, rnd);
            for (CombinedDetector d : new CombinedDetector[]{trimmed, kept}) {
                d.add(t, v);
                d.evictThrough(t - RANGE);
            }
            if (t % (6 * 3_600_000L) == 0) {
                trimmed.trim();
            }
            if (t > DAY) {
                assertThat(trimmed.logP()).as("at %d", t).isEqualTo(kept.logP());
            }
        }
        assertThat(RetainedSize.of(trimmed)).isLessThan(RetainedSize.of(kept));
    }

    /** A full read of seven days, scored and trimmed, then two days of minutely additions, each evicting and scoring as a rule does. */
    static void steadyState(StreamingDetector d) {
        Random rnd = new Random(3);
        long t = 0;
        for (; t < RANGE; t += MINUTE) {
            d.add(t, value(t, rnd));
        }
        d.evictThrough(t - RANGE);
        // As DetectorCache: trimmed after the first score, which builds the sorted copies the detectors derive lazily.
        d.score();
        d.trim();
        for (long end = t + 2 * DAY; t < end; t += MINUTE) {
            d.add(t, value(t, rnd));
            d.evictThrough(t - RANGE);
            d.score();
        }
    }

    private static double value(long t, Random rnd) {
        return 100 + 20 * Math.sin(2 * Math.PI * t / DAY) + rnd.nextGaussian() * 3;
    }
}
