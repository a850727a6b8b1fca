package dev.sightline.ingest.otlp;

import dev.sightline.core.ValidationException;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** What one request's translation came to: points accepted and rejected (by reason, with messages), samples appended. */
final class PointTally {
    private final int maxReportedErrors;
    long acceptedPoints;
    long rejectedPoints;
    long samples;
    private long errorCount;
    private final Map<String, Long> reasons = new TreeMap<>();
    private final List<String> errors = new ArrayList<>();

    PointTally(int maxReportedErrors) {
        this.maxReportedErrors = maxReportedErrors;
    }

    void reject(String metric, ValidationException e) {
        reject(metric, reason(e), e.getMessage());
    }

    void reject(String metric, String reason, String message) {
        rejectedPoints++;
        reasons.merge(reason, 1L, Long::sum);
        note("metric \"" + metric + "\": " + message);
    }

    /** A refused sample that is not a data point of the request: counted under its reason, not in the point counts. */
    void refused(String what, ValidationException e) {
        reasons.merge(reason(e), 1L, Long::sum);
        note(what + ": " + e.getMessage());
    }

    private static String reason(ValidationException e) {
        return e.reason().name().toLowerCase(Locale.ROOT);
    }

    private void note(String error) {
        errorCount++;
        if (errors.size() < maxReportedErrors) {
            errors.add(error);
        }
    }

    OtlpResult result() {
        StringBuilder msg = new StringBuilder();
        if (rejectedPoints > 0) {
            msg.append(rejectedPoints).append(" data point").append(rejectedPoints == 1 ? "" : "s").append(" rejected: ");
            msg.append(String.join("; ", errors));
            if (errorCount > errors.size()) {
                msg.append("; and ").append(errorCount - errors.size()).append(" more");
            }
        }
        return new OtlpResult(acceptedPoints, rejectedPoints, samples, Map.copyOf(reasons), msg.toString());
    }
}
