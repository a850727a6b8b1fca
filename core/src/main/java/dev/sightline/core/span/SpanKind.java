package dev.sightline.core.span;

/** OTLP's Span.SpanKind; {@link #number()} is the protobuf enum number. */
public enum SpanKind {
    UNSPECIFIED, INTERNAL, SERVER, CLIENT, PRODUCER, CONSUMER;

    private static final SpanKind[] BY_NUMBER = values();

    public int number() {
        return ordinal();
    }

    /** The kind of a protobuf enum number; numbers this version does not know read as UNSPECIFIED. */
    public static SpanKind of(int number) {
        return number >= 0 && number < BY_NUMBER.length ? BY_NUMBER[number] : UNSPECIFIED;
    }
}
