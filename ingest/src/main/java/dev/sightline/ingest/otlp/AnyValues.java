package dev.sightline.ingest.otlp;

import com.google.protobuf.CodedInputStream;
import dev.sightline.core.span.AttributeType;
import dev.sightline.core.span.Attributes;
import dev.sightline.core.text.GoFloats;
import dev.sightline.ingest.spans.SpanLimits;

import java.io.IOException;
import java.util.Arrays;
import java.util.Base64;

import static dev.sightline.ingest.otlp.OtlpProtobuf.AV_ARRAY;
import static dev.sightline.ingest.otlp.OtlpProtobuf.AV_BOOL;
import static dev.sightline.ingest.otlp.OtlpProtobuf.AV_BYTES;
import static dev.sightline.ingest.otlp.OtlpProtobuf.AV_DOUBLE;
import static dev.sightline.ingest.otlp.OtlpProtobuf.AV_INT;
import static dev.sightline.ingest.otlp.OtlpProtobuf.AV_KVLIST;
import static dev.sightline.ingest.otlp.OtlpProtobuf.AV_STRING;
import static dev.sightline.ingest.otlp.OtlpProtobuf.KV_KEY;
import static dev.sightline.ingest.otlp.OtlpProtobuf.KV_VALUE;
import static dev.sightline.ingest.otlp.OtlpProtobuf.LIST_VALUES;

/**
 * Reads OTLP attribute values (AnyValue, from the wire): as Prometheus label values (strings as they are, other
 * scalars in their usual text, arrays and maps as JSON), or typed for spans ({@link TypedKeyValue}, arrays and maps
 * as the same JSON).
 */
final class AnyValues {
    private AnyValues() {
    }

    /** A KeyValue as read: the attribute's key and its value rendered as a label value. Reused from one to the next. */
    static final class KeyValue {
        String key;
        String value;

        /** Reads a KeyValue (the stream limited to it). */
        void read(CodedInputStream in) throws IOException {
            key = "";
            value = "";
            for (int t = in.readTag(); t != 0; t = in.readTag()) {
                if (t == KV_KEY) {
                    key = in.readStringRequireUtf8();
                } else if (t == KV_VALUE) {
                    int lim = in.pushLimit(in.readRawVarint32());
                    value = labelValue(in);
                    in.popLimit(lim);
                } else {
                    in.skipField(t);
                }
            }
        }
    }

    /**
     * A KeyValue read with its value's type, for span attributes; reused from one to the next. Scalars are not boxed.
     * An AnyValue with no field set (OTLP's empty value) reads as the empty string, as it does as a label value.
     */
    static final class TypedKeyValue {
        private String key;
        private int tag;
        private String text;
        private long bits;
        private byte[] bytes;

        /**
         * Reads a KeyValue (the stream limited to it; the stream starts at buf offset {@code base}), its key through
         * {@code keys}.
         */
        void read(CodedInputStream in, byte[] buf, int base, KeyCache keys) throws IOException {
            key = "";
            tag = AV_STRING;
            text = "";
            for (int t = in.readTag(); t != 0; t = in.readTag()) {
                if (t == KV_KEY) {
                    int l = in.readRawVarint32();
                    key = keys.get(buf, base + in.getTotalBytesRead(), l);
                    in.skipRawBytes(l);
                } else if (t == KV_VALUE) {
                    int lim = in.pushLimit(in.readRawVarint32());
                    readValue(in);
                    in.popLimit(lim);
                } else {
                    in.skipField(t);
                }
            }
        }

        /** The last field of the oneof wins, as protobuf merges. */
        private void readValue(CodedInputStream in) throws IOException {
            for (int t = in.readTag(); t != 0; t = in.readTag()) {
                if (t == AV_STRING) {
                    text = in.readStringRequireUtf8();
                } else if (t == AV_BOOL) {
                    bits = in.readBool() ? 1 : 0;
                } else if (t == AV_INT) {
                    bits = in.readInt64();
                } else if (t == AV_DOUBLE) {
                    bits = in.readFixed64();
                } else if (t == AV_BYTES) {
                    bytes = in.readByteArray();
                } else if (t == AV_ARRAY || t == AV_KVLIST) {
                    int lim = in.pushLimit(in.readRawVarint32());
                    StringBuilder sb = new StringBuilder();
                    appendJsonList(sb, in, t == AV_ARRAY);
                    in.popLimit(lim);
                    text = sb.toString();
                } else {
                    in.skipField(t);
                    continue;
                }
                tag = t;
            }
        }

        /** Adds the attribute to {@code b} within the limits; false when it is dropped (a compound value too long). */
        boolean addTo(Attributes.Builder b, SpanLimits limits) {
            if (tag == AV_STRING) {
                b.addString(key, limits.truncate(text));
            } else if (tag == AV_BOOL) {
                b.addBool(key, bits != 0);
            } else if (tag == AV_INT) {
                b.addLong(key, bits);
            } else if (tag == AV_DOUBLE) {
                b.addDouble(key, Double.longBitsToDouble(bits));
            } else if (tag == AV_BYTES) {
                b.addBytes(key, bytes.length <= limits.maxAttributeValueLength() ? bytes
                        : Arrays.copyOf(bytes, limits.maxAttributeValueLength()));
            } else if (limits.fits(text)) {
                b.addJson(key, tag == AV_ARRAY ? AttributeType.ARRAY : AttributeType.KVLIST, text);
            } else {
                return false;
            }
            return true;
        }
    }

    /**
     * An attribute value as a label value (the stream limited to an AnyValue); the last field of the oneof wins, as
     * protobuf merges.
     */
    static String labelValue(CodedInputStream in) throws IOException {
        String s = "";
        for (int t = in.readTag(); t != 0; t = in.readTag()) {
            if (t == AV_STRING) {
                s = in.readStringRequireUtf8();
            } else if (t == AV_BOOL) {
                s = Boolean.toString(in.readBool());
            } else if (t == AV_INT) {
                s = Long.toString(in.readInt64());
            } else if (t == AV_DOUBLE) {
                s = GoFloats.formatF(in.readDouble());
            } else if (t == AV_BYTES) {
                s = Base64.getEncoder().encodeToString(in.readByteArray());
            } else if (t == AV_ARRAY || t == AV_KVLIST) {
                int lim = in.pushLimit(in.readRawVarint32());
                StringBuilder sb = new StringBuilder();
                appendJsonList(sb, in, t == AV_ARRAY);
                in.popLimit(lim);
                s = sb.toString();
            } else {
                in.skipField(t);
            }
        }
        return s;
    }

    /** An ArrayValue or KeyValueList (the stream limited to it) as JSON. */
    private static void appendJsonList(StringBuilder sb, CodedInputStream in, boolean array) throws IOException {
        sb.append(array ? '[' : '{');
        boolean first = true;
        for (int t = in.readTag(); t != 0; t = in.readTag()) {
            if (t != LIST_VALUES) {
                in.skipField(t);
                continue;
            }
            sb.append(first ? "" : ",");
            first = false;
            int lim = in.pushLimit(in.readRawVarint32());
            if (array) {
                appendJson(sb, in);
            } else {
                String key = "";
                String valueJson = "null";
                for (int kt = in.readTag(); kt != 0; kt = in.readTag()) {
                    if (kt == KV_KEY) {
                        key = in.readStringRequireUtf8();
                    } else if (kt == KV_VALUE) {
                        // JSON wants the key first, which protobuf does not promise.
                        int vl = in.pushLimit(in.readRawVarint32());
                        StringBuilder v = new StringBuilder();
                        appendJson(v, in);
                        in.popLimit(vl);
                        valueJson = v.toString();
                    } else {
                        in.skipField(kt);
                    }
                }
                jsonString(sb, key);
                sb.append(':').append(valueJson);
            }
            in.popLimit(lim);
        }
        sb.append(array ? ']' : '}');
    }

    /** An AnyValue (the stream limited to it) as JSON. */
    private static void appendJson(StringBuilder sb, CodedInputStream in) throws IOException {
        int kind = 0;
        String scalar = null;
        StringBuilder nested = null;
        for (int t = in.readTag(); t != 0; t = in.readTag()) {
            if (t == AV_ARRAY || t == AV_KVLIST) {
                int lim = in.pushLimit(in.readRawVarint32());
                nested = new StringBuilder();
                appendJsonList(nested, in, t == AV_ARRAY);
                in.popLimit(lim);
                kind = t;
            } else if (t == AV_STRING || t == AV_BOOL || t == AV_INT || t == AV_DOUBLE || t == AV_BYTES) {
                scalar = t == AV_STRING ? in.readStringRequireUtf8()
                        : t == AV_BOOL ? Boolean.toString(in.readBool())
                        : t == AV_INT ? Long.toString(in.readInt64())
                        : t == AV_DOUBLE ? GoFloats.formatF(in.readDouble())
                        : Base64.getEncoder().encodeToString(in.readByteArray());
                kind = t;
            } else {
                in.skipField(t);
            }
        }
        if (kind == 0) {
            sb.append("null");
        } else if (kind == AV_ARRAY || kind == AV_KVLIST) {
            sb.append(nested);
        } else if (kind == AV_STRING || kind == AV_BYTES) {
            jsonString(sb, scalar);
        } else {
            sb.append(scalar);
        }
    }

    private static void jsonString(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
