package dev.sightline.server.http;

import io.netty.buffer.ByteBuf;
import io.vertx.core.internal.buffer.BufferInternal;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BodyBuffersTest {
    /** Takes what other tests of this JVM left in the pool. */
    private static void drain() {
        while (BodyBuffers.retained() > 0) {
            BodyBuffers.take(BodyBuffers.MIN_BYTES);
        }
    }

    @Test
    void aSentBodysArrayServesTheNextLargeBodyOnce() {
        drain();
        ByteBuf small = BodyBuffers.take(BodyBuffers.MIN_BYTES);
        ByteBuf large = BodyBuffers.take(3 * BodyBuffers.MIN_BYTES);
        large.writeBytes(new byte[] {1, 2, 3});
        BodyBuffers.recycle(BufferInternal.buffer(large));
        BodyBuffers.recycle(small);
        BodyBuffers.recycle(large); // a second recycle of the same array keeps one entry

        // The smallest array that fits, empty, and each array to one taker only.
        ByteBuf a = BodyBuffers.take(BodyBuffers.MIN_BYTES + 1);
        assertThat(a.array()).isSameAs(large.array());
        assertThat(a.readableBytes()).isZero();
        ByteBuf b = BodyBuffers.take(BodyBuffers.MIN_BYTES);
        assertThat(b.array()).isSameAs(small.array());
        assertThat(BodyBuffers.take(BodyBuffers.MIN_BYTES).array()).isNotSameAs(small.array()).isNotSameAs(large.array());

        // A reused array does not cap how far its buffer grows.
        a.writeBytes(new byte[4 * BodyBuffers.MIN_BYTES]);
        assertThat(a.readableBytes()).isEqualTo(4 * BodyBuffers.MIN_BYTES);
    }

    @Test
    void keepsAtMostTheRetainedBytesAndNoSmallArrays() {
        drain();
        BodyBuffers.recycle(BodyBuffers.take(1000));
        assertThat(BodyBuffers.retained()).isZero();
        int size = (int) (BodyBuffers.RETAINED / 3);
        for (int i = 0; i < 5; i++) {
            BodyBuffers.recycle(BodyBuffers.take(size));
        }
        // Taking and giving back one at a time reuses one array; five held at once are given back past the bound.
        assertThat(BodyBuffers.retained()).isEqualTo(size);
        ByteBuf[] held = new ByteBuf[5];
        for (int i = 0; i < held.length; i++) {
            held[i] = BodyBuffers.take(size);
        }
        for (ByteBuf h : held) {
            BodyBuffers.recycle(h);
        }
        assertThat(BodyBuffers.retained()).isEqualTo(3L * size).isLessThanOrEqualTo(BodyBuffers.RETAINED);
        drain();
    }
}
