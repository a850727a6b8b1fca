package dev.sightline.ingest.remotewrite;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SnappyTest {
    /** Inputs with runs and repeats, so the compressor emits all copy kinds and not only literals. */
    @Provide
    Arbitrary<byte[]> compressible() {
        return Arbitraries.bytes().between((byte) 'a', (byte) 'e').array(byte[].class).ofMaxSize(100_000)
                .map(b -> {
                    for (int i = 1; i < b.length; i++) {
                        if (b[i] == 'e') {
                            b[i] = b[i - 1];
                        }
                    }
                    return b;
                });
    }

    @Property(tries = 100)
    void decodesWhatAnotherImplementationCompressed(@ForAll("compressible") byte[] raw) throws Exception {
        byte[] compressed = WriteRequestBuilder.snappy(raw);
        assertThat(Snappy.declaredLength(compressed, 0, compressed.length)).isEqualTo(raw.length);
        assertThat(Snappy.decompress(compressed, 0, compressed.length)).isEqualTo(raw);
    }

    /** A reused buffer: bigger than needed and dirty from an earlier request; only the declared prefix is written. */
    @Property(tries = 100)
    void decodesIntoTheStartOfAReusedBuffer(@ForAll("compressible") byte[] raw) throws Exception {
        byte[] compressed = WriteRequestBuilder.snappy(raw);
        byte[] dst = new byte[raw.length + 17];
        java.util.Arrays.fill(dst, (byte) 0x5a);
        assertThat(Snappy.decompress(compressed, 0, compressed.length, dst)).isEqualTo(raw.length);
        assertThat(java.util.Arrays.copyOf(dst, raw.length)).isEqualTo(raw);
        assertThat(java.util.Arrays.copyOfRange(dst, raw.length, dst.length)).containsOnly((byte) 0x5a);
        if (raw.length > 0) {
            assertThatThrownBy(() -> Snappy.decompress(compressed, 0, compressed.length, new byte[raw.length - 1]))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Property(tries = 100)
    void decodesRandomBytes(@ForAll byte[] raw) throws Exception {
        byte[] compressed = WriteRequestBuilder.snappy(raw);
        assertThat(Snappy.decompress(compressed, 0, compressed.length)).isEqualTo(raw);
    }

    @Property(tries = 1000)
    void garbageIsRefusedWithATypedErrorOrDecodesToTheDeclaredLength(@ForAll byte[] garbage) {
        // Small declared sizes only: the caller checks the limit before decompress allocates.
        if (garbage.length > 0) {
            garbage[0] &= 0x7f;
        }
        try {
            byte[] out = Snappy.decompress(garbage, 0, garbage.length);
            assertThat((long) out.length).isEqualTo(Snappy.declaredLength(garbage, 0, garbage.length));
        } catch (MalformedRequestException e) {
            assertThat(e.layer()).isEqualTo(MalformedRequestException.Layer.SNAPPY);
            assertThat(e.offset()).isBetween(0L, (long) garbage.length);
        }
    }

    @Test
    void overlappingCopyRepeatsBytes() throws Exception {
        // Length 10: literal "ab", then a copy of 8 bytes from offset 2 (1-byte-offset form: length 4 + 4).
        byte[] block = {10, 1 << 2, 'a', 'b', (byte) (1 | (4 << 2)), 2};
        assertThat(new String(Snappy.decompress(block, 0, block.length))).isEqualTo("ababababab");
    }

    @Test
    void copyBeforeTheStartIsRefusedAtItsOffset() {
        byte[] block = {10, 1 << 2, 'a', 'b', (byte) (1 | (4 << 2)), 3};
        assertThatThrownBy(() -> Snappy.decompress(block, 0, block.length))
                .isInstanceOf(MalformedRequestException.class)
                .hasMessage("malformed snappy block at byte offset 4: copy offset 3 is outside the 2 bytes written so far");
    }

    @Test
    void outputShorterThanDeclaredIsRefused() {
        byte[] block = {5, 1 << 2, 'a', 'b'};
        assertThatThrownBy(() -> Snappy.decompress(block, 0, block.length))
                .hasMessageContaining("input ended after 2 of the 5 declared bytes");
    }

    @Test
    void overlongLengthHeaderIsRefused() {
        byte[] block = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x1f, 1};
        assertThatThrownBy(() -> Snappy.declaredLength(block, 0, block.length))
                .hasMessageContaining("exceeds 32 bits");
        byte[] sixBytes = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1};
        assertThatThrownBy(() -> Snappy.declaredLength(sixBytes, 0, sixBytes.length))
                .hasMessageContaining("longer than 5 bytes");
    }
}
