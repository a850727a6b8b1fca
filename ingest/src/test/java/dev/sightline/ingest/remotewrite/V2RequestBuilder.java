package dev.sightline.ingest.remotewrite;

import com.google.protobuf.CodedOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test encoder of io.prometheus.write.v2.Request (field numbers from prompb/io/prometheus/write/v2/types.proto):
 * symbols are interned as a sender does, symbol 0 the empty string; refs can also be given raw to build bad requests.
 */
final class V2RequestBuilder {
    private static byte[] message(WriteRequestBuilder.Writer w) {
        return WriteRequestBuilder.message(w);
    }

    private static void write(WriteRequestBuilder.Io io) {
        WriteRequestBuilder.write(io);
    }

    private final Map<String, Integer> symbolIndex = new LinkedHashMap<>();
    private final List<byte[]> symbolBytes = new ArrayList<>();
    private final List<byte[]> series = new ArrayList<>();
    private boolean symbolsLast;

    V2RequestBuilder() {
        ref("");
    }

    int ref(String s) {
        return symbolIndex.computeIfAbsent(s, k -> {
            symbolBytes.add(k.getBytes(StandardCharsets.UTF_8));
            return symbolBytes.size() - 1;
        });
    }

    /** A raw symbol (for invalid UTF-8); returns its ref. */
    int rawSymbol(byte[] bytes) {
        symbolBytes.add(bytes);
        return symbolBytes.size() - 1;
    }

    /** Writes the symbol table after the series, which protobuf allows. */
    V2RequestBuilder symbolsLast() {
        symbolsLast = true;
        return this;
    }

    Series series(String... pairs) {
        int[] refs = new int[pairs.length];
        for (int i = 0; i < pairs.length; i++) {
            refs[i] = ref(pairs[i]);
        }
        return seriesRefs(refs);
    }

    Series seriesRefs(int... labelRefs) {
        return new Series(labelRefs);
    }

    byte[] toProto() {
        return message(out -> {
            if (!symbolsLast) {
                writeSymbols(out);
            }
            for (byte[] s : series) {
                out.writeByteArray(5, s);
            }
            if (symbolsLast) {
                writeSymbols(out);
            }
        });
    }

    private void writeSymbols(CodedOutputStream out) throws IOException {
        for (byte[] b : symbolBytes) {
            out.writeByteArray(4, b);
        }
    }

    byte[] toSnappy() {
        return WriteRequestBuilder.snappy(toProto());
    }

    final class Series {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final CodedOutputStream out = CodedOutputStream.newInstance(bytes);

        Series(int[] labelRefs) {
            write(() -> packedRefs(out, 1, labelRefs));
        }

        Series sample(double v, long t) {
            return sampleStartingAt(v, 0, t);
        }

        /** A sample with its start_timestamp (field 3 since 2.0-rc.4; 0 writes none). */
        Series sampleStartingAt(double v, long st, long t) {
            byte[] m = message(o -> {
                o.writeDouble(1, v);
                o.writeInt64(2, t);
                if (st != 0) {
                    o.writeInt64(3, st);
                }
            });
            write(() -> out.writeByteArray(2, m));
            return this;
        }

        /** An integer native histogram: schema 0, one positive span of the given bucket counts. */
        Series histogram(long t, long count, double sum, long... buckets) {
            return histogramStartingAt(0, t, count, sum, buckets);
        }

        /** As {@link #histogram}, with its start_timestamp (field 17 since 2.0-rc.4; 0 writes none). */
        Series histogramStartingAt(long st, long t, long count, double sum, long... buckets) {
            byte[] m = message(o -> {
                o.writeUInt64(1, count);
                o.writeDouble(3, sum);
                o.writeSInt32(4, 0);
                o.writeDouble(5, 1e-128);
                o.writeUInt64(6, 0);
                o.writeByteArray(11, message(span -> {
                    span.writeSInt32(1, 0);
                    span.writeUInt32(2, buckets.length);
                }));
                ByteArrayOutputStream deltas = new ByteArrayOutputStream();
                CodedOutputStream d = CodedOutputStream.newInstance(deltas);
                long prev = 0;
                for (long b : buckets) {
                    d.writeSInt64NoTag(b - prev);
                    prev = b;
                }
                d.flush();
                o.writeByteArray(12, deltas.toByteArray());
                o.writeInt64(15, t);
                if (st != 0) {
                    o.writeInt64(17, st);
                }
            });
            write(() -> out.writeByteArray(3, m));
            return this;
        }

        Series exemplar(double v, long t, String... pairs) {
            int[] refs = new int[pairs.length];
            for (int i = 0; i < pairs.length; i++) {
                refs[i] = ref(pairs[i]);
            }
            return exemplarRefs(v, t, refs);
        }

        Series exemplarRefs(double v, long t, int... labelRefs) {
            byte[] m = message(o -> {
                packedRefs(o, 1, labelRefs);
                o.writeDouble(2, v);
                o.writeInt64(3, t);
            });
            write(() -> out.writeByteArray(4, m));
            return this;
        }

        Series metadata(int type, String help, String unit) {
            int h = ref(help), u = ref(unit);
            byte[] m = message(o -> {
                o.writeEnum(1, type);
                o.writeUInt32(3, h);
                o.writeUInt32(4, u);
            });
            write(() -> out.writeByteArray(5, m));
            return this;
        }

        /** The series' created_timestamp (field 6, where 2.0 senders before rc.4 put the start timestamp). */
        Series createdTimestamp(long t) {
            write(() -> out.writeInt64(6, t));
            return this;
        }

        V2RequestBuilder end() {
            write(out::flush);
            series.add(bytes.toByteArray());
            return V2RequestBuilder.this;
        }
    }

    private static void packedRefs(CodedOutputStream out, int field, int[] refs) throws IOException {
        if (refs.length == 0) {
            return;
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        CodedOutputStream p = CodedOutputStream.newInstance(b);
        for (int r : refs) {
            p.writeUInt32NoTag(r);
        }
        p.flush();
        out.writeByteArray(field, b.toByteArray());
    }
}
