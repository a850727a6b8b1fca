package dev.sightline.logs.patterns;

/**
 * A pattern as a query answers it: the service and level it was mined under, its stable id (the
 * {@code pattern_id} of its line-count series), its text with {@code <_>} for variable parts, and the lines it
 * matched per step (step start in unix nanoseconds, count), steps without lines left out.
 */
public record Pattern(String service, String level, String id, String text, long[] timesNanos, long[] counts) {
    /** Lines over all steps. */
    public long total() {
        long t = 0;
        for (long c : counts) {
            t += c;
        }
        return t;
    }
}
