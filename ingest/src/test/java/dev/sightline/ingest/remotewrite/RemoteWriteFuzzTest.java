package dev.sightline.ingest.remotewrite;

import dev.sightline.ingest.IngestContext;
import dev.sightline.ingest.IngestLimits;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whatever the body, the receiver answers with a status and never lets an exception out: random bytes here;
 * mutations of valid requests (also through a warm ref cache) are the fuzz targets of {@link RemoteWriteFuzzTargets}.
 */
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

    @Property(tries = 1000)
    void randomProtobufAsTwoZero(@ForAll byte[] proto) {
        RemoteWriteResult r = receiver.receive(WriteRequestBuilder.snappy(proto), "snappy", RemoteWriteV2Test.CT_V2, null, new RecordingSink(), IngestContext.NONE);
        assertThat(r.status()).isIn(204, 400);
        if (r.status() == 400 && !r.commit()) {
            assertThat(r.message()).startsWith("malformed protobuf io.prometheus.write.v2.Request at byte offset ");
        }
    }
}
