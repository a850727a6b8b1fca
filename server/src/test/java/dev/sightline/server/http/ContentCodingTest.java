package dev.sightline.server.http;

import com.github.luben.zstd.Zstd;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

class ContentCodingTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
            "NULL|IDENTITY", "''|IDENTITY", "gzip|GZIP", "GZIP;q=0.5|GZIP", "zstd|ZSTD", "gzip, zstd|ZSTD",
            "deflate, gzip, br, zstd|ZSTD", "zstd;q=0.5, gzip|GZIP", "gzip;q=0.8, zstd;q=0.8|ZSTD", "*|ZSTD",
            "*;q=0.1, gzip;q=0.2|GZIP", "gzip;q=0|IDENTITY", "gzip;q=0.5, identity|IDENTITY",
            "identity;q=0, gzip;q=0.2|GZIP", "br|IDENTITY", "gzip;q=2|IDENTITY", "gzip;q=abc, zstd;q=0|IDENTITY",
            "x-gzip|IDENTITY"})
    void negotiatesAsHttpSays(String header, ContentCoding expected) {
        assertThat(ContentCoding.negotiate(header)).as(header).isEqualTo(expected);
    }

    @Test
    void encodesLargeBodiesOnly() throws Exception {
        byte[] big = "{\"metric\":{\"job\":\"api\"},\"values\":[[1,\"1\"]]},".repeat(200).getBytes(StandardCharsets.UTF_8);
        Buffer gz = ContentCoding.GZIP.encode(Buffer.buffer(big));
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz.getBytes()))) {
            assertThat(in.readAllBytes()).isEqualTo(big);
        }
        Buffer zs = ContentCoding.ZSTD.encode(Buffer.buffer(big));
        assertThat(Zstd.decompress(zs.getBytes(), big.length)).isEqualTo(big);
        assertThat(zs.length()).isLessThan(big.length / 10);

        Buffer small = Buffer.buffer(new byte[ContentCoding.MIN_BYTES - 1]);
        assertThat(ContentCoding.GZIP.encode(small)).isSameAs(small);
        assertThat(ContentCoding.IDENTITY.encode(Buffer.buffer(big)).getBytes()).isEqualTo(big);
    }

    /** Gzipped in parts on several threads: one gzip member, one deflate stream, the body back byte for byte. */
    @Test
    void largeBodiesGzippedInPartsAreOneMember() throws Exception {
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        StringBuilder sb = new StringBuilder();
        while (sb.length() < 3 * ContentCoding.PART_BYTES) {
            sb.append("[").append(1_700_000_000 + sb.length()).append(",\"").append(r.nextDouble() * 1e9).append("\"],");
        }
        byte[] raw = sb.toString().getBytes(StandardCharsets.UTF_8);
        for (int parts : new int[] {1, 2, 3, 7}) {
            // The body's bytes as a window of a larger array: the pieces are cut from where it starts.
            byte[] padded = new byte[raw.length + 10];
            System.arraycopy(raw, 0, padded, 7, raw.length);
            java.nio.ByteBuffer window = java.nio.ByteBuffer.wrap(padded, 7, raw.length);
            byte[] gz = io.netty.buffer.ByteBufUtil.getBytes(
                    ContentCoding.gzipInParts(window, java.util.zip.Deflater.BEST_SPEED, parts));
            assertThat(window.position()).isEqualTo(7);
            try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
                assertThat(in.readAllBytes()).as("%d parts", parts).isEqualTo(raw);
            }
            // The deflate stream between the 10-byte header and the 8-byte trailer ends exactly there.
            java.util.zip.Inflater inflater = new java.util.zip.Inflater(true);
            inflater.setInput(gz, 10, gz.length - 18);
            byte[] back = new byte[raw.length];
            assertThat(inflater.inflate(back)).isEqualTo(raw.length);
            assertThat(inflater.finished()).isTrue();
            assertThat(inflater.getRemaining()).isZero();
            inflater.end();
            assertThat(gz.length).isLessThan(raw.length / 2);
        }
        Buffer gz = ContentCoding.GZIP.encode(Buffer.buffer(raw));
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz.getBytes()))) {
            assertThat(in.readAllBytes()).isEqualTo(raw);
        }
    }

    /** Bytes that do not pack outgrow the room made for the output (half the input): it grows, nothing is lost. */
    @Test
    void incompressibleBodiesOutgrowTheOutputGuess() throws Exception {
        byte[] raw = new byte[3 * ContentCoding.PART_BYTES + 5];
        new java.util.SplittableRandom(5).nextBytes(raw);
        for (int parts : new int[] {1, 3}) {
            byte[] gz = io.netty.buffer.ByteBufUtil.getBytes(
                    ContentCoding.gzipInParts(java.nio.ByteBuffer.wrap(raw), java.util.zip.Deflater.BEST_SPEED, parts));
            assertThat(gz.length).isGreaterThan(raw.length);
            try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
                assertThat(in.readAllBytes()).as("%d parts", parts).isEqualTo(raw);
            }
        }
    }
}
