package dev.sightline.ingest.remotewrite;

import dev.sightline.core.Labels;
import dev.sightline.core.ValidationException.Reason;
import dev.sightline.ingest.IngestLimits;
import dev.sightline.ingest.SeriesRefCache;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The decoders' fast path: a series seen before is appended by its cached ref, with labels decoded only on need. */
class SeriesRefCacheDecodingTest {
    private static final String CT = "application/x-protobuf";
    private static final Labels UP = Labels.of("__name__", "up", "job", "node");
    private final RemoteWriteReceiver receiver = new RemoteWriteReceiver(IngestLimits.DEFAULT);
    private final SeriesRefCache cache = new SeriesRefCache(1000);
    private final RecordingSink sink = new RecordingSink(cache);

    private RemoteWriteResult v1(long t, double v) {
        byte[] body = new WriteRequestBuilder().series("__name__", "up", "job", "node").sample(v, t).end().toSnappy();
        return receiver.receive(body, "snappy", CT, null, sink, sink.context());
    }

    @Test
    void aSeriesSeenBeforeIsAppendedByRefWithoutLabels() {
        RemoteWriteResult first = v1(1000, 1);
        assertThat(first.status()).as(first.message()).isEqualTo(204);
        RemoteWriteResult second = v1(2000, 2);
        assertThat(second.status()).as(second.message()).isEqualTo(204);
        assertThat(sink.floats.get(0)).isEqualTo(new RecordingSink.Float(0, UP, 1000, Double.doubleToRawLongBits(1)));
        assertThat(sink.floats.get(1)).isEqualTo(new RecordingSink.Float(1, null, 2000, Double.doubleToRawLongBits(2)));
        assertThat(cache.size()).isEqualTo(1);
    }

    @Test
    void remoteWriteTwoSeriesAreCachedToo() {
        byte[] body = new V2RequestBuilder().series("__name__", "up", "job", "node").sample(5, 3000).end().toSnappy();
        assertThat(receiver.receive(body, "snappy", RemoteWriteV2Test.CT_V2, null, sink, sink.context()).status()).isEqualTo(204);
        byte[] next = new V2RequestBuilder().series("__name__", "up", "job", "node").sample(6, 4000).end().toSnappy();
        assertThat(receiver.receive(next, "snappy", RemoteWriteV2Test.CT_V2, null, sink, sink.context()).status()).isEqualTo(204);
        assertThat(sink.floats.get(1)).isEqualTo(new RecordingSink.Float(1, null, 4000, Double.doubleToRawLongBits(6)));
    }

    @Test
    void aSeriesWithOtherLabelsIsNotTakenForACachedOne() {
        v1(1000, 1);
        // Same bytes but one: a different key.
        byte[] body = new WriteRequestBuilder().series("__name__", "up", "job", "nodf").sample(2, 2000).end().toSnappy();
        assertThat(receiver.receive(body, "snappy", CT, null, sink, sink.context()).status()).isEqualTo(204);
        assertThat(sink.floats.get(1)).isEqualTo(new RecordingSink.Float(0, Labels.of("__name__", "up", "job", "nodf"), 2000,
                Double.doubleToRawLongBits(2)));
    }

    @Test
    void aRefTheStorageForgotIsDroppedAndTheSeriesAppendedByLabels() {
        v1(1000, 1);
        sink.forgetRefs();
        assertThat(v1(2000, 2).status()).isEqualTo(204);
        // Tried by the stale ref (refused, not recorded), then by labels: a new ref, cached for next time.
        assertThat(sink.floats.get(1)).isEqualTo(new RecordingSink.Float(0, UP, 2000, Double.doubleToRawLongBits(2)));
        assertThat(v1(3000, 3).status()).isEqualTo(204);
        assertThat(sink.floats.get(2).labels()).isNull();
        assertThat(sink.floats.get(2).ref()).isEqualTo(2);
    }

    @Test
    void forgottenRefsLookedUpAheadAreAppendedWithTheirOwnLabels() {
        Labels down = Labels.of("__name__", "down", "job", "node");
        WriteRequestBuilder first = new WriteRequestBuilder();
        first.series("__name__", "up", "job", "node").sample(1, 1000).end();
        first.series("__name__", "down", "job", "node").sample(1, 1000).end();
        assertThat(receiver.receive(first.toSnappy(), "snappy", CT, null, sink, sink.context()).status()).isEqualTo(204);
        sink.forgetRefs();
        // Both refs are found in the cache before either series is appended; the labels are decoded only when the
        // storage refuses each ref, and must be that series' own, not the last series scanned.
        WriteRequestBuilder second = new WriteRequestBuilder();
        second.series("__name__", "up", "job", "node").sample(2, 2000).end();
        second.series("__name__", "down", "job", "node").sample(2, 2000).exemplar(2, 2000, "trace_id", "t").end();
        assertThat(receiver.receive(second.toSnappy(), "snappy", CT, null, sink, sink.context()).status()).isEqualTo(204);
        assertThat(sink.floats.subList(2, 4)).extracting(RecordingSink.Float::labels).containsExactly(UP, down);
        assertThat(sink.exemplars).extracting(RecordingSink.Exemplar::series).containsExactly(down);
    }

    @Test
    void aRefusedSampleOnTheFastPathIsReportedWithItsLabels() {
        v1(1000, 1);
        RemoteWriteResult r = v1(1000, 2);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.rejected()).containsEntry(Reason.OUT_OF_ORDER_SAMPLE, 1L);
        assertThat(r.message()).contains("series up{job=\"node\"} sample at 1000");
    }

    @Test
    void anExemplarOnTheFastPathCarriesTheSeriesLabels() {
        v1(1000, 1);
        byte[] body = new WriteRequestBuilder().series("__name__", "up", "job", "node").sample(2, 2000)
                .exemplar(2, 2000, "trace_id", "t").end().toSnappy();
        assertThat(receiver.receive(body, "snappy", CT, null, sink, sink.context()).status()).isEqualTo(204);
        assertThat(sink.exemplars).containsExactly(new RecordingSink.Exemplar(1, UP, Labels.of("trace_id", "t"), 2000, 2));
    }

    @Test
    void anInvalidSeriesIsNeverCached() {
        byte[] body = new WriteRequestBuilder().series("__name__", "bad-name").sample(1, 1).end().toSnappy();
        assertThat(receiver.receive(body, "snappy", CT, null, sink, sink.context()).status()).isEqualTo(400);
        assertThat(receiver.receive(body, "snappy", CT, null, sink, sink.context()).status()).isEqualTo(400);
        assertThat(cache.size()).isZero();
    }

    @Test
    void labelsInAnotherOrderAreAnotherKeyForTheSameSeries() {
        v1(1000, 1);
        byte[] body = new WriteRequestBuilder().series("job", "node", "__name__", "up").sample(2, 2000).end().toSnappy();
        assertThat(receiver.receive(body, "snappy", CT, null, sink, sink.context()).status()).isEqualTo(204);
        assertThat(sink.floats.get(1)).isEqualTo(new RecordingSink.Float(0, UP, 2000, Double.doubleToRawLongBits(2)));
        assertThat(cache.size()).isEqualTo(2);
    }
}
