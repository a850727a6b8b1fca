package dev.sightline.synthetics.canary;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A canary value: {@code sightline-canary/<canary>/<epoch millis>/<random hex>}. It carries its own write time, so
 * whatever value a reader returns, even one written hours ago, says how stale that reader is; the random part tells
 * this round's value from an earlier one written in the same millisecond.
 */
public record CanaryValue(String canary, long writtenAtMs, String nonce) {
    private static final String PREFIX = "sightline-canary/";
    private static final Pattern FORMAT = Pattern.compile("sightline-canary/([A-Za-z0-9_.:-]+)/(\\d{1,18})/([0-9a-f]{16})");

    /** A new value of {@code canary} written at {@code nowMs}. */
    public static CanaryValue next(String canary, long nowMs) {
        return new CanaryValue(canary, nowMs, HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()));
    }

    /**
     * The first value of {@code canary} found in {@code text} (a body, a column, a key's value), or null when there is
     * none: a reader that answers something else has not got the canary.
     */
    public static CanaryValue find(String canary, CharSequence text) {
        if (text == null) {
            return null;
        }
        Matcher m = FORMAT.matcher(text);
        while (m.find()) {
            if (m.group(1).equals(canary)) {
                return new CanaryValue(canary, Long.parseLong(m.group(2)), m.group(3));
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return PREFIX + canary + "/" + writtenAtMs + "/" + nonce;
    }
}
