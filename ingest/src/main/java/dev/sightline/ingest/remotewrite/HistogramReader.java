package dev.sightline.ingest.remotewrite;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import dev.sightline.core.Histogram;

import java.io.IOException;
import java.util.Arrays;

/**
 * Reads the native Histogram message, which remote-write 1.0 (prometheus.Histogram) and 2.0
 * (io.prometheus.write.v2.Histogram) encode with the same field numbers, into reused scratch fields; {@link #build()}
 * makes the core histogram (integer histograms' delta-encoded buckets become absolute counts). One per decoder.
 */
final class HistogramReader {
    private static final int SPAN_OFFSET = (1 << 3) | WireFormat.WIRETYPE_VARINT;
    private static final int SPAN_LENGTH = (2 << 3) | WireFormat.WIRETYPE_VARINT;

    private final Ints posSpanOffsets = new Ints(), posSpanLengths = new Ints(), negSpanOffsets = new Ints(), negSpanLengths = new Ints();
    private final Longs posDeltas = new Longs(), negDeltas = new Longs();
    private final Doubles posCounts = new Doubles(), negCounts = new Doubles(), customValues = new Doubles();
    private boolean isFloat;
    private double count, sum, zeroThreshold, zeroCount;
    private long countInt, zeroCountInt;
    private int schema, resetHint;
    private long startTimestamp;

    /** Reads one Histogram message (up to the stream's current limit); returns its timestamp. */
    long read(CodedInputStream in) throws IOException {
        isFloat = false;
        count = sum = zeroThreshold = zeroCount = 0;
        countInt = zeroCountInt = 0;
        schema = resetHint = 0;
        startTimestamp = 0;
        long ts = 0;
        posSpanOffsets.size = posSpanLengths.size = negSpanOffsets.size = negSpanLengths.size = 0;
        posDeltas.size = negDeltas.size = 0;
        posCounts.size = negCounts.size = customValues.size = 0;
        boolean zeroFloat = false;
        for (int t = in.readTag(); t != 0; t = in.readTag()) {
            int wire = WireFormat.getTagWireType(t);
            boolean varint = wire == WireFormat.WIRETYPE_VARINT;
            boolean fixed64 = wire == WireFormat.WIRETYPE_FIXED64;
            // A field whose wire type is not the schema's is skipped, as protobuf parsers do.
            switch (WireFormat.getTagFieldNumber(t)) {
                case 1 -> {
                    if (!varint) {
                        in.skipField(t);
                        continue;
                    }
                    countInt = in.readUInt64();
                    isFloat = false;
                }
                case 2 -> {
                    if (!fixed64) {
                        in.skipField(t);
                        continue;
                    }
                    count = in.readDouble();
                    isFloat = true;
                }
                case 3 -> sum = fixed64 ? in.readDouble() : skip(in, t);
                case 4 -> schema = varint ? in.readSInt32() : (int) skip(in, t);
                case 5 -> zeroThreshold = fixed64 ? in.readDouble() : skip(in, t);
                case 6 -> {
                    if (!varint) {
                        in.skipField(t);
                        continue;
                    }
                    zeroCountInt = in.readUInt64();
                    zeroFloat = false;
                }
                case 7 -> {
                    if (!fixed64) {
                        in.skipField(t);
                        continue;
                    }
                    zeroCount = in.readDouble();
                    zeroFloat = true;
                }
                case 8 -> readSpan(in, t, negSpanOffsets, negSpanLengths);
                case 9 -> readSInt64s(in, t, negDeltas);
                case 10 -> readDoubles(in, t, negCounts);
                case 11 -> readSpan(in, t, posSpanOffsets, posSpanLengths);
                case 12 -> readSInt64s(in, t, posDeltas);
                case 13 -> readDoubles(in, t, posCounts);
                case 14 -> resetHint = varint ? in.readEnum() : (int) skip(in, t);
                case 15 -> ts = varint ? in.readInt64() : (long) skip(in, t);
                case 16 -> readDoubles(in, t, customValues);
                case 17 -> startTimestamp = varint ? in.readInt64() : (long) skip(in, t);
                default -> in.skipField(t);
            }
        }
        if (!zeroFloat) {
            zeroCount = unsignedToDouble(zeroCountInt);
        }
        if (!isFloat) {
            count = unsignedToDouble(countInt);
        }
        return ts;
    }

    /** The start_timestamp (2.0 only, field 17) of the histogram read, 0 if none. */
    long startTimestamp() {
        return startTimestamp;
    }

    Histogram build() {
        double[] pos = isFloat ? posCounts.toArray() : absolute(posDeltas);
        double[] neg = isFloat ? negCounts.toArray() : absolute(negDeltas);
        Histogram.CounterResetHint hint = switch (resetHint) {
            case 1 -> Histogram.CounterResetHint.COUNTER_RESET;
            case 2 -> Histogram.CounterResetHint.NOT_COUNTER_RESET;
            case 3 -> Histogram.CounterResetHint.GAUGE;
            default -> Histogram.CounterResetHint.UNKNOWN;
        };
        return new Histogram(hint, schema, zeroThreshold, zeroCount, count, sum,
                posSpanOffsets.toArray(), posSpanLengths.toArray(), pos,
                negSpanOffsets.toArray(), negSpanLengths.toArray(), neg, customValues.toArray());
    }

    private static double skip(CodedInputStream in, int t) throws IOException {
        in.skipField(t);
        return 0;
    }

    private static double unsignedToDouble(long v) {
        return v >= 0 ? v : (double) (v >>> 1) * 2.0 + (v & 1);
    }

    private static void readSpan(CodedInputStream in, int t, Ints offsets, Ints lengths) throws IOException {
        if (WireFormat.getTagWireType(t) != WireFormat.WIRETYPE_LENGTH_DELIMITED) {
            in.skipField(t);
            return;
        }
        int lim = in.pushLimit(in.readRawVarint32());
        int offset = 0, length = 0;
        for (int st = in.readTag(); st != 0; st = in.readTag()) {
            if (st == SPAN_OFFSET) {
                offset = in.readSInt32();
            } else if (st == SPAN_LENGTH) {
                length = in.readUInt32();
            } else {
                in.skipField(st);
            }
        }
        in.popLimit(lim);
        offsets.add(offset);
        lengths.add(length);
    }

    /** Repeated sint64, packed (proto3's default) or not. */
    private static void readSInt64s(CodedInputStream in, int t, Longs out) throws IOException {
        int wire = WireFormat.getTagWireType(t);
        if (wire == WireFormat.WIRETYPE_VARINT) {
            out.add(in.readSInt64());
        } else if (wire == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
            int lim = in.pushLimit(in.readRawVarint32());
            while (in.getBytesUntilLimit() > 0) {
                out.add(in.readSInt64());
            }
            in.popLimit(lim);
        } else {
            in.skipField(t);
        }
    }

    /** Repeated double, packed or not. */
    private static void readDoubles(CodedInputStream in, int t, Doubles out) throws IOException {
        int wire = WireFormat.getTagWireType(t);
        if (wire == WireFormat.WIRETYPE_FIXED64) {
            out.add(in.readDouble());
        } else if (wire == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
            int l = in.readRawVarint32();
            if (l < 0 || l % 8 != 0) {
                throw new InvalidProtocolBufferException("packed doubles of " + l + " bytes, not a multiple of 8");
            }
            int lim = in.pushLimit(l);
            while (in.getBytesUntilLimit() > 0) {
                out.add(in.readDouble());
            }
            in.popLimit(lim);
        } else {
            in.skipField(t);
        }
    }

    private static double[] absolute(Longs deltas) {
        double[] out = new double[deltas.size];
        long running = 0;
        for (int i = 0; i < deltas.size; i++) {
            running += deltas.a[i];
            out[i] = running;
        }
        return out;
    }

    // ---- growable primitive lists ----

    static final class Ints {
        int[] a = new int[8];
        int size;

        void add(int v) {
            if (size == a.length) {
                a = Arrays.copyOf(a, size * 2);
            }
            a[size++] = v;
        }

        int[] toArray() {
            return Arrays.copyOf(a, size);
        }
    }

    private static final class Longs {
        long[] a = new long[16];
        int size;

        void add(long v) {
            if (size == a.length) {
                a = Arrays.copyOf(a, size * 2);
            }
            a[size++] = v;
        }
    }

    private static final class Doubles {
        double[] a = new double[16];
        int size;

        void add(double v) {
            if (size == a.length) {
                a = Arrays.copyOf(a, size * 2);
            }
            a[size++] = v;
        }

        double[] toArray() {
            return Arrays.copyOf(a, size);
        }
    }
}
