package dev.sightline.ingest.remotewrite;

import dev.sightline.core.Staleness;
import dev.sightline.core.fuzz.FuzzTarget;
import dev.sightline.ingest.IngestLimits;
import dev.sightline.ingest.SeriesRefCache;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzz targets of remote-write: the 1.0 and 2.0 protobuf messages (mutated before compression, so the mutations
 * reach the message decoders), 1.0 through a warm series-ref cache, and the snappy block layer (mutated after
 * compression). The receiver answers every body with a status; a body it cannot use is a 400 naming the byte offset,
 * and what a 204 reports as stored is exactly what reached the appender.
 */
public final class RemoteWriteFuzzTargets {
    private static final String CT_V1 = "application/x-protobuf";
    private static final long MAX_DECOMPRESSED = 1 << 20;
    private static final RemoteWriteReceiver RECEIVER = new RemoteWriteReceiver(IngestLimits.DEFAULT.withMaxDecompressedBytes(MAX_DECOMPRESSED));

    private RemoteWriteFuzzTargets() {
    }

    static final List<byte[]> V1 = List.of(
            new WriteRequestBuilder()
                    .series("__name__", "http_requests_total", "job", "api", "code", "200")
                    .sample(1, 1000).sample(2.5, 2000).sample(Staleness.STALE_NAN, 3000).exemplar(0.3, 2000, "trace_id", "abc").end()
                    .series("__name__", "up", "instance", "h:9100").sample(1, 1000).end()
                    .metadata(1, "http_requests_total", "Requests served.", "")
                    .toProto(),
            new WriteRequestBuilder()
                    .series("__name__", "latency_seconds")
                    .intHistogram(1000, 5, 1.5, 1, 0.001, 1, new int[][]{{0, 2}, {1, 1}}, new long[]{1, 1, -1}, new int[][]{{-1, 1}}, new long[]{1}, 0)
                    .floatHistogram(2000, 7.5, 3, 0, 0, new int[][]{{0, 3}}, new double[]{1, 2.5, 4}, new double[0]).end()
                    .series("__name__", "nhcb")
                    .floatHistogram(1000, 3, 1, -53, 0, new int[][]{{0, 2}}, new double[]{1, 2}, new double[]{0.5, 1}).end()
                    .toProto());

    static final List<byte[]> V2 = List.of(
            new V2RequestBuilder()
                    .series("__name__", "http_requests_total", "job", "api").metadata(1, "Requests served.", "")
                    .sample(1, 1000).sample(2, 2000).exemplar(1, 2000, "trace_id", "abc").createdTimestamp(500).end()
                    .series("__name__", "latency_seconds").histogram(3000, 3, 1.5, 1, 2).end()
                    .toProto(),
            new V2RequestBuilder().symbolsLast()
                    .series("__name__", "up", "instance", "h:9100").sampleStartingAt(1, 100, 1000).end()
                    .toProto());

    /** A snappy block of {@code raw}, as remote-write and Loki's protobuf push send it. */
    public static byte[] snappy(byte[] raw) {
        return WriteRequestBuilder.snappy(raw);
    }

    public static List<FuzzTarget> all() {
        return List.of(
                protobuf("remote-write-1.0", V1, CT_V1, "malformed protobuf WriteRequest at byte offset ", false),
                protobuf("remote-write-1.0-cached", V1, CT_V1, "malformed protobuf WriteRequest at byte offset ", true),
                protobuf("remote-write-2.0", V2, RemoteWriteV2Test.CT_V2, "malformed protobuf io.prometheus.write.v2.Request at byte offset ", false),
                FuzzTarget.named("snappy-block")
                        .seeds(V1.stream().map(WriteRequestBuilder::snappy).toList())
                        .seeds(V2.stream().map(WriteRequestBuilder::snappy).toList())
                        .rejects(MalformedRequestException.class, e -> e.offset() >= 0 && e.getMessage().contains("offset"))
                        .run(in -> {
                            // As every snappy reader here does: the declared length is checked against the limit first.
                            if (Snappy.declaredLength(in, 0, in.length) <= MAX_DECOMPRESSED) {
                                Snappy.decompress(in, 0, in.length);
                            }
                        })
                        .build(),
                FuzzTarget.named("remote-write-snappy-body")
                        .seeds(V1.stream().map(WriteRequestBuilder::snappy).toList())
                        .run(in -> {
                            RecordingSink sink = new RecordingSink();
                            RemoteWriteResult r = RECEIVER.receive(in, "snappy", CT_V1, "0.1.0", sink, sink.context());
                            assertThat(r.status()).isIn(204, 400, 413);
                            assertThat(r.message().isBlank()).isEqualTo(r.status() == 204);
                        })
                        .build());
    }

    private static FuzzTarget protobuf(String name, List<byte[]> seeds, String contentType, String malformed, boolean cached) {
        List<byte[]> compressedSeeds = seeds.stream().map(WriteRequestBuilder::snappy).toList();
        return FuzzTarget.named(name).seeds(seeds).run(proto -> {
            RecordingSink sink = new RecordingSink(cached ? new SeriesRefCache(100) : null);
            if (cached) {
                for (byte[] seed : compressedSeeds) {
                    assertThat(RECEIVER.receive(seed, "snappy", contentType, null, sink, sink.context()).status())
                            .isEqualTo(204);
                }
                sink.floats.clear();
                sink.histograms.clear();
            }
            RemoteWriteResult r = RECEIVER.receive(WriteRequestBuilder.snappy(proto), "snappy", contentType, null, sink, sink.context());
            assertThat(r.status()).isIn(204, 400);
            if (!r.commit()) {
                assertThat(r.message()).startsWith(malformed);
            } else {
                // What the answer counts as stored is what the appender was given.
                assertThat(sink.floats).hasSize((int) r.samplesAccepted());
                assertThat(sink.histograms).hasSize((int) r.histogramsAccepted());
                // An append by cached ref alone went to a series the sink knows (it throws otherwise, and the decoder
                // appends again with the labels).
                assertThat(sink.floats).allSatisfy(f -> assertThat(f.labels() != null || f.ref() != 0).isTrue());
            }
        }).build();
    }
}
