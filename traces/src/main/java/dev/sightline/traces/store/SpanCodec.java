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
import dev.sightline.timeindex.ByteReader;
import dev.sightline.timeindex.ByteWriter;
import dev.sightline.traces.StoredSpan;

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

    /** The span store's writer: span records on top of the shared binary primitives. */
    static final class Writer extends ByteWriter {
        /** The bytes written since {@code start}, as a slice of the current buffer (never rewritten: see Writer). */
        org.apache.lucene.util.BytesRef slice(int start) {
            return new org.apache.lucene.util.BytesRef(array(), start, length() - start);
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
    static final class Reader extends ByteReader {
        private final Attributes.Builder attrs = new Attributes.Builder();

        Reader(byte[] buf, int off, int len) {
            super(buf, off, len);
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
