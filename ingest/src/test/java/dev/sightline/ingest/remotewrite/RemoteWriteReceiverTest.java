package dev.sightline.ingest.remotewrite;

import dev.sightline.core.Histogram;
import dev.sightline.core.LabelLimits;
import dev.sightline.core.Labels;
import dev.sightline.core.Staleness;
import dev.sightline.core.ValidationException.Reason;
import dev.sightline.ingest.IngestContext;
import dev.sightline.ingest.IngestLimits;
import dev.sightline.ingest.LimitedSink;
import dev.sightline.ingest.MetricType;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class RemoteWriteReceiverTest {
    private static final String CT = "application/x-protobuf";
    private final RemoteWriteReceiver receiver = new RemoteWriteReceiver(IngestLimits.DEFAULT);
    private final RecordingSink sink = new RecordingSink();

    private RemoteWriteResult send(byte[] body) {
        return receiver.receive(body, "snappy", CT, "0.1.0", sink, sink.context());
    }

    /**
     * A request of one series labelled __name__="x" whose message also holds an unknown field 5 as a group nesting
     * {@code depth} groups of itself: start tags, then end tags.
     */
    private static byte[] seriesWithNestedGroups(int depth) {
        java.io.ByteArrayOutputStream series = new java.io.ByteArrayOutputStream();
        series.writeBytes(new byte[] {0x0A, 13, 0x0A, 8});
        series.writeBytes("__name__".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        series.writeBytes(new byte[] {0x12, 1, 'x'});
        for (int i = 0; i < 2 * depth; i++) {
            series.write(i < depth ? (5 << 3) | 3 : (5 << 3) | 4);
        }
        java.io.ByteArrayOutputStream request = new java.io.ByteArrayOutputStream();
        request.write(0x0A);
        for (int len = series.size(); ; len >>>= 7) {
            if (len < 0x80) {
                request.write(len);
                break;
            }
            request.write((len & 0x7F) | 0x80);
        }
        request.writeBytes(series.toByteArray());
        return WriteRequestBuilder.snappy(request.toByteArray());
    }

    @Test
    void deeplyNestedUnknownGroupsAreRefusedNotAStackOverflow() {
        // Found by benchmarks/fuzz.sh (seed 20261206, input 172755 of remote-write-1.0): skipping an unknown group in a
        // series recursed once per level. Nested a little, the group is skipped and the request accepted.
        assertThat(send(seriesWithNestedGroups(50)).status()).isEqualTo(204);
        RemoteWriteResult r = send(seriesWithNestedGroups(100_000));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.message()).startsWith("malformed protobuf WriteRequest at byte offset ")
                .contains("groups nested more than " + WriteRequestDecoder.MAX_GROUP_DEPTH + " deep");
    }

    @Test
    void roundTripKeepsLabelsTimestampsAndExactValueBits() {
        double[] values = {1.5, -0.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN, Staleness.STALE_NAN,
                Double.longBitsToDouble(0x7ff8dead_beef0001L), Double.MIN_VALUE, -1e300};
        WriteRequestBuilder.SeriesBuilder s = new WriteRequestBuilder()
                .series("job", "node", "__name__", "up", "instance", "h:9100");
        for (int i = 0; i < values.length; i++) {
            s.sample(values[i], 1_700_000_000_000L + i * 1000L);
        }
        byte[] body = s.end()
                .series("__name__", "http_requests_total", "code", "200").sample(42, -5).end()
                .metadata(1, "http_requests_total", "Requests.", "")
                .toSnappy();

        RemoteWriteResult r = send(body);

        assertThat(r.status()).isEqualTo(204);
        assertThat(r.commit()).isTrue();
        assertThat(r.samplesAccepted()).isEqualTo(values.length + 1);
        assertThat(r.rejectedTotal()).isZero();
        Labels up = Labels.of("__name__", "up", "instance", "h:9100", "job", "node");
        for (int i = 0; i < values.length; i++) {
            RecordingSink.Float f = sink.floats.get(i);
            assertThat(f.labels()).isEqualTo(up);
            assertThat(f.t()).isEqualTo(1_700_000_000_000L + i * 1000L);
            assertThat(f.valueBits()).as("sample %d", i).isEqualTo(Double.doubleToRawLongBits(values[i]));
        }
        // The ref the sink returned comes back on the next append of the same series; a new series starts at 0.
        assertThat(sink.floats.get(0).ref()).isZero();
        assertThat(sink.floats.get(1).ref()).isEqualTo(1);
        assertThat(sink.floats.get(values.length).ref()).isZero();
        assertThat(sink.floats.get(values.length).t()).isEqualTo(-5);
        assertThat(sink.metadata).containsExactly(new RecordingSink.Metadata("http_requests_total", MetricType.COUNTER, "Requests.", ""));
    }

    @Test
    void exemplarsReachTheSinkWithTheirSeries() {
        byte[] body = new WriteRequestBuilder()
                .series("__name__", "latency_bucket", "le", "0.5")
                .sample(3, 1000).exemplar(0.37, 999, "trace_id", "abc123").end()
                .toSnappy();
        RemoteWriteResult r = send(body);
        assertThat(r.status()).isEqualTo(204);
        assertThat(r.exemplarsReceived()).isEqualTo(1);
        RecordingSink.Exemplar e = sink.exemplars.getFirst();
        assertThat(e.series()).isEqualTo(Labels.of("__name__", "latency_bucket", "le", "0.5"));
        assertThat(e.labels()).isEqualTo(Labels.of("trace_id", "abc123"));
        assertThat(e.t()).isEqualTo(999);
        assertThat(e.v()).isEqualTo(0.37);
    }

    @Test
    void integerHistogramDeltasBecomeAbsoluteCounts() {
        byte[] body = new WriteRequestBuilder()
                .series("__name__", "rpc_seconds")
                .intHistogram(5000, 19, 33.5, 2, 1e-128, 3,
                        new int[][]{{-1, 2}, {3, 1}}, new long[]{2, 3, -4},
                        new int[][]{{0, 2}}, new long[]{5, -3}, 2)
                .end().toSnappy();

        RemoteWriteResult r = send(body);

        assertThat(r.status()).as(r.message()).isEqualTo(204);
        assertThat(r.histogramsAccepted()).isEqualTo(1);
        RecordingSink.Hist h = sink.histograms.getFirst();
        assertThat(h.t()).isEqualTo(5000);
        Histogram expected = new Histogram(Histogram.CounterResetHint.NOT_COUNTER_RESET, 2, 1e-128, 3, 19, 33.5,
                new int[]{-1, 3}, new int[]{2, 1}, new double[]{2, 5, 1},
                new int[]{0}, new int[]{2}, new double[]{5, 2}, null);
        assertThat(h.h()).isEqualTo(expected);
    }

    @Test
    void floatHistogramWithCustomBucketsKeepsCountsAndBounds() {
        byte[] body = new WriteRequestBuilder()
                .series("__name__", "nhcb")
                .floatHistogram(7000, 6.5, 10, Histogram.CUSTOM_BUCKETS_SCHEMA, 0,
                        new int[][]{{0, 3}}, new double[]{1.5, 0, 5}, new double[]{0.1, 1, 10})
                .end().toSnappy();

        RemoteWriteResult r = send(body);

        assertThat(r.status()).as(r.message()).isEqualTo(204);
        Histogram h = sink.histograms.getFirst().h();
        assertThat(h.schema).isEqualTo(Histogram.CUSTOM_BUCKETS_SCHEMA);
        assertThat(h.count).isEqualTo(6.5);
        assertThat(h.positiveBuckets).containsExactly(1.5, 0, 5);
        assertThat(h.customValues).containsExactly(0.1, 1, 10);
        assertThat(h.counterResetHint).isEqualTo(Histogram.CounterResetHint.UNKNOWN);
    }

    @Test
    void invalidHistogramIsRefusedAndTheRestKept() {
        byte[] body = new WriteRequestBuilder()
                .series("__name__", "bad_hist")
                // Spans cover 3 buckets but only 2 deltas are given.
                .intHistogram(1000, 5, 1, 0, 0, 0, new int[][]{{0, 3}}, new long[]{1, 1}, new int[0][], new long[0], 0)
                .end()
                .series("__name__", "good").sample(1, 1000).end()
                .toSnappy();

        RemoteWriteResult r = send(body);

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.commit()).isTrue();
        assertThat(r.rejected()).containsEntry(Reason.INVALID_HISTOGRAM, 1L);
        assertThat(r.message()).contains("bad_hist").contains("spans cover 3 buckets but 2 counts");
        assertThat(sink.seriesSeen()).containsExactly(Labels.of("__name__", "good"));
    }

    @Test
    void tenThousandLabelsRefuseThatSeriesNamingTheLimitAndKeepTheOthers() {
        WriteRequestBuilder b = new WriteRequestBuilder();
        WriteRequestBuilder.SeriesBuilder huge = b.series("__name__", "wide");
        for (int i = 0; i < 10_000; i++) {
            huge.label(("l" + i).getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8));
        }
        huge.sample(1, 1000).sample(2, 2000).end();
        byte[] body = b.series("__name__", "narrow").sample(7, 1000).end().toSnappy();

        RemoteWriteResult r = send(body);

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.commit()).isTrue();
        assertThat(r.message()).contains("10001 labels").contains("limit of 64").contains("max_label_names_per_series");
        assertThat(r.rejected()).containsExactlyEntriesOf(java.util.Map.of(Reason.TOO_MANY_LABELS, 2L));
        assertThat(r.samplesAccepted()).isEqualTo(1);
        assertThat(sink.seriesSeen()).containsExactly(Labels.of("__name__", "narrow"));
        assertThat(r.message().length()).as("message stays short").isLessThan(2000);
    }

    @Test
    void invalidUtf8LabelValueRefusesOnlyThatSeries() {
        byte[] body = new WriteRequestBuilder()
                .series("__name__", "m").label("path".getBytes(StandardCharsets.UTF_8), new byte[]{'a', (byte) 0xc3, '(' })
                .sample(1, 1000).end()
                .series("__name__", "m", "path", "ok/é").sample(2, 1000).end()
                .toSnappy();

        RemoteWriteResult r = send(body);

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.rejected()).containsExactlyEntriesOf(java.util.Map.of(Reason.INVALID_LABEL_VALUE, 1L));
        assertThat(r.message()).contains("value of label \"path\"").contains("not valid UTF-8");
        assertThat(sink.seriesSeen()).containsExactly(Labels.of("__name__", "m", "path", "ok/é"));
    }

    @Test
    void duplicateLabelMissingNameAndBadNameAreRefusedWithTheirReasons() {
        byte[] body = new WriteRequestBuilder()
                .series("__name__", "a", "x", "1", "x", "2").sample(1, 1).end()
                .series("job", "nameless").sample(1, 1).end()
                .series("__name__", "b", "bad-name", "v").sample(1, 1).end()
                .series("__name__", "c").sample(1, 1).end()
                .toSnappy();

        RemoteWriteResult r = send(body);

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.rejected()).containsEntry(Reason.DUPLICATE_LABEL_NAME, 1L)
                .containsEntry(Reason.MISSING_METRIC_NAME, 1L)
                .containsEntry(Reason.INVALID_LABEL_NAME, 1L);
        assertThat(r.errors()).hasSize(3);
        assertThat(sink.seriesSeen()).containsExactly(Labels.of("__name__", "c"));
    }

    @Test
    void samplesTheSinkRefusesAreCountedAndTheOthersKept() {
        byte[] body = new WriteRequestBuilder()
                .series("__name__", "m").sample(1, 2000).sample(2, 1000).sample(3, 3000).end()
                .toSnappy();

        RemoteWriteResult r = send(body);

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.commit()).isTrue();
        assertThat(r.samplesAccepted()).isEqualTo(2);
        assertThat(r.rejected()).containsExactlyEntriesOf(java.util.Map.of(Reason.OUT_OF_ORDER_SAMPLE, 1L));
        assertThat(r.message()).startsWith("1 of 3 samples refused (out_of_order_sample: 1)").contains("sample at 1000");
    }

    @Test
    void errorListIsCappedButEveryRefusalCounted() {
        RemoteWriteReceiver small = new RemoteWriteReceiver(IngestLimits.DEFAULT.withMaxReportedErrors(2));
        WriteRequestBuilder b = new WriteRequestBuilder();
        for (int i = 0; i < 5; i++) {
            b.series("job", "j" + i).sample(1, 1).end();
        }
        RemoteWriteResult r = small.receive(b.toSnappy(), "snappy", CT, null, sink, sink.context());
        assertThat(r.rejected()).containsExactlyEntriesOf(java.util.Map.of(Reason.MISSING_METRIC_NAME, 5L));
        assertThat(r.errors()).hasSize(2);
        assertThat(r.message()).contains("only the first 2 errors");
    }

    @Test
    void seriesPerMetricLimitRefusesNewSeriesButNotKnownOnes() {
        RemoteWriteReceiver limited = new RemoteWriteReceiver(IngestLimits.DEFAULT);
        LimitedSink sink = new LimitedSink(this.sink, 2);
        byte[] first = new WriteRequestBuilder()
                .series("__name__", "m", "i", "1").sample(1, 1).end()
                .series("__name__", "m", "i", "2").sample(1, 1).end()
                .toSnappy();
        assertThat(limited.receive(first, "snappy", CT, null, sink, sink.context()).status()).isEqualTo(204);
        byte[] second = new WriteRequestBuilder()
                .series("__name__", "m", "i", "1").sample(2, 2).end()
                .series("__name__", "m", "i", "3").sample(1, 1).end()
                .series("__name__", "other").sample(1, 1).end()
                .toSnappy();
        RemoteWriteResult r = limited.receive(second, "snappy", CT, null, sink, sink.context());
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.rejected()).containsExactlyEntriesOf(java.util.Map.of(Reason.SERIES_LIMIT_EXCEEDED, 1L));
        assertThat(r.message()).contains("max_series_per_metric").contains("\"m\"");
        assertThat(r.samplesAccepted()).isEqualTo(2);
    }

    @Test
    void declaredSizeOverTheLimitIs413BeforeDecompressing() {
        // Header declares 3 GiB; the "block" after it is nonsense that is never looked at.
        byte[] body = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x0c, 0x00, 0x01};
        RemoteWriteResult r = send(body);
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.commit()).isFalse();
        assertThat(r.message()).contains("3221225472 bytes").contains("limit of " + (64L << 20)).contains("max_request_body_bytes");
        assertThat(sink.floats).isEmpty();
    }

    @Test
    void truncatedSnappyIs400WithOffset() {
        byte[] body = new WriteRequestBuilder().series("__name__", "m").sample(1, 1).end().toSnappy();
        RemoteWriteResult r = send(Arrays.copyOf(body, body.length - 3));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.commit()).isFalse();
        assertThat(r.message()).startsWith("malformed snappy block at byte offset ");
    }

    @Test
    void truncatedProtobufIs400WithOffsetAndNothingCommitted() {
        byte[] proto = new WriteRequestBuilder()
                .series("__name__", "first").sample(1, 1).end()
                .series("__name__", "second").sample(1, 1).end()
                .toProto();
        byte[] cut = Arrays.copyOf(proto, proto.length - 4);
        RemoteWriteResult r = send(WriteRequestBuilder.snappy(cut));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.commit()).as("a malformed request is rolled back as a whole").isFalse();
        assertThat(r.message()).startsWith("malformed protobuf WriteRequest at byte offset ");
    }

    @Test
    void unsupportedContentTypesAndEncodingsAre415() {
        byte[] body = new WriteRequestBuilder().series("__name__", "m").sample(1, 1).end().toSnappy();
        RemoteWriteResult v3 = receiver.receive(body, "snappy", "application/x-protobuf;proto=io.prometheus.write.v3.Request", "3.0.0", sink, sink.context());
        assertThat(v3.status()).isEqualTo(415);
        assertThat(v3.message()).contains("(X-Prometheus-Remote-Write-Version 3.0.0)").contains("proto=io.prometheus.write.v2.Request (2.0)");
        assertThat(receiver.receive(body, "gzip", CT, null, sink, sink.context()).status()).isEqualTo(415);
        assertThat(receiver.receive(body, "snappy", "application/json", null, sink, sink.context()).status()).isEqualTo(415);
        assertThat(sink.floats).isEmpty();

        assertThat(receiver.receive(body, "snappy", "application/x-protobuf; proto=prometheus.WriteRequest", "0.1.0", sink, sink.context()).status()).isEqualTo(204);
        assertThat(receiver.receive(body, null, null, null, new RecordingSink(), IngestContext.NONE).status()).isEqualTo(204);
    }

    @Test
    void utf8LabelNamesPassWithTheUtf8Scheme() {
        RemoteWriteReceiver utf8 = new RemoteWriteReceiver(IngestLimits.DEFAULT.withLabelLimits(
                new LabelLimits(LabelLimits.NameScheme.UTF8, 64, 256, 4096)));
        byte[] body = new WriteRequestBuilder().series("__name__", "my.metric", "http.status", "200").sample(1, 1).end().toSnappy();
        assertThat(utf8.receive(body, "snappy", CT, null, sink, sink.context()).status()).isEqualTo(204);
        assertThat(send(body).status()).isEqualTo(400);
    }
}
