package dev.sightline.synthetics.canary;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What one round of a canary did, for whoever records rounds beyond the metrics (the server writes each as a trace
 * and log lines). Times are Unix milliseconds; an error reads {@code reason: message}, null when there was none.
 *
 * @param value      the value written this round
 * @param writeEndMs when the write ended (the readers are polled from then on)
 */
public record CanaryRound(String canary, String writeKind, String value, long startMs, long writeEndMs, long endMs,
                          String writeError, List<Read> reads) {

    /** How a reader ended the round. */
    public enum Outcome {
        /** It showed this round's value within the timeout. */
        VISIBLE,
        /** It answered, but not with this round's value within the timeout: stale. */
        MISSING,
        /** Its last read failed (timeout, unreachable, bad status, no value, error). */
        ERROR,
        /** The write failed: it was read once to measure its staleness, without a value to wait for. */
        READ_ONCE
    }

    /**
     * One reader's part: its staleness (age of the newest value it returned, growing while it cannot be read) and
     * lag (write to visible) in seconds, null when not measured; {@code endMs} when it showed the value or the round
     * ended.
     */
    public record Read(String reader, String kind, Map<String, String> labels, Outcome outcome, Double stalenessSeconds,
                       Double lagSeconds, String error, long endMs) {
    }

    static CanaryRound of(Canary canary, Canary.RoundResult r) {
        boolean written = r.write().error() == null;
        List<Read> reads = new ArrayList<>();
        for (Canary.Outcome o : r.outcomes()) {
            CanaryConfig.Reader cfg = o.reader().config;
            Outcome outcome = o.seen() ? Outcome.VISIBLE : o.error() != null ? Outcome.ERROR
                    : written ? Outcome.MISSING : Outcome.READ_ONCE;
            reads.add(new Read(cfg.name(), cfg.kind(), cfg.labels(), outcome, orNull(o.reader().stalenessSeconds),
                    o.seen() ? o.reader().lagSeconds : null,
                    o.error() == null ? null : o.error().label() + ": " + o.errorMessage(),
                    o.seen() ? o.seenAtMs() : r.endMs()));
        }
        return new CanaryRound(r.canary(), canary.config().write().kind(), r.write().value().toString(), r.startMs(),
                r.writeEndMs(), r.endMs(),
                written ? null : r.write().error().label() + ": " + r.write().errorMessage(), List.copyOf(reads));
    }

    static Double orNull(double v) {
        return Double.isNaN(v) ? null : v;
    }
}
