package dev.sightline.ingest.otlp;

import com.google.protobuf.CodedInputStream;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static dev.sightline.ingest.otlp.OtlpProtobuf.forEachField;
import static dev.sightline.ingest.otlp.OtlpProtobuf.DATA_MONOTONIC;
import static dev.sightline.ingest.otlp.OtlpProtobuf.DATA_POINTS;
import static dev.sightline.ingest.otlp.OtlpProtobuf.DATA_TEMPORALITY;
import static dev.sightline.ingest.otlp.OtlpProtobuf.M_DESCRIPTION;
import static dev.sightline.ingest.otlp.OtlpProtobuf.M_EXP_HISTOGRAM;
import static dev.sightline.ingest.otlp.OtlpProtobuf.M_GAUGE;
import static dev.sightline.ingest.otlp.OtlpProtobuf.M_HISTOGRAM;
import static dev.sightline.ingest.otlp.OtlpProtobuf.M_NAME;
import static dev.sightline.ingest.otlp.OtlpProtobuf.M_SUM;
import static dev.sightline.ingest.otlp.OtlpProtobuf.M_SUMMARY;
import static dev.sightline.ingest.otlp.OtlpProtobuf.M_UNIT;
import static dev.sightline.ingest.otlp.OtlpProtobuf.RESOURCE_ATTRIBUTES;
import static dev.sightline.ingest.otlp.OtlpProtobuf.RM_FIELD;
import static dev.sightline.ingest.otlp.OtlpProtobuf.RM_RESOURCE;
import static dev.sightline.ingest.otlp.OtlpProtobuf.RM_SCOPE_METRICS;
import static dev.sightline.ingest.otlp.OtlpProtobuf.SCOPE_ATTRIBUTES;
import static dev.sightline.ingest.otlp.OtlpProtobuf.SCOPE_NAME;
import static dev.sightline.ingest.otlp.OtlpProtobuf.SCOPE_VERSION;
import static dev.sightline.ingest.otlp.OtlpProtobuf.SM_METRICS;
import static dev.sightline.ingest.otlp.OtlpProtobuf.SM_SCHEMA_URL;
import static dev.sightline.ingest.otlp.OtlpProtobuf.SM_SCOPE;

/**
 * Reads a binary ExportMetricsServiceRequest (already checked by {@link OtlpProtobuf#check}) as a stream, without
 * message objects: resources, scopes and metrics are handed to the {@link PrometheusMapper}, each data point is read
 * into one reused {@link DataPoint} and then mapped. Builds the series key of each level from the bytes that decide
 * the labels. A container whose header fields protobuf may send after its children (scope_metrics' schema_url, a
 * sum's temporality) is read in two passes.
 */
final class OtlpRequestDecoder {
    private final byte[] buf;
    private final PrometheusMapper mapper;
    private final DataPoint point;
    private final AnyValues.KeyValue kv = new AnyValues.KeyValue();
    // The series keys of the levels above the point.
    private final SeriesKey resourceKey = new SeriesKey();
    private final SeriesKey scopeKey = new SeriesKey();
    private final SeriesKey metricKey = new SeriesKey();

    private OtlpRequestDecoder(byte[] buf, PrometheusMapper mapper, DataPoint point) {
        this.buf = buf;
        this.mapper = mapper;
        this.point = point;
    }

    /** Decodes buf[off, off+len) into {@code mapper}, which maps the points that {@code point} (over buf) holds. */
    static void decode(byte[] buf, int off, int len, PrometheusMapper mapper, DataPoint point) {
        OtlpRequestDecoder d = new OtlpRequestDecoder(buf, mapper, point);
        try {
            forEachField(buf, off, len, RM_FIELD, (at, l) -> d.resource(at, l));
        } catch (IOException e) {
            throw new IllegalStateException("a checked request failed to decode", e);
        }
    }

    private CodedInputStream stream(int at, int len) {
        return CodedInputStream.newInstance(buf, at, len);
    }

    /** A ResourceMetrics: the resource's attributes first, then its scopes. */
    private void resource(int off, int len) throws IOException {
        List<String> keys = new ArrayList<>();
        List<String> values = new ArrayList<>();
        resourceKey.reset();
        CodedInputStream in = stream(off, len);
        for (int t = in.readTag(); t != 0; t = in.readTag()) {
            if (t == RM_RESOURCE) {
                int l = in.readRawVarint32();
                resourceKey.add(buf, off + in.getTotalBytesRead(), l);
                int lim = in.pushLimit(l);
                for (int rt = in.readTag(); rt != 0; rt = in.readTag()) {
                    if (rt == RESOURCE_ATTRIBUTES) {
                        int kl = in.pushLimit(in.readRawVarint32());
                        kv.read(in);
                        in.popLimit(kl);
                        keys.add(kv.key);
                        values.add(kv.value);
                    } else {
                        in.skipField(rt);
                    }
                }
                in.popLimit(lim);
            } else {
                in.skipField(t);
            }
        }
        mapper.resource(keys, values);
        forEachField(buf, off, len, RM_SCOPE_METRICS, (at, l) -> scope(at, l));
        mapper.endResource(keys, values);
    }

    /** A ScopeMetrics: its scope and schema_url first (protobuf puts schema_url after the metrics), then the metrics. */
    private void scope(int off, int len) throws IOException {
        String name = "";
        String version = "";
        String schemaUrl = "";
        List<String> attrKeys = new ArrayList<>();
        List<String> attrValues = new ArrayList<>();
        scopeKey.copy(resourceKey);
        CodedInputStream in = stream(off, len);
        for (int t = in.readTag(); t != 0; t = in.readTag()) {
            if (t == SM_SCOPE) {
                int l = in.readRawVarint32();
                scopeKey.add(SM_SCOPE);
                scopeKey.add(buf, off + in.getTotalBytesRead(), l);
                int lim = in.pushLimit(l);
                for (int st = in.readTag(); st != 0; st = in.readTag()) {
                    if (st == SCOPE_NAME) {
                        name = in.readStringRequireUtf8();
                    } else if (st == SCOPE_VERSION) {
                        version = in.readStringRequireUtf8();
                    } else if (st == SCOPE_ATTRIBUTES) {
                        int kl = in.pushLimit(in.readRawVarint32());
                        kv.read(in);
                        in.popLimit(kl);
                        attrKeys.add(kv.key);
                        attrValues.add(kv.value);
                    } else {
                        in.skipField(st);
                    }
                }
                in.popLimit(lim);
            } else if (t == SM_SCHEMA_URL) {
                int l = in.readRawVarint32();
                int at = off + in.getTotalBytesRead();
                in.skipRawBytes(l);
                schemaUrl = new String(buf, at, l, StandardCharsets.UTF_8);
                scopeKey.add(SM_SCHEMA_URL);
                scopeKey.add(buf, at, l);
            } else {
                in.skipField(t);
            }
        }
        mapper.scope(name, version, schemaUrl, attrKeys, attrValues);
        forEachField(buf, off, len, SM_METRICS, (at, l) -> metric(at, l));
    }

    /** A Metric: name, unit, description and which data it holds first, then that data's points. */
    private void metric(int off, int len) throws IOException {
        String name = "";
        String description = "";
        String unit = "";
        int dataTag = 0;
        int dataAt = 0;
        int dataLen = 0;
        // The series key covers what the labels come from: name, unit, kind (below); not the description.
        metricKey.copy(scopeKey);
        CodedInputStream in = stream(off, len);
        for (int t = in.readTag(); t != 0; t = in.readTag()) {
            if (t == M_NAME || t == M_UNIT) {
                int l = in.readRawVarint32();
                int at = off + in.getTotalBytesRead();
                in.skipRawBytes(l);
                metricKey.add(t);
                metricKey.add(buf, at, l);
                if (t == M_NAME) {
                    name = new String(buf, at, l, StandardCharsets.UTF_8);
                } else {
                    unit = new String(buf, at, l, StandardCharsets.UTF_8);
                }
            } else if (t == M_DESCRIPTION) {
                description = in.readStringRequireUtf8();
            } else if (t == M_GAUGE || t == M_SUM || t == M_HISTOGRAM || t == M_EXP_HISTOGRAM || t == M_SUMMARY) {
                dataTag = t;
                dataLen = in.readRawVarint32();
                dataAt = off + in.getTotalBytesRead();
                in.skipRawBytes(dataLen);
            } else {
                in.skipField(t);
            }
        }
        if (dataTag == 0) {
            mapper.metricWithoutData(name);
            return;
        }
        // The header of the data message (temporality, monotonic) may follow its points.
        int temporality = 0;
        boolean monotonic = false;
        in = stream(dataAt, dataLen);
        for (int t = in.readTag(); t != 0; t = in.readTag()) {
            if (t == DATA_TEMPORALITY) {
                temporality = in.readEnum();
            } else if (t == DATA_MONOTONIC && dataTag == M_SUM) {
                monotonic = in.readBool();
            } else {
                in.skipField(t);
            }
        }
        metricKey.add(dataTag);
        metricKey.add(monotonic ? 1 : 0);
        mapper.metric(name, description, unit, dataTag, temporality, monotonic);
        in = stream(dataAt, dataLen);
        for (int t = in.readTag(); t != 0; t = in.readTag()) {
            if (t != DATA_POINTS) {
                in.skipField(t);
                continue;
            }
            int lim = in.pushLimit(in.readRawVarint32());
            if (dataTag == M_GAUGE || dataTag == M_SUM) {
                point.readNumber(in, dataAt, metricKey);
                in.popLimit(lim);
                mapper.number();
            } else if (dataTag == M_HISTOGRAM) {
                point.readHistogram(in, dataAt, metricKey);
                in.popLimit(lim);
                mapper.histogram();
            } else if (dataTag == M_EXP_HISTOGRAM) {
                point.readExponential(in, dataAt, metricKey);
                in.popLimit(lim);
                mapper.exponential();
            } else {
                point.readSummary(in, dataAt, metricKey);
                in.popLimit(lim);
                mapper.summary();
            }
        }
    }
}
