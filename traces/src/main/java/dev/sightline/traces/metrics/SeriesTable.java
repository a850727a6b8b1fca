package dev.sightline.traces.metrics;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.function.Function;

/**
 * Aggregates by label values, interned: a lookup fills the reusable probe ({@link #values()}) and finds the series
 * without allocating; only a new combination copies the values into a key of its own. Not thread-safe.
 */
final class SeriesTable<S extends GeneratedSeries> {
    private final HashMap<Key, S> map = new HashMap<>();
    private final Key probe;
    private final Function<String[], S> create;

    /** {@code create} makes the series of a new combination of values (its own copy, never changed after). */
    SeriesTable(int width, Function<String[], S> create) {
        this.probe = new Key(new String[width]);
        this.create = create;
    }

    /** The probe's values, to fill before {@link #get}; null and "" both mean the label is absent. */
    String[] values() {
        return probe.values;
    }

    /** The series of the probe's values, created with a copy of them when new. */
    S get() {
        probe.rehash();
        S s = map.get(probe);
        if (s == null) {
            Key key = new Key(probe.values.clone());
            key.rehash();
            s = create.apply(key.values);
            map.put(key, s);
        }
        return s;
    }

    int size() {
        return map.size();
    }

    /** Drops the series idle since before {@code staleBeforeMs} (as Tempo does), then writes every other one. */
    void collect(SampleWriter w, long timestampMs, long staleBeforeMs) {
        for (Iterator<S> it = map.values().iterator(); it.hasNext(); ) {
            S s = it.next();
            if (s.updatedMs < staleBeforeMs) {
                it.remove();
            } else {
                s.collect(w, timestampMs);
            }
        }
    }

    private static final class Key {
        final String[] values;
        int hash;

        Key(String[] values) {
            this.values = values;
        }

        void rehash() {
            hash = Arrays.hashCode(values);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(values, k.values);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
