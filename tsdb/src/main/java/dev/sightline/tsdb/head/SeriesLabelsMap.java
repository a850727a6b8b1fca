package dev.sightline.tsdb.head;

import dev.sightline.core.Labels;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Label set -> series: an open-addressing table of the series themselves (their labels are the keys), so an entry
 * costs one array slot instead of a ConcurrentHashMap node (32 bytes per series at a million series).
 *
 * <p>Each slot's label-set hash is kept beside it in an int array, so a probe passes a slot whose hash differs without
 * touching the series and its packed labels (two memory misses each at a million series): looking up a new series
 * walks a whole probe run, and with the hashes beside it that is one or two cache lines. Growth rehashes from them too.
 * They cost 4 bytes a slot (8 MB for 2M slots, a million series).
 *
 * <p>Lookups take no lock. Writers are serialised by the monitor; a removal leaves a tombstone, so the slots between
 * a key's home and its slot never become empty while the key is there and a concurrent lookup cannot miss it. Growth
 * (or a rehash that clears the tombstones) fills a fresh table and then publishes it; a lookup still on the old one
 * sees the map as it was before the writes that followed.
 */
final class SeriesLabelsMap {
    private static final MemSeries TOMBSTONE = new MemSeries(-1, new byte[4]);
    private static final int MIN_CAPACITY = 16;

    private final LabelSymbols symbols;

    /** The slots and their hashes, published together. */
    private record Table(AtomicReferenceArray<MemSeries> series, int[] hashes) {
        Table(int capacity) {
            this(new AtomicReferenceArray<>(capacity), new int[capacity]);
        }

        int length() {
            return hashes.length;
        }
    }

    private volatile Table table = new Table(MIN_CAPACITY);
    /** Live entries and tombstones in the current table; guarded by the monitor. */
    private int size;
    private int tombstones;

    SeriesLabelsMap(LabelSymbols symbols) {
        this.symbols = symbols;
    }

    private static int home(int hash, int mask) {
        // Labels' hash is Arrays.hashCode, weak in its low bits for similar label sets: spread it first.
        int h = hash * 0x9E3779B9;
        return (h ^ (h >>> 16)) & mask;
    }

    MemSeries get(Labels labels) {
        Table t = table;
        int hash = labels.hashCode(), mask = t.length() - 1;
        for (int i = home(hash, mask), probes = 0; probes <= mask; i = (i + 1) & mask, probes++) {
            // The volatile read orders the hash read after it: a writer sets the hash before it publishes the slot.
            MemSeries s = t.series.get(i);
            if (s == null) {
                return null;
            }
            if (t.hashes[i] == hash && s != TOMBSTONE && s.hasLabels(labels, symbols)) {
                return s;
            }
        }
        return null;
    }

    /** Adds {@code s} unless a series with its labels is there; returns that one, else null. */
    synchronized MemSeries putIfAbsent(MemSeries s) {
        // Under the monitor every entry is a live series, whose packed labels are canonical: one id per string.
        byte[] packed = s.packedLabels();
        int hash = s.labelsHash();
        Table t = table;
        int mask = t.length() - 1;
        for (int i = home(hash, mask), probes = 0; probes <= mask; i = (i + 1) & mask, probes++) {
            MemSeries e = t.series.get(i);
            if (e == null) {
                break;
            }
            if (t.hashes[i] == hash && e != TOMBSTONE && Arrays.equals(e.packedLabels(), packed)) {
                return e;
            }
        }
        // At most 3/4 full counting tombstones, so probe runs stay short and an empty slot always ends a lookup.
        if ((size + tombstones + 1) * 4L > t.length() * 3L) {
            t = rehash(t, (size + 1) * 2L > t.length() ? t.length() * 2 : t.length());
            mask = t.length() - 1;
        }
        int i = home(hash, mask);
        MemSeries slot;
        while ((slot = t.series.get(i)) != null && slot != TOMBSTONE) {
            i = (i + 1) & mask;
        }
        if (slot == TOMBSTONE) {
            tombstones--;
        }
        // A lookup probing a tombstone's slot may read the new hash with the tombstone, which it skips anyway.
        t.hashes[i] = hash;
        t.series.set(i, s);
        size++;
        return null;
    }

    /**
     * Grows the table once to hold {@code n} entries without a rehash, for a bulk load whose size is known: its
     * inserts then probe a table at most half full instead of one refilled on every doubling.
     */
    synchronized void ensureCapacity(int n) {
        int capacity = MIN_CAPACITY;
        while (capacity < 2L * n && capacity < 1 << 30) {
            capacity <<= 1;
        }
        if (capacity > table.length()) {
            rehash(table, capacity);
        }
    }

    /** Removes {@code s} if it is the series stored for its labels. */
    synchronized void remove(MemSeries s) {
        Table t = table;
        int mask = t.length() - 1;
        for (int i = home(s.labelsHash(), mask), probes = 0; probes <= mask; i = (i + 1) & mask, probes++) {
            MemSeries e = t.series.get(i);
            if (e == null) {
                return;
            }
            if (e == s) {
                t.series.set(i, TOMBSTONE);
                size--;
                tombstones++;
                return;
            }
        }
    }

    synchronized int size() {
        return size;
    }

    /** Copies the live entries into a fresh table of {@code capacity} slots and publishes it. */
    private Table rehash(Table old, int capacity) {
        Table t = new Table(Math.max(MIN_CAPACITY, capacity));
        int mask = t.length() - 1;
        for (int j = 0; j < old.length(); j++) {
            MemSeries s = old.series.get(j);
            if (s != null && s != TOMBSTONE) {
                int hash = old.hashes[j];
                int i = home(hash, mask);
                while (t.series.getPlain(i) != null) {
                    i = (i + 1) & mask;
                }
                t.hashes[i] = hash;
                t.series.setPlain(i, s); // published with the table below
            }
        }
        tombstones = 0;
        table = t;
        return t;
    }
}
