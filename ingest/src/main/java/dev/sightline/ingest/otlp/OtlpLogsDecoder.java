package dev.sightline.ingest.otlp;

import com.google.protobuf.CodedInputStream;
import dev.sightline.core.Labels;
import dev.sightline.ingest.logs.LogBatch;
import dev.sightline.ingest.logs.LogLevels;
import dev.sightline.ingest.logs.LogSink;
import dev.sightline.logs.LogEntry;
import dev.sightline.logs.LogFields;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;

import java.io.IOException;
import java.util.HexFormat;
import java.util.Set;

import static dev.sightline.ingest.otlp.OtlpProtobuf.LR_ATTRIBUTES;
import static dev.sightline.ingest.otlp.OtlpProtobuf.LR_BODY;
import static dev.sightline.ingest.otlp.OtlpProtobuf.LR_OBSERVED_TIME;
import static dev.sightline.ingest.otlp.OtlpProtobuf.LR_SEVERITY_NUMBER;
import static dev.sightline.ingest.otlp.OtlpProtobuf.LR_SEVERITY_TEXT;
import static dev.sightline.ingest.otlp.OtlpProtobuf.LR_SPAN_ID;
import static dev.sightline.ingest.otlp.OtlpProtobuf.LR_TIME;
import static dev.sightline.ingest.otlp.OtlpProtobuf.LR_TRACE_ID;
import static dev.sightline.ingest.otlp.OtlpProtobuf.RESOURCE_ATTRIBUTES;
import static dev.sightline.ingest.otlp.OtlpProtobuf.RL_FIELD;
import static dev.sightline.ingest.otlp.OtlpProtobuf.RL_RESOURCE;
import static dev.sightline.ingest.otlp.OtlpProtobuf.RL_SCOPE_LOGS;
import static dev.sightline.ingest.otlp.OtlpProtobuf.SCOPE_ATTRIBUTES;
import static dev.sightline.ingest.otlp.OtlpProtobuf.SCOPE_NAME;
import static dev.sightline.ingest.otlp.OtlpProtobuf.SCOPE_VERSION;
import static dev.sightline.ingest.otlp.OtlpProtobuf.SL_LOG_RECORDS;
import static dev.sightline.ingest.otlp.OtlpProtobuf.SL_SCOPE;
import static dev.sightline.ingest.otlp.OtlpProtobuf.forEachField;

/**
 * Decodes an OTLP ExportLogsServiceRequest (binary protobuf; OTLP/JSON through {@link OtlpCodec#parseLogsJson}) into
 * log lines, mapped as Loki's OTLP ingestion maps them by default:
 * <ul>
 *   <li>stream labels: the resource attributes of {@link #INDEX_LABELS} ({@code service.name} and Loki's other
 *   default index labels), names sanitized ({@code service.name} becomes {@code service_name}); a resource without
 *   {@code service.name} gets {@code service_name="unknown_service"};</li>
 *   <li>structured metadata: every other resource attribute, the scope's name ({@code scope_name}), version
 *   ({@code scope_version}) and attributes, the record's attributes (names sanitized with
 *   {@link LogFields#sanitize}; a later level overrides an earlier one: record over scope over resource), the
 *   trace and span id in lower-case hex ({@code trace_id}, {@code span_id}; absent when empty or all zero),
 *   {@code severity_text} as written, and {@code detected_level} from severity_number, else severity_text;</li>
 *   <li>the line: a string body as it is; another body as its text (numbers, booleans) or JSON (maps, arrays);</li>
 *   <li>the time: time_unix_nano, else observed_time_unix_nano, else the time of arrival.</li>
 * </ul>
 * The structure is checked first, so a malformed body hands nothing to the sink. Thread-safe.
 */
public final class OtlpLogsDecoder {
    /** Resource attributes that become stream labels: Loki's default {@code otlp_config} index labels. */
    public static final Set<String> INDEX_LABELS = Set.of("service.name", "service.namespace", "service.instance.id",
            "deployment.environment", "deployment.environment.name", "cloud.region", "cloud.availability_zone",
            "k8s.cluster.name", "k8s.namespace.name", "k8s.pod.name", "k8s.container.name", "container.name",
            "k8s.replicaset.name", "k8s.deployment.name", "k8s.statefulset.name", "k8s.daemonset.name",
            "k8s.cronjob.name", "k8s.job.name");
    private static final HexFormat HEX = HexFormat.of();

    /** Decodes a binary ExportLogsServiceRequest in buf[off, off+len); records without a time get {@code nowNanos}. */
    public void decode(byte[] buf, int off, int len, long nowNanos, LogSink sink) throws MalformedOtlpException {
        OtlpProtobuf.checkLogs(buf, off, len);
        try {
            forEachField(buf, off, len, RL_FIELD, (at, l) -> resourceLogs(buf, at, l, nowNanos, sink));
        } catch (IOException e) {
            throw new IllegalStateException("a checked request failed to decode", e);
        }
    }

    /** Decodes a request message (from OTLP/JSON) through the same decoder. */
    public void decode(ExportLogsServiceRequest request, long nowNanos, LogSink sink) {
        byte[] bytes = request.toByteArray();
        try {
            decode(bytes, 0, bytes.length, nowNanos, sink);
        } catch (MalformedOtlpException e) {
            throw new IllegalStateException("a serialised message failed to decode", e);
        }
    }

    private void resourceLogs(byte[] buf, int off, int len, long nowNanos, LogSink sink) throws IOException {
        Labels.Builder stream = Labels.builder();
        Labels.Builder metadata = Labels.builder();
        AnyValues.KeyValue kv = new AnyValues.KeyValue();
        forEachField(buf, off, len, RL_RESOURCE, (at, l) -> forEachField(buf, at, l, RESOURCE_ATTRIBUTES, (a, n) -> {
            kv.read(CodedInputStream.newInstance(buf, a, n));
            (INDEX_LABELS.contains(kv.key) ? stream : metadata).set(LogFields.sanitize(kv.key), kv.value);
        }));
        if (stream.get(LogBatch.SERVICE_NAME) == null) {
            stream.set(LogBatch.SERVICE_NAME, LogBatch.UNKNOWN_SERVICE);
        }
        Labels streamLabels = stream.build();
        Labels resourceMetadata = metadata.build();
        forEachField(buf, off, len, RL_SCOPE_LOGS, (at, l) -> scopeLogs(buf, at, l, streamLabels, resourceMetadata, nowNanos, sink));
    }

    private void scopeLogs(byte[] buf, int off, int len, Labels stream, Labels resourceMetadata, long nowNanos,
                           LogSink sink) throws IOException {
        Labels.Builder metadata = resourceMetadata.toBuilder();
        AnyValues.KeyValue kv = new AnyValues.KeyValue();
        forEachField(buf, off, len, SL_SCOPE, (at, l) -> {
            CodedInputStream in = CodedInputStream.newInstance(buf, at, l);
            for (int t = in.readTag(); t != 0; t = in.readTag()) {
                if (t == SCOPE_NAME) {
                    metadata.set("scope_name", in.readStringRequireUtf8());
                } else if (t == SCOPE_VERSION) {
                    metadata.set("scope_version", in.readStringRequireUtf8());
                } else if (t == SCOPE_ATTRIBUTES) {
                    int lim = in.pushLimit(in.readRawVarint32());
                    kv.read(in);
                    in.popLimit(lim);
                    metadata.set(LogFields.sanitize(kv.key), kv.value);
                } else {
                    in.skipField(t);
                }
            }
        });
        Labels scopeMetadata = metadata.build();
        forEachField(buf, off, len, SL_LOG_RECORDS, (at, l) -> record(buf, at, l, stream, scopeMetadata, kv, nowNanos, sink));
    }

    private static void record(byte[] buf, int off, int len, Labels stream, Labels scopeMetadata, AnyValues.KeyValue kv,
                               long nowNanos, LogSink sink) throws IOException {
        long time = 0;
        long observed = 0;
        int severityNumber = 0;
        String severityText = "";
        String line = "";
        byte[] traceId = null;
        byte[] spanId = null;
        Labels.Builder metadata = null;
        CodedInputStream in = CodedInputStream.newInstance(buf, off, len);
        for (int t = in.readTag(); t != 0; t = in.readTag()) {
            if (t == LR_TIME) {
                time = in.readFixed64();
            } else if (t == LR_OBSERVED_TIME) {
                observed = in.readFixed64();
            } else if (t == LR_SEVERITY_NUMBER) {
                severityNumber = in.readEnum();
            } else if (t == LR_SEVERITY_TEXT) {
                severityText = in.readStringRequireUtf8();
            } else if (t == LR_BODY) {
                int lim = in.pushLimit(in.readRawVarint32());
                line = AnyValues.labelValue(in);
                in.popLimit(lim);
            } else if (t == LR_ATTRIBUTES) {
                int lim = in.pushLimit(in.readRawVarint32());
                kv.read(in);
                in.popLimit(lim);
                if (metadata == null) {
                    metadata = scopeMetadata.toBuilder();
                }
                metadata.set(LogFields.sanitize(kv.key), kv.value);
            } else if (t == LR_TRACE_ID) {
                traceId = in.readByteArray();
            } else if (t == LR_SPAN_ID) {
                spanId = in.readByteArray();
            } else {
                in.skipField(t);
            }
        }
        String level = LogLevels.fromSeverityNumber(severityNumber);
        if (level == null) {
            level = LogLevels.normalize(severityText);
        }
        boolean hasTrace = isId(traceId, 16);
        boolean hasSpan = isId(spanId, 8);
        Labels md = scopeMetadata;
        if (metadata != null || hasTrace || hasSpan || !severityText.isEmpty() || level != null) {
            if (metadata == null) {
                metadata = scopeMetadata.toBuilder();
            }
            if (hasTrace) {
                metadata.set(LogEntry.TRACE_ID, HEX.formatHex(traceId));
            }
            if (hasSpan) {
                metadata.set(LogEntry.SPAN_ID, HEX.formatHex(spanId));
            }
            metadata.set(LogEntry.SEVERITY_TEXT, severityText);
            if (level != null) {
                metadata.set(LogEntry.LEVEL, level);
            }
            md = metadata.build();
        }
        sink.accept(stream, time != 0 ? time : observed != 0 ? observed : nowNanos, line, md);
    }

    /** An id of the right length that is not all zero (OTLP's "no id"). */
    private static boolean isId(byte[] id, int length) {
        if (id == null || id.length != length) {
            return false;
        }
        for (byte b : id) {
            if (b != 0) {
                return true;
            }
        }
        return false;
    }
}
