package dev.sightline.timeindex;

/**
 * A Bloom filter of 64-bit keys (say, a hash of a trace id) that grows: it starts sized for a few thousand keys and
 * adds a filter twice as large whenever the newest is full, so a partition needs no size up front and the false
 * positive rate stays near 1% (10 bits and 7 probes per key) at any count. {@link #mightContain} is false only for a
 * key never added. Thread-safe.
 */
public final class KeyFilter {
    private static final int BITS_PER_KEY = 10;
    private static final int PROBES = 7;
    private static final int FIRST_CAPACITY = 4096;

    private long[][] blocks = new long[0][];
    private int lastCapacity;
    private int lastCount;

    public synchronized void add(long key) {
        if (blocks.length == 0 || lastCount >= lastCapacity) {
            lastCapacity = blocks.length == 0 ? FIRST_CAPACITY : lastCapacity * 2;
            long[][] grown = java.util.Arrays.copyOf(blocks, blocks.length + 1);
            grown[blocks.length] = new long[Math.max(1, lastCapacity * BITS_PER_KEY / 64)];
            blocks = grown;
            lastCount = 0;
        }
        long[] words = blocks[blocks.length - 1];
        long h = mix(key);
        int h1 = (int) h;
        int h2 = (int) (h >>> 32);
        long bits = (long) words.length * 64;
        for (int i = 0; i < PROBES; i++) {
            long bit = Math.floorMod(h1 + i * h2, bits);
            words[(int) (bit >>> 6)] |= 1L << bit;
        }
        lastCount++;
    }

    public synchronized boolean mightContain(long key) {
        long h = mix(key);
        int h1 = (int) h;
        int h2 = (int) (h >>> 32);
        for (long[] words : blocks) {
            long bits = (long) words.length * 64;
            boolean all = true;
            for (int i = 0; i < PROBES && all; i++) {
                long bit = Math.floorMod(h1 + i * h2, bits);
                all = (words[(int) (bit >>> 6)] & (1L << bit)) != 0;
            }
            if (all) {
                return true;
            }
        }
        return false;
    }

    /** Bytes the filter holds in memory. */
    public synchronized long sizeBytes() {
        long sum = 0;
        for (long[] words : blocks) {
            sum += words.length * 8L;
        }
        return sum;
    }

    /** splitmix64's finalizer: keys that differ in one bit land far apart. */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
