package dev.sightline.core.span;

/**
 * The type of an attribute value, as OTLP's AnyValue has them. Arrays and key-value lists are held as their JSON text
 * (arrays {@code [..]}, lists {@code {"k":..}}, nested values in the same JSON form): the store indexes scalar strings
 * exactly and numbers by range, and compound values are shown, not queried by element, so a typed tree would cost
 * an object per element for nothing.
 */
public enum AttributeType {
    STRING, BOOL, LONG, DOUBLE, BYTES, ARRAY, KVLIST
}
