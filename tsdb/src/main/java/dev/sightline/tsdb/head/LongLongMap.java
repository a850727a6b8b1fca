package dev.sightline.tsdb.head;

import java.util.Arrays;

/** Open-addressing long -> long map: no boxing, cleared cheaply for reuse. Not thread-safe. */
final class LongLongMap {
    private final long missing;
    private long[] keys;
    private long[] vals;
    private boolean[] used;
    int size;

    /** @param missing what {@link #get} returns for an absent key */
    LongLongMap(int expected, long missing) {
        this.missing = missing;
        int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        keys = new long[cap];
        vals = new long[cap];
        used = new boolean[cap];
    }

    private static int slot(long k, int mask) {
        long h = k * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    long get(long k) {
        int mask = keys.length - 1;
        for (int i = slot(k, mask); used[i]; i = (i + 1) & mask) {
            if (keys[i] == k) {
                return vals[i];
            }
        }
        return missing;
    }

    void put(long k, long v) {
        if ((size + 1) * 2 > keys.length) {
            long[] ok = keys;
            long[] ov = vals;
            boolean[] ou = used;
            keys = new long[ok.length * 2];
            vals = new long[ok.length * 2];
            used = new boolean[ok.length * 2];
            size = 0;
            for (int i = 0; i < ok.length; i++) {
                if (ou[i]) {
                    put(ok[i], ov[i]);
                }
            }
        }
        int mask = keys.length - 1;
        int i = slot(k, mask);
        while (used[i] && keys[i] != k) {
            i = (i + 1) & mask;
        }
        if (!used[i]) {
            size++;
        }
        used[i] = true;
        keys[i] = k;
        vals[i] = v;
    }

    void clear() {
        if (size > 0) {
            Arrays.fill(used, false);
            size = 0;
        }
    }
}
