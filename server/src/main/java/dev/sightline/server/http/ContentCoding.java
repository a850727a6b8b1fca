package dev.sightline.server.http;

import com.github.luben.zstd.Zstd;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * The content coding of a response body, chosen from the request's Accept-Encoding (RFC 9110 12.5.3): the accepted
 * coding with the highest q, zstd before gzip on a tie (smaller and cheaper to produce), identity when neither is
 * accepted or identity is preferred. Bodies are encoded where the caller runs (a worker, never the event loop).
 */
public enum ContentCoding {
    IDENTITY(null),
    GZIP("gzip"),
    ZSTD("zstd");

    private static final Logger LOG = Logger.getLogger(ContentCoding.class.getName());
    /** Below this a body is sent as it is: the coding's framing would eat most of the gain. */
    static final int MIN_BYTES = 1024;
    /** Go's gzip default (Prometheus) packs 19 MB of query JSON to 6.9 MB; zlib's level 1 is about 4x faster. */
    private static final int GZIP_LEVEL = Deflater.BEST_SPEED;
    private static final int ZSTD_LEVEL = 1;
    private static final boolean ZSTD_AVAILABLE = zstdLoads();

    /** The name in Accept-Encoding and Content-Encoding; null for identity. */
    public final String token;

    ContentCoding(String token) {
        this.token = token;
    }

    /** The coding to answer a request with this Accept-Encoding header (null: none sent, so identity). */
    public static ContentCoding negotiate(String acceptEncoding) {
        if (acceptEncoding == null || acceptEncoding.isBlank()) {
            return IDENTITY;
        }
        double zstd = ZSTD_AVAILABLE ? quality(acceptEncoding, "zstd") : 0;
        double gzip = quality(acceptEncoding, "gzip");
        double best = Math.max(zstd, gzip);
        // Identity is acceptable unless refused, but competes only when named: "gzip;q=0.5" alone still asks for gzip.
        if (best <= 0 || explicitQuality(acceptEncoding, "identity") > best) {
            return IDENTITY;
        }
        return zstd >= gzip ? ZSTD : GZIP;
    }

    /** Whether the header accepts {@code coding} (a q above 0, named or through "*"). */
    public static boolean accepts(String acceptEncoding, ContentCoding coding) {
        return acceptEncoding != null && quality(acceptEncoding, coding == IDENTITY ? "identity" : coding.token) > 0;
    }

    /**
     * The q value the header gives {@code coding}: its own entry's, else that of "*", else 1 for identity (always
     * acceptable unless refused) and 0 for anything else. A malformed q counts as 0.
     */
    static double quality(String acceptEncoding, String coding) {
        double named = explicitQuality(acceptEncoding, coding);
        if (!Double.isNaN(named)) {
            return named;
        }
        double star = explicitQuality(acceptEncoding, "*");
        if (!Double.isNaN(star)) {
            return star;
        }
        return coding.equals("identity") ? 1 : 0;
    }

    /** The q of {@code coding}'s own entry in the header, NaN when it has none. */
    private static double explicitQuality(String acceptEncoding, String coding) {
        for (String part : acceptEncoding.split(",")) {
            String[] params = part.split(";");
            if (!params[0].trim().equalsIgnoreCase(coding)) {
                continue;
            }
            double q = 1;
            for (int i = 1; i < params.length; i++) {
                String p = params[i].trim().toLowerCase(Locale.ROOT);
                if (p.startsWith("q=")) {
                    q = parseQ(p.substring(2).trim());
                }
            }
            return q;
        }
        return Double.NaN;
    }

    private static double parseQ(String s) {
        if (!s.matches("(0(\\.[0-9]{0,3})?|1(\\.0{0,3})?)")) {
            return 0;
        }
        return Double.parseDouble(s);
    }

    /** Encodes {@code body} (identity and bodies under {@value #MIN_BYTES} bytes stay as they are). */
    public Buffer encode(Buffer body) {
        if (this == IDENTITY || body.length() < MIN_BYTES) {
            return body;
        }
        byte[] raw = body.getBytes();
        if (this == ZSTD) {
            return Buffer.buffer(Zstd.compress(raw, ZSTD_LEVEL));
        }
        int parts = Math.min(Runtime.getRuntime().availableProcessors(), raw.length / PART_BYTES);
        return Buffer.buffer(parts >= 2 ? gzipInParts(raw, GZIP_LEVEL, parts) : gzip(raw, GZIP_LEVEL));
    }

    /** Bodies of at least two parts this size are gzipped on several cores. */
    static final int PART_BYTES = 1 << 20;

    /**
     * One gzip member of {@code raw} whose deflate stream is made of {@code parts} pieces compressed at once, the
     * pieces after the first on the common pool (as pigz does): every piece but the last ends with a sync flush, so
     * the pieces join into one valid stream, each starting without the previous piece's history (a slightly larger
     * output). A 19 MB query answer took several times VictoriaMetrics' time on one thread of a loaded machine.
     */
    static byte[] gzipInParts(byte[] raw, int level, int parts) {
        int size = raw.length / parts;
        List<CompletableFuture<byte[]>> rest = new ArrayList<>();
        for (int p = 1; p < parts; p++) {
            int from = p * size;
            int to = p == parts - 1 ? raw.length : from + size;
            boolean last = p == parts - 1;
            rest.add(CompletableFuture.supplyAsync(() -> deflate(raw, from, to, level, last), ForkJoinPool.commonPool()));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length / 3 + 64);
        out.write(GZIP_HEADER, 0, GZIP_HEADER.length);
        byte[] first = deflate(raw, 0, size, level, false);
        out.write(first, 0, first.length);
        CRC32 crc = new CRC32();
        crc.update(raw);
        for (CompletableFuture<byte[]> f : rest) {
            byte[] piece = f.join();
            out.write(piece, 0, piece.length);
        }
        long c = crc.getValue();
        int n = raw.length; // ISIZE is the length modulo 2^32
        byte[] trailer = {(byte) c, (byte) (c >>> 8), (byte) (c >>> 16), (byte) (c >>> 24),
                (byte) n, (byte) (n >>> 8), (byte) (n >>> 16), (byte) (n >>> 24)};
        out.write(trailer, 0, trailer.length);
        return out.toByteArray();
    }

    /** RFC 1952's header: deflate, no flags, no time, no extra flags, unknown OS. */
    private static final byte[] GZIP_HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};

    /** Raw deflate of raw[from, to): the final block when {@code last}, else ending with a sync flush. */
    private static byte[] deflate(byte[] raw, int from, int to, int level, boolean last) {
        Deflater d = new Deflater(level, true);
        try {
            d.setInput(raw, from, to - from);
            if (last) {
                d.finish();
            }
            byte[] buf = new byte[(to - from) / 3 + 1024];
            int len = 0;
            while (true) {
                if (len == buf.length) {
                    buf = Arrays.copyOf(buf, buf.length * 2);
                }
                int room = buf.length - len;
                int n = last ? d.deflate(buf, len, room) : d.deflate(buf, len, room, Deflater.SYNC_FLUSH);
                len += n;
                // Done when the input is used up and a call left room to spare (the flush is complete).
                if (last ? d.finished() : d.needsInput() && n < room) {
                    return Arrays.copyOf(buf, len);
                }
            }
        } finally {
            d.end();
        }
    }

    /** Marks the response as encoded with what {@link #encode} produced from a body of {@code rawLength} bytes. */
    public void headers(HttpServerResponse r, int rawLength) {
        r.putHeader(HttpHeaders.VARY, "Accept-Encoding");
        if (this != IDENTITY && rawLength >= MIN_BYTES) {
            r.putHeader(HttpHeaders.CONTENT_ENCODING, token);
        }
    }

    /** The gzip member of {@code raw} at a Deflater level. */
    public static byte[] gzip(byte[] raw, int level) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length / 4 + 64);
        try (GZIPOutputStream z = new GZIPOutputStream(out, 64 * 1024) {
            {
                def.setLevel(level);
            }
        }) {
            z.write(raw);
        } catch (IOException e) {
            throw new UncheckedIOException("gzip into memory failed", e); // a ByteArrayOutputStream does not fail
        }
        return out.toByteArray();
    }

    private static boolean zstdLoads() {
        try {
            return Zstd.compress(new byte[] {1}, ZSTD_LEVEL).length > 0;
        } catch (LinkageError e) {
            LOG.log(Level.WARNING, "zstd-jni's native library does not load here; responses use gzip or none", e);
            return false;
        }
    }
}
