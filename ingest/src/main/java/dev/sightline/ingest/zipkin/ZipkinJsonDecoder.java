package dev.sightline.ingest.zipkin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import dev.sightline.ingest.JsonErrors;
import dev.sightline.ingest.spans.SpanLimits;
import dev.sightline.ingest.spans.SpanResult;
import dev.sightline.ingest.spans.SpanSink;

import java.io.IOException;
import java.util.Locale;

/**
 * Decodes a Zipkin v2 JSON body ({@code POST /api/v2/spans}: a JSON array of spans) into spans, mapped by
 * {@link ZipkinSpanMapper} as the OpenTelemetry collector's zipkin receiver maps them. Ids are hex: a 64-bit trace id
 * (16 digits) is left-padded to 128 bits, shorter ids are left-padded with zeros as Zipkin does; a span whose trace
 * id or id is missing, not hex, too long or all zero is rejected alone and counted. Tag values that are JSON numbers
 * or booleans are taken as their text. {@code debug} and {@code shared} have no OTLP field and are not kept.
 * Malformed JSON, or a field of the wrong JSON type, fails the whole body naming the JSON path and byte offset;
 * nothing is handed to the sink then (spans are handed on once the whole body has parsed).
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
        ZipkinSpanMapper m = new ZipkinSpanMapper(limits, maxReportedErrors);
        JsonParser p = null;
        try {
            p = JSON.createParser(body);
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw malformed(p, "want a JSON array of spans", null);
            }
            while (p.nextToken() != JsonToken.END_ARRAY) {
                if (p.currentToken() != JsonToken.START_OBJECT) {
                    throw malformed(p, "want a span object", null);
                }
                span(p, m);
            }
            if (p.nextToken() != null) {
                throw malformed(p, "content after the array of spans", null);
            }
        } catch (JsonProcessingException e) {
            // A syntax error: its own location is the offending byte, past the last token read.
            throw malformed(p, JsonErrors.location(e, p).getByteOffset(), e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw malformed(p, e.getMessage(), e);
        }
        return m.handOn(sink);
    }

    private static MalformedZipkinException malformed(JsonParser p, String reason, Throwable cause) {
        return malformed(p, p == null ? -1 : p.currentTokenLocation().getByteOffset(), reason, cause);
    }

    private static MalformedZipkinException malformed(JsonParser p, long offset, String reason, Throwable cause) {
        if (p == null) {
            return new MalformedZipkinException("invalid Zipkin v2 JSON: " + reason, cause);
        }
        // No offset at the end of the body (an empty one among them): the path alone.
        String path = p.getParsingContext().pathAsPointer().toString();
        return new MalformedZipkinException("invalid Zipkin v2 JSON at " + (path.isEmpty() ? "/" : path)
                + (offset < 0 ? "" : " (byte offset " + offset + ")") + ": " + reason, cause);
    }

    /** One span object, the parser on its START_OBJECT. */
    private static void span(JsonParser p, ZipkinSpanMapper m) throws IOException, MalformedZipkinException {
        m.begin();
        String traceId = null, id = null, parentId = null;
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
                case "name" -> m.name = string(p);
                case "kind" -> m.kind = string(p);
                case "timestamp" -> m.timestampMicros = number(p);
                case "duration" -> m.durationMicros = number(p);
                case "localEndpoint" -> endpoint(p, m, true);
                case "remoteEndpoint" -> endpoint(p, m, false);
                case "tags" -> {
                    expect(p, JsonToken.START_OBJECT, "an object of tags");
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String key = p.currentName();
                        if (p.nextToken() != JsonToken.VALUE_NULL) {
                            m.tags.put(key, scalar(p));
                        }
                    }
                }
                case "annotations" -> {
                    expect(p, JsonToken.START_ARRAY, "an array of annotations");
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        annotation(p, m);
                    }
                }
                default -> p.skipChildren(); // debug, shared, and fields Zipkin may add
            }
        }
        ids(m, traceId, id, parentId);
        m.finish();
    }

    /** Hex ids into the mapper, or the reason they are invalid. */
    private static void ids(ZipkinSpanMapper m, String traceId, String id, String parentId) {
        String problem = ZipkinIds.problem("traceId", traceId, 32);
        if (problem == null) {
            problem = ZipkinIds.problem("id", id, 16);
        }
        // An all-zero parentId is how some tracers write "no parent".
        boolean hasParent = parentId != null && !parentId.isEmpty() && !parentId.chars().allMatch(c -> c == '0');
        if (problem == null && hasParent) {
            problem = ZipkinIds.problem("parentId", parentId, 16);
        }
        m.idProblem = problem;
        if (problem == null) {
            m.traceHi = ZipkinIds.traceIdHi(traceId);
            m.traceLo = ZipkinIds.low(traceId);
            m.id = ZipkinIds.low(id);
            m.parentId = hasParent ? ZipkinIds.low(parentId) : 0;
        }
    }

    /** localEndpoint or remoteEndpoint, the parser on its value. */
    private static void endpoint(JsonParser p, ZipkinSpanMapper m, boolean local) throws IOException, MalformedZipkinException {
        expect(p, JsonToken.START_OBJECT, "an endpoint object");
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            if (p.nextToken() == JsonToken.VALUE_NULL) {
                continue;
            }
            switch (field) {
                case "serviceName" -> {
                    if (local) {
                        m.localService = string(p);
                    } else {
                        m.remoteService = string(p);
                    }
                }
                // ipv4 first: the collector sets the ip from ipv4, then from ipv6 over it.
                case "ipv4", "ipv6" -> {
                    String ip = string(p);
                    if (local && (m.localIp == null || field.equals("ipv6"))) {
                        m.localIp = ip;
                    } else if (!local && (m.remoteIp == null || field.equals("ipv6"))) {
                        m.remoteIp = ip;
                    }
                }
                case "port" -> {
                    int port = (int) number(p);
                    if (local) {
                        m.localPort = port;
                    } else {
                        m.remotePort = port;
                    }
                }
                default -> p.skipChildren();
            }
        }
    }

    private static void annotation(JsonParser p, ZipkinSpanMapper m) throws IOException, MalformedZipkinException {
        expect(p, JsonToken.START_OBJECT, "an annotation object");
        long time = 0;
        String value = "";
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            if (p.nextToken() == JsonToken.VALUE_NULL) {
                continue;
            }
            switch (field) {
                case "timestamp" -> time = number(p);
                case "value" -> value = string(p);
                default -> p.skipChildren();
            }
        }
        m.annotation(time, value);
    }

    private static void expect(JsonParser p, JsonToken want, String what) throws MalformedZipkinException {
        if (p.currentToken() != want) {
            throw malformed(p, "want " + what + ", got " + p.currentToken().asString(), null);
        }
    }

    private static String string(JsonParser p) throws IOException, MalformedZipkinException {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw malformed(p, "want a string, got " + describe(p), null);
        }
        return p.getText();
    }

    /** A tag value: Zipkin's tags are strings; numbers and booleans are taken as their text. */
    private static String scalar(JsonParser p) throws IOException, MalformedZipkinException {
        if (!p.currentToken().isScalarValue()) {
            throw malformed(p, "want a string, got " + describe(p), null);
        }
        return p.getText();
    }

    private static long number(JsonParser p) throws IOException, MalformedZipkinException {
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
}
