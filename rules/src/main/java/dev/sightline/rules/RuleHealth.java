package dev.sightline.rules;

import dev.sightline.promql.engine.DetectorCache;

/** The last-evaluation bookkeeping both rule kinds share, and the detector state kept between evaluations. */
abstract class RuleHealth {
    private DetectorCache detectorCache;
    private volatile long lastEvaluationMs;
    private volatile double evaluationSeconds;
    private volatile String lastError = "";

    public String health() {
        return lastEvaluationMs == 0 ? "unknown" : lastError.isEmpty() ? "ok" : "err";
    }

    public String lastError() {
        return lastError;
    }

    public long lastEvaluationMs() {
        return lastEvaluationMs;
    }

    public double evaluationSeconds() {
        return evaluationSeconds;
    }

    public void recordEvaluation(long tsMs, double seconds, String error) {
        lastEvaluationMs = tsMs;
        evaluationSeconds = seconds;
        lastError = error == null ? "" : error;
    }

    /**
     * The anomaly functions' detector state kept between this rule's evaluations, made on first use: a rule of a
     * reloaded configuration starts afresh (the first evaluation reads its ranges in full).
     */
    synchronized DetectorCache detectorCache(RuleContext ctx) {
        if (detectorCache == null) {
            detectorCache = new DetectorCache(ctx.outOfOrderWindowMs());
        }
        return detectorCache;
    }

    /** The detector state, or null before the first evaluation. */
    public synchronized DetectorCache detectorCache() {
        return detectorCache;
    }
}
