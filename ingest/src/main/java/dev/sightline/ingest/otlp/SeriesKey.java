package dev.sightline.ingest.otlp;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A 128-bit hash of the request bytes that decide an OTLP point's series (resource, scope, metric name/unit/kind,
 * the point's attributes), the key of {@link dev.sightline.ingest.SeriesRefCache}: a point whose key is cached is
 * appended by ref without decoding its attributes or building its labels. Two independent 64-bit lanes, each a
 * multiply-rotate round per 8 bytes with a final avalanche; the seeds differ from remote-write's, so the two ingest
 * paths' keys never meet in the shared cache. Mutable and reused; one per nesting level of a request.
 */
final class SeriesKey {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long SEED_A = 0x6F746C7073657269L, SEED_B = 0x5DEECE66DA3B9F1DL;

    long a = SEED_A;
    long b = SEED_B;

    void reset() {
        a = SEED_A;
        b = SEED_B;
    }

    void copy(SeriesKey from) {
        a = from.a;
        b = from.b;
    }

    /** Adds buf[off, off+len), with its length so adjacent ranges cannot run into each other. */
    void add(byte[] buf, int off, int len) {
        add(len);
        int i = off;
        int end = off + len;
        for (; i + 8 <= end; i += 8) {
            add((long) LONGS.get(buf, i));
        }
        long tail = 0;
        for (int shift = 0; i < end; i++, shift += 8) {
            tail |= (buf[i] & 0xffL) << shift;
        }
        add(tail);
    }

    void add(long v) {
        a = Long.rotateLeft((a ^ v) * 0x9FB21C651E98DF25L, 29) + 0x2545F4914F6CDD1DL;
        b = Long.rotateLeft((b + v) * 0xD6E8FEB86659FD93L, 35) ^ 0x94D049BB133111EBL;
    }

    long key1() {
        return avalanche(a ^ Long.rotateLeft(b, 17));
    }

    long key2() {
        return avalanche(b + 0x632BE59BD9B4E019L * a);
    }

    private static long avalanche(long h) {
        h = (h ^ (h >>> 30)) * 0xBF58476D1CE4E5B9L;
        h = (h ^ (h >>> 27)) * 0x94D049BB133111EBL;
        return h ^ (h >>> 31);
    }
}
