package dev.sightline.traces.store;

import dev.sightline.core.span.AttributeType;
import dev.sightline.core.span.Attributes;
import dev.sightline.core.span.Span;
import dev.sightline.core.span.SpanKind;
import dev.sightline.core.span.SpanResource;
import dev.sightline.traces.TraceId;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.NumericUtils;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * How a span becomes a Lucene document. The whole span is one stored field in {@link SpanCodec}'s form; the rest
 * is for finding spans, never for reading them back:
 * <ul>
 *   <li>{@code tid}: the trace id (16 bytes) as a term and as sorted doc values (searches group by it);
 *   {@code start}, {@code dur}: start time and duration as points and doc values (a search's summary reads a
 *   trace's extent from them without reading its spans); {@code root}: a term on root spans; {@code seq}: the WAL
 *   record the span came in (replay skips records already in the index).</li>
 *   <li>{@code name}, {@code smsg} (status message), {@code kind}, {@code status}, {@code op} (kind and name, for
 *   the operations listing): terms.</li>
 *   <li>Attributes of the span ({@code s*}) and of its resource ({@code r*}), the first of each key as
 *   {@link SpanCondition#matches} reads them: {@code sa}/{@code ra} string and bool values as terms
 *   {@code [key length][key][tag][value]} (values over {@link #MAX_VALUE_BYTES} are cut and tagged so, and a search
 *   checks such candidates against the stored span); {@code sk}/{@code rk} {@code [type][key]} terms for EXISTS and
 *   type tests of the other types (a string attribute's existence is its key's value terms); {@code sl}/{@code rl} and {@code sd}/{@code rd} two-dimensional points (key hash, value) for long and
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
    static final String ROOT = "root";

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

    /**
     * A document for one span; {@code record} is its resource, scope and span in {@link SpanCodec}'s form, {@code seq}
     * the field the WAL record number goes in once known, {@code terms} where the index terms are written (one
     * buffer for a batch rather than arrays per term). {@code resource} is the span's resource's fields from
     * {@link #resourceFields}, made once for all the spans of a batch that share it.
     */
    static Document document(Span span, ResourceFields resource, BytesRef record, LongPoint seq,
                             SpanCodec.Writer terms) {
        Document d = new Document();
        d.add(new StoredField(STORED, record));
        BytesRef tid = traceIdBytes(span.traceIdHi(), span.traceIdLo());
        d.add(new StringField(TRACE_ID, tid, Field.Store.NO));
        d.add(new SortedDocValuesField(TRACE_ID, tid));
        d.add(new LongPoint(START, span.startUnixNano()));
        d.add(new NumericDocValuesField(START, span.startUnixNano()));
        d.add(new LongPoint(DURATION, span.durationNanos()));
        d.add(new NumericDocValuesField(DURATION, span.durationNanos()));
        d.add(seq);
        if (span.isRoot()) {
            d.add(new StringField(ROOT, ENUM_TERMS[1], Field.Store.NO));
        }
        d.add(new StringField(NAME, stringTerm(terms, "", span.name()), Field.Store.NO));
        d.add(new StringField(STATUS_MESSAGE, stringTerm(terms, "", span.statusMessage()), Field.Store.NO));
        d.add(new StringField(KIND, ENUM_TERMS[span.kind().ordinal()], Field.Store.NO));
        d.add(new StringField(STATUS, ENUM_TERMS[span.statusCode().ordinal()], Field.Store.NO));
        d.add(new StringField(OPERATION, stringTerm(terms, KIND_KEYS[span.kind().ordinal()], span.name()),
                Field.Store.NO));
        boolean overlong = addAttributes(d::add, SPAN, span.attributes(), terms);
        for (IndexableField f : resource.fields()) {
            d.add(f);
        }
        if (overlong || resource.overlong()) {
            d.add(new StringField(OVERLONG, ENUM_TERMS[1], Field.Store.NO));
        }
        return d;
    }

    /** One-byte terms for enum ordinals (kind, status) and the overlong marker; Lucene copies terms, never changes them. */
    static final BytesRef[] ENUM_TERMS = new BytesRef[8];
    private static final String[] KIND_KEYS = new String[SpanKind.values().length];

    static {
        for (int i = 0; i < ENUM_TERMS.length; i++) {
            ENUM_TERMS[i] = new BytesRef(new byte[] {(byte) i});
        }
        for (SpanKind k : SpanKind.values()) {
            KIND_KEYS[k.ordinal()] = String.valueOf(k.ordinal());
        }
    }

    /**
     * A resource's index fields, shared by the documents of its spans (Lucene reads a field's value when it adds a
     * document and never changes it), and whether it has a key too long to index.
     */
    record ResourceFields(List<IndexableField> fields, boolean overlong) {
    }

    static ResourceFields resourceFields(SpanResource resource, SpanCodec.Writer terms) {
        List<IndexableField> fields = new ArrayList<>();
        boolean overlong = addAttributes(fields::add, RESOURCE, resource.attributes(), terms);
        return new ResourceFields(fields, overlong);
    }

    private static boolean addAttributes(Consumer<IndexableField> d, ScopeFields f, Attributes a,
                                         SpanCodec.Writer terms) {
        boolean overlong = false;
        for (int i = 0; i < a.size(); i++) {
            String key = a.key(i);
            if (i > 0 && a.indexOf(key) != i) {
                continue; // the first of a repeated key is the one conditions test
            }
            if (utf8Length(key) > MAX_KEY_BYTES) {
                overlong = true;
                continue;
            }
            AttributeType t = a.type(i);
            if (t != AttributeType.STRING) {
                // A string attribute is known by its value term; a key term for it too would add a term per string.
                d.accept(new StringField(f.keys(), typedKey(terms, t, key), Field.Store.NO));
            }
            switch (t) {
                case STRING -> d.accept(new StringField(f.values(), stringTerm(terms, key, a.stringValue(i)), Field.Store.NO));
                case BOOL -> d.accept(new StringField(f.values(), boolTerm(terms, key, a.boolValue(i)), Field.Store.NO));
                case LONG -> d.accept(new LongPoint(f.longs(), keyHash(key), a.longValue(i)));
                case DOUBLE -> d.accept(new LongPoint(f.doubles(), keyHash(key),
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
        SpanCodec.Writer w = new SpanCodec.Writer();
        w.writeString(key);
        w.writeByte(tag);
        return java.util.Arrays.copyOf(w.array(), w.length());
    }

    /** A string value term: {@code [key length][key][tag][value]}, the value cut at {@link #MAX_VALUE_BYTES}. */
    static BytesRef stringTerm(SpanCodec.Writer terms, String key, String value) {
        int at = terms.length();
        terms.writeString(key);
        int tag = terms.length();
        terms.writeByte(TAG_STRING);
        int n = terms.writeUtf8(value);
        if (n > MAX_VALUE_BYTES) {
            terms.truncate(terms.length() - (n - MAX_VALUE_BYTES));
            terms.array()[tag] = TAG_CUT;
        }
        return terms.slice(at);
    }

    static BytesRef stringTerm(String key, String value) {
        return stringTerm(new SpanCodec.Writer(), key, value);
    }

    static BytesRef boolTerm(SpanCodec.Writer terms, String key, boolean value) {
        int at = terms.length();
        terms.writeString(key);
        terms.writeByte(value ? TAG_TRUE : TAG_FALSE);
        return terms.slice(at);
    }

    static BytesRef boolTerm(String key, boolean value) {
        return boolTerm(new SpanCodec.Writer(), key, value);
    }

    /** {@code [type][key]}: the term for "the attribute is there with this type". */
    static BytesRef typedKey(SpanCodec.Writer terms, AttributeType t, String key) {
        int at = terms.length();
        terms.writeByte(t.ordinal());
        terms.writeUtf8(key);
        return terms.slice(at);
    }

    static BytesRef typedKey(AttributeType t, String key) {
        return typedKey(new SpanCodec.Writer(), t, key);
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
