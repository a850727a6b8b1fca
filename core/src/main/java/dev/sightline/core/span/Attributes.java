package dev.sightline.core.span;

import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * An immutable, ordered list of typed attributes (key, value), as OTLP's repeated KeyValue. Stored column-wise so no
 * value is boxed: keys, a type per entry, the bits of bool/long/double values in a {@code long[]}, strings, JSON
 * (arrays, key-value lists) and byte arrays in an {@code Object[]}. An attribute list is four arrays and one object
 * whatever its length; the empty list is the shared {@link #EMPTY}. Keys may repeat when the sender repeats them
 * (OTLP does not forbid it; the first wins in {@link #indexOf}).
 */
public final class Attributes {
    public static final Attributes EMPTY = new Attributes(new String[0], new byte[0], new long[0], new Object[0]);
    private static final AttributeType[] TYPES = AttributeType.values();

    private final String[] keys;
    private final byte[] types;
    private final long[] bits;
    private final Object[] refs;

    private Attributes(String[] keys, byte[] types, long[] bits, Object[] refs) {
        this.keys = keys;
        this.types = types;
        this.bits = bits;
        this.refs = refs;
    }

    public int size() {
        return keys.length;
    }

    public boolean isEmpty() {
        return keys.length == 0;
    }

    public String key(int i) {
        return keys[i];
    }

    public AttributeType type(int i) {
        return TYPES[types[i]];
    }

    /** These attributes without any named {@code key} (the same object when there is none). */
    public Attributes without(String key) {
        int n = 0;
        for (String k : keys) {
            if (!k.equals(key)) {
                n++;
            }
        }
        if (n == keys.length) {
            return this;
        }
        String[] k2 = new String[n];
        byte[] t2 = new byte[n];
        long[] b2 = new long[n];
        Object[] r2 = new Object[n];
        int j = 0;
        for (int i = 0; i < keys.length; i++) {
            if (!keys[i].equals(key)) {
                k2[j] = keys[i];
                t2[j] = types[i];
                b2[j] = bits[i];
                r2[j++] = refs[i];
            }
        }
        return n == 0 ? EMPTY : new Attributes(k2, t2, b2, r2);
    }

    /** These attributes with {@code key} set to the string {@code value}: any earlier ones of that key removed, it last. */
    public Attributes withString(String key, String value) {
        Attributes rest = without(key);
        int n = rest.keys.length;
        String[] k2 = Arrays.copyOf(rest.keys, n + 1);
        byte[] t2 = Arrays.copyOf(rest.types, n + 1);
        long[] b2 = Arrays.copyOf(rest.bits, n + 1);
        Object[] r2 = Arrays.copyOf(rest.refs, n + 1);
        k2[n] = key;
        t2[n] = (byte) AttributeType.STRING.ordinal();
        r2[n] = Objects.requireNonNull(value);
        return new Attributes(k2, t2, b2, r2);
    }

    /** The index of the first attribute named {@code key}, or -1. */
    public int indexOf(String key) {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i].equals(key)) {
                return i;
            }
        }
        return -1;
    }

    public String stringValue(int i) {
        return (String) refs[check(i, AttributeType.STRING)];
    }

    public boolean boolValue(int i) {
        return bits[check(i, AttributeType.BOOL)] != 0;
    }

    public long longValue(int i) {
        return bits[check(i, AttributeType.LONG)];
    }

    public double doubleValue(int i) {
        return Double.longBitsToDouble(bits[check(i, AttributeType.DOUBLE)]);
    }

    /** A copy of a bytes value (the list stays immutable). */
    public byte[] bytesValue(int i) {
        return ((byte[]) refs[check(i, AttributeType.BYTES)]).clone();
    }

    /** The JSON text of an ARRAY or KVLIST value. */
    public String jsonValue(int i) {
        if (types[i] != AttributeType.ARRAY.ordinal() && types[i] != AttributeType.KVLIST.ordinal()) {
            throw new IllegalStateException("attribute \"" + keys[i] + "\" is " + type(i) + ", not ARRAY or KVLIST");
        }
        return (String) refs[i];
    }

    /** Any value as text: strings as they are, scalars in Java's text, bytes in base64, compound values as JSON. */
    public String valueText(int i) {
        return switch (type(i)) {
            case STRING, ARRAY, KVLIST -> (String) refs[i];
            case BOOL -> Boolean.toString(bits[i] != 0);
            case LONG -> Long.toString(bits[i]);
            case DOUBLE -> Double.toString(Double.longBitsToDouble(bits[i]));
            case BYTES -> Base64.getEncoder().encodeToString((byte[]) refs[i]);
        };
    }

    private int check(int i, AttributeType want) {
        if (types[i] != want.ordinal()) {
            throw new IllegalStateException("attribute \"" + keys[i] + "\" is " + type(i) + ", not " + want);
        }
        return i;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Attributes a && Arrays.equals(keys, a.keys) && Arrays.equals(types, a.types)
                && Arrays.equals(bits, a.bits) && Arrays.deepEquals(refs, a.refs);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(keys), Arrays.hashCode(types), Arrays.hashCode(bits), Arrays.deepHashCode(refs));
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < keys.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(keys[i]).append('=').append(valueText(i));
        }
        return sb.append('}').toString();
    }

    /**
     * Collects attributes and builds the immutable list; reusable after {@link #build()} (the decoder keeps one per
     * thread and level, so only the exact-size arrays of each built list are allocated).
     */
    public static final class Builder {
        private String[] keys = new String[8];
        private byte[] types = new byte[8];
        private long[] bits = new long[8];
        private Object[] refs = new Object[8];
        private int size;

        public int size() {
            return size;
        }

        public Builder clear() {
            Arrays.fill(refs, 0, size, null);
            Arrays.fill(keys, 0, size, null);
            size = 0;
            return this;
        }

        public Builder addString(String key, String value) {
            return add(key, AttributeType.STRING, 0, Objects.requireNonNull(value));
        }

        public Builder addBool(String key, boolean value) {
            return add(key, AttributeType.BOOL, value ? 1 : 0, null);
        }

        public Builder addLong(String key, long value) {
            return add(key, AttributeType.LONG, value, null);
        }

        public Builder addDouble(String key, double value) {
            return add(key, AttributeType.DOUBLE, Double.doubleToRawLongBits(value), null);
        }

        /** Takes the array as it is (not copied): the caller hands it over. */
        public Builder addBytes(String key, byte[] value) {
            return add(key, AttributeType.BYTES, 0, Objects.requireNonNull(value));
        }

        /** An ARRAY or KVLIST value as its JSON text. */
        public Builder addJson(String key, AttributeType type, String json) {
            if (type != AttributeType.ARRAY && type != AttributeType.KVLIST) {
                throw new IllegalArgumentException("JSON values are ARRAY or KVLIST, not " + type);
            }
            return add(key, type, 0, Objects.requireNonNull(json));
        }

        private Builder add(String key, AttributeType type, long bit, Object ref) {
            if (size == keys.length) {
                int n = size * 2;
                keys = Arrays.copyOf(keys, n);
                types = Arrays.copyOf(types, n);
                bits = Arrays.copyOf(bits, n);
                refs = Arrays.copyOf(refs, n);
            }
            keys[size] = Objects.requireNonNull(key);
            types[size] = (byte) type.ordinal();
            bits[size] = bit;
            refs[size] = ref;
            size++;
            return this;
        }

        /** The list so far, then clears the builder. */
        public Attributes build() {
            if (size == 0) {
                return EMPTY;
            }
            Attributes a = new Attributes(Arrays.copyOf(keys, size), Arrays.copyOf(types, size), Arrays.copyOf(bits, size),
                    Arrays.copyOf(refs, size));
            clear();
            return a;
        }
    }
}
