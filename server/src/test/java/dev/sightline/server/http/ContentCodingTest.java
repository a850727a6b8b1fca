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
}
