package dev.sightline.tsdb.head;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;

/**
 * Series ref -> series. Refs are handed out densely from 1, so they index pages of a directory directly: a lookup
 * is two array loads, needs no lock and no boxing, and consecutive refs (one scrape target's series) sit next to
 * each other in memory. Pages whose series have all been dropped are freed, so churn does not accumulate.
 */
final class SeriesRefMap {
    private static final int PAGE_BITS = 12;
    private static final int PAGE_SIZE = 1 << PAGE_BITS;

    /** Replaced, never resized in place, so a reader always sees a consistent directory. */
    private volatile AtomicReferenceArray<MemSeries>[] pages = newDirectory(16);
    private int[] pageCounts = new int[16];

    @SuppressWarnings({"unchecked", "rawtypes"}) // Java has no generic array creation
    private static AtomicReferenceArray<MemSeries>[] newDirectory(int n) {
        return (AtomicReferenceArray<MemSeries>[]) new AtomicReferenceArray[n];
    }

    MemSeries get(long ref) {
        long p = ref >>> PAGE_BITS;
        AtomicReferenceArray<MemSeries>[] dir = pages;
        if (ref < 0 || p >= dir.length) {
            return null;
        }
        AtomicReferenceArray<MemSeries> page = dir[(int) p];
        return page == null ? null : page.get((int) (ref & (PAGE_SIZE - 1)));
    }

    synchronized void put(MemSeries s) {
        long p = s.ref >>> PAGE_BITS;
        if (s.ref < 0 || p >= Integer.MAX_VALUE) {
            throw new IllegalArgumentException("series ref out of range: " + s.ref);
        }
        AtomicReferenceArray<MemSeries>[] dir = pages;
        if (p >= dir.length) {
            int n = dir.length;
            while (n <= p) {
                n *= 2;
            }
            dir = Arrays.copyOf(dir, n);
            pageCounts = Arrays.copyOf(pageCounts, n);
        }
        AtomicReferenceArray<MemSeries> page = dir[(int) p];
        if (page == null) {
            page = new AtomicReferenceArray<>(PAGE_SIZE);
            dir[(int) p] = page;
        }
        if (page.getAndSet((int) (s.ref & (PAGE_SIZE - 1)), s) == null) {
            pageCounts[(int) p]++;
        }
        // Publishing the directory (also when unchanged) orders the page writes before later lock-free reads.
        pages = dir;
    }

    synchronized void remove(long ref) {
        long p = ref >>> PAGE_BITS;
        AtomicReferenceArray<MemSeries>[] dir = pages;
        if (ref < 0 || p >= dir.length || dir[(int) p] == null) {
            return;
        }
        if (dir[(int) p].getAndSet((int) (ref & (PAGE_SIZE - 1)), null) != null && --pageCounts[(int) p] == 0) {
            AtomicReferenceArray<MemSeries>[] copy = dir.clone();
            copy[(int) p] = null;
            pages = copy;
        }
    }

    void forEach(Consumer<MemSeries> action) {
        for (AtomicReferenceArray<MemSeries> page : pages) {
            if (page == null) {
                continue;
            }
            for (int i = 0; i < PAGE_SIZE; i++) {
                MemSeries s = page.get(i);
                if (s != null) {
                    action.accept(s);
                }
            }
        }
    }
}
