package dev.sightline.synthetics.canary;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Canaries running in a test with what they commit recorded; as a {@code @RegisterExtension} field they stop after
 * each test.
 */
public final class CanaryRun implements AfterEachCallback {
    public final RecordingAppender store = new RecordingAppender();
    /** Every round the canaries reported, in order. */
    public final List<CanaryRound> rounds = new java.util.concurrent.CopyOnWriteArrayList<>();
    public final Canaries canaries = new Canaries(store::appender, dev.sightline.synthetics.SyntheticClock.WALL, rounds::add);

    public void apply(CanaryConfig... configs) {
        canaries.apply(List.of(configs));
    }

    /** Waits until the reader showed a round's value within half a second: a warm round, not the first connection's. */
    public void awaitFresh(String reader, double seconds) throws InterruptedException {
        Poll.until(seconds, reader + " shows a round's value at once", () -> {
            RecordingAppender.Sample lag = store.last(CanaryMetrics.LAG, "reader", reader);
            return lag != null && lag.value() < 0.5;
        });
    }

    /**
     * Asserts that the reader's newest staleness is the time since {@code injectedAtMs} (when it went stale) within
     * one interval, and returns that sample.
     */
    public RecordingAppender.Sample assertStalenessTracks(String reader, long injectedAtMs, Duration interval) {
        RecordingAppender.Sample stale = store.last(CanaryMetrics.STALENESS, "reader", reader);
        assertThat(stale.value()).isCloseTo((stale.timestampMs() - injectedAtMs) / 1000.0, within(interval.toMillis() / 1000.0));
        return stale;
    }

    /**
     * Waits for the reader to miss a round after {@code brokenAtMs} (when it stopped showing new values) and asserts
     * that round ended within two intervals of the break: the staleness was caught.
     */
    public void assertCaughtWithinTwoIntervals(String reader, long brokenAtMs, Duration interval) throws InterruptedException {
        double before = store.samples(CanaryMetrics.MISSING, "reader", reader).stream()
                .filter(s -> s.timestampMs() <= brokenAtMs).mapToDouble(RecordingAppender.Sample::value).max().orElse(0);
        long twoIntervals = 2 * interval.toMillis();
        Poll.until(twoIntervals / 1000.0 + 0.5, reader + " misses a round after the break", () -> {
            RecordingAppender.Sample s = store.last(CanaryMetrics.MISSING, "reader", reader);
            return s != null && s.value() > before;
        });
        RecordingAppender.Sample caught = store.samples(CanaryMetrics.MISSING, "reader", reader).stream()
                .filter(s -> s.value() > before).findFirst().orElseThrow();
        assertThat(caught.timestampMs() - brokenAtMs).isLessThanOrEqualTo(twoIntervals + 100);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        canaries.close();
    }
}
