package dev.sightline.core.span;

/** OTLP's Status.StatusCode; {@link #number()} is the protobuf enum number. */
public enum StatusCode {
    UNSET, OK, ERROR;

    private static final StatusCode[] BY_NUMBER = values();

    public int number() {
        return ordinal();
    }

    /** The code of a protobuf enum number; numbers this version does not know read as UNSET. */
    public static StatusCode of(int number) {
        return number >= 0 && number < BY_NUMBER.length ? BY_NUMBER[number] : UNSET;
    }
}
