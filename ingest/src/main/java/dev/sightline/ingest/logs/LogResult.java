package dev.sightline.ingest.logs;

import java.util.Map;

/**
 * The outcome of one log request: entries stored and refused, their line bytes, the refusals by reason, and a
 * message naming the first refusals (empty when nothing was refused); what partial_success, Loki's 400 and the
 * NDJSON answer report.
 */
public record LogResult(long accepted, long rejected, long acceptedBytes, long rejectedBytes,
                        Map<LogRejection, Long> rejectedBy, String errorMessage) {
    public LogResult {
        rejectedBy = Map.copyOf(rejectedBy);
    }
}
