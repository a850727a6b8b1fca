package dev.sightline.ingest.otlp;

import com.google.protobuf.CodedInputStream;

import java.io.IOException;
import java.util.Arrays;

import static dev.sightline.ingest.otlp.OtlpProtobuf.B_COUNTS;
import static dev.sightline.ingest.otlp.OtlpProtobuf.B_COUNTS_PACKED;
import static dev.sightline.ingest.otlp.OtlpProtobuf.B_OFFSET;
import static dev.sightline.ingest.otlp.OtlpProtobuf.EP_ATTRIBUTES;
import static dev.sightline.ingest.otlp.OtlpProtobuf.EP_COUNT;
import static dev.sightline.ingest.otlp.OtlpProtobuf.EP_EXEMPLARS;
import static dev.sightline.ingest.otlp.OtlpProtobuf.EP_FLAGS;
import static dev.sightline.ingest.otlp.OtlpProtobuf.EP_NEGATIVE;
import static dev.sightline.ingest.otlp.OtlpProtobuf.EP_POSITIVE;
import static dev.sightline.ingest.otlp.OtlpProtobuf.EP_SCALE;
import static dev.sightline.ingest.otlp.OtlpProtobuf.EP_SUM;
import static dev.sightline.ingest.otlp.OtlpProtobuf.EP_ZERO_COUNT;
import static dev.sightline.ingest.otlp.OtlpProtobuf.EP_ZERO_THRESHOLD;
import static dev.sightline.ingest.otlp.OtlpProtobuf.EX_AS_DOUBLE;
import static dev.sightline.ingest.otlp.OtlpProtobuf.EX_AS_INT;
import static dev.sightline.ingest.otlp.OtlpProtobuf.EX_ATTRIBUTES;
import static dev.sightline.ingest.otlp.OtlpProtobuf.EX_SPAN_ID;
import static dev.sightline.ingest.otlp.OtlpProtobuf.EX_TIME;
import static dev.sightline.ingest.otlp.OtlpProtobuf.EX_TRACE_ID;
import static dev.sightline.ingest.otlp.OtlpProtobuf.HP_ATTRIBUTES;
import static dev.sightline.ingest.otlp.OtlpProtobuf.HP_BOUNDS;
import static dev.sightline.ingest.otlp.OtlpProtobuf.HP_BOUNDS_PACKED;
import static dev.sightline.ingest.otlp.OtlpProtobuf.HP_COUNT;
import static dev.sightline.ingest.otlp.OtlpProtobuf.HP_COUNTS;
import static dev.sightline.ingest.otlp.OtlpProtobuf.HP_COUNTS_PACKED;
import static dev.sightline.ingest.otlp.OtlpProtobuf.HP_EXEMPLARS;
import static dev.sightline.ingest.otlp.OtlpProtobuf.HP_FLAGS;
import static dev.sightline.ingest.otlp.OtlpProtobuf.HP_SUM;
import static dev.sightline.ingest.otlp.OtlpProtobuf.NO_FIELD;
import static dev.sightline.ingest.otlp.OtlpProtobuf.NP_ATTRIBUTES;
import static dev.sightline.ingest.otlp.OtlpProtobuf.NP_AS_DOUBLE;
import static dev.sightline.ingest.otlp.OtlpProtobuf.NP_AS_INT;
import static dev.sightline.ingest.otlp.OtlpProtobuf.NP_EXEMPLARS;
import static dev.sightline.ingest.otlp.OtlpProtobuf.NP_FLAGS;
import static dev.sightline.ingest.otlp.OtlpProtobuf.P_START;
import static dev.sightline.ingest.otlp.OtlpProtobuf.P_TIME;
import static dev.sightline.ingest.otlp.OtlpProtobuf.Q_QUANTILE;
import static dev.sightline.ingest.otlp.OtlpProtobuf.Q_VALUE;
import static dev.sightline.ingest.otlp.OtlpProtobuf.SP_ATTRIBUTES;
import static dev.sightline.ingest.otlp.OtlpProtobuf.SP_COUNT;
import static dev.sightline.ingest.otlp.OtlpProtobuf.SP_FLAGS;
import static dev.sightline.ingest.otlp.OtlpProtobuf.SP_QUANTILES;
import static dev.sightline.ingest.otlp.OtlpProtobuf.SP_SUM;

/**
 * The OTLP data point being read, in buffers reused from point to point: its fields as the wire has them (no
 * Prometheus meaning yet). Attributes and exemplars are only located while the point is read, and decoded on demand,
 * so a point appended by a cached series ref never decodes them. One per request (it reads the request's buffer).
 */
final class DataPoint {
    /** The kind of a number point's value (its oneof case). */
    static final int VALUE_NOT_SET = 0, AS_DOUBLE = 1, AS_INT = 2;

    private final byte[] buf;
    /** The point's attributes: where each KeyValue is in buf; decoded into keys and values only for its labels. */
    private int[] attrAt = new int[8];
    private int[] attrLen = new int[8];
    String[] attrKeys = new String[8];
    String[] attrValues = new String[8];
    /** Scratch for the caller's ordering of the attributes, sized with them. */
    int[] attrOrder = new int[8];
    int attrCount;
    long startNanos;
    long timeNanos;
    int flags;
    int valueCase;
    double value;
    long count;
    double sum;
    boolean hasSum;
    long[] bucketCounts = new long[16];
    int bucketCount;
    double[] bounds = new double[16];
    int boundCount;
    int scale;
    double zeroThreshold;
    long zeroCount;
    final ExpBuckets positive = new ExpBuckets();
    final ExpBuckets negative = new ExpBuckets();
    double[] quantiles = new double[8];
    double[] quantileValues = new double[8];
    int quantileCount;
    /** Exemplars of the point: buffer offset and length of each, decoded once the point's series ref is known. */
    private int[] exemplarAt = new int[4];
    private int[] exemplarLen = new int[4];
    int exemplarCount;
    /** The key of the point's series: the metric's key and the bytes of the point's attributes. */
    final SeriesKey key = new SeriesKey();
    private final AnyValues.KeyValue kv = new AnyValues.KeyValue();

    // The exemplar decoded by readExemplar: its attributes, time, value and where its trace and span ids are in buf.
    String[] exemplarKeys = new String[4];
    String[] exemplarValues = new String[4];
    int exemplarAttrCount;
    long exemplarTimeNanos;
    double exemplarValue;
    int traceAt, traceLen, spanAt, spanLen;

    DataPoint(byte[] buf) {
        this.buf = buf;
    }

    /** The request buffer the point is read from (the exemplar id ranges index it). */
    byte[] buf() {
        return buf;
    }

    private void start(SeriesKey metricKey) {
        attrCount = 0;
        key.copy(metricKey);
        startNanos = 0;
        timeNanos = 0;
        flags = 0;
        valueCase = VALUE_NOT_SET;
        value = 0;
        count = 0;
        sum = 0;
        hasSum = false;
        bucketCount = 0;
        boundCount = 0;
        scale = 0;
        zeroThreshold = 0;
        zeroCount = 0;
        positive.clear();
        negative.clear();
        quantileCount = 0;
        exemplarCount = 0;
    }

    /** Notes where an attribute (KeyValue) of the point is, and adds its bytes to the point's series key. */
    private void attribute(CodedInputStream in, int base) throws IOException {
        int l = in.readRawVarint32();
        int at = base + in.getTotalBytesRead();
        in.skipRawBytes(l);
        if (attrCount == attrAt.length) {
            attrAt = Arrays.copyOf(attrAt, attrCount * 2);
            attrLen = Arrays.copyOf(attrLen, attrCount * 2);
            attrKeys = new String[attrCount * 2];
            attrValues = new String[attrCount * 2];
            attrOrder = new int[attrCount * 2];
        }
        attrAt[attrCount] = at;
        attrLen[attrCount] = l;
        attrCount++;
        key.add(buf, at, l);
    }

    /** Decodes the point's attributes into attrKeys and attrValues; one stream over them, they are in buffer order. */
    void decodeAttributes() {
        if (attrCount == 0) {
            return;
        }
        int from = attrAt[0];
        CodedInputStream in = CodedInputStream.newInstance(buf, from, attrAt[attrCount - 1] + attrLen[attrCount - 1] - from);
        try {
            for (int i = 0; i < attrCount; i++) {
                in.skipRawBytes(attrAt[i] - from - in.getTotalBytesRead());
                int lim = in.pushLimit(attrLen[i]);
                kv.read(in);
                in.popLimit(lim);
                attrKeys[i] = kv.key;
                attrValues[i] = kv.value;
            }
        } catch (IOException e) {
            throw new IllegalStateException("a checked attribute failed to decode", e);
        }
    }

    private void exemplarRange(CodedInputStream in, int base) throws IOException {
        int l = in.readRawVarint32();
        if (exemplarCount == exemplarAt.length) {
            exemplarAt = Arrays.copyOf(exemplarAt, exemplarCount * 2);
            exemplarLen = Arrays.copyOf(exemplarLen, exemplarCount * 2);
        }
        exemplarAt[exemplarCount] = base + in.getTotalBytesRead();
        exemplarLen[exemplarCount] = l;
        exemplarCount++;
        in.skipRawBytes(l);
    }

    /** Reads a field every kind of point has (times, attributes, exemplars, flags); false if t is none of them. */
    private boolean pointField(int t, CodedInputStream in, int base, int attributesTag, int exemplarsTag, int flagsTag)
            throws IOException {
        if (t == P_START) {
            startNanos = in.readFixed64();
        } else if (t == P_TIME) {
            timeNanos = in.readFixed64();
        } else if (t == attributesTag) {
            attribute(in, base);
        } else if (t == exemplarsTag) {
            exemplarRange(in, base);
        } else if (t == flagsTag) {
            flags = in.readUInt32();
        } else {
            return false;
        }
        return true;
    }

    /**
     * Reads a NumberDataPoint (the stream limited to it; {@code base} is the buffer offset the stream starts at) of a
     * metric whose series key is {@code metricKey}. The other read methods likewise for their kinds of point.
     */
    void readNumber(CodedInputStream in, int base, SeriesKey metricKey) throws IOException {
        start(metricKey);
        for (int t = in.readTag(); t != 0; t = in.readTag()) {
            if (pointField(t, in, base, NP_ATTRIBUTES, NP_EXEMPLARS, NP_FLAGS)) {
                continue;
            }
            if (t == NP_AS_DOUBLE) {
                valueCase = AS_DOUBLE;
                value = in.readDouble();
            } else if (t == NP_AS_INT) {
                valueCase = AS_INT;
                value = in.readSFixed64();
            } else {
                in.skipField(t);
            }
        }
    }

    void readHistogram(CodedInputStream in, int base, SeriesKey metricKey) throws IOException {
        start(metricKey);
        for (int t = in.readTag(); t != 0; t = in.readTag()) {
            if (pointField(t, in, base, HP_ATTRIBUTES, HP_EXEMPLARS, HP_FLAGS)) {
                continue;
            }
            if (t == HP_COUNT) {
                count = in.readFixed64();
            } else if (t == HP_SUM) {
                hasSum = true;
                sum = in.readDouble();
            } else if (t == HP_COUNTS) {
                addBucketCount(in.readFixed64());
            } else if (t == HP_COUNTS_PACKED) {
                int lim = in.pushLimit(in.readRawVarint32());
                while (in.getBytesUntilLimit() > 0) {
                    addBucketCount(in.readFixed64());
                }
                in.popLimit(lim);
            } else if (t == HP_BOUNDS) {
                addBound(in.readDouble());
            } else if (t == HP_BOUNDS_PACKED) {
                int lim = in.pushLimit(in.readRawVarint32());
                while (in.getBytesUntilLimit() > 0) {
                    addBound(in.readDouble());
                }
                in.popLimit(lim);
            } else {
                in.skipField(t);
            }
        }
    }

    private void addBucketCount(long c) {
        if (bucketCount == bucketCounts.length) {
            bucketCounts = Arrays.copyOf(bucketCounts, bucketCount * 2);
        }
        bucketCounts[bucketCount++] = c;
    }

    private void addBound(double b) {
        if (boundCount == bounds.length) {
            bounds = Arrays.copyOf(bounds, boundCount * 2);
        }
        bounds[boundCount++] = b;
    }

    void readExponential(CodedInputStream in, int base, SeriesKey metricKey) throws IOException {
        start(metricKey);
        for (int t = in.readTag(); t != 0; t = in.readTag()) {
            if (pointField(t, in, base, EP_ATTRIBUTES, EP_EXEMPLARS, EP_FLAGS)) {
                continue;
            }
            if (t == EP_COUNT) {
                count = in.readFixed64();
            } else if (t == EP_SUM) {
                hasSum = true;
                sum = in.readDouble();
            } else if (t == EP_SCALE) {
                scale = in.readSInt32();
            } else if (t == EP_ZERO_COUNT) {
                zeroCount = in.readFixed64();
            } else if (t == EP_ZERO_THRESHOLD) {
                zeroThreshold = in.readDouble();
            } else if (t == EP_POSITIVE || t == EP_NEGATIVE) {
                int lim = in.pushLimit(in.readRawVarint32());
                (t == EP_POSITIVE ? positive : negative).read(in);
                in.popLimit(lim);
            } else {
                in.skipField(t);
            }
        }
    }

    void readSummary(CodedInputStream in, int base, SeriesKey metricKey) throws IOException {
        start(metricKey);
        for (int t = in.readTag(); t != 0; t = in.readTag()) {
            if (pointField(t, in, base, SP_ATTRIBUTES, NO_FIELD, SP_FLAGS)) {
                continue;
            }
            if (t == SP_COUNT) {
                count = in.readFixed64();
            } else if (t == SP_SUM) {
                sum = in.readDouble();
            } else if (t == SP_QUANTILES) {
                int lim = in.pushLimit(in.readRawVarint32());
                double q = 0;
                double v = 0;
                for (int qt = in.readTag(); qt != 0; qt = in.readTag()) {
                    if (qt == Q_QUANTILE) {
                        q = in.readDouble();
                    } else if (qt == Q_VALUE) {
                        v = in.readDouble();
                    } else {
                        in.skipField(qt);
                    }
                }
                in.popLimit(lim);
                if (quantileCount == quantiles.length) {
                    quantiles = Arrays.copyOf(quantiles, quantileCount * 2);
                    quantileValues = Arrays.copyOf(quantileValues, quantileCount * 2);
                }
                quantiles[quantileCount] = q;
                quantileValues[quantileCount++] = v;
            } else {
                in.skipField(t);
            }
        }
    }

    /**
     * Decodes exemplar {@code e} of the point into exemplarKeys/exemplarValues (its attributes, in wire order),
     * exemplarTimeNanos, exemplarValue and the trace and span id ranges (length 0 when absent).
     */
    void readExemplar(int e) {
        traceAt = 0;
        traceLen = 0;
        spanAt = 0;
        spanLen = 0;
        exemplarAttrCount = 0;
        double asDouble = 0;
        long asInt = 0;
        boolean isInt = false;
        long time = 0;
        int at = exemplarAt[e];
        CodedInputStream in = CodedInputStream.newInstance(buf, at, exemplarLen[e]);
        try {
            for (int t = in.readTag(); t != 0; t = in.readTag()) {
                if (t == EX_ATTRIBUTES) {
                    int lim = in.pushLimit(in.readRawVarint32());
                    kv.read(in);
                    in.popLimit(lim);
                    if (exemplarAttrCount == exemplarKeys.length) {
                        exemplarKeys = Arrays.copyOf(exemplarKeys, exemplarAttrCount * 2);
                        exemplarValues = Arrays.copyOf(exemplarValues, exemplarAttrCount * 2);
                    }
                    exemplarKeys[exemplarAttrCount] = kv.key;
                    exemplarValues[exemplarAttrCount++] = kv.value;
                } else if (t == EX_TIME) {
                    time = in.readFixed64();
                } else if (t == EX_AS_DOUBLE) {
                    asDouble = in.readDouble();
                    isInt = false;
                } else if (t == EX_AS_INT) {
                    asInt = in.readSFixed64();
                    isInt = true;
                } else if (t == EX_TRACE_ID || t == EX_SPAN_ID) {
                    int l = in.readRawVarint32();
                    int idAt = at + in.getTotalBytesRead();
                    in.skipRawBytes(l);
                    if (t == EX_TRACE_ID) {
                        traceAt = idAt;
                        traceLen = l;
                    } else {
                        spanAt = idAt;
                        spanLen = l;
                    }
                } else {
                    in.skipField(t);
                }
            }
        } catch (IOException ex) {
            throw new IllegalStateException("a checked exemplar failed to decode", ex);
        }
        exemplarTimeNanos = time;
        exemplarValue = isInt ? asInt : asDouble;
    }

    /** One side of an exponential histogram point as read: offset and per-bucket counts (reused). */
    static final class ExpBuckets {
        int offset;
        long[] counts = new long[16];
        int size;

        void clear() {
            offset = 0;
            size = 0;
        }

        private void add(long c) {
            if (size == counts.length) {
                counts = Arrays.copyOf(counts, size * 2);
            }
            counts[size++] = c;
        }

        /** Reads a Buckets message (the stream limited to it); repeated ones merge as protobuf merges them. */
        void read(CodedInputStream in) throws IOException {
            for (int t = in.readTag(); t != 0; t = in.readTag()) {
                if (t == B_OFFSET) {
                    offset = in.readSInt32();
                } else if (t == B_COUNTS) {
                    add(in.readUInt64());
                } else if (t == B_COUNTS_PACKED) {
                    int lim = in.pushLimit(in.readRawVarint32());
                    while (in.getBytesUntilLimit() > 0) {
                        add(in.readUInt64());
                    }
                    in.popLimit(lim);
                } else {
                    in.skipField(t);
                }
            }
        }
    }
}
