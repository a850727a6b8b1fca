package dev.sightline.alerting;

import dev.sightline.core.Labels;

import java.nio.charset.StandardCharsets;

/**
 * An alert as Alertmanager holds it. Times are Unix milliseconds; {@code endsAtMs} 0 means "not given" (the store
 * sets it from resolve_timeout). An alert is resolved once {@code endsAtMs} has passed.
 */
public record Alert(Labels labels, Labels annotations, long startsAtMs, long endsAtMs, String generatorUrl,
                    long updatedAtMs) {
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    public Alert {
        annotations = annotations == null ? Labels.EMPTY : annotations;
        generatorUrl = generatorUrl == null ? "" : generatorUrl;
    }

    public boolean resolvedAt(long nowMs) {
        return endsAtMs > 0 && endsAtMs <= nowMs;
    }

    public long fingerprint() {
        return fingerprint(labels);
    }

    /** Alertmanager's fingerprint text: 16 hex digits. */
    public String fingerprintHex() {
        return String.format("%016x", fingerprint());
    }

    /**
     * Prometheus's label-set fingerprint (FNV-1a 64 over sorted names and values, each followed by 0xff), so
     * fingerprints shown here are the ones Alertmanager shows for the same alert.
     */
    public static long fingerprint(Labels labels) {
        long h = FNV_OFFSET;
        for (int i = 0; i < labels.size(); i++) {
            h = add(h, labels.name(i));
            h = add(h, labels.value(i));
        }
        return h;
    }

    private static long add(long h, String s) {
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= FNV_PRIME;
        }
        h ^= 0xff;
        return h * FNV_PRIME;
    }

    /** Alertmanager's merge of a re-sent alert into the one held: an ongoing alert keeps its start. */
    public Alert merge(Alert newer) {
        boolean ongoing = !(endsAtMs > 0 && endsAtMs < newer.startsAtMs);
        long start = ongoing ? Math.min(startsAtMs, newer.startsAtMs) : newer.startsAtMs;
        return new Alert(labels, newer.annotations, start, newer.endsAtMs, newer.generatorUrl, newer.updatedAtMs);
    }
}
