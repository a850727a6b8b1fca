package dev.sightline.server.http;

import com.github.luben.zstd.Zstd;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.internal.buffer.BufferInternal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
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
        if (this == ZSTD) {
            return Buffer.buffer(Zstd.compress(body.getBytes(), ZSTD_LEVEL));
        }
        // The body's own bytes, not a copy of them (19 MB for the query benchmark's large answer).
        ByteBuffer raw = ((BufferInternal) body).getByteBuf().nioBuffer();
        int parts = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), raw.remaining() / PART_BYTES));
        return BufferInternal.buffer(gzipInParts(raw, GZIP_LEVEL, parts));
    }

    /** Bodies of at least two parts this size are gzipped on several cores. */
    static final int PART_BYTES = 1 << 20;

    /**
     * One gzip member of {@code raw}'s remaining bytes (left as they are) whose deflate stream is made of {@code parts}
     * pieces compressed at once, the pieces after the first on the common pool (as pigz does): every piece but the
     * last ends with a sync flush, so the pieces join into one valid stream, each starting without the previous
     * piece's history (a slightly larger output). A 19 MB query answer took several times VictoriaMetrics' time on
     * one thread of a loaded machine. The first piece is deflated into the member's own array, the others appended
     * to it: one array, which the socket write takes as it is (a composite was merged into a copy there).
     */
    static ByteBuf gzipInParts(ByteBuffer raw, int level, int parts) {
        int length = raw.remaining();
        int size = length / parts;
        List<CompletableFuture<ByteBuf>> rest = new ArrayList<>();
        for (int p = 1; p < parts; p++) {
            int from = p * size;
            int to = p == parts - 1 ? length : from + size;
            boolean last = p == parts - 1;
            rest.add(CompletableFuture.supplyAsync(() -> deflate(raw.slice(raw.position() + from, to - from), level, last,
                    new byte[(to - from) / 2 + 1024], 0), ForkJoinPool.commonPool()));
        }
        byte[] start = new byte[length / 2 + 1024];
        System.arraycopy(GZIP_HEADER, 0, start, 0, GZIP_HEADER.length);
        ByteBuf out = deflate(raw.slice(raw.position(), parts == 1 ? length : size), level, parts == 1, start,
                GZIP_HEADER.length);
        CRC32 crc = new CRC32();
        crc.update(raw.duplicate());
        List<ByteBuf> pieces = rest.stream().map(CompletableFuture::join).toList();
        int total = out.readableBytes() + pieces.stream().mapToInt(ByteBuf::readableBytes).sum() + 8;
        if (total > out.capacity()) { // a wrapped array does not grow
            out = Unpooled.buffer(total).writeBytes(out);
        }
        for (ByteBuf piece : pieces) {
            out.writeBytes(piece);
        }
        long c = crc.getValue();
        int n = length; // ISIZE is the length modulo 2^32
        return out.writeBytes(new byte[] {(byte) c, (byte) (c >>> 8), (byte) (c >>> 16), (byte) (c >>> 24),
                (byte) n, (byte) (n >>> 8), (byte) (n >>> 16), (byte) (n >>> 24)});
    }

    /** RFC 1952's header: deflate, no flags, no time, no extra flags, unknown OS. */
    private static final byte[] GZIP_HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};

    /**
     * Raw deflate of {@code in} into {@code buf} from {@code pos} on (grown when short), returned as a buffer of
     * buf's bytes up to the end of the output: the final block when {@code last}, else ending with a sync flush.
     * Query JSON packs to about 0.4 of its size at level 1, so callers give half the input's size and more.
     */
    private static ByteBuf deflate(ByteBuffer in, int level, boolean last, byte[] buf, int pos) {
        Deflater d = new Deflater(level, true);
        try {
            d.setInput(in);
            if (last) {
                d.finish();
            }
            int len = pos;
            while (true) {
                if (len == buf.length) {
                    buf = Arrays.copyOf(buf, buf.length * 2);
                }
                int room = buf.length - len;
                int n = last ? d.deflate(buf, len, room) : d.deflate(buf, len, room, Deflater.SYNC_FLUSH);
                len += n;
                // Done when the input is used up and a call left room to spare (the flush is complete).
                if (last ? d.finished() : d.needsInput() && n < room) {
                    return Unpooled.wrappedBuffer(buf).writerIndex(len);
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
