package dev.sightline.traces.metrics;

import dev.sightline.core.span.AttributeType;
import dev.sightline.core.span.Attributes;

/** Attribute lookups the processors share. */
final class SpanAttributes {
    private SpanAttributes() {
    }

    /**
     * The value of {@code key} as label text, from the first list that has it, or null. Strings are returned as they
     * are (no copy); other types as their text.
     */
    static String find(String key, Attributes first, Attributes second) {
        String v = find(key, first);
        return v != null ? v : find(key, second);
    }

    static String find(String key, Attributes attributes) {
        int i = attributes.indexOf(key);
        if (i < 0) {
            return null;
        }
        return attributes.type(i) == AttributeType.STRING ? attributes.stringValue(i) : attributes.valueText(i);
    }
}
