package dev.sightline.ingest.remotewrite;

import dev.sightline.ingest.IngestContext;
import dev.sightline.ingest.IngestLimits;
import dev.sightline.metricstore.Appender;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * Prometheus remote-write receiving, without HTTP: takes a request's body and headers, decodes it into a
 * storage {@link Appender} and says what to answer. The Content-Type's {@code proto} parameter chooses the message:
 * {@code prometheus.WriteRequest} (1.0, also when absent) or {@code io.prometheus.write.v2.Request} (2.0); any other
 * is answered 415, as the 2.0 spec asks.
 *
 * <p>Status codes: 204 all stored; 400 malformed body (nothing kept) or some series/samples refused (the valid rest
 * is kept, see {@link RemoteWriteResult#commit()}); 413 declared decompressed size over the limit (checked from the
 * snappy header before decompressing); 415 content type or encoding not supported. Thread-safe: everything is per
 * call. Refusals the appender throws (the series-per-metric limit among them) are reported like the decoder's own.
 */
public final class RemoteWriteReceiver {
    public static final String PROTOCOL = "prometheus_remote_write";
    static final String V1_PROTO = "prometheus.WriteRequest";
    static final String V2_PROTO = "io.prometheus.write.v2.Request";

    private static final int MIN_BUFFER = 64 << 10, MAX_POOLED_BUFFER = 16 << 20, MAX_POOLED_SERIES = 1 << 18;

    private final IngestLimits limits;
    /**
     * Decompression buffers reused across requests (the decoders keep no reference into them): a fresh one per
     * request was half of the receive path's garbage. At most a few, each at most 16 MB.
     */
    private final ArrayBlockingQueue<byte[]> buffers = new ArrayBlockingQueue<>(2 * Runtime.getRuntime().availableProcessors() + 2);
    /** The 1.0 decoder's look-ahead arrays (about 28 bytes per series of a request), reused the same way. */
    private final ArrayBlockingQueue<RefLookAhead> lookAheads = new ArrayBlockingQueue<>(2 * Runtime.getRuntime().availableProcessors() + 2);

    public RemoteWriteReceiver(IngestLimits limits) {
        this.limits = limits;
    }

    public IngestLimits limits() {
        return limits;
    }

    /**
     * Handles one request. Header values may be null when absent. The version header
     * (X-Prometheus-Remote-Write-Version) does not choose the decoding: per the 2.0 spec the content type does; it
     * is only quoted in the 415 answer.
     */
    public RemoteWriteResult receive(byte[] body, int off, int len, String contentEncoding, String contentType,
                                     String remoteWriteVersion, Appender appender, IngestContext context) {
        String unsupported = checkHeaders(contentEncoding, contentType, remoteWriteVersion);
        if (unsupported != null) {
            return RemoteWriteResult.refused(415, unsupported, 1);
        }
        int version = V2_PROTO.equals(protoParameter(contentType)) ? 2 : 1;
        long declared;
        try {
            declared = Snappy.declaredLength(body, off, len);
        } catch (MalformedRequestException e) {
            return RemoteWriteResult.refused(400, e.getMessage(), version);
        }
        if (declared > limits.maxDecompressedBytes()) {
            return RemoteWriteResult.refused(413, "decompressed body of " + declared
                    + " bytes (from the snappy header) exceeds the limit of " + limits.maxDecompressedBytes()
                    + " bytes (max_request_body_bytes)", version);
        }
        byte[] message = takeBuffer((int) declared);
        RefLookAhead ahead = version == 2 ? null : takeLookAhead();
        RemoteWriteDecoder d;
        try {
            int n = Snappy.decompress(body, off, len, message);
            d = version == 2
                    ? new WriteRequestV2Decoder(message, appender, context, limits.labelLimits(), limits.maxReportedErrors())
                    : new WriteRequestDecoder(message, appender, context, limits.labelLimits(), limits.maxReportedErrors(), ahead);
            d.decode(0, n);
        } catch (MalformedRequestException e) {
            return RemoteWriteResult.refused(400, e.getMessage(), version);
        } finally {
            giveBuffer(message);
            if (ahead != null && ahead.at.length <= MAX_POOLED_SERIES) {
                lookAheads.offer(ahead);
            }
        }
        long rejected = 0;
        for (long v : d.rejected.values()) {
            rejected += v;
        }
        if (rejected == 0) {
            return new RemoteWriteResult(204, "", true, version, d.samplesAccepted, d.histogramsAccepted, d.exemplarsReceived,
                    d.metadataReceived, d.rejected, d.errors);
        }
        StringBuilder msg = new StringBuilder();
        msg.append(rejected).append(" of ").append(rejected + d.samplesAccepted + d.histogramsAccepted)
                .append(" samples refused (").append(reasons(d.rejected)).append("); the others were stored");
        for (String e : d.errors) {
            msg.append('\n').append(e);
        }
        if (d.errors.size() == limits.maxReportedErrors()) {
            msg.append("\n(only the first ").append(limits.maxReportedErrors()).append(" errors are listed)");
        }
        return new RemoteWriteResult(400, msg.toString(), true, version, d.samplesAccepted, d.histogramsAccepted,
                d.exemplarsReceived, d.metadataReceived, d.rejected, d.errors);
    }

    public RemoteWriteResult receive(byte[] body, String contentEncoding, String contentType, String remoteWriteVersion,
                                     Appender appender, IngestContext context) {
        return receive(body, 0, body.length, contentEncoding, contentType, remoteWriteVersion, appender, context);
    }

    /** A buffer of at least n bytes: a pooled one if big enough, else a new one rounded up to a power of two. */
    private byte[] takeBuffer(int n) {
        byte[] b = buffers.poll();
        if (b != null && b.length >= n) {
            return b;
        }
        int size = Math.max(MIN_BUFFER, n);
        return new byte[size <= MAX_POOLED_BUFFER ? Integer.highestOneBit(size - 1) << 1 : size];
    }

    private RefLookAhead takeLookAhead() {
        RefLookAhead a = lookAheads.poll();
        return a != null ? a : new RefLookAhead();
    }

    private void giveBuffer(byte[] b) {
        if (b.length <= MAX_POOLED_BUFFER) {
            buffers.offer(b);
        }
    }

    private static String reasons(Map<?, Long> rejected) {
        StringBuilder sb = new StringBuilder();
        rejected.forEach((r, n) -> sb.append(sb.isEmpty() ? "" : ", ").append(r.toString().toLowerCase(Locale.ROOT)).append(": ").append(n));
        return sb.toString();
    }

    /** Null when the request is remote-write 1.0 or 2.0 (an absent content type or encoding is taken as 1.0's defaults). */
    static String checkHeaders(String contentEncoding, String contentType, String version) {
        if (contentEncoding != null && !contentEncoding.isBlank() && !contentEncoding.trim().equalsIgnoreCase("snappy")) {
            return "unsupported Content-Encoding \"" + contentEncoding + "\": remote-write bodies are snappy block-compressed";
        }
        if (contentType == null || contentType.isBlank()) {
            return null;
        }
        String media = contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
        if (!media.equals("application/x-protobuf")) {
            return "unsupported Content-Type \"" + contentType + "\": expected application/x-protobuf";
        }
        String proto = protoParameter(contentType);
        if (proto != null && !proto.equals(V1_PROTO) && !proto.equals(V2_PROTO)) {
            return "unsupported Content-Type \"" + contentType + "\""
                    + (version == null ? "" : " (X-Prometheus-Remote-Write-Version " + version + ")")
                    + ": supported are proto=" + V1_PROTO + " (remote-write 1.0) and proto=" + V2_PROTO + " (2.0)";
        }
        return null;
    }

    /** The value of the Content-Type's {@code proto} parameter, null when absent. */
    private static String protoParameter(String contentType) {
        if (contentType == null) {
            return null;
        }
        String[] parts = contentType.split(";");
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].trim();
            int eq = p.indexOf('=');
            if (eq > 0 && p.substring(0, eq).trim().equalsIgnoreCase("proto")) {
                return p.substring(eq + 1).trim();
            }
        }
        return null;
    }
}
