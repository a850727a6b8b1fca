package dev.sightline.synthetics.canary;

import java.util.List;
import java.util.Map;

/**
 * What the API shows of a canary: its settings and, per reader, the last staleness and lag (seconds, null before the
 * first measure), the last error (null when the last round read fine) and the counters.
 */
public record CanaryStatus(String name, String writeKind, long intervalMs, long timeoutMs, long lastRoundMs,
                           String lastWriteError, List<ReaderStatus> readers) {

    public record ReaderStatus(String name, String kind, Map<String, String> labels, Double stalenessSeconds,
                               Double lagSeconds, String lastError, long lastSuccessMs, double missingTotal,
                               double errorsTotal) {
    }
}
