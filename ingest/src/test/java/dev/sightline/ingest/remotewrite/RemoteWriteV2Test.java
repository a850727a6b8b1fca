package dev.sightline.ingest.remotewrite;

import dev.sightline.core.Labels;
import dev.sightline.core.ValidationException.Reason;
import dev.sightline.ingest.IngestLimits;
import dev.sightline.ingest.MetricType;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** Remote-write 2.0 with hand-built io.prometheus.write.v2.Request payloads (Debian's Prometheus 2.42 sends only 1.0). */
class RemoteWriteV2Test {
    static final String CT_V2 = "application/x-protobuf;proto=io.prometheus.write.v2.Request";
    private final RemoteWriteReceiver receiver = new RemoteWriteReceiver(IngestLimits.DEFAULT);
    private final RecordingSink sink = new RecordingSink();

    private RemoteWriteResult send(byte[] snappyBody) {
        return receiver.receive(snappyBody, "snappy", CT_V2, "2.0.0", sink, sink.context());
    }

    @Test
    void samplesHistogramsExemplarsAndMetadataAreDecodedFromTheSymbolTable() {
        V2RequestBuilder b = new V2RequestBuilder();
        b.series("__name__", "http_requests_total", "code", "200", "job", "api")
                .metadata(1, "Requests served.", "")
                .sample(10, 1000).sample(12, 2000)
                .exemplar(0.25, 1999, "trace_id", "abc123")
                .exemplar(0.5, 0, "trace_id", "def456") // no timestamp: the series' last sample's
                .createdTimestamp(500)
                .end();
        b.series("__name__", "latency_seconds", "job", "api")
                .metadata(4, "", "seconds")
                .histogram(3000, 5, 1.5, 2, 3)
                .end();

        RemoteWriteResult r = send(b.toSnappy());

        assertThat(r.status()).as(r.message()).isEqualTo(204);
        assertThat(r.version()).isEqualTo(2);
        assertThat(r.samplesAccepted()).isEqualTo(2);
        assertThat(r.histogramsAccepted()).isEqualTo(1);
        assertThat(r.exemplarsReceived()).isEqualTo(2);
        Labels requests = Labels.of("__name__", "http_requests_total", "code", "200", "job", "api");
        assertThat(sink.floats).extracting(RecordingSink.Float::labels).containsOnly(requests);
        assertThat(sink.floats).extracting(RecordingSink.Float::t).containsExactly(1000L, 2000L);
        assertThat(sink.floats.get(1).valueBits()).isEqualTo(Double.doubleToRawLongBits(12));
        // The second sample passes the ref the first append returned.
        assertThat(sink.floats.get(1).ref()).isEqualTo(1);
        assertThat(sink.exemplars).containsExactly(
                new RecordingSink.Exemplar(1, requests, Labels.of("trace_id", "abc123"), 1999, 0.25),
                new RecordingSink.Exemplar(1, requests, Labels.of("trace_id", "def456"), 2000, 0.5));
        RecordingSink.Hist h = sink.histograms.get(0);
        assertThat(h.labels()).isEqualTo(Labels.of("__name__", "latency_seconds", "job", "api"));
        assertThat(h.t()).isEqualTo(3000);
        assertThat(h.h().count).isEqualTo(5);
        assertThat(h.h().positiveBuckets).containsExactly(2, 3);
        assertThat(sink.metadata).containsExactly(
                new RecordingSink.Metadata("http_requests_total", MetricType.COUNTER, "Requests served.", ""),
                new RecordingSink.Metadata("latency_seconds", MetricType.GAUGEHISTOGRAM, "", "seconds"));
    }

    @Test
    void startTimestampsOfSamplesAndHistogramsReachTheSink() {
        V2RequestBuilder b = new V2RequestBuilder();
        b.series("__name__", "c_total").sampleStartingAt(3, 500, 1000).sampleStartingAt(1, 1500, 2000).sample(2, 3000).end();
        b.series("__name__", "h").histogramStartingAt(700, 4000, 5, 1.5, 2, 3).histogram(5000, 6, 2, 2, 4).end();

        RemoteWriteResult r = send(b.toSnappy());

        assertThat(r.status()).as(r.message()).isEqualTo(204);
        // The second sample is after a reset (a later start); the third has none.
        assertThat(sink.floats).extracting(RecordingSink.Float::st).containsExactly(500L, 1500L, 0L);
        assertThat(sink.histograms).extracting(RecordingSink.Hist::st).containsExactly(700L, 0L);
    }

    @Test
    void aSeriesCreatedTimestampIsTheStartOfItsSamplesWithoutOne() {
        V2RequestBuilder b = new V2RequestBuilder();
        // created_timestamp after the samples, as protobuf allows; the sample's own start wins over it.
        b.series("__name__", "c_total").sample(1, 1000).sampleStartingAt(2, 900, 2000).createdTimestamp(400).end();
        b.series("__name__", "h").createdTimestamp(300).histogram(4000, 5, 1.5, 2, 3).end();
        b.series("__name__", "g").sample(7, 1000).end();

        RemoteWriteResult r = send(b.toSnappy());

        assertThat(r.status()).as(r.message()).isEqualTo(204);
        assertThat(sink.floats).extracting(f -> f.labels().metricName() + " " + f.st())
                .containsExactly("c_total 400", "c_total 900", "g 0");
        assertThat(sink.histograms).extracting(RecordingSink.Hist::st).containsExactly(300L);
    }

    @Test
    void aStartAfterTheSampleOrBefore1970IsNone() {
        V2RequestBuilder b = new V2RequestBuilder();
        b.series("__name__", "c_total").sampleStartingAt(1, 1001, 1000).sampleStartingAt(2, 2000, 2000).end();
        b.series("__name__", "d_total").createdTimestamp(5000).sample(1, 1000).end();
        b.series("__name__", "e_total").sampleStartingAt(1, -62135596800001L, 3000).end();
        b.series("__name__", "h").histogramStartingAt(4001, 4000, 5, 1.5, 2, 3).end();

        RemoteWriteResult r = send(b.toSnappy());

        assertThat(r.status()).as(r.message()).isEqualTo(204);
        assertThat(sink.floats).extracting(RecordingSink.Float::st).containsExactly(0L, 2000L, 0L, 0L);
        assertThat(sink.histograms).extracting(RecordingSink.Hist::st).containsExactly(0L);
    }

    @Test
    void seriesKnownByRefKeepTheirStartTimestamps() {
        RecordingSink caching = new RecordingSink(new dev.sightline.ingest.SeriesRefCache(64));
        for (int i = 1; i <= 2; i++) {
            byte[] body = new V2RequestBuilder().series("__name__", "c_total", "job", "j").sampleStartingAt(i, 500, i * 1000L)
                    .end().toSnappy();
            assertThat(receiver.receive(body, "snappy", CT_V2, "2.0.0", caching, caching.context()).status()).isEqualTo(204);
        }
        assertThat(caching.floats.get(1).labels()).as("appended by ref alone").isNull();
        assertThat(caching.floats).extracting(RecordingSink.Float::st).containsExactly(500L, 500L);
    }

    @Test
    void oneZeroRequestsHaveNoStartTimestamps() {
        // Field 3 of a 1.0 Sample is no field of its schema: skipped, as a protobuf parser does.
        byte[] series = WriteRequestBuilder.message(ts -> {
            ts.writeByteArray(1, WriteRequestBuilder.message(l -> {
                l.writeString(1, "__name__");
                l.writeString(2, "m");
            }));
            ts.writeByteArray(2, WriteRequestBuilder.message(smp -> {
                smp.writeDouble(1, 7);
                smp.writeInt64(2, 70);
                smp.writeInt64(3, 10);
            }));
        });
        byte[] body = WriteRequestBuilder.snappy(WriteRequestBuilder.message(o -> o.writeByteArray(1, series)));
        RemoteWriteResult r = receiver.receive(body, "snappy", "application/x-protobuf", null, sink, sink.context());
        assertThat(r.status()).as(r.message()).isEqualTo(204);
        assertThat(sink.floats).extracting(RecordingSink.Float::st).containsExactly(0L);
    }

    @Test
    void symbolsMayComeAfterTheSeries() {
        byte[] body = new V2RequestBuilder().symbolsLast().series("__name__", "m", "a", "b").sample(1, 1).end().toSnappy();
        RemoteWriteResult r = send(body);
        assertThat(r.status()).as(r.message()).isEqualTo(204);
        assertThat(sink.floats).extracting(RecordingSink.Float::labels).containsExactly(Labels.of("__name__", "m", "a", "b"));
    }

    @Test
    void aLabelRefOutsideTheSymbolTableIsMalformedAndNothingIsKept() {
        V2RequestBuilder b = new V2RequestBuilder();
        b.series("__name__", "good").sample(1, 1).end();
        int name = b.ref("__name__");
        b.seriesRefs(name, 99).sample(1, 1).end();

        RemoteWriteResult r = send(b.toSnappy());

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.commit()).isFalse();
        assertThat(r.message()).startsWith("malformed protobuf io.prometheus.write.v2.Request at byte offset ")
                .contains("timeseries labels_refs[1] refers to symbol 99 but the request has 3 symbols");
    }

    @Test
    void anOddNumberOfLabelRefsIsMalformed() {
        V2RequestBuilder b = new V2RequestBuilder();
        int name = b.ref("__name__");
        b.seriesRefs(name, b.ref("m"), name).sample(1, 1).end();
        RemoteWriteResult r = send(b.toSnappy());
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.message()).contains("timeseries labels_refs has 3 entries, not name/value pairs");
    }

    @Test
    void badExemplarAndMetadataRefsAreMalformed() {
        V2RequestBuilder b = new V2RequestBuilder();
        b.series("__name__", "m").sample(1, 1).exemplarRefs(1, 1, b.ref("trace_id"), 42).end();
        assertThat(send(b.toSnappy()).message()).contains("exemplar labels_refs[1] refers to symbol 42");

        byte[] md = new V2RequestBuilder().series("__name__", "m").sample(1, 1).end().toProto();
        // Append a second series whose metadata points at symbol 77: built by hand on the raw message.
        byte[] badMetadata = WriteRequestBuilder.message(o -> {
            o.writeByteArray(5, WriteRequestBuilder.message(ts -> {
                ts.writeByteArray(5, WriteRequestBuilder.message(m -> {
                    m.writeEnum(1, 1);
                    m.writeUInt32(3, 77);
                }));
            }));
        });
        byte[] joined = Arrays.copyOf(md, md.length + badMetadata.length);
        System.arraycopy(badMetadata, 0, joined, md.length, badMetadata.length);
        RemoteWriteResult r = send(WriteRequestBuilder.snappy(joined));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.message()).contains("metadata help_ref refers to symbol 77");
    }

    @Test
    void aTruncatedRequestIsMalformedAtEveryCut() {
        byte[] proto = new V2RequestBuilder().series("__name__", "m", "job", "j").sample(1, 1000).exemplar(1, 1000, "trace_id", "t")
                .end().toProto();
        int malformed = 0;
        for (int cut = 1; cut < proto.length; cut++) {
            RecordingSink s = new RecordingSink();
            RemoteWriteResult r = receiver.receive(WriteRequestBuilder.snappy(Arrays.copyOf(proto, cut)), "snappy", CT_V2, null, s, s.context());
            // A cut exactly between two symbols is a shorter, valid request; every other cut is malformed.
            if (r.status() == 400) {
                malformed++;
                assertThat(r.commit()).isFalse();
                assertThat(r.message()).startsWith("malformed protobuf io.prometheus.write.v2.Request at byte offset ");
            } else {
                assertThat(r.status()).as("cut at %d", cut).isEqualTo(204);
                assertThat(s.floats).isEmpty();
            }
        }
        assertThat(malformed).isGreaterThan(proto.length / 2);
    }

    @Test
    void invalidUtf8InALabelSymbolRefusesThatSeriesOnly() {
        V2RequestBuilder b = new V2RequestBuilder();
        b.series("__name__", "good").sample(1, 1).end();
        int bad = b.rawSymbol(new byte[]{(byte) 0xc3, (byte) 0x28});
        b.seriesRefs(b.ref("__name__"), b.ref("m"), b.ref("job"), bad).sample(1, 1).sample(2, 2).end();

        RemoteWriteResult r = send(b.toSnappy());

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.commit()).isTrue();
        assertThat(r.rejected()).containsEntry(Reason.INVALID_LABEL_VALUE, 2L);
        assertThat(r.message()).contains("value of label \"job\"").contains("is not valid UTF-8");
        assertThat(sink.floats).extracting(RecordingSink.Float::labels).containsExactly(Labels.of("__name__", "good"));
    }

    @Test
    void unpackedLabelRefsAreReadToo() {
        V2RequestBuilder b = new V2RequestBuilder();
        int n = b.ref("__name__"), v = b.ref("m");
        byte[] series = WriteRequestBuilder.message(ts -> {
            ts.writeUInt32(1, n);
            ts.writeUInt32(1, v);
            ts.writeByteArray(2, WriteRequestBuilder.message(s -> {
                s.writeDouble(1, 7);
                s.writeInt64(2, 70);
            }));
        });
        byte[] symbols = b.toProto();
        byte[] joined = Arrays.copyOf(symbols, symbols.length + series.length + 2);
        joined[symbols.length] = (5 << 3) | 2;
        joined[symbols.length + 1] = (byte) series.length;
        System.arraycopy(series, 0, joined, symbols.length + 2, series.length);

        RemoteWriteResult r = send(WriteRequestBuilder.snappy(joined));

        assertThat(r.status()).as(r.message()).isEqualTo(204);
        assertThat(sink.floats).extracting(RecordingSink.Float::labels).containsExactly(Labels.of("__name__", "m"));
    }

    @Test
    void aSeriesWithoutLabelsIsRefusedNamingTheMetricName() {
        byte[] body = new V2RequestBuilder().seriesRefs().sample(1, 1).end().toSnappy();
        RemoteWriteResult r = send(body);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.rejectedTotal()).isEqualTo(1);
    }

    @Test
    void aOneZeroBodySentAsTwoZeroDecodesToNothing() {
        // 2.0 reserves 1.0's field numbers so that the wrong schema gives an empty message, not garbage.
        byte[] v1 = new WriteRequestBuilder().series("__name__", "m").sample(1, 1).end().toSnappy();
        RemoteWriteResult r = send(v1);
        assertThat(r.status()).isEqualTo(204);
        assertThat(r.samplesAccepted()).isZero();
        assertThat(sink.floats).isEmpty();
    }
}
