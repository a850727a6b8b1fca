package dev.sightline.ingest.zipkin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import dev.sightline.core.span.Attributes;
import dev.sightline.core.span.InstrumentationScope;
import dev.sightline.core.span.Span;
import dev.sightline.core.span.SpanEvent;
import dev.sightline.core.span.SpanKind;
import dev.sightline.core.span.SpanResource;
import dev.sightline.core.span.StatusCode;
import dev.sightline.ingest.spans.SpanLimits;
import dev.sightline.ingest.spans.SpanResult;
import dev.sightline.ingest.spans.SpanSink;
import dev.sightline.ingest.spans.SpanTally;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Decodes a Zipkin v2 JSON body ({@code POST /api/v2/spans}: a JSON array of spans) into {@link Span}s, mapped as the
 * OpenTelemetry collector's zipkin receiver maps them:
 * <ul>
 * <li>ids: hex, a 64-bit trace id (16 digits) left-padded to 128 bits, shorter ids left-padded with zeros as Zipkin
 *     does; a span whose trace id or id is missing, not hex, too long or all zero is rejected alone and counted;</li>
 * <li>{@code kind} CLIENT/SERVER/PRODUCER/CONSUMER to the same SpanKind; absent, the tag {@code span.kind=internal}
 *     gives INTERNAL, else UNSPECIFIED;</li>
 * <li>{@code timestamp} and {@code duration} (microseconds) to start and end in nanoseconds;</li>
 * <li>{@code localEndpoint.serviceName} to the resource's {@code service.name} (one shared resource per service in a
 *     request), its ipv4/ipv6 and port to {@code net.host.ip}/{@code net.host.port}; {@code remoteEndpoint} to
 *     {@code peer.service}, {@code net.peer.ip}, {@code net.peer.port};</li>
 * <li>{@code tags} to string attributes, except {@code otel.status_code}/{@code otel.status_description} (the
 *     status), {@code error} (status ERROR with its value as the message, when no otel.status_code says otherwise),
 *     {@code otel.scope.name}/{@code otel.scope.version} (and the older {@code otel.library.*}: the scope);</li>
 * <li>{@code annotations} to events (time, name = value).</li>
 * </ul>
 * {@code debug} and {@code shared} have no OTLP field and are not kept (a shared server span keeps the span id it
 * was sent with). Malformed JSON, or a field of the wrong JSON type, fails the whole body naming the JSON path and
 * byte offset; nothing is handed to the sink then (spans are handed on once the whole body has parsed).
 * {@link SpanLimits} apply to tags and annotations as to OTLP attributes and events. Zipkin's protobuf encoding is not
 * read yet.
 */
public final class ZipkinJsonDecoder {
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build()).build();

    private final SpanLimits limits;
    private final int maxReportedErrors;

    public ZipkinJsonDecoder(SpanLimits limits, int maxReportedErrors) {
        this.limits = limits;
        this.maxReportedErrors = maxReportedErrors;
    }

    public SpanResult decode(byte[] body, SpanSink sink) throws MalformedZipkinException {
        Request r = new Request();
        JsonParser p = null;
        try {
            p = JSON.createParser(body);
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw r.malformed(p, "want a JSON array of spans", null);
            }
            while (p.nextToken() != JsonToken.END_ARRAY) {
                if (p.currentToken() != JsonToken.START_OBJECT) {
                    throw r.malformed(p, "want a span object", null);
                }
                r.span(p);
            }
            if (p.nextToken() != null) {
                throw r.malformed(p, "content after the array of spans", null);
            }
        } catch (JsonProcessingException e) {
            // A syntax error: its own location is the offending byte, past the last token read.
            throw r.malformed(p, e.getLocation() == null ? -1 : e.getLocation().getByteOffset(), e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw r.malformed(p, e.getMessage(), e);
        }
        for (Decoded d : r.decoded) {
            sink.accept(d.resource, d.scope, d.span);
        }
        return r.tally.result();
    }

    private record Decoded(SpanResource resource, InstrumentationScope scope, Span span) {
    }

    /** One body's state: the resources and scopes made so far (shared by their spans), reused builders. */
    private final class Request {
        final SpanTally tally = new SpanTally(maxReportedErrors);
        final List<Decoded> decoded = new ArrayList<>();
        private final Map<String, SpanResource> resources = new HashMap<>();
        private final Map<String, InstrumentationScope> scopes = new HashMap<>();
        private final Attributes.Builder attrs = new Attributes.Builder();
        private final List<SpanEvent> events = new ArrayList<>();
        // The fields of the span being read.
        private String traceId, id, parentId, name, kind, service;
        private long timestamp, duration;
        private final Map<String, String> tags = new HashMap<>();
        private final List<String> tagOrder = new ArrayList<>();

        MalformedZipkinException malformed(JsonParser p, String reason, Throwable cause) {
            return malformed(p, p == null ? -1 : p.currentTokenLocation().getByteOffset(), reason, cause);
        }

        MalformedZipkinException malformed(JsonParser p, long offset, String reason, Throwable cause) {
            if (p == null || offset < 0) {
                return new MalformedZipkinException("invalid Zipkin v2 JSON: " + reason, cause);
            }
            String path = p.getParsingContext().pathAsPointer().toString();
            return new MalformedZipkinException("invalid Zipkin v2 JSON at " + (path.isEmpty() ? "/" : path)
                    + " (byte offset " + offset + "): " + reason, cause);
        }

        /** One span object, the parser on its START_OBJECT. */
        void span(JsonParser p) throws IOException, MalformedZipkinException {
            traceId = id = parentId = name = kind = service = null;
            timestamp = duration = 0;
            tags.clear();
            tagOrder.clear();
            attrs.clear();
            events.clear();
            int droppedEvents = 0;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                if (v == JsonToken.VALUE_NULL) {
                    continue;
                }
                switch (field) {
                    case "traceId" -> traceId = string(p);
                    case "id" -> id = string(p);
                    case "parentId" -> parentId = string(p);
                    case "name" -> name = string(p);
                    case "kind" -> kind = string(p);
                    case "timestamp" -> timestamp = number(p);
                    case "duration" -> duration = number(p);
                    case "localEndpoint" -> endpoint(p, true);
                    case "remoteEndpoint" -> endpoint(p, false);
                    case "tags" -> {
                        expect(p, JsonToken.START_OBJECT, "an object of tags");
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String key = p.currentName();
                            if (p.nextToken() != JsonToken.VALUE_NULL && tags.put(key, scalar(p)) == null) {
                                tagOrder.add(key);
                            }
                        }
                    }
                    case "annotations" -> {
                        expect(p, JsonToken.START_ARRAY, "an array of annotations");
                        while (p.nextToken() != JsonToken.END_ARRAY) {
                            SpanEvent e = annotation(p);
                            if (events.size() < limits.maxEvents()) {
                                events.add(e);
                            } else {
                                droppedEvents++;
                            }
                        }
                    }
                    default -> p.skipChildren(); // debug, shared, and fields Zipkin may add
                }
            }
            finish(droppedEvents);
        }

        private void finish(int droppedEvents) {
            String spanName = name == null ? "" : name;
            String problem = ZipkinIds.problem("traceId", traceId, 32);
            if (problem == null) {
                problem = ZipkinIds.problem("id", id, 16);
            }
            // An all-zero parentId is how some tracers write "no parent".
            boolean hasParent = parentId != null && !parentId.isEmpty() && !parentId.chars().allMatch(c -> c == '0');
            if (problem == null && hasParent) {
                problem = ZipkinIds.problem("parentId", parentId, 16);
            }
            if (problem != null) {
                tally.rejected("span \"" + spanName + "\": " + problem);
                return;
            }
            StatusCode status = StatusCode.UNSET;
            String statusMessage = "";
            String otelCode = tags.remove("otel.status_code");
            String otelDescription = tags.remove("otel.status_description");
            String error = tags.remove("error");
            if (otelCode != null) {
                status = switch (otelCode.toUpperCase(Locale.ROOT)) {
                    case "OK" -> StatusCode.OK;
                    case "ERROR" -> StatusCode.ERROR;
                    default -> StatusCode.UNSET;
                };
                statusMessage = otelDescription == null ? "" : otelDescription;
            } else if (error != null) {
                status = StatusCode.ERROR;
                statusMessage = error;
            }
            String scopeName = firstNonNull(tags.remove("otel.scope.name"), tags.remove("otel.library.name"));
            String scopeVersion = firstNonNull(tags.remove("otel.scope.version"), tags.remove("otel.library.version"));
            SpanKind spanKind = kind(tags);
            int droppedAttributes = 0;
            for (String key : tagOrder) {
                String value = tags.get(key);
                if (value == null) {
                    continue; // mapped above
                }
                if (attrs.size() < limits.maxAttributes()) {
                    attrs.addString(key, limits.truncate(value));
                } else {
                    droppedAttributes++;
                }
            }
            String svc = service == null ? "" : service;
            SpanResource resource = resources.computeIfAbsent(svc, s -> new SpanResource(
                    s.isEmpty() ? Attributes.EMPTY : new Attributes.Builder().addString("service.name", s).build(), 0, ""));
            InstrumentationScope scope = scopes.computeIfAbsent(scopeName + '\0' + scopeVersion,
                    k -> new InstrumentationScope(scopeName, scopeVersion, Attributes.EMPTY, 0, ""));
            long start = timestamp * 1000;
            decoded.add(new Decoded(resource, scope, new Span(ZipkinIds.traceIdHi(traceId), ZipkinIds.low(traceId),
                    ZipkinIds.low(id), hasParent ? ZipkinIds.low(parentId) : 0, "", 0, spanName,
                    spanKind, start, start + duration * 1000, attrs.build(), droppedAttributes, List.copyOf(events),
                    droppedEvents, List.of(), 0, status, statusMessage)));
            tally.accepted();
        }

        private SpanKind kind(Map<String, String> tags) {
            switch (kind == null ? "" : kind.toUpperCase(Locale.ROOT)) {
                case "CLIENT":
                    return SpanKind.CLIENT;
                case "SERVER":
                    return SpanKind.SERVER;
                case "PRODUCER":
                    return SpanKind.PRODUCER;
                case "CONSUMER":
                    return SpanKind.CONSUMER;
                default:
                    String tag = tags.remove("span.kind");
                    return "internal".equalsIgnoreCase(tag) ? SpanKind.INTERNAL : SpanKind.UNSPECIFIED;
            }
        }

        /** localEndpoint or remoteEndpoint, the parser on its value. */
        private void endpoint(JsonParser p, boolean local) throws IOException, MalformedZipkinException {
            expect(p, JsonToken.START_OBJECT, "an endpoint object");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                if (p.nextToken() == JsonToken.VALUE_NULL) {
                    continue;
                }
                switch (field) {
                    case "serviceName" -> {
                        String s = string(p);
                        if (local) {
                            service = s;
                        } else {
                            putTag("peer.service", s);
                        }
                    }
                    case "ipv4", "ipv6" -> putTag(local ? "net.host.ip" : "net.peer.ip", string(p));
                    case "port" -> putTag(local ? "net.host.port" : "net.peer.port", Long.toString(number(p)));
                    default -> p.skipChildren();
                }
            }
        }

        /** Endpoint fields become attributes like tags (a tag of the same name, sent explicitly, wins). */
        private void putTag(String key, String value) {
            if (tags.putIfAbsent(key, value) == null) {
                tagOrder.add(key);
            }
        }

        private SpanEvent annotation(JsonParser p) throws IOException, MalformedZipkinException {
            expect(p, JsonToken.START_OBJECT, "an annotation object");
            long time = 0;
            String value = "";
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                if (p.nextToken() == JsonToken.VALUE_NULL) {
                    continue;
                }
                switch (field) {
                    case "timestamp" -> time = number(p) * 1000;
                    case "value" -> value = string(p);
                    default -> p.skipChildren();
                }
            }
            return new SpanEvent(time, value, Attributes.EMPTY, 0);
        }

        private void expect(JsonParser p, JsonToken want, String what) throws MalformedZipkinException {
            if (p.currentToken() != want) {
                throw malformed(p, "want " + what + ", got " + p.currentToken().asString(), null);
            }
        }

        private String string(JsonParser p) throws IOException, MalformedZipkinException {
            if (p.currentToken() != JsonToken.VALUE_STRING) {
                throw malformed(p, "want a string, got " + describe(p), null);
            }
            return p.getText();
        }

        /** A tag value: Zipkin's tags are strings; numbers and booleans are taken as their text. */
        private String scalar(JsonParser p) throws IOException, MalformedZipkinException {
            if (!p.currentToken().isScalarValue()) {
                throw malformed(p, "want a string, got " + describe(p), null);
            }
            return p.getText();
        }

        private long number(JsonParser p) throws IOException, MalformedZipkinException {
            if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
                throw malformed(p, "want an integer (microseconds or a port), got " + describe(p), null);
            }
            return p.getLongValue();
        }

        private static String describe(JsonParser p) throws IOException {
            JsonToken t = p.currentToken();
            return t.isScalarValue() ? t.name().toLowerCase(Locale.ROOT).replace("value_", "") + " " + p.getText()
                    : t.asString();
        }

        private static String firstNonNull(String a, String b) {
            return a != null ? a : b != null ? b : "";
        }
    }
}
