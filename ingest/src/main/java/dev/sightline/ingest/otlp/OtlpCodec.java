package dev.sightline.ingest.otlp;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsPartialSuccess;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsPartialSuccess;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.Exemplar;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import dev.sightline.ingest.logs.LogResult;
import dev.sightline.ingest.spans.SpanResult;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * OTLP/HTTP bodies: binary protobuf and the OTLP JSON encoding (protobuf's JSON mapping except that trace and span
 * ids are hex, not base64), optional gzip, and the responses: {@code ExportMetricsServiceResponse},
 * {@code ExportTraceServiceResponse} and, for errors, {@code google.rpc.Status}.
 */
public final class OtlpCodec {
    private static final JsonFormat.Parser JSON_PARSER = JsonFormat.parser().ignoringUnknownFields();
    private static final JsonFormat.Printer JSON_PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();
    /** google.rpc.Code INVALID_ARGUMENT, what OTLP/HTTP's 400 carries. */
    public static final int CODE_INVALID_ARGUMENT = 3;

    private OtlpCodec() {
    }

    /** Inflates a gzip body, refusing one that would inflate beyond {@code maxBytes}. */
    public static byte[] gunzip(byte[] body, long maxBytes) throws MalformedOtlpException, TooLargeException {
        try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(body))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(32, body.length * 4));
            byte[] buf = new byte[16384];
            long total = 0;
            int n;
            while ((n = in.read(buf)) > 0) {
                total += n;
                if (total > maxBytes) {
                    throw new TooLargeException("gzip body inflates beyond the limit of " + maxBytes + " bytes");
                }
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new MalformedOtlpException("invalid gzip body: " + e.getMessage(), e);
        }
    }

    /** A body over the size limit (413). */
    public static final class TooLargeException extends Exception {
        public TooLargeException(String message) {
            super(message);
        }
    }

    /** Checks that a body is a well-formed binary ExportMetricsServiceRequest, without decoding it. */
    public static void checkProtobuf(byte[] body) throws MalformedOtlpException {
        OtlpProtobuf.check(body, 0, body.length);
    }

    /** Checks that a body is a well-formed binary ExportTraceServiceRequest, without decoding it. */
    public static void checkTracesProtobuf(byte[] body) throws MalformedOtlpException {
        OtlpProtobuf.checkTraces(body, 0, body.length);
    }

    public static ExportMetricsServiceRequest parseJson(byte[] body) throws MalformedOtlpException {
        ExportMetricsServiceRequest.Builder b = ExportMetricsServiceRequest.newBuilder();
        mergeJson(body, b, "ExportMetricsServiceRequest");
        hexIds(b);
        return b.build();
    }

    /**
     * An OTLP/JSON ExportTraceServiceRequest. An id that is not hex is not an error of the whole body: it is left as
     * the bytes the parser read, of the wrong length, so the decoder rejects that span (or drops that link) alone.
     */
    public static ExportTraceServiceRequest parseTracesJson(byte[] body) throws MalformedOtlpException {
        ExportTraceServiceRequest.Builder b = ExportTraceServiceRequest.newBuilder();
        mergeJson(body, b, "ExportTraceServiceRequest");
        for (ResourceSpans.Builder rs : b.getResourceSpansBuilderList()) {
            for (ScopeSpans.Builder ss : rs.getScopeSpansBuilderList()) {
                for (Span.Builder s : ss.getSpansBuilderList()) {
                    s.setTraceId(hexOrAsRead(s.getTraceId())).setSpanId(hexOrAsRead(s.getSpanId()))
                            .setParentSpanId(hexOrAsRead(s.getParentSpanId()));
                    for (Span.Link.Builder l : s.getLinksBuilderList()) {
                        l.setTraceId(hexOrAsRead(l.getTraceId())).setSpanId(hexOrAsRead(l.getSpanId()));
                    }
                }
            }
        }
        return b.build();
    }

    /**
     * An OTLP/JSON ExportLogsServiceRequest; a traceId or spanId that is not hex is left as read (of the wrong
     * length), so that record is stored without it.
     */
    public static ExportLogsServiceRequest parseLogsJson(byte[] body) throws MalformedOtlpException {
        ExportLogsServiceRequest.Builder b = ExportLogsServiceRequest.newBuilder();
        mergeJson(body, b, "ExportLogsServiceRequest");
        for (ResourceLogs.Builder rl : b.getResourceLogsBuilderList()) {
            for (ScopeLogs.Builder sl : rl.getScopeLogsBuilderList()) {
                for (LogRecord.Builder r : sl.getLogRecordsBuilderList()) {
                    r.setTraceId(hexOrAsRead(r.getTraceId())).setSpanId(hexOrAsRead(r.getSpanId()));
                }
            }
        }
        return b.build();
    }

    private static void mergeJson(byte[] body, com.google.protobuf.Message.Builder b, String what)
            throws MalformedOtlpException {
        OtlpJsonCheck.check(body, b.getDescriptorForType(), what);
        try {
            JSON_PARSER.merge(new String(body, StandardCharsets.UTF_8), b);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw new MalformedOtlpException("invalid OTLP JSON " + what + ": " + e.getMessage(), e);
        }
    }

    /**
     * OTLP JSON writes traceId/spanId in hex where protobuf's JSON mapping reads base64. Hex digits are base64 digits,
     * and ids of 16 and 8 bytes are 32 and 16 hex digits (multiples of 4), so the parser decoded them as base64
     * without loss: encoding the bytes back gives the hex text, which is then decoded as hex.
     */
    private static void hexIds(ExportMetricsServiceRequest.Builder b) throws MalformedOtlpException {
        for (ResourceMetrics.Builder rm : b.getResourceMetricsBuilderList()) {
            for (ScopeMetrics.Builder sm : rm.getScopeMetricsBuilderList()) {
                for (Metric.Builder m : sm.getMetricsBuilderList()) {
                    switch (m.getDataCase()) {
                        case GAUGE -> {
                            for (NumberDataPoint.Builder p : m.getGaugeBuilder().getDataPointsBuilderList()) {
                                hexIds(p.getExemplarsBuilderList());
                            }
                        }
                        case SUM -> {
                            for (NumberDataPoint.Builder p : m.getSumBuilder().getDataPointsBuilderList()) {
                                hexIds(p.getExemplarsBuilderList());
                            }
                        }
                        case HISTOGRAM -> {
                            for (HistogramDataPoint.Builder p : m.getHistogramBuilder().getDataPointsBuilderList()) {
                                hexIds(p.getExemplarsBuilderList());
                            }
                        }
                        case EXPONENTIAL_HISTOGRAM -> {
                            for (ExponentialHistogramDataPoint.Builder p : m.getExponentialHistogramBuilder().getDataPointsBuilderList()) {
                                hexIds(p.getExemplarsBuilderList());
                            }
                        }
                        default -> {
                        }
                    }
                }
            }
        }
    }

    private static void hexIds(List<Exemplar.Builder> exemplars) throws MalformedOtlpException {
        for (Exemplar.Builder e : exemplars) {
            if (!e.getTraceId().isEmpty()) {
                e.setTraceId(fromHex("traceId", e.getTraceId()));
            }
            if (!e.getSpanId().isEmpty()) {
                e.setSpanId(fromHex("spanId", e.getSpanId()));
            }
        }
    }

    private static ByteString fromHex(String field, ByteString parsedAsBase64) throws MalformedOtlpException {
        ByteString hex = hexOrNull(parsedAsBase64);
        if (hex == null) {
            throw new MalformedOtlpException("exemplar " + field + " \""
                    + Base64.getEncoder().encodeToString(parsedAsBase64.toByteArray()) + "\" is not hex", null);
        }
        return hex;
    }

    private static ByteString hexOrAsRead(ByteString parsedAsBase64) {
        ByteString hex = hexOrNull(parsedAsBase64);
        return hex == null ? parsedAsBase64 : hex;
    }

    /** The id the hex text (read by the parser as base64) stands for, or null when that text is not hex. */
    private static ByteString hexOrNull(ByteString parsedAsBase64) {
        String text = Base64.getEncoder().encodeToString(parsedAsBase64.toByteArray());
        try {
            return ByteString.copyFrom(HexFormat.of().parseHex(text));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The response: empty on full success, else partial_success with the refused point count and reasons. */
    public static ExportMetricsServiceResponse response(OtlpResult r) {
        ExportMetricsServiceResponse.Builder b = ExportMetricsServiceResponse.newBuilder();
        if (r.rejectedPoints() > 0) {
            b.setPartialSuccess(ExportMetricsPartialSuccess.newBuilder()
                    .setRejectedDataPoints(r.rejectedPoints()).setErrorMessage(r.errorMessage()));
        }
        return b.build();
    }

    /** The traces response: empty on full success, else partial_success with the rejected span count and reasons. */
    public static ExportTraceServiceResponse response(SpanResult r) {
        ExportTraceServiceResponse.Builder b = ExportTraceServiceResponse.newBuilder();
        if (r.rejectedSpans() > 0) {
            b.setPartialSuccess(ExportTracePartialSuccess.newBuilder()
                    .setRejectedSpans(r.rejectedSpans()).setErrorMessage(r.errorMessage()));
        }
        return b.build();
    }

    /** The logs response: empty on full success, else partial_success with the refused record count and reasons. */
    public static ExportLogsServiceResponse response(LogResult r) {
        ExportLogsServiceResponse.Builder b = ExportLogsServiceResponse.newBuilder();
        if (r.rejected() > 0) {
            b.setPartialSuccess(ExportLogsPartialSuccess.newBuilder()
                    .setRejectedLogRecords(r.rejected()).setErrorMessage(r.errorMessage()));
        }
        return b.build();
    }

    public static byte[] toJson(MessageOrBuilder m) {
        try {
            return JSON_PRINTER.print(m).getBytes(StandardCharsets.UTF_8);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("cannot print " + m.getClass().getSimpleName() + " as JSON", e);
        }
    }

    /** google.rpc.Status {code, message} in binary protobuf (written by hand: the message type is not on the class path). */
    public static byte[] statusProtobuf(int code, String message) {
        try {
            byte[] msg = message.getBytes(StandardCharsets.UTF_8);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(msg.length + 16);
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            out.writeInt32(1, code);
            out.writeByteArray(2, msg);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static byte[] statusJson(int code, String message) {
        StringBuilder sb = new StringBuilder("{\"code\":").append(code).append(",\"message\":\"");
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append("\"}").toString().getBytes(StandardCharsets.UTF_8);
    }
}
