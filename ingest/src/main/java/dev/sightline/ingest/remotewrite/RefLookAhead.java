package dev.sightline.ingest.remotewrite;

import dev.sightline.ingest.SeriesRefCache;

import java.util.Arrays;

/**
 * A request's series, their label-bytes hashes and cached refs, found before any is appended: the cache lookups then
 * run back to back, and the CPU overlaps their memory misses (one per series at a million series, the largest cost
 * of decoding) instead of taking each between a series' other work. Reused across requests; used by one decoder at a time.
 */
final class RefLookAhead {
    /** Where each series' message starts in the request buffer. */
    int[] at = new int[256];
    /** The label-bytes hash of series i at [2i] and [2i+1]. */
    long[] hashes = new long[512];
    long[] refs = new long[256];
    int size;

    /** Makes room for one more series. */
    void ensureRoom() {
        if (size == at.length) {
            at = Arrays.copyOf(at, 2 * size);
            hashes = Arrays.copyOf(hashes, 4 * size);
            refs = Arrays.copyOf(refs, 2 * size);
        }
    }

    /** Fills {@link #refs} from the cache (0 where it knows none). */
    void lookUp(SeriesRefCache cache) {
        for (int i = 0; i < size; i++) {
            refs[i] = cache.get(hashes[2 * i], hashes[2 * i + 1]);
        }
    }
}
