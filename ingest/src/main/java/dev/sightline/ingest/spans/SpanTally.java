package dev.sightline.ingest.spans;

import java.util.ArrayList;
import java.util.List;

/** Counts one request's accepted and rejected spans and keeps the first rejection messages for the answer. */
public final class SpanTally {
    private final int maxReportedErrors;
    private long accepted;
    private long rejected;
    private final List<String> errors = new ArrayList<>();

    public SpanTally(int maxReportedErrors) {
        this.maxReportedErrors = maxReportedErrors;
    }

    public void accepted() {
        accepted++;
    }

    public void rejected(String message) {
        rejected++;
        if (errors.size() < maxReportedErrors) {
            errors.add(message);
        }
    }

    public SpanResult result() {
        if (rejected == 0) {
            return new SpanResult(accepted, 0, "");
        }
        StringBuilder msg = new StringBuilder().append(rejected).append(rejected == 1 ? " span" : " spans")
                .append(" rejected: ").append(String.join("; ", errors));
        if (rejected > errors.size()) {
            msg.append("; and ").append(rejected - errors.size()).append(" more");
        }
        return new SpanResult(accepted, rejected, msg.toString());
    }
}
