package dev.sightline.promql.anomaly;

/** The timestamps of a window's points, oldest first, for detectors whose state is not itself a window. */
final class TimeRing {
    private Times ts = new Times(256);
    private int head;
    private int count;

    void add(long t) {
        if (count == ts.capacity()) {
            relayout(count + count / 2);
        }
        ts.set((head + count) % ts.capacity(), t, head, count);
        count++;
    }

    /** Shrinks the ring to the timestamps held and a 16th more. */
    void trim() {
        int cap = PointWindow.roomFor(count);
        if (ts.capacity() > cap) {
            relayout(cap);
        }
    }

    private void relayout(int cap) {
        ts = ts.relayout(head, count, cap);
        head = 0;
    }

    void evictThrough(long t) {
        while (count > 0 && ts.get(head) <= t) {
            head = (head + 1) % ts.capacity();
            count--;
        }
    }

    void clear() {
        head = 0;
        count = 0;
    }

    int size() {
        return count;
    }

    /** The oldest timestamp; only when not empty. */
    long first() {
        return ts.get(head);
    }
}
