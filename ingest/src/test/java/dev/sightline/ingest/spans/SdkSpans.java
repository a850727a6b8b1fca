package dev.sightline.ingest.spans;

import dev.sightline.core.span.AttributeType;
import dev.sightline.core.span.Attributes;
import dev.sightline.core.span.InstrumentationScope;
import dev.sightline.core.span.Span;
import dev.sightline.core.span.SpanIds;
import dev.sightline.core.span.SpanResource;
import dev.sightline.core.text.GoFloats;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Compares a span as decoded (or stored) with the OpenTelemetry SDK's record of it (SpanData): ids, parent, trace
 * state and flags, name, kind, times, status, every attribute with its type, events, links, dropped counts, resource
 * and scope. Shared (test-jar) by the decoder's tests and the server's end-to-end tests with real clients.
 */
public final class SdkSpans {
    private SdkSpans() {
    }

    /** An SDK exporter that keeps what the SDK recorded in {@code into}, to compare what arrived with. */
    public static SpanExporter recorder(List<SpanData> into) {
        return new SpanExporter() {
            @Override
            public CompletableResultCode export(Collection<SpanData> spans) {
                into.addAll(spans);
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode flush() {
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode shutdown() {
                return CompletableResultCode.ofSuccess();
            }
        };
    }

    /** {@code got} (with its resource and scope) is {@code want} as the SDK recorded it, field by field. */
    public static void assertSame(SpanData want, SpanResource resource, InstrumentationScope scope, Span got) {
        Span s = got;
        assertThat(s.traceIdHex()).isEqualTo(want.getTraceId());
        assertThat(s.spanIdHex()).isEqualTo(want.getSpanId());
        assertThat(s.isRoot()).isEqualTo(!want.getParentSpanContext().isValid());
        if (want.getParentSpanContext().isValid()) {
            assertThat(SpanIds.spanIdHex(s.parentSpanId())).isEqualTo(want.getParentSpanId());
        }
        assertThat(s.traceState()).isEqualTo(w3c(want.getSpanContext().getTraceState()));
        assertThat(s.flags() & 0xff).isEqualTo(want.getSpanContext().getTraceFlags().asByte() & 0xff);
        assertThat(s.name()).isEqualTo(want.getName());
        assertThat(s.kind().name()).isEqualTo(want.getKind().name());
        assertThat(s.startUnixNano()).isEqualTo(want.getStartEpochNanos());
        assertThat(s.endUnixNano()).isEqualTo(want.getEndEpochNanos());
        assertThat(s.statusCode().name()).isEqualTo(want.getStatus().getStatusCode().name());
        assertThat(s.statusMessage()).isEqualTo(want.getStatus().getDescription());
        assertThat(texts(s.attributes())).isEqualTo(texts(want.getAttributes()));
        assertThat(s.droppedAttributesCount()).isEqualTo(want.getTotalAttributeCount() - want.getAttributes().size());
        assertThat(s.events()).hasSize(want.getEvents().size());
        for (int i = 0; i < want.getEvents().size(); i++) {
            EventData e = want.getEvents().get(i);
            assertThat(s.events().get(i).name()).isEqualTo(e.getName());
            assertThat(s.events().get(i).timeUnixNano()).isEqualTo(e.getEpochNanos());
            assertThat(texts(s.events().get(i).attributes())).isEqualTo(texts(e.getAttributes()));
            assertThat(s.events().get(i).droppedAttributesCount()).isEqualTo(e.getDroppedAttributesCount());
        }
        assertThat(s.droppedEventsCount()).isEqualTo(want.getTotalRecordedEvents() - want.getEvents().size());
        assertThat(s.links()).hasSize(want.getLinks().size());
        for (int i = 0; i < want.getLinks().size(); i++) {
            LinkData l = want.getLinks().get(i);
            assertThat(s.links().get(i).traceIdHex()).isEqualTo(l.getSpanContext().getTraceId());
            assertThat(s.links().get(i).spanIdHex()).isEqualTo(l.getSpanContext().getSpanId());
            assertThat(texts(s.links().get(i).attributes())).isEqualTo(texts(l.getAttributes()));
            assertThat(s.links().get(i).traceState()).isEqualTo(w3c(l.getSpanContext().getTraceState()));
        }
        assertThat(s.droppedLinksCount()).isEqualTo(want.getTotalRecordedLinks() - want.getLinks().size());
        assertThat(texts(resource.attributes())).isEqualTo(texts(want.getResource().getAttributes()));
        assertThat(scope.name()).isEqualTo(want.getInstrumentationScopeInfo().getName());
        assertThat(scope.version()).isEqualTo(java.util.Objects.requireNonNullElse(
                want.getInstrumentationScopeInfo().getVersion(), ""));
    }

    private static String w3c(TraceState ts) {
        List<String> parts = new ArrayList<>();
        ts.forEach((k, v) -> parts.add(k + "=" + v));
        return String.join(",", parts);
    }

    /** Our attributes by key: "TYPE value". */
    public static Map<String, String> texts(Attributes a) {
        Map<String, String> m = new TreeMap<>();
        for (int i = 0; i < a.size(); i++) {
            m.put(a.key(i), a.type(i) + " " + a.valueText(i));
        }
        return m;
    }

    /** The SDK's attributes by key, in the same form: arrays as the JSON the decoder renders. */
    public static Map<String, String> texts(io.opentelemetry.api.common.Attributes a) {
        Map<String, String> m = new TreeMap<>();
        a.forEach((k, v) -> m.put(k.getKey(), switch (k.getType()) {
            case STRING -> AttributeType.STRING + " " + v;
            case BOOLEAN -> AttributeType.BOOL + " " + v;
            case LONG -> AttributeType.LONG + " " + v;
            case DOUBLE -> AttributeType.DOUBLE + " " + v;
            default -> AttributeType.ARRAY + " " + json((List<?>) v);
        }));
        return m;
    }

    private static String json(List<?> values) {
        List<String> parts = new ArrayList<>();
        for (Object v : values) {
            parts.add(v instanceof String s ? "\"" + s.replace("\"", "\\\"") + "\""
                    : v instanceof Double d ? GoFloats.formatF(d) : String.valueOf(v));
        }
        return "[" + String.join(",", parts) + "]";
    }
}
