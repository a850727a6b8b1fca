package dev.sightline.ingest.remotewrite;

import com.google.protobuf.CodedOutputStream;
import io.airlift.compress.snappy.SnappyCompressor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Test encoder of prometheus.WriteRequest with protobuf-java's CodedOutputStream, field numbers from prompb. */
final class WriteRequestBuilder {
    private final ByteArrayOutputStream request = new ByteArrayOutputStream();
    private final CodedOutputStream req = CodedOutputStream.newInstance(request);

    /** A series with the given label pairs (strings); add samples, then {@link SeriesBuilder#end()}. */
    SeriesBuilder series(String... pairs) {
        SeriesBuilder s = new SeriesBuilder();
        for (int i = 0; i < pairs.length; i += 2) {
            s.label(pairs[i].getBytes(StandardCharsets.UTF_8), pairs[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        return s;
    }

    WriteRequestBuilder metadata(int type, String family, String help, String unit) {
        byte[] m = message(out -> {
            out.writeEnum(1, type);
            out.writeString(2, family);
            out.writeString(4, help);
            out.writeString(5, unit);
        });
        write(() -> req.writeByteArray(3, m));
        return this;
    }

    byte[] toProto() {
        write(req::flush);
        return request.toByteArray();
    }

    byte[] toSnappy() {
        return snappy(toProto());
    }

    static byte[] snappy(byte[] raw) {
        SnappyCompressor c = new SnappyCompressor();
        byte[] out = new byte[c.maxCompressedLength(raw.length)];
        int n = c.compress(raw, 0, raw.length, out, 0, out.length);
        return Arrays.copyOf(out, n);
    }

    final class SeriesBuilder {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final CodedOutputStream out = CodedOutputStream.newInstance(bytes);

        SeriesBuilder label(byte[] name, byte[] value) {
            byte[] l = message(o -> {
                o.writeByteArray(1, name);
                o.writeByteArray(2, value);
            });
            write(() -> out.writeByteArray(1, l));
            return this;
        }

        SeriesBuilder sample(double v, long t) {
            byte[] s = message(o -> {
                o.writeDouble(1, v);
                o.writeInt64(2, t);
            });
            write(() -> out.writeByteArray(2, s));
            return this;
        }

        SeriesBuilder exemplar(double v, long t, String... pairs) {
            byte[] e = message(o -> {
                for (int i = 0; i < pairs.length; i += 2) {
                    String n = pairs[i], val = pairs[i + 1];
                    o.writeByteArray(1, message(l -> {
                        l.writeString(1, n);
                        l.writeString(2, val);
                    }));
                }
                o.writeDouble(2, v);
                o.writeInt64(3, t);
            });
            write(() -> out.writeByteArray(3, e));
            return this;
        }

        /** Integer histogram: buckets given as delta-encoded counts, as Prometheus sends them. */
        SeriesBuilder intHistogram(long t, long count, double sum, int schema, double zeroThreshold, long zeroCount,
                                   int[][] posSpans, long[] posDeltas, int[][] negSpans, long[] negDeltas, int resetHint) {
            byte[] h = message(o -> {
                o.writeUInt64(1, count);
                o.writeDouble(3, sum);
                o.writeSInt32(4, schema);
                o.writeDouble(5, zeroThreshold);
                o.writeUInt64(6, zeroCount);
                spans(o, 8, negSpans);
                packedSInt64(o, 9, negDeltas);
                spans(o, 11, posSpans);
                packedSInt64(o, 12, posDeltas);
                o.writeEnum(14, resetHint);
                o.writeInt64(15, t);
            });
            write(() -> out.writeByteArray(4, h));
            return this;
        }

        /** Float histogram with absolute counts; customValues non-empty for schema -53. */
        SeriesBuilder floatHistogram(long t, double count, double sum, int schema, double zeroCount,
                                     int[][] posSpans, double[] posCounts, double[] customValues) {
            byte[] h = message(o -> {
                o.writeDouble(2, count);
                o.writeDouble(3, sum);
                o.writeSInt32(4, schema);
                o.writeDouble(7, zeroCount);
                spans(o, 11, posSpans);
                packedDoubles(o, 13, posCounts);
                o.writeInt64(15, t);
                packedDoubles(o, 16, customValues);
            });
            write(() -> out.writeByteArray(4, h));
            return this;
        }

        WriteRequestBuilder end() {
            write(out::flush);
            byte[] ts = bytes.toByteArray();
            write(() -> req.writeByteArray(1, ts));
            return WriteRequestBuilder.this;
        }
    }

    private static void spans(CodedOutputStream o, int field, int[][] spans) throws IOException {
        for (int[] s : spans) {
            o.writeByteArray(field, message(m -> {
                m.writeSInt32(1, s[0]);
                m.writeUInt32(2, s[1]);
            }));
        }
    }

    private static void packedSInt64(CodedOutputStream o, int field, long[] vs) throws IOException {
        if (vs.length == 0) {
            return;
        }
        o.writeByteArray(field, message(m -> {
            for (long v : vs) {
                m.writeSInt64NoTag(v);
            }
        }));
    }

    private static void packedDoubles(CodedOutputStream o, int field, double[] vs) throws IOException {
        if (vs.length == 0) {
            return;
        }
        o.writeByteArray(field, message(m -> {
            for (double v : vs) {
                m.writeDoubleNoTag(v);
            }
        }));
    }

    interface Writer {
        void write(CodedOutputStream out) throws IOException;
    }

    interface Io {
        void run() throws IOException;
    }

    static byte[] message(Writer w) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        CodedOutputStream o = CodedOutputStream.newInstance(b);
        write(() -> {
            w.write(o);
            o.flush();
        });
        return b.toByteArray();
    }

    static void write(Io io) {
        try {
            io.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
