package dev.sightline.ingest.otlp;

import com.google.protobuf.CodedInputStream;
import dev.sightline.core.span.Attributes;
import dev.sightline.core.span.InstrumentationScope;
import dev.sightline.core.span.Span;
import dev.sightline.core.span.SpanEvent;
import dev.sightline.core.span.SpanIds;
import dev.sightline.core.span.SpanKind;
import dev.sightline.core.span.SpanLink;
import dev.sightline.core.span.SpanResource;
import dev.sightline.core.span.StatusCode;
import dev.sightline.ingest.spans.SpanLimits;
import dev.sightline.ingest.spans.SpanResult;
import dev.sightline.ingest.spans.SpanSink;
import dev.sightline.ingest.spans.SpanTally;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static dev.sightline.ingest.otlp.OtlpProtobuf.forEachField;
import static dev.sightline.ingest.otlp.OtlpProtobuf.EV_ATTRIBUTES;
import static dev.sightline.ingest.otlp.OtlpProtobuf.EV_DROPPED_ATTRIBUTES;
import static dev.sightline.ingest.otlp.OtlpProtobuf.EV_NAME;
import static dev.sightline.ingest.otlp.OtlpProtobuf.EV_TIME;
import static dev.sightline.ingest.otlp.OtlpProtobuf.L_ATTRIBUTES;
import static dev.sightline.ingest.otlp.OtlpProtobuf.L_DROPPED_ATTRIBUTES;
import static dev.sightline.ingest.otlp.OtlpProtobuf.L_FLAGS;
import static dev.sightline.ingest.otlp.OtlpProtobuf.L_SPAN_ID;
import static dev.sightline.ingest.otlp.OtlpProtobuf.L_TRACE_ID;
import static dev.sightline.ingest.otlp.OtlpProtobuf.L_TRACE_STATE;
import static dev.sightline.ingest.otlp.OtlpProtobuf.RESOURCE_ATTRIBUTES;
import static dev.sightline.ingest.otlp.OtlpProtobuf.RESOURCE_DROPPED;
import static dev.sightline.ingest.otlp.OtlpProtobuf.RS_FIELD;
import static dev.sightline.ingest.otlp.OtlpProtobuf.RS_RESOURCE;
import static dev.sightline.ingest.otlp.OtlpProtobuf.RS_SCHEMA_URL;
import static dev.sightline.ingest.otlp.OtlpProtobuf.RS_SCOPE_SPANS;
import static dev.sightline.ingest.otlp.OtlpProtobuf.SCOPE_ATTRIBUTES;
import static dev.sightline.ingest.otlp.OtlpProtobuf.SCOPE_DROPPED;
import static dev.sightline.ingest.otlp.OtlpProtobuf.SCOPE_NAME;
import static dev.sightline.ingest.otlp.OtlpProtobuf.SCOPE_VERSION;
import static dev.sightline.ingest.otlp.OtlpProtobuf.SS_SCHEMA_URL;
import static dev.sightline.ingest.otlp.OtlpProtobuf.SS_SCOPE;
import static dev.sightline.ingest.otlp.OtlpProtobuf.SS_SPANS;
import static dev.sightline.ingest.otlp.OtlpProtobuf.ST_CODE;
import static dev.sightline.ingest.otlp.OtlpProtobuf.ST_MESSAGE;
import static dev.sightline.ingest.otlp.OtlpProtobuf.S_ATTRIBUTES;
import static dev.sightline.ingest.otlp.OtlpProtobuf.S_DROPPED_ATTRIBUTES;
import static dev.sightline.ingest.otlp.OtlpProtobuf.S_DROPPED_EVENTS;
import static dev.sightline.ingest.otlp.OtlpProtobuf.S_DROPPED_LINKS;
import static dev.sightline.ingest.otlp.OtlpProtobuf.S_END;
import static dev.sightline.ingest.otlp.OtlpProtobuf.S_EVENTS;
import static dev.sightline.ingest.otlp.OtlpProtobuf.S_FLAGS;
import static dev.sightline.ingest.otlp.OtlpProtobuf.S_KIND;
import static dev.sightline.ingest.otlp.OtlpProtobuf.S_LINKS;
import static dev.sightline.ingest.otlp.OtlpProtobuf.S_NAME;
import static dev.sightline.ingest.otlp.OtlpProtobuf.S_PARENT_SPAN_ID;
import static dev.sightline.ingest.otlp.OtlpProtobuf.S_SPAN_ID;
import static dev.sightline.ingest.otlp.OtlpProtobuf.S_START;
import static dev.sightline.ingest.otlp.OtlpProtobuf.S_STATUS;
import static dev.sightline.ingest.otlp.OtlpProtobuf.S_TRACE_ID;
import static dev.sightline.ingest.otlp.OtlpProtobuf.S_TRACE_STATE;

/**
 * Decodes an OTLP ExportTraceServiceRequest (binary protobuf; OTLP/JSON through {@link OtlpCodec#parseTracesJson}) into
 * {@link Span}s handed to a {@link SpanSink}, reading the wire as a stream without message objects: one
 * {@link SpanResource} and {@link InstrumentationScope} per ResourceSpans/ScopeSpans, shared by their spans; ids read
 * straight from the request's bytes into longs.
 *
 * <p>The structure is checked first ({@link OtlpProtobuf#checkTraces}), so a malformed body hands nothing to the
 * sink. A span whose trace id or span id is missing, all zero or not 16/8 bytes (or whose parent span id is neither
 * empty nor 8 bytes) is rejected alone and counted, with a message for ExportTracePartialSuccess. A link whose ids
 * have the wrong length is dropped and counted in the span's dropped_links_count. {@link SpanLimits} bound
 * attributes, events and links with the OpenTelemetry SDK's semantics.
 *
 * <p>Thread-safe: the per-request state lives in a {@link Request}.
 */
public final class OtlpTracesDecoder {
    private final SpanLimits limits;
    private final int maxReportedErrors;

    public OtlpTracesDecoder(SpanLimits limits, int maxReportedErrors) {
        this.limits = limits;
        this.maxReportedErrors = maxReportedErrors;
    }

    /** Decodes a binary ExportTraceServiceRequest in buf[off, off+len). */
    public SpanResult decode(byte[] buf, int off, int len, SpanSink sink) throws MalformedOtlpException {
        OtlpProtobuf.checkTraces(buf, off, len);
        Request r = new Request(buf, sink, new SpanTally(maxReportedErrors));
        try {
            forEachField(buf, off, len, RS_FIELD, (at, l) -> r.resourceSpans(at, l));
        } catch (IOException e) {
            throw new IllegalStateException("a checked request failed to decode", e);
        }
        return r.tally.result();
    }

    /** Decodes a request message (from OTLP/JSON or gRPC) through the same streaming decoder. */
    public SpanResult decode(ExportTraceServiceRequest request, SpanSink sink) {
        byte[] bytes = request.toByteArray();
        try {
            return decode(bytes, 0, bytes.length, sink);
        } catch (MalformedOtlpException e) {
            throw new IllegalStateException("a serialised message failed to decode", e);
        }
    }

    /** One request's decoding state: builders reused from span to span. */
    private final class Request {
        private final byte[] buf;
        private final SpanSink sink;
        private final SpanTally tally;
        private final AnyValues.TypedKeyValue kv = new AnyValues.TypedKeyValue();
        private final KeyCache keys = new KeyCache();
        private final Attributes.Builder attrs = new Attributes.Builder();
        /** For events and links, read whole while a span's own attributes are being collected. */
        private final Attributes.Builder nestedAttrs = new Attributes.Builder();
        private final List<SpanEvent> events = new ArrayList<>();
        private final List<SpanLink> links = new ArrayList<>();
        private int dropped; // attributes dropped by the last readAttribute calls

        Request(byte[] buf, SpanSink sink, SpanTally tally) {
            this.buf = buf;
            this.sink = sink;
            this.tally = tally;
        }

        private CodedInputStream stream(int at, int len) {
            return CodedInputStream.newInstance(buf, at, len);
        }

        /** A ResourceSpans: its resource and schema_url (which may follow the scopes on the wire) first. */
        void resourceSpans(int off, int len) throws IOException {
            int droppedAttributes = 0;
            String schemaUrl = "";
            CodedInputStream in = stream(off, len);
            dropped = 0;
            for (int t = in.readTag(); t != 0; t = in.readTag()) {
                if (t == RS_RESOURCE) {
                    int lim = in.pushLimit(in.readRawVarint32());
                    for (int rt = in.readTag(); rt != 0; rt = in.readTag()) {
                        if (rt == RESOURCE_ATTRIBUTES) {
                            readAttribute(in, off, attrs);
                        } else if (rt == RESOURCE_DROPPED) {
                            droppedAttributes = in.readUInt32();
                        } else {
                            in.skipField(rt);
                        }
                    }
                    in.popLimit(lim);
                } else if (t == RS_SCHEMA_URL) {
                    schemaUrl = in.readStringRequireUtf8();
                } else {
                    in.skipField(t);
                }
            }
            SpanResource resource = new SpanResource(attrs.build(), droppedAttributes + dropped, schemaUrl);
            forEachField(buf, off, len, RS_SCOPE_SPANS, (at, l) -> scopeSpans(resource, at, l));
        }

        /** A ScopeSpans: its scope and schema_url first, then the spans. */
        private void scopeSpans(SpanResource resource, int off, int len) throws IOException {
            String name = "";
            String version = "";
            int droppedAttributes = 0;
            String schemaUrl = "";
            CodedInputStream in = stream(off, len);
            dropped = 0;
            for (int t = in.readTag(); t != 0; t = in.readTag()) {
                if (t == SS_SCOPE) {
                    int lim = in.pushLimit(in.readRawVarint32());
                    for (int st = in.readTag(); st != 0; st = in.readTag()) {
                        if (st == SCOPE_NAME) {
                            name = in.readStringRequireUtf8();
                        } else if (st == SCOPE_VERSION) {
                            version = in.readStringRequireUtf8();
                        } else if (st == SCOPE_ATTRIBUTES) {
                            readAttribute(in, off, attrs);
                        } else if (st == SCOPE_DROPPED) {
                            droppedAttributes = in.readUInt32();
                        } else {
                            in.skipField(st);
                        }
                    }
                    in.popLimit(lim);
                } else if (t == SS_SCHEMA_URL) {
                    schemaUrl = in.readStringRequireUtf8();
                } else {
                    in.skipField(t);
                }
            }
            InstrumentationScope scope = new InstrumentationScope(name, version, attrs.build(), droppedAttributes + dropped,
                    schemaUrl);
            forEachField(buf, off, len, SS_SPANS, (at, l) -> span(resource, scope, at, l));
        }

        /** One Span: its fields in whatever order they come, then validated and handed on or rejected. */
        private void span(SpanResource resource, InstrumentationScope scope, int off, int len) throws IOException {
            long traceHi = 0, traceLo = 0, spanId = 0, parentId = 0;
            int traceIdLen = 0, spanIdLen = 0, parentIdLen = 0;
            String traceState = "", name = "", statusMessage = "";
            int flags = 0, kind = 0, statusCode = 0;
            long start = 0, end = 0;
            int droppedAttributes = 0, droppedEvents = 0, droppedLinks = 0;
            int extraAttributes = 0;
            attrs.clear();
            events.clear();
            links.clear();
            CodedInputStream in = stream(off, len);
            for (int t = in.readTag(); t != 0; t = in.readTag()) {
                if (t == S_TRACE_ID || t == S_SPAN_ID || t == S_PARENT_SPAN_ID) {
                    int l = in.readRawVarint32();
                    int at = off + in.getTotalBytesRead();
                    in.skipRawBytes(l);
                    if (t == S_TRACE_ID) {
                        traceIdLen = l;
                        if (l == 16) {
                            traceHi = SpanIds.fromBytes(buf, at);
                            traceLo = SpanIds.fromBytes(buf, at + 8);
                        }
                    } else if (t == S_SPAN_ID) {
                        spanIdLen = l;
                        spanId = l == 8 ? SpanIds.fromBytes(buf, at) : 0;
                    } else {
                        parentIdLen = l;
                        parentId = l == 8 ? SpanIds.fromBytes(buf, at) : 0;
                    }
                } else if (t == S_TRACE_STATE) {
                    traceState = in.readStringRequireUtf8();
                } else if (t == S_NAME) {
                    name = in.readStringRequireUtf8();
                } else if (t == S_KIND) {
                    kind = in.readEnum();
                } else if (t == S_START) {
                    start = in.readFixed64();
                } else if (t == S_END) {
                    end = in.readFixed64();
                } else if (t == S_FLAGS) {
                    flags = in.readFixed32();
                } else if (t == S_ATTRIBUTES) {
                    dropped = 0;
                    readAttribute(in, off, attrs);
                    extraAttributes += dropped;
                } else if (t == S_DROPPED_ATTRIBUTES) {
                    droppedAttributes = in.readUInt32();
                } else if (t == S_EVENTS) {
                    int l = in.readRawVarint32();
                    if (events.size() < limits.maxEvents()) {
                        int lim = in.pushLimit(l);
                        events.add(event(in, off));
                        in.popLimit(lim);
                    } else {
                        in.skipRawBytes(l);
                        droppedEvents++;
                    }
                } else if (t == S_DROPPED_EVENTS) {
                    droppedEvents += in.readUInt32();
                } else if (t == S_LINKS) {
                    int l = in.readRawVarint32();
                    SpanLink link = null;
                    if (links.size() < limits.maxLinks()) {
                        int lim = in.pushLimit(l);
                        link = link(in, off);
                        in.popLimit(lim);
                    } else {
                        in.skipRawBytes(l);
                    }
                    if (link != null) {
                        links.add(link);
                    } else {
                        droppedLinks++;
                    }
                } else if (t == S_DROPPED_LINKS) {
                    droppedLinks += in.readUInt32();
                } else if (t == S_STATUS) {
                    int lim = in.pushLimit(in.readRawVarint32());
                    for (int st = in.readTag(); st != 0; st = in.readTag()) {
                        if (st == ST_MESSAGE) {
                            statusMessage = in.readStringRequireUtf8();
                        } else if (st == ST_CODE) {
                            statusCode = in.readEnum();
                        } else {
                            in.skipField(st);
                        }
                    }
                    in.popLimit(lim);
                } else {
                    in.skipField(t);
                }
            }
            String problem = idProblem("trace_id", traceIdLen, 16, (traceHi | traceLo) == 0);
            if (problem == null) {
                problem = idProblem("span_id", spanIdLen, 8, spanId == 0);
            }
            if (problem == null && parentIdLen != 0 && parentIdLen != 8) {
                problem = "parent_span_id has " + parentIdLen + " bytes, want 8 or none";
            }
            if (problem != null) {
                attrs.clear();
                tally.rejected("span \"" + name + "\": " + problem);
                return;
            }
            sink.accept(resource, scope, new Span(traceHi, traceLo, spanId, parentId, traceState, flags, name,
                    SpanKind.of(kind), start, end, attrs.build(), droppedAttributes + extraAttributes,
                    List.copyOf(events), droppedEvents, List.copyOf(links), droppedLinks, StatusCode.of(statusCode),
                    statusMessage));
            tally.accepted();
        }

        private static String idProblem(String field, int len, int want, boolean zero) {
            if (len == 0) {
                return field + " is missing";
            }
            if (len != want) {
                return field + " has " + len + " bytes, want " + want;
            }
            return zero ? field + " is all zero" : null;
        }

        /** A Span.Event (the stream limited to it). */
        private SpanEvent event(CodedInputStream in, int base) throws IOException {
            long time = 0;
            String name = "";
            int droppedAttributes = 0;
            dropped = 0;
            for (int t = in.readTag(); t != 0; t = in.readTag()) {
                if (t == EV_TIME) {
                    time = in.readFixed64();
                } else if (t == EV_NAME) {
                    name = in.readStringRequireUtf8();
                } else if (t == EV_ATTRIBUTES) {
                    readAttribute(in, base, nestedAttrs);
                } else if (t == EV_DROPPED_ATTRIBUTES) {
                    droppedAttributes = in.readUInt32();
                } else {
                    in.skipField(t);
                }
            }
            return new SpanEvent(time, name, nestedAttrs.build(), droppedAttributes + dropped);
        }

        /** A Span.Link (the stream limited to it), or null when an id has the wrong length. */
        private SpanLink link(CodedInputStream in, int base) throws IOException {
            long traceHi = 0, traceLo = 0, spanId = 0;
            boolean badId = false;
            String traceState = "";
            int flags = 0;
            int droppedAttributes = 0;
            dropped = 0;
            for (int t = in.readTag(); t != 0; t = in.readTag()) {
                if (t == L_TRACE_ID || t == L_SPAN_ID) {
                    int l = in.readRawVarint32();
                    int at = base + in.getTotalBytesRead();
                    in.skipRawBytes(l);
                    if (t == L_TRACE_ID && l == 16) {
                        traceHi = SpanIds.fromBytes(buf, at);
                        traceLo = SpanIds.fromBytes(buf, at + 8);
                    } else if (t == L_SPAN_ID && l == 8) {
                        spanId = SpanIds.fromBytes(buf, at);
                    } else {
                        badId |= l != 0;
                    }
                } else if (t == L_TRACE_STATE) {
                    traceState = in.readStringRequireUtf8();
                } else if (t == L_ATTRIBUTES) {
                    readAttribute(in, base, nestedAttrs);
                } else if (t == L_DROPPED_ATTRIBUTES) {
                    droppedAttributes = in.readUInt32();
                } else if (t == L_FLAGS) {
                    flags = in.readFixed32();
                } else {
                    in.skipField(t);
                }
            }
            Attributes a = nestedAttrs.build();
            return badId ? null : new SpanLink(traceHi, traceLo, spanId, traceState, flags, a, droppedAttributes + dropped);
        }

        /**
         * One KeyValue into {@code b}, or counted in {@link #dropped} when over the limits; the stream starts at buf
         * offset {@code base}.
         */
        private void readAttribute(CodedInputStream in, int base, Attributes.Builder b) throws IOException {
            int l = in.readRawVarint32();
            if (b.size() >= limits.maxAttributes()) {
                in.skipRawBytes(l);
                dropped++;
                return;
            }
            int lim = in.pushLimit(l);
            kv.read(in, buf, base, keys);
            in.popLimit(lim);
            if (!kv.addTo(b, limits)) {
                dropped++;
            }
        }
    }
}
