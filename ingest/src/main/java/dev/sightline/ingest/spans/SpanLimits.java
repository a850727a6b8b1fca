package dev.sightline.ingest.spans;

/**
 * Limits applied to incoming spans, with the OpenTelemetry SDK's semantics (SpanLimits): attributes beyond
 * {@code maxAttributes} on a span, event or link (and on a resource or scope) are dropped and counted in its dropped_attributes_count; events and
 * links beyond {@code maxEvents}/{@code maxLinks} are dropped and counted in dropped_events_count/dropped_links_count;
 * string values longer than {@code maxAttributeValueLength} characters are truncated (bytes values to as many bytes).
 * A span is never rejected for a limit. Arrays and key-value lists, held as JSON, cannot be cut without breaking the
 * JSON: one longer than the limit is dropped and counted instead.
 *
 * <p>The defaults: 1024 attributes, events and links (the SDK's 128 would cut what a sender configured higher), values
 * of 2048 characters, Tempo's default max_attribute_bytes, so one runaway attribute (a stack trace, a SQL text) does
 * not bloat the store.
 */
public record SpanLimits(int maxAttributes, int maxAttributeValueLength, int maxEvents, int maxLinks) {
    public static final SpanLimits DEFAULT = new SpanLimits(1024, 2048, 1024, 1024);

    public SpanLimits {
        if (maxAttributes < 0 || maxAttributeValueLength < 0 || maxEvents < 0 || maxLinks < 0) {
            throw new IllegalArgumentException("span limits must be >= 0: " + maxAttributes + ", " + maxAttributeValueLength
                    + ", " + maxEvents + ", " + maxLinks);
        }
    }

    /** {@code s} cut to the value length limit; a surrogate pair at the cut is dropped whole, not split. */
    public String truncate(String s) {
        if (s.length() <= maxAttributeValueLength) {
            return s;
        }
        int end = maxAttributeValueLength;
        if (end > 0 && Character.isHighSurrogate(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, end);
    }

    /** Whether a JSON (array or key-value list) value fits; one that does not is dropped. */
    public boolean fits(String json) {
        return json.length() <= maxAttributeValueLength;
    }
}
