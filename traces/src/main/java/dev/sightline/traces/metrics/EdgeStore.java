package dev.sightline.traces.metrics;

import java.util.Arrays;

/**
 * The half-seen requests of the service graph: edges keyed by (trace id, span id of the client span), at most
 * {@code maxItems} at once, oldest first for expiry (every edge waits the same time, so insertion order is expiry
 * order). An open-addressing table with linear probing and a pool of edges, so keeping and pairing spans allocates
 * nothing once the pool has grown. Not thread-safe.
 */
final class EdgeStore {
    /** One request between two services as far as its spans have been seen. */
    static final class Edge {
        long traceIdHi;
        long traceIdLo;
        /** The client span's id: the server span's parent id. 0 for a root server span (no caller). */
        long spanId;
        long expiresAtMs;
        String client;
        String server;
        String peerNode;
        String connectionType;
        double clientSeconds;
        double serverSeconds;
        boolean failed;
        long endMs;
        final String[] dimensions;
        Edge older;
        Edge newer;

        Edge(int dimensions) {
            this.dimensions = new String[dimensions];
        }

        void reset(long hi, long lo, long spanId, long expiresAtMs) {
            this.traceIdHi = hi;
            this.traceIdLo = lo;
            this.spanId = spanId;
            this.expiresAtMs = expiresAtMs;
            client = "";
            server = "";
            peerNode = "";
            connectionType = "";
            clientSeconds = 0;
            serverSeconds = 0;
            failed = false;
            endMs = 0;
            Arrays.fill(dimensions, null);
            older = null;
            newer = null;
        }

        boolean complete() {
            return !client.isEmpty() && !server.isEmpty();
        }
    }

    private final Edge[] slots;
    private final int mask;
    private final int maxItems;
    private final int dimensions;
    private int size;
    private Edge oldest;
    private Edge newest;
    /** Released edges, chained through {@code newer}. */
    private Edge pool;

    EdgeStore(int maxItems, int dimensions) {
        this.maxItems = maxItems;
        this.dimensions = dimensions;
        int capacity = Integer.highestOneBit(Math.max(2, maxItems) * 2 - 1) << 1; // a power of two >= 2 * maxItems
        this.slots = new Edge[capacity];
        this.mask = capacity - 1;
    }

    int size() {
        return size;
    }

    Edge oldest() {
        return oldest;
    }

    Edge find(long hi, long lo, long spanId) {
        for (int i = home(hi, lo, spanId); ; i = (i + 1) & mask) {
            Edge e = slots[i];
            if (e == null) {
                return null;
            }
            if (e.spanId == spanId && e.traceIdLo == lo && e.traceIdHi == hi) {
                return e;
            }
        }
    }

    /** A cleared edge for the key, not yet in the store. */
    Edge acquire(long hi, long lo, long spanId, long expiresAtMs) {
        Edge e = pool;
        if (e != null) {
            pool = e.newer;
        } else {
            e = new Edge(dimensions);
        }
        e.reset(hi, lo, spanId, expiresAtMs);
        return e;
    }

    /** Back to the pool: an acquired edge that was not added, or one just removed. */
    void release(Edge e) {
        e.older = null;
        e.newer = pool;
        pool = e;
    }

    /** Keeps an acquired edge as the newest; false (nothing kept) when the store is full. */
    boolean add(Edge e) {
        if (size >= maxItems) {
            return false;
        }
        int i = home(e.traceIdHi, e.traceIdLo, e.spanId);
        while (slots[i] != null) {
            i = (i + 1) & mask;
        }
        slots[i] = e;
        size++;
        e.older = newest;
        e.newer = null;
        if (newest != null) {
            newest.newer = e;
        } else {
            oldest = e;
        }
        newest = e;
        return true;
    }

    /** Takes a stored edge out (the slots after it shift back so probing stays correct) and releases it. */
    void remove(Edge e) {
        int i = home(e.traceIdHi, e.traceIdLo, e.spanId);
        while (slots[i] != e) {
            i = (i + 1) & mask;
        }
        for (int j = (i + 1) & mask; slots[j] != null; j = (j + 1) & mask) {
            int k = home(slots[j].traceIdHi, slots[j].traceIdLo, slots[j].spanId);
            // Move slots[j] into the hole at i unless its home lies cyclically in (i, j].
            boolean stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
            if (!stays) {
                slots[i] = slots[j];
                i = j;
            }
        }
        slots[i] = null;
        size--;
        if (e.older != null) {
            e.older.newer = e.newer;
        } else {
            oldest = e.newer;
        }
        if (e.newer != null) {
            e.newer.older = e.older;
        } else {
            newest = e.older;
        }
        release(e);
    }

    private int home(long hi, long lo, long spanId) {
        long h = hi * 0x9E3779B97F4A7C15L ^ lo * 0xC2B2AE3D27D4EB4FL ^ spanId * 0x165667B19E3779F9L;
        h ^= h >>> 29;
        return (int) h & mask;
    }
}
