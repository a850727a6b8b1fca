package dev.sightline.tsdb.chunk;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class BitWriterTest {
    private static final class Bits extends BitWriter {
        Bits(int startBit) {
            super(4, startBit);
        }
    }

    /** The varint's groups one byte at a time: the layout readers and files on disk expect. */
    private static Bits byteByByte(int offset, long v) {
        Bits w = new Bits(offset);
        while ((v & ~0x7FL) != 0) {
            w.writeBits((v & 0x7F) | 0x80, 8);
            v >>>= 7;
        }
        w.writeBits(v, 8);
        return w;
    }

    private static void check(int offset, long v) {
        Bits w = new Bits(offset);
        w.writeUvarint(v);
        w.writeBits(0b101, 3); // what follows lands right after the varint
        Bits want = byteByByte(offset, v);
        want.writeBits(0b101, 3);
        assertThat(w.bitLength()).as("bits of %d at offset %d", v, offset).isEqualTo(want.bitLength());
        // Arrays grown in other steps may differ in length past the written bits.
        int bytes = (int) ((w.bitLength() + 7) / 8);
        assertThat(Arrays.copyOf(w.buffer(), bytes)).as("bytes of %d at offset %d", v, offset)
                .isEqualTo(Arrays.copyOf(want.buffer(), bytes));
        BitReader r = new BitReader();
        r.reset(w.buffer(), 0, offset, w.bitLength());
        assertThat(r.readUvarint()).isEqualTo(v);
        assertThat(r.readBits(3)).isEqualTo(0b101);
    }

    @Test
    void groupBoundaries() {
        for (int offset = 0; offset < 8; offset++) {
            for (int bits = 0; bits <= 64; bits++) {
                long top = bits == 64 ? -1L : (1L << bits) - 1;
                check(offset, top);
                check(offset, top + 1);
            }
            check(offset, 1_700_000_000_000L);
        }
    }

    @Property
    void anyValueAtAnyOffset(@ForAll long v, @ForAll @IntRange(min = 0, max = 63) int offset) {
        check(offset, v);
        check(offset, v >>> (offset + 1));
    }
}
