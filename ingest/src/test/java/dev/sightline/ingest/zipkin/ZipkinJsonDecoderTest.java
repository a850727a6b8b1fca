package dev.sightline.ingest.zipkin;

import dev.sightline.core.span.AttributeType;
import dev.sightline.core.span.Attributes;
import dev.sightline.core.span.InstrumentationScope;
import dev.sightline.core.span.Span;
import dev.sightline.core.span.SpanKind;
import dev.sightline.core.span.SpanResource;
import dev.sightline.core.span.StatusCode;
import dev.sightline.ingest.spans.SpanLimits;
import dev.sightline.ingest.spans.SpanResult;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ZipkinJsonDecoderTest {
    /** The example span of Zipkin's API documentation (zipkin-api, POST /spans), and a client span of the same trace. */
    private static final String API_EXAMPLE = """
            [
              {
                "id": "352bff9a74ca9ad2",
                "traceId": "5af7183fb1d4cf5f",
                "parentId": "6b221d5bc9e6496c",
                "name": "get /api",
                "timestamp": 1556604172355737,
                "duration": 1431,
                "kind": "SERVER",
                "localEndpoint": {
                  "serviceName": "backend",
                  "ipv4": "192.168.99.1",
                  "port": 3306
                },
                "remoteEndpoint": {
                  "ipv4": "172.19.0.2",
                  "port": 58648
                },
                "tags": {
                  "http.method": "GET",
                  "http.path": "/api"
                }
              },
              {
                "traceId": "5af7183fb1d4cf5f",
                "id": "6b221d5bc9e6496c",
                "name": "get",
                "timestamp": 1556604172355000,
                "duration": 2000,
                "kind": "CLIENT",
                "shared": false,
                "debug": true,
                "localEndpoint": {"serviceName": "frontend"},
                "remoteEndpoint": {"serviceName": "backend", "ipv6": "2001:db8::c001", "port": 8080},
                "annotations": [{"timestamp": 1556604172355100, "value": "ws"}, {"timestamp": 1556604172356900, "value": "wr"}],
                "tags": {"error": "connection reset", "otel.scope.name": "io.opentelemetry.okhttp", "otel.scope.version": "1.0"}
              },
              {
                "traceId": "463ac35c9f6413ad48485a3953bb6124",
                "id": "a2fb4a1d1a96d312",
                "name": "internal work",
                "timestamp": 1556604172355737,
                "duration": 3,
                "localEndpoint": {"serviceName": "backend"},
                "tags": {"span.kind": "internal", "otel.status_code": "OK", "error": "true"}
              }
            ]
            """;

    private record Decoded(SpanResource resource, InstrumentationScope scope, Span span) {
    }

    private static List<Decoded> decode(String json, SpanLimits limits, SpanResult[] result) throws MalformedZipkinException {
        List<Decoded> out = new ArrayList<>();
        result[0] = new ZipkinJsonDecoder(limits, 10).decode(json.getBytes(StandardCharsets.UTF_8),
                (r, s, sp) -> out.add(new Decoded(r, s, sp)));
        return out;
    }

    private static Map<String, String> texts(Attributes a) {
        Map<String, String> m = new TreeMap<>();
        for (int i = 0; i < a.size(); i++) {
            m.put(a.key(i), a.valueText(i));
        }
        return m;
    }

    @Test
    void theApiDocsExampleMapsAsTheCollectorMapsIt() throws Exception {
        SpanResult[] r = new SpanResult[1];
        List<Decoded> out = decode(API_EXAMPLE, SpanLimits.DEFAULT, r);
        assertThat(r[0]).isEqualTo(new SpanResult(3, 0, ""));

        Span server = out.get(0).span;
        assertThat(server.traceIdHex()).isEqualTo("00000000000000005af7183fb1d4cf5f");
        assertThat(server.spanIdHex()).isEqualTo("352bff9a74ca9ad2");
        assertThat(server.parentSpanId()).isEqualTo(0x6b221d5bc9e6496cL);
        assertThat(server.name()).isEqualTo("get /api");
        assertThat(server.kind()).isEqualTo(SpanKind.SERVER);
        assertThat(server.startUnixNano()).isEqualTo(1556604172355737000L);
        assertThat(server.durationNanos()).isEqualTo(1_431_000L);
        assertThat(server.statusCode()).isEqualTo(StatusCode.UNSET);
        assertThat(texts(server.attributes())).isEqualTo(Map.of("http.method", "GET", "http.path", "/api",
                "net.host.ip", "192.168.99.1", "net.host.port", "3306", "net.peer.ip", "172.19.0.2", "net.peer.port", "58648"));
        assertThat(out.get(0).resource.serviceName()).isEqualTo("backend");

        Span client = out.get(1).span;
        assertThat(client.isRoot()).isTrue();
        assertThat(client.kind()).isEqualTo(SpanKind.CLIENT);
        // An error tag makes the status ERROR; a value other than "true" stays an attribute (the collector's mapping).
        assertThat(client.statusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(client.statusMessage()).isEmpty();
        assertThat(texts(client.attributes())).isEqualTo(Map.of("error", "connection reset", "peer.service", "backend",
                "net.peer.ip", "2001:db8::c001", "net.peer.port", "8080"));
        assertThat(client.attributes().type(client.attributes().indexOf("net.peer.port"))).isEqualTo(AttributeType.LONG);
        assertThat(client.events()).extracting(e -> e.name() + "@" + e.timeUnixNano())
                .containsExactly("ws@1556604172355100000", "wr@1556604172356900000");
        assertThat(out.get(1).resource.serviceName()).isEqualTo("frontend");
        assertThat(out.get(1).scope.name()).isEqualTo("io.opentelemetry.okhttp");
        assertThat(out.get(1).scope.version()).isEqualTo("1.0");

        Span internal = out.get(2).span;
        assertThat(internal.traceIdHex()).isEqualTo("463ac35c9f6413ad48485a3953bb6124");
        assertThat(internal.kind()).isEqualTo(SpanKind.INTERNAL);
        assertThat(internal.statusCode()).as("error=true wins over otel.status_code").isEqualTo(StatusCode.ERROR);
        assertThat(internal.attributes().isEmpty()).isTrue();
        // One resource object per service, one scope object per scope.
        assertThat(out.get(2).resource).isSameAs(out.get(0).resource);
        assertThat(out.get(2).scope).isSameAs(out.get(0).scope).isNotSameAs(out.get(1).scope);
    }

    @Test
    void badIdsAreRejectedAloneAndCounted() throws Exception {
        String json = """
                [{"traceId":"5af7183fb1d4cf5f","id":"1"},
                 {"id":"352bff9a74ca9ad2","name":"no trace"},
                 {"traceId":"0000000000000000","id":"352bff9a74ca9ad2","name":"zero trace"},
                 {"traceId":"5af7183fb1d4cf5g","id":"352bff9a74ca9ad2","name":"not hex"},
                 {"traceId":"5af7183fb1d4cf5f5af7183fb1d4cf5f5","id":"352bff9a74ca9ad2","name":"too long"},
                 {"traceId":"5af7183fb1d4cf5f","id":"0000000000000000","name":"zero id"},
                 {"traceId":"5af7183fb1d4cf5f","id":"352bff9a74ca9ad2","parentId":"xyz","name":"bad parent"},
                 {"traceId":"5af7183fb1d4cf5f","id":"352bff9a74ca9ad2","parentId":"0000000000000000","name":"zero parent"}]
                """;
        SpanResult[] r = new SpanResult[1];
        List<Decoded> out = decode(json, SpanLimits.DEFAULT, r);
        assertThat(out).extracting(d -> d.span.name()).containsExactly("", "zero parent");
        assertThat(out.get(0).span.spanId()).as("short ids are left-padded").isEqualTo(1);
        assertThat(out.get(1).span.isRoot()).isTrue();
        assertThat(r[0].rejectedSpans()).isEqualTo(6);
        assertThat(r[0].errorMessage()).isEqualTo("6 spans rejected: span \"no trace\": traceId is missing; "
                + "span \"zero trace\": traceId is all zero; span \"not hex\": traceId \"5af7183fb1d4cf5g\" is not hex; "
                + "span \"too long\": traceId \"5af7183fb1d4cf5f5af7183fb1d4cf5f5\" has 33 hex digits, want at most 32; "
                + "span \"zero id\": id is all zero; span \"bad parent\": parentId \"xyz\" is not hex");
    }

    @Test
    void limitsApplyToTagsAndAnnotations() throws Exception {
        String json = """
                [{"traceId":"5af7183fb1d4cf5f","id":"352bff9a74ca9ad2","timestamp":5,"tags":{"a":"0123456789","b":"x","c":"y"},
                  "annotations":[{"timestamp":1,"value":"one"},{"timestamp":2,"value":"two"}]}]
                """;
        SpanResult[] r = new SpanResult[1];
        Span s = decode(json, new SpanLimits(2, 4, 1, 1), r).getFirst().span;
        assertThat(texts(s.attributes())).isEqualTo(Map.of("a", "0123", "b", "x"));
        assertThat(s.droppedAttributesCount()).isEqualTo(1);
        assertThat(s.events()).hasSize(1);
        assertThat(s.droppedEventsCount()).isEqualTo(1);
    }

    @Test
    void badJsonNamesThePathAndOffset() {
        ZipkinJsonDecoder d = new ZipkinJsonDecoder(SpanLimits.DEFAULT, 10);
        List<Span> out = new ArrayList<>();
        assertBad(d, out, "{\"traceId\":\"1\"}", "invalid Zipkin v2 JSON at / (byte offset 0): want a JSON array of spans");
        assertBad(d, out, "[{\"traceId\":\"1\",\"id\":\"2\"},{\"traceId\":\"1\",\"timestamp\":\"soon\"}]",
                "invalid Zipkin v2 JSON at /1/timestamp (byte offset 53): want an integer (microseconds or a port), got string soon");
        assertBad(d, out, "[{\"traceId\":\"1\",\"id\":\"2\",\"tags\":{\"k\":{\"nested\":1}}}]",
                "invalid Zipkin v2 JSON at /0/tags/k (byte offset 37): want a string, got {");
        assertBad(d, out, "[{\"traceId\":\"1\",\"id\":\"2\"}", "invalid Zipkin v2 JSON at /");
        assertBad(d, out, "[{\"traceId\":\"1\" \"id\":\"2\"}]", "byte offset 16");
        assertBad(d, out, "[1]", "invalid Zipkin v2 JSON at /0 (byte offset 1): want a span object");
        assertBad(d, out, "[] []", "content after the array of spans");
        assertThat(out).as("a body that fails hands no span on, not even the valid ones before the error").isEmpty();
    }

    /** Fuzzing found it: Jackson's read limits (a name over 50000 chars) throw without a location; the parser's is used. */
    @Test
    void aNameBeyondJacksonsLimitIsRefusedWithItsPlace() {
        assertBad(new ZipkinJsonDecoder(SpanLimits.DEFAULT, 10), new ArrayList<>(), "[{\"" + "a".repeat(50_001) + "\":1}]",
                "invalid Zipkin v2 JSON at /0 (byte offset ");
        // and an empty body had no place at all
        assertBad(new ZipkinJsonDecoder(SpanLimits.DEFAULT, 10), new ArrayList<>(), "", "invalid Zipkin v2 JSON at /: want a JSON array of spans");
    }

    @Test
    void collectorConventionsMapToResourceLinksEventsAndTraceState() throws Exception {
        String json = """
                [{"traceId":"463ac35c9f6413ad48485a3953bb6124","id":"a2fb4a1d1a96d312","parentId":"a2fb4a1d1a96d312",
                  "name":"op","timestamp":1000,"duration":5,"localEndpoint":{"serviceName":"svc","port":80},
                  "annotations":[{"timestamp":1001,"value":"retry|{\\"attempt\\":2,\\"why\\":\\"a|b\\",\\"ok\\":false,\\"f\\":1.5}|1"},
                                 {"timestamp":1002,"value":"plain|not json|x"}],
                  "tags":{"host.name":"h1","telemetry.sdk.language":"java","w3c.tracestate":"k=v","otel.status_code":"STATUS_CODE_OK",
                          "otel.status_description":"ignored unless error","net.host.port":"1","http.route":"/x",
                          "otlp.link.0":"5af7183fb1d4cf5f5af7183fb1d4cf5f|352bff9a74ca9ad2|s=1|{\\"n\\":7}|3",
                          "otlp.link.1":"bad|link|||0"}},
                 {"traceId":"463ac35c9f6413ad48485a3953bb6124","id":"b2fb4a1d1a96d312","localEndpoint":{"serviceName":"svc"},
                  "tags":{"host.name":"h2","otlp.service.name.source":"faas.name"}}]
                """;
        SpanResult[] r = new SpanResult[1];
        List<Decoded> out = decode(json, SpanLimits.DEFAULT, r);
        assertThat(r[0]).isEqualTo(new SpanResult(2, 0, ""));
        Span s = out.get(0).span;
        assertThat(s.isRoot()).as("a parent id equal to the span's own id is no parent").isTrue();
        assertThat(s.traceState()).isEqualTo("k=v");
        assertThat(s.statusCode()).isEqualTo(StatusCode.OK);
        assertThat(texts(out.get(0).resource.attributes())).isEqualTo(Map.of("service.name", "svc", "host.name", "h1",
                "telemetry.sdk.language", "java"));
        assertThat(texts(s.attributes())).as("the endpoint port wins over the tag")
                .isEqualTo(Map.of("http.route", "/x", "net.host.port", "80"));
        assertThat(s.events()).hasSize(2);
        assertThat(s.events().get(0).name()).isEqualTo("retry");
        assertThat(texts(s.events().get(0).attributes())).isEqualTo(Map.of("attempt", "2", "why", "a|b", "ok", "false", "f", "1.5"));
        assertThat(s.events().get(0).droppedAttributesCount()).isEqualTo(1);
        assertThat(s.events().get(1).name()).as("not the collector's form: the value is the name").isEqualTo("plain|not json|x");
        assertThat(s.links()).hasSize(1);
        assertThat(s.links().getFirst().traceIdHex()).isEqualTo("5af7183fb1d4cf5f5af7183fb1d4cf5f");
        assertThat(s.links().getFirst().spanIdHex()).isEqualTo("352bff9a74ca9ad2");
        assertThat(s.links().getFirst().traceState()).isEqualTo("s=1");
        assertThat(texts(s.links().getFirst().attributes())).isEqualTo(Map.of("n", "7"));
        assertThat(s.links().getFirst().droppedAttributesCount()).isEqualTo(3);
        assertThat(s.droppedLinksCount()).as("an unparsable link is dropped and counted").isEqualTo(1);

        Span noTimestamp = out.get(1).span;
        assertThat(noTimestamp.startUnixNano()).isZero();
        assertThat(texts(noTimestamp.attributes())).isEqualTo(Map.of("otel.zipkin.absentField.startTime", "true"));
        assertThat(texts(out.get(1).resource.attributes())).isEqualTo(Map.of("faas.name", "svc", "host.name", "h2"));
        assertThat(out.get(1).resource).isNotSameAs(out.get(0).resource);
    }

    private static void assertBad(ZipkinJsonDecoder d, List<Span> out, String json, String message) {
        assertThatThrownBy(() -> d.decode(json.getBytes(StandardCharsets.UTF_8), (r, s, sp) -> out.add(sp)))
                .isInstanceOf(MalformedZipkinException.class).hasMessageContaining(message);
    }
}
