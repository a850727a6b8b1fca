package dev.sightline.core.span;

import java.util.Objects;

/**
 * The resource that produced spans (OTLP's Resource with its ResourceSpans.schema_url). One instance is shared by
 * every span of the resource: a span never copies it.
 */
public record SpanResource(Attributes attributes, int droppedAttributesCount, String schemaUrl) {
    public static final SpanResource EMPTY = new SpanResource(Attributes.EMPTY, 0, "");

    public SpanResource {
        Objects.requireNonNull(attributes);
        Objects.requireNonNull(schemaUrl);
    }

    /** The {@code service.name} attribute when it is a string, else "". */
    public String serviceName() {
        int i = attributes.indexOf("service.name");
        return i >= 0 && attributes.type(i) == AttributeType.STRING ? attributes.stringValue(i) : "";
    }
}
