package dev.sightline.tsdb.head;

import dev.sightline.core.Labels;

import java.util.Arrays;
import java.util.BitSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The head's label strings, each kept once under a small int id, and series label sets packed as those ids: a
 * series' labels cost one byte array (the label set's hash, then a varint id per name and value, one or two bytes
 * each) instead of a Labels object and its String[] (24 bytes, plus 16 and 8 per pair), and become Labels again when
 * asked for. Series sharing a target share nearly all their strings, so ids stay small.
 *
 * <p>Ids of strings no series uses any more are freed by {@link #collect} only when they were already unused at the
 * collection before, so a lookup or query still reading a series that a truncation dropped finds its strings.
 */
final class LabelSymbols {
    private static final int HASH_BYTES = 4;
    /** Where the ids of a packed label set start: {@link #idAt} reads them from there, a name's then its value's. */
    static final int FIRST_ID = HASH_BYTES;

    private final ConcurrentHashMap<String, Integer> ids = new ConcurrentHashMap<>();
    /**
     * id -> string. Grown by copy under the monitor and republished on every new id, so a reader that got an id
     * from a published series (or from {@link #ids}) finds it here.
     */
    private volatile String[] strings = new String[256];
    /** Guarded by the monitor: the next never used id, and freed ids to hand out first. */
    private int next;
    private int[] free = new int[16];
    private int numFree;
    /** Ids unused at the last collection; freed if still unused at the next. Guarded by the monitor. */
    private BitSet dying = new BitSet();
    /**
     * Creators hold the read lock from their first {@link #id} until the series is in the head's maps, so that
     * {@link #collect} (the write lock) sees every id in use.
     */
    final ReentrantReadWriteLock creation = new ReentrantReadWriteLock();

    /** The string's id, assigning one when new; creators call it under the {@link #creation} read lock. */
    int id(String s) {
        Integer id = ids.get(s);
        return id != null ? id : add(s);
    }

    private synchronized int add(String s) {
        Integer known = ids.get(s);
        if (known != null) {
            return known;
        }
        int id = numFree > 0 ? free[--numFree] : next++;
        String[] t = strings;
        if (id >= t.length) {
            t = Arrays.copyOf(t, t.length * 2);
        }
        t[id] = s;
        strings = t;
        ids.put(s, id);
        return id;
    }

    /** The string of a live id. */
    String symbol(int id) {
        return strings[id];
    }

    /** Packs a label set with hash {@code hash} whose names and values (alternating) have ids {@code ids[0..n)}. */
    static byte[] pack(int hash, int[] ids, int n) {
        int len = HASH_BYTES;
        for (int i = 0; i < n; i++) {
            len += (38 - Integer.numberOfLeadingZeros(ids[i] | 1)) / 7; // varint length: 1 + (bits - 1) / 7
        }
        byte[] b = new byte[len];
        b[0] = (byte) (hash >>> 24);
        b[1] = (byte) (hash >>> 16);
        b[2] = (byte) (hash >>> 8);
        b[3] = (byte) hash;
        int p = HASH_BYTES;
        for (int i = 0; i < n; i++) {
            int v = ids[i];
            while ((v & ~0x7F) != 0) {
                b[p++] = (byte) (v | 0x80);
                v >>>= 7;
            }
            b[p++] = (byte) v;
        }
        return b;
    }

    /** Packs {@code labels}, assigning ids to new strings; {@code interned} receives the shared strings (name, value, ...). */
    byte[] pack(Labels labels, String[] interned) {
        int[] idsOf = new int[2 * labels.size()];
        for (int i = 0; i < labels.size(); i++) {
            idsOf[2 * i] = id(labels.name(i));
            idsOf[2 * i + 1] = id(labels.value(i));
        }
        String[] t = strings;
        for (int i = 0; i < idsOf.length; i++) {
            interned[i] = t[idsOf[i]];
        }
        return pack(labels.hashCode(), idsOf, idsOf.length);
    }

    /** The hash of the label set packed in {@code b}: that of its Labels. */
    static int hash(byte[] b) {
        return (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
    }

    /** The number of ids (names and values) packed in {@code b}: one per byte without the continuation bit. */
    static int numIds(byte[] b) {
        int n = 0;
        for (int p = HASH_BYTES; p < b.length; p++) {
            n += ~b[p] >>> 31;
        }
        return n;
    }

    /** The varint at {@code p}, and where it ends, as (end << 32 | id). */
    static long idAt(byte[] b, int p) {
        int id = 0;
        for (int shift = 0; ; shift += 7) {
            byte x = b[p++];
            id |= (x & 0x7F) << shift;
            if (x >= 0) {
                return (long) p << 32 | id;
            }
        }
    }

    /** The label set packed in {@code b}. */
    Labels labels(byte[] b) {
        String[] t = strings;
        String[] kv = new String[numIds(b)];
        for (int i = 0, p = HASH_BYTES; i < kv.length; i++) {
            long e = idAt(b, p);
            kv[i] = t[(int) e];
            p = (int) (e >>> 32);
        }
        return Labels.ofSorted(kv);
    }

    /** Whether {@code b} packs exactly {@code labels}. */
    boolean matches(byte[] b, Labels labels) {
        if (hash(b) != labels.hashCode()) {
            return false;
        }
        String[] t = strings;
        int p = HASH_BYTES;
        for (int i = 0, n = 2 * labels.size(); i < n; i++) {
            if (p >= b.length) {
                return false;
            }
            long e = idAt(b, p);
            p = (int) (e >>> 32);
            int id = (int) e;
            String want = (i & 1) == 0 ? labels.name(i >> 1) : labels.value(i >> 1);
            String s = id < t.length ? t[id] : null;
            if (s != want && (s == null || !s.equals(want))) {
                return false;
            }
        }
        return p == b.length;
    }

    /** The value of label {@code name} in the set packed in {@code b}, or null. */
    String get(byte[] b, String name) {
        String[] t = strings;
        for (int p = HASH_BYTES; p < b.length; ) {
            long n = idAt(b, p);
            long v = idAt(b, (int) (n >>> 32));
            p = (int) (v >>> 32);
            if (t[(int) n].equals(name)) {
                return t[(int) v];
            }
        }
        return null;
    }

    /**
     * Frees the ids that no series of {@code head} uses now and none used at the previous collection either. Waits
     * for series being created.
     */
    void collect(SeriesRefMap head) {
        creation.writeLock().lock();
        try {
            BitSet live = new BitSet();
            head.forEach(s -> {
                byte[] b = s.packedLabels();
                if (b != null) {
                    for (int p = HASH_BYTES; p < b.length; ) {
                        long e = idAt(b, p);
                        live.set((int) e);
                        p = (int) (e >>> 32);
                    }
                }
            });
            freeUnused(live);
        } finally {
            creation.writeLock().unlock();
        }
    }

    private synchronized void freeUnused(BitSet live) {
        String[] t = strings;
        BitSet unused = new BitSet(next);
        for (int id = 0; id < next; id++) {
            if (t[id] != null && !live.get(id)) {
                unused.set(id);
            }
        }
        BitSet freeNow = (BitSet) unused.clone();
        freeNow.and(dying);
        for (int id = freeNow.nextSetBit(0); id >= 0; id = freeNow.nextSetBit(id + 1)) {
            ids.remove(t[id]);
            t[id] = null;
            if (numFree == free.length) {
                free = Arrays.copyOf(free, 2 * numFree);
            }
            free[numFree++] = id;
        }
        unused.andNot(freeNow);
        dying = unused;
    }

    int size() {
        return ids.size();
    }
}
