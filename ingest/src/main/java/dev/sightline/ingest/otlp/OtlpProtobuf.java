package dev.sightline.ingest.otlp;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import dev.sightline.ingest.Utf8;

import java.io.IOException;

/**
 * The OTLP metrics, traces and logs protobuf schemas as far as the streaming decoders read them (field numbers of
 * opentelemetry/proto/metrics/v1/metrics.proto, trace/v1/trace.proto, common.proto, resource.proto), and a structural
 * check of a whole {@code ExportMetricsServiceRequest}, {@code ExportTraceServiceRequest} or
 * {@code ExportLogsServiceRequest} done before anything is
 * appended: truncation, bad varints, wire types, nesting
 * beyond protobuf's limit and invalid UTF-8 in string fields are refused as the generated parser refuses them, with
 * the byte offset. A known field with an unexpected wire type is an unknown field, skipped, as the generated parser does.
 */
final class OtlpProtobuf {
    static final int LEN = WireFormat.WIRETYPE_LENGTH_DELIMITED;
    static final int I64 = WireFormat.WIRETYPE_FIXED64;
    static final int VARINT = WireFormat.WIRETYPE_VARINT;

    // Message kinds for the structural check.
    private static final int REQUEST = 0, RESOURCE_METRICS = 1, RESOURCE = 2, SCOPE_METRICS = 3, SCOPE = 4, KEY_VALUE = 5,
            ANY_VALUE = 6, ARRAY_VALUE = 7, KV_LIST = 8, METRIC = 9, POINTS_CONTAINER = 10, NUMBER_POINT = 11,
            HISTOGRAM_POINT = 12, EXP_POINT = 13, EXP_BUCKETS = 14, SUMMARY_POINT = 15, QUANTILE = 16, EXEMPLAR = 17,
            GAUGE = 18, SUM = 19, HISTOGRAM = 20, EXP_HISTOGRAM = 21, SUMMARY = 22, TRACE_REQUEST = 23,
            RESOURCE_SPANS = 24, SCOPE_SPANS = 25, SPAN = 26, SPAN_EVENT = 27, SPAN_LINK = 28, SPAN_STATUS = 29,
            LOGS_REQUEST = 30, RESOURCE_LOGS = 31, SCOPE_LOGS = 32, LOG_RECORD = 33;
    /** Field kinds: a string (UTF-8 checked), or something skipped as bytes/scalars. */
    private static final int STRING = -1, OTHER = -2, PACKED_64 = -3, PACKED_VARINT = -4;
    /** protobuf-java's default recursion limit. */
    private static final int MAX_DEPTH = 100;

    // Field tags (field number and wire type) of the fields the streaming decoder reads.
    static final int RM_FIELD = tag(1, LEN);
    static final int RM_RESOURCE = tag(1, LEN), RM_SCOPE_METRICS = tag(2, LEN);
    static final int RESOURCE_ATTRIBUTES = tag(1, LEN);
    static final int SM_SCOPE = tag(1, LEN), SM_METRICS = tag(2, LEN), SM_SCHEMA_URL = tag(3, LEN);
    static final int SCOPE_NAME = tag(1, LEN), SCOPE_VERSION = tag(2, LEN), SCOPE_ATTRIBUTES = tag(3, LEN);
    static final int KV_KEY = tag(1, LEN), KV_VALUE = tag(2, LEN);
    static final int AV_STRING = tag(1, LEN), AV_BOOL = tag(2, VARINT), AV_INT = tag(3, VARINT),
            AV_DOUBLE = tag(4, I64), AV_ARRAY = tag(5, LEN), AV_KVLIST = tag(6, LEN), AV_BYTES = tag(7, LEN);
    static final int LIST_VALUES = tag(1, LEN);
    static final int M_NAME = tag(1, LEN), M_DESCRIPTION = tag(2, LEN), M_UNIT = tag(3, LEN), M_GAUGE = tag(5, LEN),
            M_SUM = tag(7, LEN), M_HISTOGRAM = tag(9, LEN), M_EXP_HISTOGRAM = tag(10, LEN), M_SUMMARY = tag(11, LEN);
    static final int DATA_POINTS = tag(1, LEN), DATA_TEMPORALITY = tag(2, VARINT), DATA_MONOTONIC = tag(3, VARINT);
    static final int P_START = tag(2, I64), P_TIME = tag(3, I64);
    static final int NP_AS_DOUBLE = tag(4, I64), NP_AS_INT = tag(6, I64), NP_EXEMPLARS = tag(5, LEN),
            NP_ATTRIBUTES = tag(7, LEN), NP_FLAGS = tag(8, VARINT);
    static final int HP_COUNT = tag(4, I64), HP_SUM = tag(5, I64), HP_COUNTS_PACKED = tag(6, LEN),
            HP_COUNTS = tag(6, I64), HP_BOUNDS_PACKED = tag(7, LEN), HP_BOUNDS = tag(7, I64), HP_EXEMPLARS = tag(8, LEN),
            HP_ATTRIBUTES = tag(9, LEN), HP_FLAGS = tag(10, VARINT);
    static final int EP_ATTRIBUTES = tag(1, LEN), EP_COUNT = tag(4, I64), EP_SUM = tag(5, I64),
            EP_SCALE = tag(6, VARINT), EP_ZERO_COUNT = tag(7, I64), EP_POSITIVE = tag(8, LEN), EP_NEGATIVE = tag(9, LEN),
            EP_FLAGS = tag(10, VARINT), EP_EXEMPLARS = tag(11, LEN), EP_ZERO_THRESHOLD = tag(14, I64);
    static final int B_OFFSET = tag(1, VARINT), B_COUNTS_PACKED = tag(2, LEN), B_COUNTS = tag(2, VARINT);
    static final int SP_COUNT = tag(4, I64), SP_SUM = tag(5, I64), SP_QUANTILES = tag(6, LEN),
            SP_ATTRIBUTES = tag(7, LEN), SP_FLAGS = tag(8, VARINT);
    static final int Q_QUANTILE = tag(1, I64), Q_VALUE = tag(2, I64);
    static final int EX_TIME = tag(2, I64), EX_AS_DOUBLE = tag(3, I64), EX_SPAN_ID = tag(4, LEN),
            EX_TRACE_ID = tag(5, LEN), EX_AS_INT = tag(6, I64), EX_ATTRIBUTES = tag(7, LEN);
    // Traces: ExportTraceServiceRequest, ResourceSpans, ScopeSpans, Span, Span.Event, Span.Link, Status.
    static final int RS_FIELD = tag(1, LEN);
    static final int RS_RESOURCE = tag(1, LEN), RS_SCOPE_SPANS = tag(2, LEN), RS_SCHEMA_URL = tag(3, LEN);
    static final int RESOURCE_DROPPED = tag(2, VARINT), SCOPE_DROPPED = tag(4, VARINT);
    static final int SS_SCOPE = tag(1, LEN), SS_SPANS = tag(2, LEN), SS_SCHEMA_URL = tag(3, LEN);
    static final int S_TRACE_ID = tag(1, LEN), S_SPAN_ID = tag(2, LEN), S_TRACE_STATE = tag(3, LEN),
            S_PARENT_SPAN_ID = tag(4, LEN), S_NAME = tag(5, LEN), S_KIND = tag(6, VARINT), S_START = tag(7, I64),
            S_END = tag(8, I64), S_ATTRIBUTES = tag(9, LEN), S_DROPPED_ATTRIBUTES = tag(10, VARINT),
            S_EVENTS = tag(11, LEN), S_DROPPED_EVENTS = tag(12, VARINT), S_LINKS = tag(13, LEN),
            S_DROPPED_LINKS = tag(14, VARINT), S_STATUS = tag(15, LEN), S_FLAGS = tag(16, WireFormat.WIRETYPE_FIXED32);
    static final int EV_TIME = tag(1, I64), EV_NAME = tag(2, LEN), EV_ATTRIBUTES = tag(3, LEN),
            EV_DROPPED_ATTRIBUTES = tag(4, VARINT);
    static final int L_TRACE_ID = tag(1, LEN), L_SPAN_ID = tag(2, LEN), L_TRACE_STATE = tag(3, LEN),
            L_ATTRIBUTES = tag(4, LEN), L_DROPPED_ATTRIBUTES = tag(5, VARINT), L_FLAGS = tag(6, WireFormat.WIRETYPE_FIXED32);
    static final int ST_MESSAGE = tag(2, LEN), ST_CODE = tag(3, VARINT);
    // Logs: ExportLogsServiceRequest, ResourceLogs, ScopeLogs, LogRecord (logs/v1/logs.proto).
    static final int RL_FIELD = tag(1, LEN);
    static final int RL_RESOURCE = tag(1, LEN), RL_SCOPE_LOGS = tag(2, LEN);
    static final int SL_SCOPE = tag(1, LEN), SL_LOG_RECORDS = tag(2, LEN);
    static final int LR_TIME = tag(1, I64), LR_SEVERITY_NUMBER = tag(2, VARINT), LR_SEVERITY_TEXT = tag(3, LEN),
            LR_BODY = tag(5, LEN), LR_ATTRIBUTES = tag(6, LEN), LR_TRACE_ID = tag(9, LEN), LR_SPAN_ID = tag(10, LEN),
            LR_OBSERVED_TIME = tag(11, I64);
    /** A tag no field has: summaries have no exemplars. */
    static final int NO_FIELD = -1;

    private OtlpProtobuf() {
    }

    /** What is done with one length-delimited field: its value is buf[at, at+len). */
    @FunctionalInterface
    interface FieldReader {
        void read(int at, int len) throws IOException;
    }

    /** Hands each field tagged {@code tag} of the message in buf[off, off+len) to {@code reader}, skipping the rest. */
    static void forEachField(byte[] buf, int off, int len, int tag, FieldReader reader) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(buf, off, len);
        for (int t = in.readTag(); t != 0; t = in.readTag()) {
            if (t == tag) {
                int l = in.readRawVarint32();
                int at = off + in.getTotalBytesRead();
                in.skipRawBytes(l);
                reader.read(at, l);
            } else {
                in.skipField(t);
            }
        }
    }

    static int tag(int field, int wireType) {
        return (field << 3) | wireType;
    }

    /** What field {@code f} (length-delimited) of message kind {@code kind} holds: a message kind, STRING or OTHER. */
    private static int child(int kind, int f) {
        return switch (kind) {
            case REQUEST -> f == 1 ? RESOURCE_METRICS : OTHER;
            case RESOURCE_METRICS -> f == 1 ? RESOURCE : f == 2 ? SCOPE_METRICS : f == 3 ? STRING : OTHER;
            case RESOURCE -> f == 1 ? KEY_VALUE : OTHER;
            case SCOPE_METRICS -> f == 1 ? SCOPE : f == 2 ? METRIC : f == 3 ? STRING : OTHER;
            case SCOPE -> f == 1 || f == 2 ? STRING : f == 3 ? KEY_VALUE : OTHER;
            case KEY_VALUE -> f == 1 ? STRING : f == 2 ? ANY_VALUE : OTHER;
            case ANY_VALUE -> f == 1 ? STRING : f == 5 ? ARRAY_VALUE : f == 6 ? KV_LIST : OTHER;
            case ARRAY_VALUE -> f == 1 ? ANY_VALUE : OTHER;
            case KV_LIST -> f == 1 ? KEY_VALUE : OTHER;
            case METRIC -> switch (f) {
                case 1, 2, 3 -> STRING;
                case 5 -> GAUGE;
                case 7 -> SUM;
                case 9 -> HISTOGRAM;
                case 10 -> EXP_HISTOGRAM;
                case 11 -> SUMMARY;
                case 12 -> KEY_VALUE;
                default -> OTHER;
            };
            case GAUGE, SUM -> f == 1 ? NUMBER_POINT : OTHER;
            case HISTOGRAM -> f == 1 ? HISTOGRAM_POINT : OTHER;
            case EXP_HISTOGRAM -> f == 1 ? EXP_POINT : OTHER;
            case SUMMARY -> f == 1 ? SUMMARY_POINT : OTHER;
            case NUMBER_POINT -> f == 7 ? KEY_VALUE : f == 5 ? EXEMPLAR : OTHER;
            case HISTOGRAM_POINT -> f == 9 ? KEY_VALUE : f == 8 ? EXEMPLAR : f == 6 || f == 7 ? PACKED_64 : OTHER;
            case EXP_POINT -> f == 1 ? KEY_VALUE : f == 8 || f == 9 ? EXP_BUCKETS : f == 11 ? EXEMPLAR : OTHER;
            case EXP_BUCKETS -> f == 2 ? PACKED_VARINT : OTHER;
            case SUMMARY_POINT -> f == 7 ? KEY_VALUE : f == 6 ? QUANTILE : OTHER;
            case EXEMPLAR -> f == 7 ? KEY_VALUE : OTHER;
            case TRACE_REQUEST -> f == 1 ? RESOURCE_SPANS : OTHER;
            case RESOURCE_SPANS -> f == 1 ? RESOURCE : f == 2 ? SCOPE_SPANS : f == 3 ? STRING : OTHER;
            case SCOPE_SPANS -> f == 1 ? SCOPE : f == 2 ? SPAN : f == 3 ? STRING : OTHER;
            case SPAN -> switch (f) {
                case 3, 5 -> STRING;
                case 9 -> KEY_VALUE;
                case 11 -> SPAN_EVENT;
                case 13 -> SPAN_LINK;
                case 15 -> SPAN_STATUS;
                default -> OTHER;
            };
            case SPAN_EVENT -> f == 2 ? STRING : f == 3 ? KEY_VALUE : OTHER;
            case SPAN_LINK -> f == 3 ? STRING : f == 4 ? KEY_VALUE : OTHER;
            case SPAN_STATUS -> f == 2 ? STRING : OTHER;
            case LOGS_REQUEST -> f == 1 ? RESOURCE_LOGS : OTHER;
            case RESOURCE_LOGS -> f == 1 ? RESOURCE : f == 2 ? SCOPE_LOGS : f == 3 ? STRING : OTHER;
            case SCOPE_LOGS -> f == 1 ? SCOPE : f == 2 ? LOG_RECORD : f == 3 ? STRING : OTHER;
            case LOG_RECORD -> f == 3 || f == 12 ? STRING : f == 5 ? ANY_VALUE : f == 6 ? KEY_VALUE : OTHER;
            default -> OTHER;
        };
    }

    /** Checks the structure of buf[off, off+len) as an ExportMetricsServiceRequest; allocates nothing when it is valid. */
    static void check(byte[] buf, int off, int len) throws MalformedOtlpException {
        check(buf, off, len, REQUEST, METRICS_REQUEST_NAME);
    }

    /** Checks the structure of buf[off, off+len) as an ExportTraceServiceRequest; allocates nothing when it is valid. */
    static void checkTraces(byte[] buf, int off, int len) throws MalformedOtlpException {
        check(buf, off, len, TRACE_REQUEST, TRACES_REQUEST_NAME);
    }

    /** Checks the structure of buf[off, off+len) as an ExportLogsServiceRequest; allocates nothing when it is valid. */
    static void checkLogs(byte[] buf, int off, int len) throws MalformedOtlpException {
        check(buf, off, len, LOGS_REQUEST, "ExportLogsServiceRequest");
    }

    private static final String METRICS_REQUEST_NAME = "ExportMetricsServiceRequest";
    private static final String TRACES_REQUEST_NAME = "ExportTraceServiceRequest";

    private static void check(byte[] buf, int off, int len, int root, String request) throws MalformedOtlpException {
        CodedInputStream in = CodedInputStream.newInstance(buf, off, len);
        try {
            check(in, buf, off, off + len, root, 0, request);
        } catch (IOException e) {
            throw malformed(request, off + in.getTotalBytesRead(), e.getMessage(), e);
        }
    }

    /** Checks the fields of one message of kind {@code kind}, which ends at buf offset {@code end}. */
    private static void check(CodedInputStream in, byte[] buf, int base, int end, int kind, int depth, String request)
            throws IOException, MalformedOtlpException {
        for (int t = in.readTag(); t != 0; t = in.readTag()) {
            int c = WireFormat.getTagWireType(t) == LEN ? child(kind, WireFormat.getTagFieldNumber(t)) : OTHER;
            if (c == OTHER) {
                in.skipField(t);
                continue;
            }
            int l = in.readRawVarint32();
            int at = base + in.getTotalBytesRead();
            if (l < 0 || l > end - at) {
                throw malformed(request, at, "length " + l + " runs past the end of its message (" + (end - at) + " bytes left)", null);
            }
            if (c == STRING) {
                in.skipRawBytes(l);
                if (!Utf8.isValid(buf, at, l)) {
                    throw malformed(request, at, "string field " + WireFormat.getTagFieldNumber(t) + " is not valid UTF-8", null);
                }
            } else if (c == PACKED_64) {
                in.skipRawBytes(l);
                if (l % 8 != 0) {
                    throw malformed(request, at, "packed 64-bit field " + WireFormat.getTagFieldNumber(t) + " of " + l
                            + " bytes is not a multiple of 8", null);
                }
            } else if (c == PACKED_VARINT) {
                int lim = in.pushLimit(l);
                while (in.getBytesUntilLimit() > 0) {
                    in.readRawVarint64();
                }
                in.popLimit(lim);
            } else {
                if (depth + 1 >= MAX_DEPTH) {
                    throw malformed(request, at, "messages nested more than " + MAX_DEPTH + " deep", null);
                }
                int lim = in.pushLimit(l);
                check(in, buf, base, at + l, c, depth + 1, request);
                in.popLimit(lim);
            }
        }
    }

    private static MalformedOtlpException malformed(String request, long offset, String reason, Throwable cause) {
        return new MalformedOtlpException("invalid protobuf " + request + " at byte offset " + offset + ": " + reason, cause);
    }
}
