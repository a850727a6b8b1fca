package dev.sightline.server.traces;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import dev.sightline.server.ChildServer;
import dev.sightline.server.KillMidIngest;
import dev.sightline.server.KillMidIngest.Sender;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * kill -9 of a real server process while senders export spans over OTLP/HTTP protobuf, twice (kill, restart, more
 * spans, kill, restart): read back by trace id through Jaeger's API, every span of every request answered 200 is
 * there exactly once, and a request in flight at the kill is all there or not at all, and stays so over the next
 * restart. The second kill comes after the store's scheduled checkpoint, so that its WAL replay meets records the
 * checkpoint's index commit holds too (replay must skip them, or they come back twice). Each request is one trace
 * whose spans lie in two hourly partitions. Default settings (WAL fsync before the answer).
 */
class SpanIngestKillIT {
    private static final int SENDERS = 4;
    private static final int TARGET = 300;
    private static final long HOUR_NANOS = TimeUnit.HOURS.toNanos(1);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HexFormat HEX = HexFormat.of();

    @TempDir
    Path tmp;

    private final HttpClient client = HttpClient.newHttpClient();

    /** One ingest run: its number (in every id) and its senders after the kill. */
    private record Run(int number, List<Sender> senders) {
    }

    /** What a run's requests left after a restart: acknowledged and in-flight requests and spans, and what was found. */
    private record Count(int ackedRequests, int ackedSpans, int ackedFound, int inFlight, int inFlightSurvived,
                         Map<String, Integer> inFlightSpans) {
    }

    private static String traceId(int run, int sender, int k) {
        return "%08x%08x%016x".formatted(run, sender + 1, k + 1L);
    }

    /** 1 to 8 spans, varying from request to request. */
    private static int spanCount(int sender, int k) {
        return 1 + (k * 7 + sender) % 8;
    }

    private static String spanId(int run, int sender, int k, int i) {
        return "%02x%02x%08x%04x".formatted(run, sender, k, i + 1);
    }

    /** Request k of a sender in a run: one trace, its even spans a minute ago, its odd ones an hour before. */
    private static HttpRequest export(int port, int run, int sender, int k, long baseNanos) {
        ScopeSpans.Builder scope = ScopeSpans.newBuilder();
        for (int i = 0; i < spanCount(sender, k); i++) {
            long start = baseNanos - (i % 2) * HOUR_NANOS + i;
            scope.addSpans(Span.newBuilder().setTraceId(ByteString.copyFrom(HEX.parseHex(traceId(run, sender, k))))
                    .setSpanId(ByteString.copyFrom(HEX.parseHex(spanId(run, sender, k, i))))
                    .setName("op" + i).setKind(Span.SpanKind.SPAN_KIND_SERVER)
                    .setStartTimeUnixNano(start).setEndTimeUnixNano(start + 1_000_000));
        }
        Resource resource = Resource.newBuilder().addAttributes(KeyValue.newBuilder().setKey("service.name")
                .setValue(AnyValue.newBuilder().setStringValue("kill-" + sender))).build();
        byte[] body = ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
                .setResource(resource).addScopeSpans(scope)).build().toByteArray();
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/traces"))
                .header("Content-Type", "application/x-protobuf").POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
    }

    /** A run of requests, each sender waiting {@code pause} before each request (none when zero). */
    private static Run ingest(ChildServer server, int port, int run, Duration pause, Duration timeout,
                              IntPredicate killWhen) throws Exception {
        long base = System.currentTimeMillis() * 1_000_000L - TimeUnit.MINUTES.toNanos(1);
        return new Run(run, KillMidIngest.run(server, port, SENDERS, 200, (p, sender, k) -> {
            Thread.sleep(pause);
            return export(p, run, sender, k, base);
        }, timeout, killWhen));
    }

    /**
     * Holds once the span WAL has a segment it did not have at construction (the store's scheduled checkpoint, a
     * minute after open, rotates it before committing the indexes) and {@code more} requests were acknowledged since:
     * a kill then leaves records in the WAL that the checkpoint's index commit may also hold.
     */
    private static final class AfterCheckpoint implements IntPredicate {
        private final Path wal;
        private final Set<Path> before;
        private final int more;
        private int ackedAtRotation = -1;

        AfterCheckpoint(Path wal, int more) {
            this.wal = wal;
            this.before = segments();
            this.more = more;
        }

        private Set<Path> segments() {
            try (Stream<Path> files = Files.list(wal)) {
                return files.collect(Collectors.toSet());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public boolean test(int acked) {
            if (ackedAtRotation < 0 && !before.containsAll(segments())) {
                ackedAtRotation = acked;
            }
            return ackedAtRotation >= 0 && acked >= ackedAtRotation + more;
        }
    }

    /** The span ids Jaeger's API answers for a trace, duplicates kept; empty on 404. */
    private List<String> spanIds(int port, String traceId) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + port + "/api/traces/" + traceId)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 404) {
            return List.of();
        }
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode data = JSON.readTree(r.body()).path("data");
        assertThat(data.size()).isEqualTo(1);
        assertThat(data.get(0).path("traceID").asText()).isEqualTo(traceId);
        List<String> ids = new ArrayList<>();
        for (JsonNode span : data.get(0).path("spans")) {
            ids.add(span.path("spanID").asText());
        }
        return ids;
    }

    /** Reads back every request a run sent, asserting what the class comment promises; prints the counts. */
    private Count check(int port, Run run, String when) throws Exception {
        int ackedRequests = 0, ackedSpans = 0, ackedFound = 0, inFlight = 0, survived = 0;
        Map<String, Integer> inFlightSpans = new LinkedHashMap<>();
        for (Sender s : run.senders()) {
            for (int k = 0; k < s.started(); k++) {
                String trace = traceId(run.number(), s.id(), k);
                Set<String> want = new HashSet<>();
                for (int i = 0; i < spanCount(s.id(), k); i++) {
                    want.add(spanId(run.number(), s.id(), k, i));
                }
                List<String> found = spanIds(port, trace);
                assertThat(found).as("%s: trace %s, no span twice", when, trace).doesNotHaveDuplicates();
                if (k < s.acknowledged()) {
                    assertThat(new HashSet<>(found)).as("%s: acknowledged trace %s, every span", when, trace)
                            .isEqualTo(want);
                    ackedRequests++;
                    ackedSpans += want.size();
                    ackedFound += found.size();
                } else {
                    assertThat(found.size()).as("%s: in-flight trace %s, all or nothing: %s", when, trace, found)
                            .isIn(0, want.size());
                    assertThat(want).containsAll(found);
                    inFlight++;
                    survived += found.isEmpty() ? 0 : 1;
                    inFlightSpans.put(trace, found.size());
                }
            }
            assertThat(spanIds(port, traceId(run.number(), s.id(), s.started())))
                    .as("%s: a request never sent is not found", when).isEmpty();
        }
        System.out.printf("%s, run %d: %d requests (%d spans) acknowledged, %d spans of them found; "
                        + "%d requests in flight at the kill, %d of them found (%d spans)%n", when, run.number(),
                ackedRequests, ackedSpans, ackedFound, inFlight, survived,
                inFlightSpans.values().stream().mapToInt(Integer::intValue).sum());
        return new Count(ackedRequests, ackedSpans, ackedFound, inFlight, survived, inFlightSpans);
    }

    @Test
    void everyAcknowledgedSpanSurvivesTwoKill9sExactlyOnce() throws Exception {
        Path data = tmp.resolve("data");
        ChildServer first = ChildServer.start(data, tmp.resolve("run1.log"));
        Run run1 = ingest(first, first.awaitReady(), 1, Duration.ZERO, Duration.ofSeconds(20), acked -> acked >= TARGET);

        ChildServer second = ChildServer.start(data, tmp.resolve("run2.log"));
        Count run1After1;
        Run run2;
        try {
            int port = second.awaitReady();
            run1After1 = check(port, run1, "after the first kill");
            AfterCheckpoint checkpointed = new AfterCheckpoint(data.resolve("traces").resolve("wal"), 100);
            // Paced: unpaced senders would send some 60,000 requests in the minute before the checkpoint, and every
            // request is read back.
            run2 = ingest(second, port, 2, Duration.ofMillis(100), Duration.ofSeconds(150), checkpointed);
            assertThat(checkpointed.ackedAtRotation).as("a checkpoint ran during the second ingest").isNotNegative();
        } finally {
            second.process().destroyForcibly();
        }

        ChildServer third = ChildServer.start(data, tmp.resolve("run3.log"));
        try {
            int port = third.awaitReady();
            Count run1After2 = check(port, run1, "after the second kill");
            assertThat(run1After2).as("run 1's spans as the first restart found them").isEqualTo(run1After1);
            check(port, run2, "after the second kill");
        } finally {
            third.process().destroyForcibly();
        }
    }
}
