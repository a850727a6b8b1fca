package dev.sightline.ingest.zipkin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.sightline.core.span.Attributes;
import dev.sightline.core.span.InstrumentationScope;
import dev.sightline.core.span.Span;
import dev.sightline.core.span.SpanEvent;
import dev.sightline.core.span.SpanKind;
import dev.sightline.core.span.SpanLink;
import dev.sightline.core.span.SpanResource;
import dev.sightline.core.span.StatusCode;
import dev.sightline.ingest.spans.SpanLimits;
import dev.sightline.ingest.spans.SpanResult;
import dev.sightline.ingest.spans.SpanSink;
import dev.sightline.ingest.spans.SpanTally;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One Zipkin request mapped into the span model, shared by the JSON and proto3 decoders: a decoder sets the fields of
 * one span ({@link #begin}, then the fields, {@link #annotation}), then {@link #finish} validates and maps it as the
 * OpenTelemetry collector's zipkin receiver (pkg/translator/zipkin/zipkinv2) maps Zipkin to OTLP:
 * <ul>
 * <li>ids: a 64-bit trace id has the high half zero; a parent id equal to the span's own id, or all zero, is no parent;
 *     a span whose ids are invalid is rejected alone and counted;</li>
 * <li>kind CLIENT/SERVER/PRODUCER/CONSUMER to the same SpanKind; absent, the tag {@code span.kind=internal} gives
 *     INTERNAL, else UNSPECIFIED;</li>
 * <li>timestamp and duration (microseconds) to start and end in nanoseconds; an absent timestamp starts the span at 0
 *     and sets the attribute {@code otel.zipkin.absentField.startTime=true};</li>
 * <li>{@code localEndpoint.serviceName} to the resource's {@code service.name} (or the key a tag
 *     {@code otlp.service.name.source} names), and tags that are resource semantic conventions ({@code host.name},
 *     {@code telemetry.sdk.*}, {@code k8s.*}, ...) to resource attributes; one shared resource per distinct set;</li>
 * <li>endpoint ips and ports to {@code net.host.ip}/{@code net.host.port} and {@code peer.service}/
 *     {@code net.peer.ip}/{@code net.peer.port} (ports as integers; over a tag of the same name);</li>
 * <li>tags {@code otel.status_code}/{@code otel.status_description} to the status; a tag {@code error} makes it ERROR
 *     (removed when "true", kept as an attribute otherwise); {@code w3c.tracestate} to the trace state;
 *     {@code otlp.link.N} ({@code traceId|spanId|traceState|{attributes}|dropped}) to links;
 *     {@code otel.scope.name}/{@code otel.scope.version} (and the older {@code otel.library.*}) to the scope; the other
 *     tags to string attributes;</li>
 * <li>annotations to events; a value {@code name|{attributes}|dropped} (how the collector's Zipkin exporter writes an
 *     event with attributes) to an event with those attributes.</li>
 * </ul>
 * Where the collector fails a whole request (an unparsable link or annotation, an invalid id), this keeps the rest:
 * the span is rejected alone, a bad link is dropped and counted, a bad annotation keeps its whole value as the name.
 * Spans are handed to the sink only by {@link #handOn}, once the whole body has decoded.
 */
final class ZipkinSpanMapper {
    private static final JsonFactory JSON = new JsonFactory();
    /**
     * Tags the collector moves to the resource: the resource attributes of the semantic conventions it maps with
     * (v1.6.1), and OpenCensus's.
     */
    private static final Set<String> RESOURCE_TAGS = Set.of(
            "cloud.provider", "cloud.account.id", "cloud.region", "cloud.availability_zone", "cloud.platform",
            "aws.ecs.container.arn", "aws.ecs.cluster.arn", "aws.ecs.launchtype", "aws.ecs.task.arn",
            "aws.ecs.task.family", "aws.ecs.task.revision", "aws.eks.cluster.arn", "aws.log.group.names",
            "aws.log.group.arns", "aws.log.stream.names", "aws.log.stream.arns",
            "container.name", "container.id", "container.runtime", "container.image.name", "container.image.tag",
            "deployment.environment", "device.id", "device.model.identifier", "device.model.name",
            "faas.name", "faas.id", "faas.version", "faas.instance", "faas.max_memory",
            "host.id", "host.name", "host.type", "host.arch", "host.image.name", "host.image.id", "host.image.version",
            "k8s.cluster.name", "k8s.node.name", "k8s.node.uid", "k8s.namespace.name", "k8s.pod.uid", "k8s.pod.name",
            "k8s.container.name", "k8s.replicaset.uid", "k8s.replicaset.name", "k8s.deployment.uid",
            "k8s.deployment.name", "k8s.statefulset.uid", "k8s.statefulset.name", "k8s.daemonset.uid",
            "k8s.daemonset.name", "k8s.job.uid", "k8s.job.name", "k8s.cronjob.uid", "k8s.cronjob.name",
            "os.type", "os.description", "os.name", "os.version",
            "process.pid", "process.executable.name", "process.executable.path", "process.command",
            "process.command_line", "process.command_args", "process.owner", "process.runtime.name",
            "process.runtime.version", "process.runtime.description",
            "service.name", "service.namespace", "service.instance.id", "service.version",
            "telemetry.sdk.name", "telemetry.sdk.language", "telemetry.sdk.version", "telemetry.auto.version",
            "webengine.name", "webengine.version", "webengine.description",
            "opencensus.starttime", "opencensus.exporterversion", "opencensus.resourcetype");
    private static final String SERVICE_NAME_SOURCE = "otlp.service.name.source";

    private final SpanLimits limits;
    private final SpanTally tally;
    private final List<SpanResource> resourceOf = new ArrayList<>();
    private final List<InstrumentationScope> scopeOf = new ArrayList<>();
    private final List<Span> spans = new ArrayList<>();
    private final Map<String, SpanResource> resources = new HashMap<>();
    private final Map<String, InstrumentationScope> scopes = new HashMap<>();
    private final Attributes.Builder attrs = new Attributes.Builder();
    private final Attributes.Builder nested = new Attributes.Builder();

    // The span being decoded; a decoder sets these between begin() and finish().
    long traceHi, traceLo, id, parentId;
    /** Why the span's ids are invalid (it is rejected), or null. */
    String idProblem;
    String name, kind;
    long timestampMicros, durationMicros;
    String localService, localIp, remoteService, remoteIp;
    int localPort, remotePort;
    /** Tags in the order sent; a repeated key keeps its first place and last value. */
    final Map<String, String> tags = new LinkedHashMap<>();
    private final List<SpanEvent> events = new ArrayList<>();
    private int droppedEvents;

    ZipkinSpanMapper(SpanLimits limits, int maxReportedErrors) {
        this.limits = limits;
        this.tally = new SpanTally(maxReportedErrors);
    }

    void begin() {
        traceHi = traceLo = id = parentId = 0;
        idProblem = null;
        name = kind = localService = localIp = remoteService = remoteIp = null;
        timestampMicros = durationMicros = 0;
        localPort = remotePort = 0;
        tags.clear();
        events.clear();
        droppedEvents = 0;
    }

    /** One annotation of the span being decoded. */
    void annotation(long timestampMicros, String value) {
        if (events.size() >= limits.maxEvents()) {
            droppedEvents++;
            return;
        }
        String eventName = value;
        int dropped = 0;
        nested.clear();
        String[] parts = value.split("\\|", -1);
        // name|{json}|dropped, the JSON possibly holding '|' itself.
        if (parts.length >= 3) {
            int d = unsigned(parts[parts.length - 1]);
            int over = d < 0 ? -1 : jsonAttributes(String.join("|", Arrays.copyOfRange(parts, 1, parts.length - 1)), nested);
            if (over >= 0) {
                eventName = parts[0];
                dropped = d + over;
            } else {
                nested.clear();
            }
        }
        events.add(new SpanEvent(timestampMicros * 1000, eventName, nested.build(), dropped));
    }

    void finish() {
        String spanName = name == null ? "" : name;
        if (idProblem != null) {
            tally.rejected("span \"" + spanName + "\": " + idProblem);
            return;
        }
        StatusCode status = StatusCode.UNSET;
        String statusMessage = "";
        String code = tags.remove("otel.status_code");
        if (code != null) {
            status = statusCode(code);
            String description = tags.remove("otel.status_description");
            statusMessage = description == null ? "" : description;
        }
        String error = tags.get("error");
        if (error != null) {
            status = StatusCode.ERROR;
            if (error.equals("true")) {
                tags.remove("error");
            }
        }
        String traceState = tags.remove("w3c.tracestate");
        SpanKind spanKind = spanKind();
        List<SpanLink> links = new ArrayList<>();
        int droppedLinks = links(links);
        InstrumentationScope scope = scope();
        SpanResource resource = resource();
        attrs.clear();
        int droppedAttributes = 0;
        // An endpoint field wins over a tag of the same name.
        removeIf(notEmpty(localIp), "net.host.ip");
        removeIf(notEmpty(remoteService), "peer.service");
        removeIf(notEmpty(remoteIp), "net.peer.ip");
        removeIf(localPort > 0, "net.host.port");
        removeIf(remotePort > 0, "net.peer.port");
        for (Map.Entry<String, String> t : tags.entrySet()) {
            droppedAttributes += addString(t.getKey(), t.getValue());
        }
        droppedAttributes += addEndpoint("net.host.ip", localIp) + addEndpoint("peer.service", remoteService)
                + addEndpoint("net.peer.ip", remoteIp) + addPort("net.host.port", localPort)
                + addPort("net.peer.port", remotePort);
        if (timestampMicros == 0) {
            if (fits()) {
                attrs.addBool("otel.zipkin.absentField.startTime", true);
            } else {
                droppedAttributes++;
            }
        }
        long start = timestampMicros * 1000;
        resourceOf.add(resource);
        scopeOf.add(scope);
        spans.add(new Span(traceHi, traceLo, id, parentId == id ? 0 : parentId, traceState == null ? "" : traceState,
                0, spanName, spanKind, start, start + durationMicros * 1000, attrs.build(), droppedAttributes,
                List.copyOf(events), droppedEvents, List.copyOf(links), droppedLinks, status, statusMessage));
        tally.accepted();
    }

    /** Hands every mapped span to the sink; called once the whole body has decoded. */
    SpanResult handOn(SpanSink sink) {
        for (int i = 0; i < spans.size(); i++) {
            sink.accept(resourceOf.get(i), scopeOf.get(i), spans.get(i));
        }
        return tally.result();
    }

    private boolean fits() {
        return attrs.size() < limits.maxAttributes();
    }

    private void removeIf(boolean endpointHasIt, String key) {
        if (endpointHasIt) {
            tags.remove(key);
        }
    }

    /** An endpoint's text field, when it has one; returns 1 when over the limit. */
    private int addEndpoint(String key, String value) {
        return notEmpty(value) ? addString(key, value) : 0;
    }

    /** A string attribute; returns 1 when over the limit. */
    private int addString(String key, String value) {
        if (!fits()) {
            return 1;
        }
        attrs.addString(key, limits.truncate(value));
        return 0;
    }

    private int addPort(String key, int port) {
        if (port <= 0) {
            return 0;
        }
        if (!fits()) {
            return 1;
        }
        attrs.addLong(key, port);
        return 0;
    }

    private static boolean notEmpty(String s) {
        return s != null && !s.isEmpty();
    }

    private static StatusCode statusCode(String code) {
        return switch (code.toUpperCase(Locale.ROOT)) {
            case "OK", "STATUS_CODE_OK" -> StatusCode.OK;
            case "ERROR", "STATUS_CODE_ERROR" -> StatusCode.ERROR;
            default -> StatusCode.UNSET;
        };
    }

    private SpanKind spanKind() {
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

    /** The otlp.link.N tags (N from 0 up, until one is missing) into {@code out}; returns how many were dropped. */
    private int links(List<SpanLink> out) {
        int dropped = 0;
        for (int n = 0; ; n++) {
            String value = tags.remove("otlp.link." + n);
            if (value == null) {
                return dropped;
            }
            SpanLink link = out.size() < limits.maxLinks() ? link(value) : null;
            if (link == null) {
                dropped++;
            } else {
                out.add(link);
            }
        }
    }

    /** traceId|spanId|traceState|{json attributes}|dropped (the JSON may hold '|'), or null when it does not parse. */
    private SpanLink link(String value) {
        String[] parts = value.split("\\|", -1);
        if (parts.length < 5 || parts[0].length() != 32 || parts[1].length() != 16) {
            return null;
        }
        if (ZipkinIds.problem("trace id", parts[0], 32) != null || ZipkinIds.problem("span id", parts[1], 16) != null) {
            return null;
        }
        int dropped = unsigned(parts[parts.length - 1]);
        nested.clear();
        int over = dropped < 0 ? -1 : jsonAttributes(String.join("|", Arrays.copyOfRange(parts, 3, parts.length - 1)), nested);
        if (over < 0) {
            return null;
        }
        return new SpanLink(ZipkinIds.traceIdHi(parts[0]), ZipkinIds.low(parts[0]), ZipkinIds.low(parts[1]), parts[2], 0,
                nested.build(), dropped + over);
    }

    private InstrumentationScope scope() {
        String scopeName = firstNonNull(tags.remove("otel.scope.name"), tags.remove("otel.library.name"));
        String scopeVersion = firstNonNull(tags.remove("otel.scope.version"), tags.remove("otel.library.version"));
        return scopes.computeIfAbsent(scopeName + '\0' + scopeVersion,
                k -> new InstrumentationScope(scopeName, scopeVersion, Attributes.EMPTY, 0, ""));
    }

    /** The service and the resource tags (removed from the span's tags); one shared resource per distinct set. */
    private SpanResource resource() {
        String serviceKey = tags.remove(SERVICE_NAME_SOURCE);
        if (serviceKey == null || serviceKey.isEmpty()) {
            serviceKey = "service.name";
        }
        Attributes.Builder b = new Attributes.Builder();
        StringBuilder key = new StringBuilder();
        if (localService != null && !localService.isEmpty()) {
            b.addString(serviceKey, localService);
            key.append(serviceKey).append('=').append(localService).append('\0');
        }
        for (Iterator<Map.Entry<String, String>> it = tags.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, String> t = it.next();
            if (RESOURCE_TAGS.contains(t.getKey())) {
                it.remove();
                if (b.size() < limits.maxAttributes() && !(localService != null && t.getKey().equals(serviceKey))) {
                    b.addString(t.getKey(), limits.truncate(t.getValue()));
                    key.append(t.getKey()).append('=').append(t.getValue()).append('\0');
                }
            }
        }
        return resources.computeIfAbsent(key.toString(), k -> new SpanResource(b.build(), 0, ""));
    }

    /**
     * A flat JSON object of attributes (strings, numbers: integral ones as integers, booleans) into {@code b}, at most
     * the attribute limit; returns how many were over it, or -1 when the text is not such an object.
     */
    private int jsonAttributes(String json, Attributes.Builder b) {
        int over = 0;
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return -1;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String k = p.currentName();
                JsonToken v = p.nextToken();
                boolean fits = b.size() < limits.maxAttributes();
                if (!fits && v.isScalarValue() && v != JsonToken.VALUE_NULL) {
                    over++;
                }
                switch (v) {
                    case VALUE_STRING -> {
                        if (fits) {
                            b.addString(k, limits.truncate(p.getText()));
                        }
                    }
                    case VALUE_NUMBER_INT -> {
                        if (fits) {
                            b.addLong(k, p.getLongValue());
                        }
                    }
                    case VALUE_NUMBER_FLOAT -> {
                        double d = p.getDoubleValue();
                        if (fits && d == Math.rint(d) && Math.abs(d) < 0x1p63) {
                            b.addLong(k, (long) d);
                        } else if (fits) {
                            b.addDouble(k, d);
                        }
                    }
                    case VALUE_TRUE, VALUE_FALSE -> {
                        if (fits) {
                            b.addBool(k, v == JsonToken.VALUE_TRUE);
                        }
                    }
                    case VALUE_NULL -> {
                    }
                    default -> {
                        return -1;
                    }
                }
            }
            return p.currentToken() == JsonToken.END_OBJECT && p.nextToken() == null ? over : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    /** A non-negative int, or -1. */
    private static int unsigned(String s) {
        if (s.isEmpty() || s.length() > 9) {
            return -1;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return -1;
            }
        }
        return Integer.parseInt(s);
    }

    private static String firstNonNull(String a, String b) {
        return a != null ? a : b != null ? b : "";
    }
}
