package dev.sightline.traces.store;

import dev.sightline.core.span.AttributeType;
import dev.sightline.core.span.Attributes;
import dev.sightline.core.span.Span;
import dev.sightline.traces.TraceId;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.NumericUtils;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * How a span becomes a Lucene document. The whole span is one stored field in {@link SpanCodec}'s form; the rest
 * is for finding spans, never for reading them back:
 * <ul>
 *   <li>{@code tid}: the trace id (16 bytes) as a term and as sorted doc values (searches group by it);
 *   {@code start}: start time as a point and doc values; {@code dur}: duration as a point; {@code seq}: the WAL
 *   record the span came in (replay skips records already in the index).</li>
 *   <li>{@code name}, {@code smsg} (status message), {@code kind}, {@code status}, {@code op} (kind and name, for
 *   the operations listing): terms.</li>
 *   <li>Attributes of the span ({@code s*}) and of its resource ({@code r*}), the first of each key as
 *   {@link SpanCondition#matches} reads them: {@code sa}/{@code ra} string and bool values as terms
 *   {@code [key length][key][tag][value]} (values over {@link #MAX_VALUE_BYTES} are cut and tagged so, and a search
 *   checks such candidates against the stored span); {@code sk}/{@code rk} {@code [type][key]} terms for EXISTS and
 *   type tests; {@code sl}/{@code rl} and {@code sd}/{@code rd} two-dimensional points (key hash, value) for long and
 *   double values (doubles as sortable longs). Keys over {@link #MAX_KEY_BYTES} are not indexed; the span gets an
 *   {@code x} marker instead and searches on such keys check candidates.</li>
 * </ul>
 */
final class SpanFields {
    static final String STORED = "span";
    static final String TRACE_ID = "tid";
    static final String START = "start";
    static final String DURATION = "dur";
    static final String SEQ = "seq";
    static final String NAME = "name";
    static final String STATUS_MESSAGE = "smsg";
    static final String KIND = "kind";
    static final String STATUS = "status";
    static final String OPERATION = "op";
    static final String OVERLONG = "x";

    static final int MAX_VALUE_BYTES = 1024;
    static final int MAX_KEY_BYTES = 8192;

    static final byte TAG_STRING = 0;
    static final byte TAG_CUT = 1;
    static final byte TAG_FALSE = 2;
    static final byte TAG_TRUE = 3;

    /** Field names of one attribute scope. */
    record ScopeFields(String values, String keys, String longs, String doubles) {
    }

    static final ScopeFields SPAN = new ScopeFields("sa", "sk", "sl", "sd");
    static final ScopeFields RESOURCE = new ScopeFields("ra", "rk", "rl", "rd");

    private SpanFields() {
    }

    /** A document for one span; {@code record} is its resource, scope and span in {@link SpanCodec}'s form. */
    static Document document(Span span, dev.sightline.core.span.SpanResource resource, BytesRef record) {
        Document d = new Document();
        d.add(new StoredField(STORED, record));
        BytesRef tid = traceIdBytes(span.traceIdHi(), span.traceIdLo());
        d.add(new StringField(TRACE_ID, tid, Field.Store.NO));
        d.add(new SortedDocValuesField(TRACE_ID, tid));
        d.add(new LongPoint(START, span.startUnixNano()));
        d.add(new NumericDocValuesField(START, span.startUnixNano()));
        d.add(new LongPoint(DURATION, span.durationNanos()));
        d.add(new LongPoint(SEQ, 0)); // set by setSeq once the WAL numbered the record
        d.add(new StringField(NAME, stringTerm("", span.name()), Field.Store.NO));
        d.add(new StringField(STATUS_MESSAGE, stringTerm("", span.statusMessage()), Field.Store.NO));
        d.add(new StringField(KIND, new BytesRef(new byte[] {(byte) span.kind().ordinal()}), Field.Store.NO));
        d.add(new StringField(STATUS, new BytesRef(new byte[] {(byte) span.statusCode().ordinal()}), Field.Store.NO));
        d.add(new StringField(OPERATION, stringTerm(String.valueOf(span.kind().ordinal()), span.name()), Field.Store.NO));
        boolean overlong = addAttributes(d, SPAN, span.attributes());
        overlong |= addAttributes(d, RESOURCE, resource.attributes());
        if (overlong) {
            d.add(new StringField(OVERLONG, new BytesRef(new byte[] {1}), Field.Store.NO));
        }
        return d;
    }

    /** Sets the WAL record number of a document made by {@link #document}. */
    static void setSeq(Document d, long seq) {
        ((Field) d.getField(SEQ)).setLongValue(seq);
    }

    private static boolean addAttributes(Document d, ScopeFields f, Attributes a) {
        boolean overlong = false;
        Set<String> seen = a.size() > 1 ? new HashSet<>() : null;
        for (int i = 0; i < a.size(); i++) {
            String key = a.key(i);
            if (seen != null && !seen.add(key)) {
                continue; // the first of a repeated key is the one conditions test
            }
            if (utf8Length(key) > MAX_KEY_BYTES) {
                overlong = true;
                continue;
            }
            AttributeType t = a.type(i);
            d.add(new StringField(f.keys(), typedKey(t, key), Field.Store.NO));
            switch (t) {
                case STRING -> d.add(new StringField(f.values(), stringTerm(key, a.stringValue(i)), Field.Store.NO));
                case BOOL -> d.add(new StringField(f.values(), boolTerm(key, a.boolValue(i)), Field.Store.NO));
                case LONG -> d.add(new LongPoint(f.longs(), keyHash(key), a.longValue(i)));
                case DOUBLE -> d.add(new LongPoint(f.doubles(), keyHash(key),
                        NumericUtils.doubleToSortableLong(a.doubleValue(i))));
                default -> {
                    // bytes and compound values are shown, not searched by value (AttributeType's comment)
                }
            }
        }
        return overlong;
    }

    static BytesRef traceIdBytes(long hi, long lo) {
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (hi >>> (56 - 8 * i));
            b[8 + i] = (byte) (lo >>> (56 - 8 * i));
        }
        return new BytesRef(b);
    }

    static TraceId traceId(BytesRef b) {
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 8; i++) {
            hi = (hi << 8) | (b.bytes[b.offset + i] & 0xFF);
            lo = (lo << 8) | (b.bytes[b.offset + 8 + i] & 0xFF);
        }
        return new TraceId(hi, lo);
    }

    /** The key filter's key for a trace id. */
    static long traceKey(long hi, long lo) {
        return hi * 0x9E3779B97F4A7C15L ^ lo;
    }

    /** {@code [key length varint][key][tag]}: what every value term of the key starts with. */
    static byte[] keyPrefix(String key, byte tag) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[k.length + 6];
        int n = 0;
        int len = k.length;
        while ((len & ~0x7F) != 0) {
            out[n++] = (byte) ((len & 0x7F) | 0x80);
            len >>>= 7;
        }
        out[n++] = (byte) len;
        System.arraycopy(k, 0, out, n, k.length);
        n += k.length;
        out[n++] = tag;
        return Arrays.copyOf(out, n);
    }

    static BytesRef stringTerm(String key, String value) {
        byte[] v = value.getBytes(StandardCharsets.UTF_8);
        boolean cut = v.length > MAX_VALUE_BYTES;
        byte[] p = keyPrefix(key, cut ? TAG_CUT : TAG_STRING);
        int vl = cut ? MAX_VALUE_BYTES : v.length;
        byte[] t = Arrays.copyOf(p, p.length + vl);
        System.arraycopy(v, 0, t, p.length, vl);
        return new BytesRef(t);
    }

    static BytesRef boolTerm(String key, boolean value) {
        return new BytesRef(keyPrefix(key, value ? TAG_TRUE : TAG_FALSE));
    }

    static BytesRef typedKey(AttributeType t, String key) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[k.length + 1];
        out[0] = (byte) t.ordinal();
        System.arraycopy(k, 0, out, 1, k.length);
        return new BytesRef(out);
    }

    /** A value term taken apart: its key, tag and value bytes' start. */
    record ValueTerm(String key, byte tag, int valueOffset) {
        static ValueTerm parse(BytesRef t) {
            int pos = t.offset;
            int len = 0;
            for (int shift = 0; ; shift += 7) {
                byte b = t.bytes[pos++];
                len |= (b & 0x7F) << shift;
                if (b >= 0) {
                    break;
                }
            }
            String key = new String(t.bytes, pos, len, StandardCharsets.UTF_8);
            pos += len;
            return new ValueTerm(key, t.bytes[pos], pos + 1);
        }

        String value(BytesRef t) {
            return new String(t.bytes, valueOffset, t.offset + t.length - valueOffset, StandardCharsets.UTF_8);
        }
    }

    static int utf8Length(String s) {
        int n = s.length();
        int bytes = n;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                bytes += c < 0x800 ? 1 : Character.isSurrogate(c) ? 1 : 2;
            }
        }
        return bytes;
    }

    /** A 64-bit hash of an attribute key (FNV-1a over the chars, then mixed): the first dimension of its points. */
    static long keyHash(String key) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < key.length(); i++) {
            h = (h ^ key.charAt(i)) * 0x100000001b3L;
        }
        h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
        h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
        return h ^ (h >>> 31);
    }
}
