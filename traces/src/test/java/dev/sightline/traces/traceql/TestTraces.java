package dev.sightline.traces.traceql;

import dev.sightline.core.span.Attributes;
import dev.sightline.core.span.InstrumentationScope;
import dev.sightline.core.span.Span;
import dev.sightline.core.span.SpanEvent;
import dev.sightline.core.span.SpanKind;
import dev.sightline.core.span.SpanLink;
import dev.sightline.core.span.SpanResource;
import dev.sightline.core.span.StatusCode;
import dev.sightline.traces.InMemorySpanStore;
import dev.sightline.traces.SpanAppender;
import dev.sightline.traces.TraceId;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Builds hand-made traces into an {@link InMemorySpanStore}: one span per call, attributes as key/value pairs. */
final class TestTraces {
    static final long SECOND = 1_000_000_000L;
    static final long MS = 1_000_000L;

    final InMemorySpanStore store = new InMemorySpanStore();
    private final Map<String, SpanResource> resources = new HashMap<>();
    private InstrumentationScope scope = InstrumentationScope.EMPTY;
    private List<SpanEvent> events = List.of();
    private List<SpanLink> links = List.of();

    /** Events and links of the next span appended (then none again). */
    TestTraces eventsAndLinks(List<SpanEvent> events, List<SpanLink> links) {
        this.events = events;
        this.links = links;
        return this;
    }

    static Attributes attrs(String key, String value) {
        return new Attributes.Builder().addString(key, value).build();
    }

    /** The instrumentation scope of the spans appended from now on. */
    TestTraces scope(String name, String version, String key, String value) {
        scope = new InstrumentationScope(name, version, new Attributes.Builder().addString(key, value).build(), 0, "");
        return this;
    }

    static TraceId id(long n) {
        return new TraceId(0, n);
    }

    /** Appends one span. {@code attrs}: key, value, key, value... (String, Long/Integer, Double or Boolean). */
    TestTraces span(long trace, long spanId, long parentId, String service, String name, SpanKind kind,
                    StatusCode status, long startNanos, long durationNanos, Object... attrs) {
        Attributes.Builder b = new Attributes.Builder();
        for (int i = 0; i < attrs.length; i += 2) {
            String k = (String) attrs[i];
            switch (attrs[i + 1]) {
                case String s -> b.addString(k, s);
                case Integer n -> b.addLong(k, n);
                case Long n -> b.addLong(k, n);
                case Double d -> b.addDouble(k, d);
                case Boolean z -> b.addBool(k, z);
                default -> throw new IllegalArgumentException(attrs[i + 1].toString());
            }
        }
        SpanResource resource = resources.computeIfAbsent(service, s -> new SpanResource(
                new Attributes.Builder().addString("service.name", s).build(), 0, ""));
        Span span = new Span(0, trace, spanId, parentId, "", 0, name, kind, startNanos, startNanos + durationNanos,
                b.build(), 0, events, 0, links, 0, status, "");
        events = List.of();
        links = List.of();
        SpanAppender a = store.appender();
        a.append(resource, scope, span);
        try {
            a.commit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }
}
