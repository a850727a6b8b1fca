package dev.sightline.core.span;

import java.util.Objects;

/**
 * The instrumentation scope (library) that recorded spans, with ScopeSpans.schema_url. Shared by every span of the
 * scope, never copied per span.
 */
public record InstrumentationScope(String name, String version, Attributes attributes, int droppedAttributesCount,
                                   String schemaUrl) {
    public static final InstrumentationScope EMPTY = new InstrumentationScope("", "", Attributes.EMPTY, 0, "");

    public InstrumentationScope {
        Objects.requireNonNull(name);
        Objects.requireNonNull(version);
        Objects.requireNonNull(attributes);
        Objects.requireNonNull(schemaUrl);
    }
}
