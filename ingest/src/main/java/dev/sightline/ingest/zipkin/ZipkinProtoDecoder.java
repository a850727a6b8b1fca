package dev.sightline.ingest.zipkin;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import dev.sightline.core.span.SpanIds;
import dev.sightline.ingest.spans.SpanLimits;
import dev.sightline.ingest.spans.SpanResult;
import dev.sightline.ingest.spans.SpanSink;

import java.io.IOException;

/**
 * Decodes a Zipkin v2 proto3 body ({@code POST /api/v2/spans} with {@code application/x-protobuf}: a
 * {@code zipkin.proto3.ListOfSpans}, as zipkin-api's zipkin.proto defines it) into spans, read from the wire without
 * generated classes and mapped by {@link ZipkinSpanMapper} as the JSON encoding is. Ids are big-endian bytes: a trace
 * id of 8 bytes (the high half zero) or 16, a span id of 8; a span whose ids are missing, of another length or all
 * zero is rejected alone and counted. Endpoint addresses (4 or 16 bytes) become their text form. A body that is not
 * a well-formed ListOfSpans (truncated, a known field of the wrong wire type, invalid UTF-8) fails whole, naming the
 * byte offset and the span; nothing is handed to the sink then.
 */
public final class ZipkinProtoDecoder {
    private static final int SPANS = 1;
    // Span
    private static final int TRACE_ID = 1, PARENT_ID = 2, ID = 3, KIND = 4, NAME = 5, TIMESTAMP = 6, DURATION = 7,
            LOCAL_ENDPOINT = 8, REMOTE_ENDPOINT = 9, ANNOTATIONS = 10, TAGS = 11;
    // Endpoint
    private static final int SERVICE_NAME = 1, IPV4 = 2, IPV6 = 3, PORT = 4;
    // Annotation; map entries have key 1 and value 2 too.
    private static final int A_TIMESTAMP = 1, A_VALUE = 2;
    private static final String[] KINDS = {null, "CLIENT", "SERVER", "PRODUCER", "CONSUMER"};

    private final SpanLimits limits;
    private final int maxReportedErrors;

    public ZipkinProtoDecoder(SpanLimits limits, int maxReportedErrors) {
        this.limits = limits;
        this.maxReportedErrors = maxReportedErrors;
    }

    public SpanResult decode(byte[] body, SpanSink sink) throws MalformedZipkinException {
        ZipkinSpanMapper m = new ZipkinSpanMapper(limits, maxReportedErrors);
        Reader r = new Reader(body);
        try {
            for (int t = r.in.readTag(); t != 0; t = r.in.readTag()) {
                if (WireFormat.getTagFieldNumber(t) == SPANS) {
                    r.expect(t, WireFormat.WIRETYPE_LENGTH_DELIMITED, "spans");
                    int lim = r.in.pushLimit(r.in.readRawVarint32());
                    r.span(m);
                    r.in.popLimit(lim);
                    r.spanIndex++;
                } else {
                    r.in.skipField(t);
                }
            }
        } catch (InvalidProtocolBufferException e) {
            throw r.malformed(e.getMessage(), e);
        } catch (IOException e) {
            throw r.malformed(e.toString(), e);
        }
        return m.handOn(sink);
    }

    /**
     * An IPv6 address in RFC 5952's text form, as Zipkin's JSON carries it (zipkin2 writes it so): lower-case groups
     * without leading zeros, the longest run of two or more zero groups (the first of equals) as "::".
     */
    static String ipv6(byte[] b) {
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = (b[2 * i] & 0xff) << 8 | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1, bestLen = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(groups[i]));
        }
        return sb.toString();
    }

    /** One body's reader: a single stream, so its position is the byte offset in the body. */
    private static final class Reader {
        final byte[] buf;
        final CodedInputStream in;
        int spanIndex;

        Reader(byte[] buf) {
            this.buf = buf;
            this.in = CodedInputStream.newInstance(buf);
        }

        MalformedZipkinException malformed(String reason, Throwable cause) {
            return new MalformedZipkinException("invalid Zipkin proto3 ListOfSpans at byte offset "
                    + in.getTotalBytesRead() + " (span " + spanIndex + "): " + reason, cause);
        }

        void expect(int tag, int wireType, String field) throws MalformedZipkinException {
            if (WireFormat.getTagWireType(tag) != wireType) {
                throw malformed("field " + field + " has wire type " + WireFormat.getTagWireType(tag) + ", want "
                        + wireType, null);
            }
        }

        /** One Span, the stream limited to it. */
        void span(ZipkinSpanMapper m) throws IOException, MalformedZipkinException {
            m.begin();
            int traceIdAt = -1, traceIdLen = 0, idAt = -1, idLen = 0, parentAt = -1, parentLen = 0;
            for (int t = in.readTag(); t != 0; t = in.readTag()) {
                switch (WireFormat.getTagFieldNumber(t)) {
                    case TRACE_ID -> {
                        expect(t, WireFormat.WIRETYPE_LENGTH_DELIMITED, "trace_id");
                        traceIdLen = in.readRawVarint32();
                        traceIdAt = skip(traceIdLen);
                    }
                    case PARENT_ID -> {
                        expect(t, WireFormat.WIRETYPE_LENGTH_DELIMITED, "parent_id");
                        parentLen = in.readRawVarint32();
                        parentAt = skip(parentLen);
                    }
                    case ID -> {
                        expect(t, WireFormat.WIRETYPE_LENGTH_DELIMITED, "id");
                        idLen = in.readRawVarint32();
                        idAt = skip(idLen);
                    }
                    case KIND -> {
                        expect(t, WireFormat.WIRETYPE_VARINT, "kind");
                        int k = in.readEnum();
                        m.kind = k > 0 && k < KINDS.length ? KINDS[k] : null;
                    }
                    case NAME -> {
                        expect(t, WireFormat.WIRETYPE_LENGTH_DELIMITED, "name");
                        m.name = in.readStringRequireUtf8();
                    }
                    case TIMESTAMP -> {
                        expect(t, WireFormat.WIRETYPE_FIXED64, "timestamp");
                        m.timestampMicros = in.readFixed64();
                    }
                    case DURATION -> {
                        expect(t, WireFormat.WIRETYPE_VARINT, "duration");
                        m.durationMicros = in.readUInt64();
                    }
                    case LOCAL_ENDPOINT, REMOTE_ENDPOINT -> {
                        boolean local = WireFormat.getTagFieldNumber(t) == LOCAL_ENDPOINT;
                        expect(t, WireFormat.WIRETYPE_LENGTH_DELIMITED, local ? "local_endpoint" : "remote_endpoint");
                        int lim = in.pushLimit(in.readRawVarint32());
                        endpoint(m, local);
                        in.popLimit(lim);
                    }
                    case ANNOTATIONS -> {
                        expect(t, WireFormat.WIRETYPE_LENGTH_DELIMITED, "annotations");
                        int lim = in.pushLimit(in.readRawVarint32());
                        annotation(m);
                        in.popLimit(lim);
                    }
                    case TAGS -> {
                        expect(t, WireFormat.WIRETYPE_LENGTH_DELIMITED, "tags");
                        int lim = in.pushLimit(in.readRawVarint32());
                        tag(m);
                        in.popLimit(lim);
                    }
                    default -> in.skipField(t); // debug, shared, and fields Zipkin may add
                }
            }
            ids(m, traceIdAt, traceIdLen, idAt, idLen, parentAt, parentLen);
            m.finish();
        }

        /** Skips {@code len} bytes; returns their offset. */
        private int skip(int len) throws IOException {
            int at = in.getTotalBytesRead();
            in.skipRawBytes(len);
            return at;
        }

        private void ids(ZipkinSpanMapper m, int traceIdAt, int traceIdLen, int idAt, int idLen, int parentAt,
                         int parentLen) {
            String problem = traceIdAt < 0 || traceIdLen == 0 ? "trace_id is missing"
                    : traceIdLen != 8 && traceIdLen != 16 ? "trace_id has " + traceIdLen + " bytes, want 8 or 16" : null;
            if (problem == null) {
                m.traceHi = traceIdLen == 16 ? SpanIds.fromBytes(buf, traceIdAt) : 0;
                m.traceLo = SpanIds.fromBytes(buf, traceIdAt + traceIdLen - 8);
                problem = (m.traceHi | m.traceLo) == 0 ? "trace_id is all zero" : null;
            }
            if (problem == null) {
                problem = idAt < 0 || idLen == 0 ? "id is missing" : idLen != 8 ? "id has " + idLen + " bytes, want 8" : null;
            }
            if (problem == null) {
                m.id = SpanIds.fromBytes(buf, idAt);
                problem = m.id == 0 ? "id is all zero" : null;
            }
            if (problem == null && parentLen != 0) {
                if (parentLen != 8) {
                    problem = "parent_id has " + parentLen + " bytes, want 8 or none";
                } else {
                    m.parentId = SpanIds.fromBytes(buf, parentAt); // all zero: no parent
                }
            }
            m.idProblem = problem;
        }

        private void endpoint(ZipkinSpanMapper m, boolean local) throws IOException, MalformedZipkinException {
            String service = null, ip4 = null, ip6 = null;
            int port = 0;
            for (int t = in.readTag(); t != 0; t = in.readTag()) {
                switch (WireFormat.getTagFieldNumber(t)) {
                    case SERVICE_NAME -> {
                        expect(t, WireFormat.WIRETYPE_LENGTH_DELIMITED, "service_name");
                        service = in.readStringRequireUtf8();
                    }
                    case IPV4 -> {
                        expect(t, WireFormat.WIRETYPE_LENGTH_DELIMITED, "ipv4");
                        ip4 = address(in.readByteArray(), 4, "ipv4");
                    }
                    case IPV6 -> {
                        expect(t, WireFormat.WIRETYPE_LENGTH_DELIMITED, "ipv6");
                        ip6 = address(in.readByteArray(), 16, "ipv6");
                    }
                    case PORT -> {
                        expect(t, WireFormat.WIRETYPE_VARINT, "port");
                        port = in.readInt32();
                    }
                    default -> in.skipField(t);
                }
            }
            String ip = ip6 != null ? ip6 : ip4; // the collector sets ipv4, then ipv6 over it
            if (local) {
                m.localService = service;
                m.localIp = ip;
                m.localPort = port;
            } else {
                m.remoteService = service;
                m.remoteIp = ip;
                m.remotePort = port;
            }
        }

            private String address(byte[] b, int want, String field) throws MalformedZipkinException {
            if (b.length == 0) {
                return null;
            }
            if (b.length != want) {
                throw malformed("endpoint " + field + " has " + b.length + " bytes, want " + want, null);
            }
            return want == 4 ? (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + "." + (b[3] & 0xff) : ipv6(b);
        }

        private void annotation(ZipkinSpanMapper m) throws IOException, MalformedZipkinException {
            long time = 0;
            String value = "";
            for (int t = in.readTag(); t != 0; t = in.readTag()) {
                switch (WireFormat.getTagFieldNumber(t)) {
                    case A_TIMESTAMP -> {
                        expect(t, WireFormat.WIRETYPE_FIXED64, "annotation timestamp");
                        time = in.readFixed64();
                    }
                    case A_VALUE -> {
                        expect(t, WireFormat.WIRETYPE_LENGTH_DELIMITED, "annotation value");
                        value = in.readStringRequireUtf8();
                    }
                    default -> in.skipField(t);
                }
            }
            m.annotation(time, value);
        }

        /** A map entry of tags: key 1, value 2. */
        private void tag(ZipkinSpanMapper m) throws IOException, MalformedZipkinException {
            String key = "", value = "";
            for (int t = in.readTag(); t != 0; t = in.readTag()) {
                int f = WireFormat.getTagFieldNumber(t);
                if (f == 1 || f == 2) {
                    expect(t, WireFormat.WIRETYPE_LENGTH_DELIMITED, f == 1 ? "tag key" : "tag value");
                    String s = in.readStringRequireUtf8();
                    if (f == 1) {
                        key = s;
                    } else {
                        value = s;
                    }
                } else {
                    in.skipField(t);
                }
            }
            m.tags.put(key, value);
        }
    }
}
