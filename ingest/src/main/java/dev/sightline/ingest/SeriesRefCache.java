package dev.sightline.ingest;

import java.util.concurrent.locks.StampedLock;

/**
 * Storage series refs by a 128-bit hash of a series' label bytes as a sender encodes them, so a receiver that sees
 * the same series in request after request (remote-write sends every active series each scrape interval) can append
 * by ref without decoding, validating and looking up its labels again. 128 bits make a collision between two label
 * sets practically impossible (about 10^-27 for a million series), which is what lets a hit skip the label bytes.
 *
 * <p>Only the hash and the ref are kept (32 to 48 bytes per series, no strings: three longs a slot, a table at most
 * three quarters full that grows by half; half full and doubling took 48 to 96, about 50 MB at 1M series). Bounded: a
 * segment that reaches its share of {@code maxEntries} is cleared and refills from the slow path. Thread-safe, striped
 * over {@value #SEGMENTS} locks; lookups take none unless a write is under way.
 */
public final class SeriesRefCache {
    private static final int SEGMENTS = 64;
    private static final long EMPTY = 0, REMOVED = -1;
    private static final int MIN_SLOTS = 16;

    private final Segment[] segments = new Segment[SEGMENTS];
    private final int maxPerSegment;

    public SeriesRefCache(int maxEntries) {
        this.maxPerSegment = Math.max(16, maxEntries / SEGMENTS);
        for (int i = 0; i < SEGMENTS; i++) {
            segments[i] = new Segment();
        }
    }

    /** The ref cached for the hash, 0 if none. */
    public long get(long h1, long h2) {
        return segment(h1).get(h1, h2);
    }

    /** Remembers a ref (never 0) for the hash. */
    public void put(long h1, long h2, long ref) {
        if (ref == EMPTY || ref == REMOVED) {
            throw new IllegalArgumentException("ref " + ref + " cannot be cached");
        }
        segment(h1).put(h1, h2, ref, maxPerSegment);
    }

    /** Forgets the hash, for example when storage no longer knows its ref. */
    public void remove(long h1, long h2) {
        segment(h1).remove(h1, h2);
    }

    public int size() {
        int n = 0;
        for (Segment s : segments) {
            n += s.size();
        }
        return n;
    }

    private Segment segment(long h1) {
        return segments[(int) (h1 >>> 58)];
    }

    /**
     * Open addressing, linear probing over triples (h1, h2, ref), at most three quarters full, any number of slots
     * (the home slot scales h2's low 32 bits to the table); a removed entry keeps its key, ref REMOVED. Writers lock;
     * readers probe optimistically and retry under the read lock only if a write intervened. A table array is never
     * written after it is replaced, so a reader holding an old one still ends.
     */
    private static final class Segment {
        private final StampedLock lock = new StampedLock();
        private long[] table = new long[3 * MIN_SLOTS];
        private int used;

        private static int home(long h2, int slots) {
            return (int) (((h2 & 0xFFFFFFFFL) * slots) >>> 32);
        }

        private static int next(int i, int slots) {
            return i + 1 == slots ? 0 : i + 1;
        }

        long get(long h1, long h2) {
            long stamp = lock.tryOptimisticRead();
            long ref = probe(table, h1, h2);
            if (lock.validate(stamp)) {
                return ref;
            }
            stamp = lock.readLock();
            try {
                return probe(table, h1, h2);
            } finally {
                lock.unlockRead(stamp);
            }
        }

        private static long probe(long[] t, long h1, long h2) {
            int slots = t.length / 3;
            for (int n = 0, i = home(h2, slots); n < slots; n++, i = next(i, slots)) {
                long ref = t[3 * i + 2];
                if (ref == EMPTY) {
                    return 0;
                }
                if (t[3 * i] == h1 && t[3 * i + 1] == h2) {
                    return ref == REMOVED ? 0 : ref;
                }
            }
            return 0;
        }

        void put(long h1, long h2, long ref, int max) {
            long stamp = lock.writeLock();
            try {
                int slots = table.length / 3;
                if (used >= max) {
                    table = new long[3 * MIN_SLOTS];
                    used = 0;
                } else if (4L * (used + 1) > 3L * slots) {
                    rehash(slots + slots / 2);
                }
                if (insert(table, h1, h2, ref)) {
                    used++;
                }
            } finally {
                lock.unlockWrite(stamp);
            }
        }

        void remove(long h1, long h2) {
            long stamp = lock.writeLock();
            try {
                int slots = table.length / 3;
                for (int i = home(h2, slots); table[3 * i + 2] != EMPTY; i = next(i, slots)) {
                    if (table[3 * i] == h1 && table[3 * i + 1] == h2) {
                        table[3 * i + 2] = REMOVED;
                        return;
                    }
                }
            } finally {
                lock.unlockWrite(stamp);
            }
        }

        int size() {
            long stamp = lock.readLock();
            try {
                int n = 0;
                for (int i = 2; i < table.length; i += 3) {
                    if (table[i] != EMPTY && table[i] != REMOVED) {
                        n++;
                    }
                }
                return n;
            } finally {
                lock.unlockRead(stamp);
            }
        }

        /** Whether a new slot was taken (false when the key was there and its ref replaced). */
        private static boolean insert(long[] t, long h1, long h2, long ref) {
            int slots = t.length / 3;
            for (int i = home(h2, slots); ; i = next(i, slots)) {
                if (t[3 * i + 2] == EMPTY) {
                    t[3 * i] = h1;
                    t[3 * i + 1] = h2;
                    t[3 * i + 2] = ref;
                    return true;
                }
                if (t[3 * i] == h1 && t[3 * i + 1] == h2) {
                    t[3 * i + 2] = ref;
                    return false;
                }
            }
        }

        /** Grows to {@code slots}, dropping removed entries. */
        private void rehash(int slots) {
            long[] next = new long[3 * slots];
            int n = 0;
            for (int i = 0; i < table.length; i += 3) {
                long ref = table[i + 2];
                if (ref != EMPTY && ref != REMOVED) {
                    insert(next, table[i], table[i + 1], ref);
                    n++;
                }
            }
            table = next;
            used = n;
        }
    }
}
