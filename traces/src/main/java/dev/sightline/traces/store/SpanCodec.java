package dev.sightline.traces.store;

import dev.sightline.core.span.AttributeType;
import dev.sightline.core.span.Attributes;
import dev.sightline.core.span.InstrumentationScope;
import dev.sightline.core.span.Span;
import dev.sightline.core.span.SpanEvent;
import dev.sightline.core.span.SpanKind;
import dev.sightline.core.span.SpanLink;
import dev.sightline.core.span.SpanResource;
import dev.sightline.core.span.StatusCode;
import dev.sightline.traces.StoredSpan;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The binary form of spans, in the WAL and in the store's documents: varints (zigzag for signed numbers), UTF-8
 * strings with a length, ids as fixed 8-byte words, times as the start plus deltas, attributes as key, type byte and
 * value. A span's record is its resource, its scope, then the span; every field OTLP carries round-trips exactly
 * (strings as UTF-8, as OTLP carries them). Roughly half the size of the span's OTLP protobuf before compression.
 */
final class SpanCodec {
    private static final AttributeType[] TYPES = AttributeType.values();
    private static final SpanKind[] KINDS = SpanKind.values();
    private static final StatusCode[] CODES = StatusCode.values();

    private SpanCodec() {
    }

    /**
     * A growable output buffer; reusable after {@link #reset}. Growing copies into a new array and never writes the
     * old one again, so a {@link #slice} taken before stays valid: a batch's index terms are slices of one writer.
     */
    static final class Writer {
        private byte[] buf = new byte[1024];
        private int len;

        byte[] array() {
            return buf;
        }

        int length() {
            return len;
        }

        void reset() {
            len = 0;
        }

        void truncate(int length) {
            len = length;
        }

        private void ensure(int more) {
            if (len + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
            }
        }

        void writeByte(int b) {
            ensure(1);
            buf[len++] = (byte) b;
        }

        void writeBytes(byte[] b, int off, int n) {
            ensure(n);
            System.arraycopy(b, off, buf, len, n);
            len += n;
        }

        void writeVarLong(long v) {
            ensure(10);
            while ((v & ~0x7FL) != 0) {
                buf[len++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            buf[len++] = (byte) v;
        }

        void writeZigZag(long v) {
            writeVarLong((v << 1) ^ (v >> 63));
        }

        void writeFixed64(long v) {
            ensure(8);
            for (int i = 0; i < 8; i++) {
                buf[len++] = (byte) (v >>> (56 - 8 * i));
            }
        }

        void writeString(String s) {
            int mark = len;
            ensure(5);
            len += 5; // room for the length, moved down below
            int bytes = writeUtf8(s);
            int end = len;
            len = mark;
            writeVarLong(bytes);
            int header = len - mark;
            System.arraycopy(buf, mark + 5, buf, len, bytes);
            len = end - 5 + header;
        }

        /** The string's UTF-8 bytes without a length; returns how many. */
        int writeUtf8(String s) {
            // ASCII is the common case: one pass, no intermediate array.
            int n = s.length();
            int i = 0;
            int start = len;
            ensure(n);
            while (i < n && s.charAt(i) < 0x80) {
                buf[len++] = (byte) s.charAt(i++);
            }
            if (i < n) {
                byte[] rest = s.substring(i).getBytes(StandardCharsets.UTF_8);
                writeBytes(rest, 0, rest.length);
            }
            return len - start;
        }

        /** The bytes written since {@code start}, as a slice of the current buffer (never rewritten: see Writer). */
        org.apache.lucene.util.BytesRef slice(int start) {
            return new org.apache.lucene.util.BytesRef(buf, start, len - start);
        }

        void writeAttributes(Attributes a) {
            writeVarLong(a.size());
            for (int i = 0; i < a.size(); i++) {
                writeString(a.key(i));
                AttributeType t = a.type(i);
                writeByte(t.ordinal());
                switch (t) {
                    case STRING -> writeString(a.stringValue(i));
                    case BOOL -> writeByte(a.boolValue(i) ? 1 : 0);
                    case LONG -> writeZigZag(a.longValue(i));
                    case DOUBLE -> writeFixed64(Double.doubleToRawLongBits(a.doubleValue(i)));
                    case BYTES -> {
                        byte[] b = a.bytesValue(i);
                        writeVarLong(b.length);
                        writeBytes(b, 0, b.length);
                    }
                    case ARRAY, KVLIST -> writeString(a.jsonValue(i));
                }
            }
        }

        void writeResource(SpanResource r) {
            writeAttributes(r.attributes());
            writeVarLong(r.droppedAttributesCount());
            writeString(r.schemaUrl());
        }

        void writeScope(InstrumentationScope s) {
            writeString(s.name());
            writeString(s.version());
            writeAttributes(s.attributes());
            writeVarLong(s.droppedAttributesCount());
            writeString(s.schemaUrl());
        }

        void writeSpan(Span s) {
            writeFixed64(s.traceIdHi());
            writeFixed64(s.traceIdLo());
            writeFixed64(s.spanId());
            writeFixed64(s.parentSpanId());
            writeString(s.traceState());
            writeVarLong(s.flags() & 0xFFFFFFFFL);
            writeString(s.name());
            writeByte(s.kind().ordinal());
            writeFixed64(s.startUnixNano());
            writeZigZag(s.endUnixNano() - s.startUnixNano());
            writeAttributes(s.attributes());
            writeVarLong(s.droppedAttributesCount());
            writeVarLong(s.events().size());
            for (SpanEvent e : s.events()) {
                writeZigZag(e.timeUnixNano() - s.startUnixNano());
                writeString(e.name());
                writeAttributes(e.attributes());
                writeVarLong(e.droppedAttributesCount());
            }
            writeVarLong(s.droppedEventsCount());
            writeVarLong(s.links().size());
            for (SpanLink l : s.links()) {
                writeFixed64(l.traceIdHi());
                writeFixed64(l.traceIdLo());
                writeFixed64(l.spanId());
                writeString(l.traceState());
                writeVarLong(l.flags() & 0xFFFFFFFFL);
                writeAttributes(l.attributes());
                writeVarLong(l.droppedAttributesCount());
            }
            writeVarLong(s.droppedLinksCount());
            writeByte(s.statusCode().ordinal());
            writeString(s.statusMessage());
        }
    }

    /** Reads what a {@link Writer} wrote; a malformed input fails with {@link IllegalArgumentException}. */
    static final class Reader {
        private final byte[] buf;
        private int pos;
        private final int end;
        private final Attributes.Builder attrs = new Attributes.Builder();

        Reader(byte[] buf, int off, int len) {
            this.buf = buf;
            this.pos = off;
            this.end = off + len;
        }

        int position() {
            return pos;
        }

        private void need(int n) {
            if (n < 0 || end - pos < n) {
                throw new IllegalArgumentException("span record truncated at byte " + pos);
            }
        }

        int readByte() {
            need(1);
            return buf[pos++] & 0xFF;
        }

        long readVarLong() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int b = readByte();
                v |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return v;
                }
            }
            throw new IllegalArgumentException("varint too long at byte " + pos);
        }

        int readVarInt() {
            long v = readVarLong();
            if (v < 0 || v > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("count " + v + " out of range at byte " + pos);
            }
            return (int) v;
        }

        long readZigZag() {
            long v = readVarLong();
            return (v >>> 1) ^ -(v & 1);
        }

        long readFixed64() {
            need(8);
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (buf[pos++] & 0xFF);
            }
            return v;
        }

        String readString() {
            int n = readVarInt();
            need(n);
            String s = new String(buf, pos, n, StandardCharsets.UTF_8);
            pos += n;
            return s;
        }

        private <E> E readEnum(E[] values) {
            int b = readByte();
            if (b >= values.length) {
                throw new IllegalArgumentException("enum number " + b + " out of range at byte " + (pos - 1));
            }
            return values[b];
        }

        Attributes readAttributes() {
            int n = readVarInt();
            attrs.clear();
            for (int i = 0; i < n; i++) {
                String key = readString();
                AttributeType t = readEnum(TYPES);
                switch (t) {
                    case STRING -> attrs.addString(key, readString());
                    case BOOL -> attrs.addBool(key, readByte() != 0);
                    case LONG -> attrs.addLong(key, readZigZag());
                    case DOUBLE -> attrs.addDouble(key, Double.longBitsToDouble(readFixed64()));
                    case BYTES -> {
                        int len = readVarInt();
                        need(len);
                        attrs.addBytes(key, Arrays.copyOfRange(buf, pos, pos + len));
                        pos += len;
                    }
                    case ARRAY, KVLIST -> attrs.addJson(key, t, readString());
                }
            }
            return attrs.build();
        }

        SpanResource readResource() {
            return new SpanResource(readAttributes(), readVarInt(), readString());
        }

        InstrumentationScope readScope() {
            return new InstrumentationScope(readString(), readString(), readAttributes(), readVarInt(), readString());
        }

        Span readSpan() {
            long hi = readFixed64();
            long lo = readFixed64();
            long spanId = readFixed64();
            long parent = readFixed64();
            String traceState = readString();
            int flags = (int) readVarLong();
            String name = readString();
            SpanKind kind = readEnum(KINDS);
            long start = readFixed64();
            long end = start + readZigZag();
            Attributes attributes = readAttributes();
            int droppedAttributes = readVarInt();
            List<SpanEvent> events = List.of();
            int n = readVarInt();
            if (n > 0) {
                List<SpanEvent> list = new ArrayList<>(Math.min(n, 1024));
                for (int i = 0; i < n; i++) {
                    list.add(new SpanEvent(start + readZigZag(), readString(), readAttributes(), readVarInt()));
                }
                events = List.copyOf(list);
            }
            int droppedEvents = readVarInt();
            List<SpanLink> links = List.of();
            n = readVarInt();
            if (n > 0) {
                List<SpanLink> list = new ArrayList<>(Math.min(n, 1024));
                for (int i = 0; i < n; i++) {
                    list.add(new SpanLink(readFixed64(), readFixed64(), readFixed64(), readString(),
                            (int) readVarLong(), readAttributes(), readVarInt()));
                }
                links = List.copyOf(list);
            }
            int droppedLinks = readVarInt();
            StatusCode code = readEnum(CODES);
            String message = readString();
            return new Span(hi, lo, spanId, parent, traceState, flags, name, kind, start, end, attributes,
                    droppedAttributes, events, droppedEvents, links, droppedLinks, code, message);
        }

        /** One span's document record: resource, scope, span. */
        StoredSpan readStoredSpan() {
            SpanResource r = readResource();
            InstrumentationScope s = readScope();
            return new StoredSpan(r, s, readSpan());
        }
    }

    /** Decodes one document record. */
    static StoredSpan decode(byte[] buf, int off, int len) {
        return new Reader(buf, off, len).readStoredSpan();
    }
}
