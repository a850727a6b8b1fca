package dev.sightline.ingest.zipkin;

import dev.sightline.core.fuzz.FuzzTarget;
import dev.sightline.ingest.spans.SpanLimits;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Fuzz targets of Zipkin's v2 JSON and proto3 span lists: a refusal names the JSON path or the byte offset. */
public final class ZipkinFuzzTargets {
    private static final Pattern LOCATED = Pattern.compile("at (byte offset \\d+|/\\S*)");

    private ZipkinFuzzTargets() {
    }

    private static final String JSON = """
            [{"traceId":"5b8efff798038103d269b633813fc60c","id":"eee19b7ec3c1b174","parentId":"eee19b7ec3c1b173",
              "kind":"SERVER","name":"get /api","timestamp":1556604172355737,"duration":1431,
              "localEndpoint":{"serviceName":"backend","ipv4":"192.168.99.1","port":3306},
              "remoteEndpoint":{"serviceName":"frontend","ipv6":"2001:db8::c001","port":8080},
              "annotations":[{"timestamp":1556604172355800,"value":"ws"}],
              "tags":{"http.path":"/api","error":"boom"},"shared":true,"debug":false},
             {"traceId":"eee19b7ec3c1b174","id":"a","name":"x","timestamp":1,"duration":0}]
            """;

    private static byte[] proto() {
        try {
            return ZipkinProtoDecoderTest.list(
                    ZipkinProtoDecoderTest.span("5b8efff798038103d269b633813fc60c", "eee19b7ec3c1b174", "eee19b7ec3c1b173"),
                    ZipkinProtoDecoderTest.span("eee19b7ec3c1b174", "00000000000000aa", null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static FuzzTarget.Builder zipkin(String name) {
        return FuzzTarget.named(name).rejects(MalformedZipkinException.class, e -> LOCATED.matcher(e.getMessage()).find());
    }

    public static List<FuzzTarget> all() {
        return List.of(
                zipkin("zipkin-json").seeds(JSON).tokens("{", "[", "}", "]", ",", ":", "\"", "null", "\"tags\":{", "\"annotations\":[")
                        .run(in -> {
                            int[] n = new int[1];
                            assertThat(new ZipkinJsonDecoder(SpanLimits.DEFAULT, 10).decode(in, (r, s, sp) -> n[0]++).acceptedSpans()).isEqualTo(n[0]);
                        }).build(),
                zipkin("zipkin-proto3").seeds(proto())
                        .run(in -> {
                            int[] n = new int[1];
                            assertThat(new ZipkinProtoDecoder(SpanLimits.DEFAULT, 10).decode(in, (r, s, sp) -> n[0]++).acceptedSpans()).isEqualTo(n[0]);
                        }).build());
    }
}
