package dev.sightline.ingest.remotewrite;

import dev.sightline.core.ValidationException.Reason;

import java.util.List;
import java.util.Map;

/**
 * What to answer a remote-write request and what it did; {@code version} is 2 for a remote-write 2.0 request (whose
 * answer carries the X-Prometheus-Remote-Write-*-Written headers), else 1. {@code commit} says whether the appended samples should be
 * committed: true for 204 and for a 400 that refused only some series or samples (the valid ones are kept, as the
 * client will not resend a 400); false when the body could not be used at all (malformed, too large, unsupported).
 * {@code rejected} counts refused float and histogram samples by reason; {@code errors} spells out the first few.
 */
public record RemoteWriteResult(int status, String message, boolean commit, int version,
                                long samplesAccepted, long histogramsAccepted, long exemplarsReceived, long metadataReceived,
                                Map<Reason, Long> rejected, List<String> errors) {
    public RemoteWriteResult {
        rejected = Map.copyOf(rejected);
        errors = List.copyOf(errors);
    }

    public long rejectedTotal() {
        long n = 0;
        for (long v : rejected.values()) {
            n += v;
        }
        return n;
    }

    public static RemoteWriteResult refused(int status, String message, int version) {
        return new RemoteWriteResult(status, message, false, version, 0, 0, 0, 0, Map.of(), List.of(message));
    }
}
