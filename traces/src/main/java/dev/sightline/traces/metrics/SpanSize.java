package dev.sightline.traces.metrics;

import dev.sightline.core.span.Attributes;
import dev.sightline.core.span.Span;
import dev.sightline.core.span.SpanEvent;
import dev.sightline.core.span.SpanLink;
import dev.sightline.core.span.StatusCode;
import dev.sightline.core.text.Utf8;

import java.util.List;

/**
 * The size of a span as OTLP protobuf encodes it (the Span message alone, as Tempo's traces_spanmetrics_size_total
 * counts it), computed from the decoded span without encoding it. Exact except for array and key-value-list attribute
 * values, which the model keeps as JSON text: those count as the text's length.
 */
final class SpanSize {
    private SpanSize() {
    }

    static long of(Span s) {
        long n = 18 + 10; // trace_id and span_id: tag, length, 16 and 8 bytes
        n += string(s.traceState());
        n += s.parentSpanId() != 0 ? 10 : 0;
        n += string(s.name());
        n += s.kind().number() != 0 ? 1 + varint(s.kind().number()) : 0;
        n += s.startUnixNano() != 0 ? 9 : 0;
        n += s.endUnixNano() != 0 ? 9 : 0;
        n += attributes(s.attributes());
        n += uint(s.droppedAttributesCount());
        List<SpanEvent> events = s.events();
        for (int i = 0; i < events.size(); i++) {
            SpanEvent e = events.get(i);
            n += message((e.timeUnixNano() != 0 ? 9 : 0) + string(e.name()) + attributes(e.attributes())
                    + uint(e.droppedAttributesCount()));
        }
        n += uint(s.droppedEventsCount());
        List<SpanLink> links = s.links();
        for (int i = 0; i < links.size(); i++) {
            SpanLink l = links.get(i);
            n += message(18 + 10 + string(l.traceState()) + attributes(l.attributes())
                    + uint(l.droppedAttributesCount()) + (l.flags() != 0 ? 5 : 0));
        }
        n += uint(s.droppedLinksCount());
        if (s.statusCode() != StatusCode.UNSET || !s.statusMessage().isEmpty()) {
            n += message(string(s.statusMessage()) + (s.statusCode() != StatusCode.UNSET ? 1 + varint(s.statusCode().number()) : 0));
        }
        n += s.flags() != 0 ? 2 + 4 : 0; // field 16 takes a two-byte tag
        return n;
    }

    private static long attributes(Attributes a) {
        long n = 0;
        for (int i = 0; i < a.size(); i++) {
            n += message(string(a.key(i)) + message(anyValue(a, i)));
        }
        return n;
    }

    private static long anyValue(Attributes a, int i) {
        return switch (a.type(i)) {
            case STRING -> 1 + lengthDelimited(Utf8.encodedLength(a.stringValue(i)));
            case BOOL -> 2;
            case LONG -> 1 + varint(a.longValue(i));
            case DOUBLE -> 9;
            case BYTES -> 1 + lengthDelimited(a.bytesValue(i).length);
            case ARRAY, KVLIST -> 1 + lengthDelimited(a.jsonValue(i).length());
        };
    }

    /** A length-delimited field with a one-byte tag, left out when empty (proto3 defaults are not written). */
    private static long string(String s) {
        return s.isEmpty() ? 0 : 1 + lengthDelimited(Utf8.encodedLength(s));
    }

    private static long message(long size) {
        return 1 + lengthDelimited(size);
    }

    private static long lengthDelimited(long size) {
        return varint(size) + size;
    }

    private static long uint(int v) {
        return v != 0 ? 1 + varint(v & 0xffffffffL) : 0;
    }

    static int varint(long v) {
        return v == 0 ? 1 : (63 - Long.numberOfLeadingZeros(v)) / 7 + 1;
    }
}
