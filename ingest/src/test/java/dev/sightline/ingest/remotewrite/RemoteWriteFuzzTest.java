package dev.sightline.ingest.remotewrite;

import dev.sightline.ingest.IngestContext;
import dev.sightline.ingest.IngestLimits;
import dev.sightline.ingest.SeriesRefCache;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import static org.assertj.core.api.Assertions.assertThat;

/** Whatever the body, the receiver answers with a status and never lets an exception out. */
class RemoteWriteFuzzTest {
    private final RemoteWriteReceiver receiver = new RemoteWriteReceiver(IngestLimits.DEFAULT.withMaxDecompressedBytes(1 << 20));

    @Property(tries = 500)
    void randomBodies(@ForAll byte[] body) {
        RemoteWriteResult r = receiver.receive(body, "snappy", "application/x-protobuf", "0.1.0", new RecordingSink(), IngestContext.NONE);
        assertThat(r.status()).isIn(204, 400, 413);
        if (r.status() != 204) {
            assertThat(r.message()).isNotBlank();
        }
    }

    @Property(tries = 1000)
    void randomProtobufInValidSnappy(@ForAll byte[] proto) {
        RecordingSink sink = new RecordingSink();
        RemoteWriteResult r = receiver.receive(WriteRequestBuilder.snappy(proto), "snappy", "application/x-protobuf", null, sink, sink.context());
        assertThat(r.status()).isIn(204, 400);
        if (r.status() == 400 && !r.commit()) {
            assertThat(r.message()).startsWith("malformed protobuf WriteRequest at byte offset ");
        }
    }

    private static final byte[] VALID_V1 = new WriteRequestBuilder()
            .series("__name__", "a", "job", "j").sample(1, 1000).sample(2, 2000).exemplar(1, 1, "t", "x").end()
            .series("__name__", "h")
            .intHistogram(1, 3, 1, 0, 0, 1, new int[][]{{0, 2}}, new long[]{1, 0}, new int[0][], new long[0], 0).end()
            .metadata(2, "a", "help", "")
            .toProto();
    private static final byte[] VALID_V2 = new V2RequestBuilder()
            .series("__name__", "a", "job", "j").metadata(1, "help", "").sample(1, 1000).sample(2, 2000)
            .exemplar(1, 1000, "trace_id", "x").end()
            .series("__name__", "h").histogram(3000, 3, 1.5, 1, 2).end()
            .toProto();

    private static Arbitrary<byte[]> mutated(byte[] valid) {
        return Arbitraries.integers().between(0, valid.length - 1).list().ofMinSize(1).ofMaxSize(4)
                .flatMap(positions -> Arbitraries.bytes().list().ofSize(positions.size()).map(vals -> {
                    byte[] b = valid.clone();
                    for (int i = 0; i < positions.size(); i++) {
                        b[positions.get(i)] = vals.get(i);
                    }
                    return b;
                }));
    }

    @Provide
    Arbitrary<byte[]> mutatedRequests() {
        return mutated(VALID_V1);
    }

    @Provide
    Arbitrary<byte[]> mutatedV2Requests() {
        return mutated(VALID_V2);
    }

    @Property(tries = 1000)
    void mutatedValidRequests(@ForAll("mutatedRequests") byte[] proto) {
        RemoteWriteResult r = receiver.receive(WriteRequestBuilder.snappy(proto), "snappy", "application/x-protobuf", null, new RecordingSink(), IngestContext.NONE);
        assertThat(r.status()).isIn(204, 400);
        assertThat(r.rejectedTotal() + r.samplesAccepted() + r.histogramsAccepted()).isLessThanOrEqualTo(proto.length);
    }

    @Property(tries = 1000)
    void randomProtobufAsTwoZero(@ForAll byte[] proto) {
        RemoteWriteResult r = receiver.receive(WriteRequestBuilder.snappy(proto), "snappy", RemoteWriteV2Test.CT_V2, null, new RecordingSink(), IngestContext.NONE);
        assertThat(r.status()).isIn(204, 400);
        if (r.status() == 400 && !r.commit()) {
            assertThat(r.message()).startsWith("malformed protobuf io.prometheus.write.v2.Request at byte offset ");
        }
    }

    @Property(tries = 1000)
    void mutatedTwoZeroRequests(@ForAll("mutatedV2Requests") byte[] proto) {
        RemoteWriteResult r = receiver.receive(WriteRequestBuilder.snappy(proto), "snappy", RemoteWriteV2Test.CT_V2, null, new RecordingSink(), IngestContext.NONE);
        assertThat(r.status()).isIn(204, 400);
        assertThat(r.rejectedTotal() + r.samplesAccepted() + r.histogramsAccepted()).isLessThanOrEqualTo(proto.length);
    }

    /** The fast path with a warm ref cache: a mutated request appends by cached ref only what hashes as before. */
    @Property(tries = 500)
    void mutatedRequestsThroughAWarmRefCache(@ForAll("mutatedRequests") byte[] proto) {
        RecordingSink sink = new RecordingSink(new SeriesRefCache(100));
        assertThat(receiver.receive(WriteRequestBuilder.snappy(VALID_V1), "snappy", null, null, sink, sink.context()).status()).isEqualTo(204);
        int before = sink.floats.size();
        RemoteWriteResult r = receiver.receive(WriteRequestBuilder.snappy(proto), "snappy", null, null, sink, sink.context());
        assertThat(r.status()).isIn(204, 400);
        // Every append by ref alone went to a series the sink knows (it throws otherwise, and the decoder retries).
        for (RecordingSink.Float f : sink.floats.subList(before, sink.floats.size())) {
            assertThat(f.labels() != null || f.ref() != 0).isTrue();
        }
    }
}
