package dev.sightline.core;


import dev.sightline.core.text.GoQuote;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * An immutable label set, sorted by name, as Prometheus defines it. Names and values are kept in one flat
 * array (name0, value0, name1, value1, ...) so a set costs one object plus its strings, and the hash is
 * computed once because label sets are looked up on every append.
 */
public final class Labels implements Comparable<Labels> {
    public static final String METRIC_NAME = "__name__";
    public static final Labels EMPTY = new Labels(new String[0]);

    private final String[] kv;
    private final int hash;
    /**
     * The last {@link LabelLimits} this set passed: a new series' labels are checked where they are decoded (to refuse
     * the series alone) and again by the storage they reach, and the second check of a million new series cost as much
     * as the first. Written after a successful check and read without a lock, like String's hash: a thread that does
     * not see it checks again. With compressed references (heaps under 32 GB) the object stays 24 bytes.
     */
    LabelLimits passed;

    private Labels(String[] sortedKv) {
        this.kv = sortedKv;
        this.hash = Arrays.hashCode(sortedKv);
    }

    /** Builds a label set from name/value pairs in any order; a name given twice is an error. Empty values are dropped, as in Prometheus. */
    public static Labels of(String... nameValuePairs) {
        if (nameValuePairs.length % 2 != 0) {
            throw new IllegalArgumentException("labels need name/value pairs, got " + nameValuePairs.length + " strings");
        }
        Builder b = new Builder();
        for (int i = 0; i < nameValuePairs.length; i += 2) {
            if (b.map.containsKey(nameValuePairs[i])) {
                throw new ValidationException(ValidationException.Reason.DUPLICATE_LABEL_NAME, nameValuePairs[i],
                        "duplicate label name \"" + nameValuePairs[i] + "\"");
            }
            b.set(nameValuePairs[i], nameValuePairs[i + 1]);
        }
        return b.build();
    }

    /**
     * A label set from name/value pairs already sorted by name, taking {@code sortedKv} as it is (not copied): for
     * decoders of stored label sets, which spares them a sorting pass per set. Throws IllegalArgumentException when
     * the names are not strictly increasing or a value is empty.
     */
    public static Labels ofSorted(String... sortedKv) {
        if (sortedKv.length % 2 != 0) {
            throw new IllegalArgumentException("labels need name/value pairs, got " + sortedKv.length + " strings");
        }
        for (int i = 0; i < sortedKv.length; i += 2) {
            if (sortedKv[i + 1].isEmpty() || (i > 0 && sortedKv[i].compareTo(sortedKv[i - 2]) <= 0)) {
                throw new IllegalArgumentException("labels are unsorted, repeated or empty at pair " + i / 2);
            }
        }
        return sortedKv.length == 0 ? EMPTY : new Labels(sortedKv);
    }

    public static Labels fromMap(Map<String, String> map) {
        Builder b = new Builder();
        map.forEach(b::set);
        return b.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        forEach(b::set);
        return b;
    }

    public int size() {
        return kv.length / 2;
    }

    public boolean isEmpty() {
        return kv.length == 0;
    }

    public String name(int i) {
        return kv[2 * i];
    }

    public String value(int i) {
        return kv[2 * i + 1];
    }

    /** The value of a label, or null when the set has no such label. */
    public String get(String name) {
        int lo = 0, hi = size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = kv[2 * mid].compareTo(name);
            if (c == 0) {
                return kv[2 * mid + 1];
            } else if (c < 0) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return null;
    }

    public boolean has(String name) {
        return get(name) != null;
    }

    /** The value of {@code __name__}, or null. */
    public String metricName() {
        return get(METRIC_NAME);
    }

    public void forEach(BiConsumer<String, String> action) {
        for (int i = 0; i < kv.length; i += 2) {
            action.accept(kv[i], kv[i + 1]);
        }
    }

    /** A copy without the named labels. */
    public Labels without(String... names) {
        Builder b = toBuilder();
        for (String n : names) {
            b.remove(n);
        }
        return b.build();
    }

    /** A copy with only the named labels. */
    public Labels keep(String... names) {
        Builder b = new Builder();
        for (String n : names) {
            String v = get(n);
            if (v != null) {
                b.set(n, v);
            }
        }
        return b.build();
    }

    public Map<String, String> toMap() {
        Map<String, String> m = new TreeMap<>();
        forEach(m::put);
        return m;
    }

    @Override
    public boolean equals(Object o) {
        return this == o || (o instanceof Labels other && hash == other.hash && Arrays.equals(kv, other.kv));
    }

    @Override
    public int hashCode() {
        return hash;
    }

    /** Orders label sets as Prometheus does: pair by pair, names first, then values; a prefix sorts first. */
    @Override
    public int compareTo(Labels o) {
        int n = Math.min(kv.length, o.kv.length);
        for (int i = 0; i < n; i++) {
            int c = kv[i].compareTo(o.kv[i]);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(kv.length, o.kv.length);
    }

    /** Prometheus's text form: {@code name{a="b", c="d"}}, with values quoted as Go's %q. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        String name = metricName();
        if (name != null) {
            sb.append(name);
        }
        sb.append('{');
        boolean first = true;
        for (int i = 0; i < kv.length; i += 2) {
            if (kv[i].equals(METRIC_NAME)) {
                continue;
            }
            if (!first) {
                sb.append(", ");
            }
            first = false;
            sb.append(kv[i]).append("=");
            GoQuote.quote(sb, kv[i + 1]);
        }
        return sb.append('}').toString();
    }

    /** A mutable set of labels that builds sorted {@link Labels}; setting an empty value removes the label. */
    public static final class Builder {
        private final TreeMap<String, String> map = new TreeMap<>();

        public Builder set(String name, String value) {
            if (value == null || value.isEmpty()) {
                map.remove(name);
            } else {
                map.put(name, value);
            }
            return this;
        }

        public Builder remove(String name) {
            map.remove(name);
            return this;
        }

        public String get(String name) {
            return map.get(name);
        }

        public Labels build() {
            if (map.isEmpty()) {
                return EMPTY;
            }
            String[] kv = new String[map.size() * 2];
            int i = 0;
            for (Map.Entry<String, String> e : map.entrySet()) {
                kv[i++] = e.getKey();
                kv[i++] = e.getValue();
            }
            return new Labels(kv);
        }
    }
}
