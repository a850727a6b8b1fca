package dev.sightline.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;

import java.util.ArrayList;
import java.util.List;

/**
 * Heap arrays for large response bodies, used again once a body has been sent. A 400 x 1,440 point query answer took
 * 23 MB, and its second part 11 MB more, new on every request: a few queries filled the young generation, a
 * collection that caught them in use promoted them, and only full collections of the whole heap freed them again
 * (the slow outliers of the query benchmark). At most {@link #RETAINED} bytes are kept, in arrays of at least
 * {@link #MIN_BYTES}.
 */
public final class BodyBuffers {
    static final int MIN_BYTES = 1 << 20;
    static final long RETAINED = 64L << 20;
    private static final List<byte[]> FREE = new ArrayList<>(); // guarded by itself
    private static long retained;

    private BodyBuffers() {
    }

    /** An empty heap buffer of at least {@code capacity} bytes, growing as any: the smallest free array that fits. */
    public static ByteBuf take(int capacity) {
        if (capacity < MIN_BYTES) {
            return Unpooled.buffer(capacity);
        }
        byte[] best = null;
        synchronized (FREE) {
            for (byte[] a : FREE) {
                if (a.length >= capacity && (best == null || a.length < best.length)) {
                    best = a;
                }
            }
            if (best != null) {
                FREE.remove(best);
                retained -= best.length;
            }
        }
        if (best == null) {
            return Unpooled.buffer(capacity);
        }
        // Unpooled.wrappedBuffer would cap the capacity at the array's length.
        return new UnpooledHeapByteBuf(UnpooledByteBufAllocator.DEFAULT, best, Integer.MAX_VALUE) {
        }.clear();
    }

    /**
     * Gives back the array under {@code b}, which nothing may read or write any more (for a response body: once its
     * write has completed). Arrays under {@link #MIN_BYTES} or past the retained bound are left to the collector.
     */
    public static void recycle(ByteBuf b) {
        if (!b.hasArray() || b.array().length < MIN_BYTES) {
            return;
        }
        byte[] a = b.array();
        synchronized (FREE) {
            if (retained + a.length <= RETAINED && FREE.stream().noneMatch(f -> f == a)) {
                FREE.add(a);
                retained += a.length;
            }
        }
    }

    /** {@link #recycle(ByteBuf)} for a body made by {@link BufferInternal#buffer(ByteBuf)} over a taken buffer. */
    public static void recycle(Buffer body) {
        recycle(((BufferInternal) body).getByteBuf());
    }

    /** The bytes held for reuse, for tests. */
    static long retained() {
        synchronized (FREE) {
            return retained;
        }
    }
}
