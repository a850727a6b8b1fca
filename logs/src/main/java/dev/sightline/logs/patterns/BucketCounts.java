package dev.sightline.logs.patterns;

/**
 * Line counts per time bucket of one pattern in one stream, sparse: only buckets with lines take room, in a ring
 * ordered by bucket, so a rare pattern costs a few entries and a busy one at most the window's bucket count. Buckets
 * older than the window before the newest one are dropped as newer ones arrive. Not thread-safe (the service's lock
 * guards it).
 */
final class BucketCounts {
    private final int window;
    private int[] bucket = new int[4];
    private int[] count = new int[4];
    private int head;
    private int size;

    BucketCounts(int windowBuckets) {
        this.window = windowBuckets;
    }

    /** Counts one line in bucket {@code b}; a line older than the window before the newest bucket is not kept. */
    void add(int b) {
        if (size > 0) {
            int last = slot(size - 1);
            if (bucket[last] == b) {
                count[last]++;
                return;
            }
            if (b < bucket[last]) {
                addOutOfOrder(b);
                return;
            }
            while (size > 0 && bucket[head] <= b - window) {
                head = (head + 1) % bucket.length;
                size--;
            }
        }
        if (size == bucket.length) {
            grow();
        }
        int s = slot(size);
        bucket[s] = b;
        count[s] = 1;
        size++;
    }

    private void addOutOfOrder(int b) {
        int newest = bucket[slot(size - 1)];
        if (b <= newest - window) {
            return;
        }
        int i = size - 1;
        while (i >= 0 && bucket[slot(i)] > b) {
            i--;
        }
        if (i >= 0 && bucket[slot(i)] == b) {
            count[slot(i)]++;
            return;
        }
        if (size == bucket.length) {
            grow();
        }
        // Shift the later buckets one slot on to keep the ring ordered; late lines are rare.
        for (int j = size; j > i + 1; j--) {
            bucket[slot(j)] = bucket[slot(j - 1)];
            count[slot(j)] = count[slot(j - 1)];
        }
        bucket[slot(i + 1)] = b;
        count[slot(i + 1)] = 1;
        size++;
    }

    private void grow() {
        // At most `window` buckets are ever held, so the arrays stay under twice that.
        int cap = bucket.length * 2;
        int[] nb = new int[cap];
        int[] nc = new int[cap];
        for (int i = 0; i < size; i++) {
            nb[i] = bucket[slot(i)];
            nc[i] = count[slot(i)];
        }
        bucket = nb;
        count = nc;
        head = 0;
    }

    private int slot(int i) {
        return (head + i) % bucket.length;
    }

    /** Adds the counts of buckets in {@code [from, to]} into {@code sums}, indexed by {@code (b - from) / per}. */
    void sumInto(int from, int to, int per, long[] sums) {
        for (int i = 0; i < size; i++) {
            int b = bucket[slot(i)];
            if (b >= from && b <= to) {
                sums[(b - from) / per] += count[slot(i)];
            }
        }
    }

    /** Buckets held, for the memory bound's test. */
    int buckets() {
        return size;
    }
}
