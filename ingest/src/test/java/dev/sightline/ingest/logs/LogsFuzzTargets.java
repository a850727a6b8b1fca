package dev.sightline.ingest.logs;

import dev.sightline.core.Labels;
import dev.sightline.core.fuzz.FuzzTarget;
import dev.sightline.ingest.otlp.MalformedOtlpException;
import dev.sightline.ingest.otlp.OtlpCodec;
import dev.sightline.ingest.otlp.OtlpLogsDecoder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Fuzz targets of the log decoders: OTLP logs (protobuf and JSON), Loki's push API (protobuf, after snappy, and
 * JSON), NDJSON lines and the stream-labels parameter. A refusal names the byte offset, JSON path, line or character.
 */
public final class LogsFuzzTargets {
    private static final long NOW = 1_800_000_000_000_000_000L;
    private static final Pattern LOCATED = Pattern.compile("at (byte offset \\d+|/\\S*|line \\d+|character \\d+)");

    private LogsFuzzTargets() {
    }

    private static final String LOGS_JSON = """
            {"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"checkout"}}]},
             "scopeLogs":[{"scope":{"name":"pay"},"logRecords":[
              {"timeUnixNano":"1700000000000000001","severityNumber":13,"severityText":"WARN",
               "body":{"stringValue":"card declined"},"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331",
               "attributes":[{"key":"retries","value":{"intValue":"3"}}]},
              {"observedTimeUnixNano":"1700000000000000002","body":{"kvlistValue":{"values":[{"key":"event","value":{"stringValue":"x"}}]}}}]}]}]}
            """;

    private static final String LOKI_JSON = """
            {"streams":[{"stream":{"app":"web","env":"prod"},"values":[["1700000000000000000","GET /index 200"],
              ["1700000000000000001","level=error msg=\\"boom\\"",{"trace_id":"0af7651916cd43dd8448eb211c80319c"}]]},
             {"stream":{"app":"db"},"values":[["1700000000500000000","{\\"level\\":\\"info\\",\\"ms\\":12}"]]}]}
            """;

    private static final String NDJSON = """
            {"service":"web","level":"info","msg":"started","ts":"2026-12-06T10:00:00Z"}
            {"app":"db","time":1765015200123,"message":"slow query","ms":1200,"nested":{"a":[1,2,{"b":null}]}}
            {"service":"web","timestamp":"1765015200.5","msg":"stop"}
            """;

    private static byte[] lokiProtobuf() {
        try {
            return LokiPushDecoderTest.message(o -> {
                o.writeByteArray(1, LokiPushDecoderTest.message(s -> {
                    s.writeString(1, "{app=\"web\", msg=\"a \\\"q\\\" b\"}");
                    s.writeByteArray(2, LokiPushDecoderTest.entry(1700000000, 5, "hello", "trace_id", "0af7651916cd43dd8448eb211c80319c"));
                    s.writeByteArray(2, LokiPushDecoderTest.entry(1700000001, 0, "world"));
                    s.writeUInt64(3, 12345);
                }));
                o.writeByteArray(1, LokiPushDecoderTest.message(s -> {
                    s.writeString(1, "{app=\"db\"}");
                    s.writeByteArray(2, LokiPushDecoderTest.entry(1700000002, 999_999_999, "level=warn"));
                }));
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static FuzzTarget.Builder logs(String name) {
        return FuzzTarget.named(name)
                .rejects(MalformedLogsException.class, e -> LOCATED.matcher(e.getMessage()).find())
                .rejects(MalformedOtlpException.class, e -> LOCATED.matcher(e.getMessage()).find());
    }

    public static List<FuzzTarget> all() {
        String[] json = {"{", "[", "}", "]", ",", ":", "\"", "null", "\\u0000", "\\ud800", "{\"kvlistValue\":{\"values\":[",
                "{\"arrayValue\":{\"values\":["};
        return List.of(
                logs("otlp-logs-protobuf").seeds(OtlpLogsDecoderTest.request().toByteArray())
                        .run(in -> new OtlpLogsDecoder().decode(in, 0, in.length, NOW, new CollectingSink())).build(),
                logs("otlp-logs-json").seeds(LOGS_JSON).tokens(json)
                        .run(in -> new OtlpLogsDecoder().decode(OtlpCodec.parseLogsJson(in), NOW, new CollectingSink())).build(),
                logs("loki-push-protobuf").seeds(lokiProtobuf())
                        .run(in -> LokiPushDecoder.protobuf(in, 0, in.length, new CollectingSink())).build(),
                logs("loki-push-json").seeds(LOKI_JSON).tokens(json)
                        .run(in -> LokiPushDecoder.json(in, new CollectingSink())).build(),
                logs("ndjson").seeds(NDJSON).tokens(json)
                        .run(in -> new NdjsonDecoder(NdjsonDecoder.DEFAULT_STREAM_FIELDS, Labels.EMPTY)
                                .decode(in, NOW, new CollectingSink())).build(),
                logs("stream-labels").seeds("{app=\"web\", env=\"x\"}", "{a=\"\\\"quoted\\\" \\u00e9\"}")
                        .tokens("{", "}", "=", "\"", ",", "\\")
                        .runText(StreamLabels::parse).build());
    }
}
