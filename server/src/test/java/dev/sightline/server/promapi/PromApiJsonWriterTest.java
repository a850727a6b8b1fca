package dev.sightline.server.promapi;

import dev.sightline.core.Labels;
import dev.sightline.core.text.GoFloats;
import dev.sightline.promql.engine.Matrix;
import dev.sightline.promql.engine.MatrixSeries;
import dev.sightline.promql.engine.Sample;
import dev.sightline.promql.engine.Scalar;
import dev.sightline.promql.engine.Vector;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PromApiJsonWriterTest {
    private static String timestamp(long ms) {
        return PromApiJsonWriter.render(g -> PromApiJsonWriter.timestamp(g, ms)).toString();
    }

    @Test
    void timestampsAsSecondsWithMilliseconds() {
        assertThat(timestamp(1435781451781L)).isEqualTo("1435781451.781");
        assertThat(timestamp(1435781451010L)).isEqualTo("1435781451.010");
        assertThat(timestamp(1435781451001L)).isEqualTo("1435781451.001");
        assertThat(timestamp(1435781451000L)).isEqualTo("1435781451");
        assertThat(timestamp(0)).isEqualTo("0");
        assertThat(timestamp(-1500)).isEqualTo("-1.500");
        assertThat(timestamp(-999)).isEqualTo("-0.999");
        assertThat(timestamp(Long.MIN_VALUE)).isEqualTo("-9223372036854775.808");
        assertThat(timestamp(Long.MAX_VALUE)).isEqualTo("9223372036854775.807");
    }

    @Test
    void matrixPointsAsPrometheusWritesThem() {
        MatrixSeries a = new MatrixSeries(Labels.of("__name__", "up", "job", "a\"b"));
        a.addFloat(1000, 1);
        a.addFloat(61_500, 0.1 + 0.2);
        a.addFloat(122_001, Double.NaN);
        a.addFloat(183_000, Double.NEGATIVE_INFINITY);
        MatrixSeries empty = new MatrixSeries(Labels.of("job", "x"));
        String json = PromApiJsonWriter.render(g -> PromApiJsonWriter.queryData(g, new Matrix(List.of(a, empty)))).toString();
        assertThat(json).isEqualTo("{\"resultType\":\"matrix\",\"result\":[{\"metric\":{\"__name__\":\"up\",\"job\":\"a\\\"b\"},"
                + "\"values\":[[1,\"1\"],[61.500,\"0.30000000000000004\"],[122.001,\"NaN\"],[183,\"-Inf\"]]},"
                + "{\"metric\":{\"job\":\"x\"}}]}");
    }

    /** A series longer than the byte scratch goes out in pieces; every point is still there, in order, once. */
    @Test
    void longSeriesCrossTheScratchIntact() {
        SplittableRandom r = new SplittableRandom(7);
        MatrixSeries s = new MatrixSeries(Labels.of("job", "long"));
        StringBuilder expected = new StringBuilder("{\"resultType\":\"matrix\",\"result\":[{\"metric\":{\"job\":\"long\"},\"values\":[");
        for (int i = 0; i < 5000; i++) {
            double v = r.nextBoolean() ? 1e8 + r.nextDouble() * 1e9 : Double.longBitsToDouble(r.nextLong());
            s.addFloat(1_700_000_000_000L + i * 15_250L, v);
            expected.append(i > 0 ? "," : "").append('[').append(timestamp(1_700_000_000_000L + i * 15_250L))
                    .append(",\"").append(jsonValue(v)).append("\"]");
        }
        expected.append("]}]}");
        String json = PromApiJsonWriter.render(g -> PromApiJsonWriter.queryData(g, new Matrix(List.of(s)))).toString();
        assertThat(json).isEqualTo(expected.toString());
    }

    /** A matrix past the split size is encoded in parts on several threads; the bytes are those of one pass. */
    @Test
    void aLargeMatrixEncodedInPartsKeepsItsBytes() {
        SplittableRandom r = new SplittableRandom(11);
        List<MatrixSeries> series = new java.util.ArrayList<>();
        StringBuilder expected = new StringBuilder("{\"resultType\":\"matrix\",\"result\":[");
        long points = 0;
        for (int k = 0; k < 37; k++) {
            MatrixSeries s = new MatrixSeries(Labels.of("__name__", "m", "k", Integer.toString(k)));
            expected.append(k > 0 ? "," : "").append("{\"metric\":{\"__name__\":\"m\",\"k\":\"").append(k).append("\"}");
            int n = k % 5 == 0 ? 0 : 1 + r.nextInt(4000); // empty series and uneven lengths
            for (int i = 0; i < n; i++) {
                double v = 1e8 + r.nextDouble() * 1e9;
                s.addFloat(1_700_000_000_000L + i * 60_000L, v);
                expected.append(i == 0 ? ",\"values\":[" : ",").append('[').append(timestamp(1_700_000_000_000L + i * 60_000L))
                        .append(",\"").append(jsonValue(v)).append("\"]");
            }
            expected.append(n > 0 ? "]}" : "}");
            points += n;
            series.add(s);
        }
        expected.append("]}");
        assertThat(points).isGreaterThan(PromApiJsonWriter.SPLIT_POINTS);
        assertThat(PromApiJsonWriter.cuts(series, 4)).hasSizeGreaterThan(2);
        String json = PromApiJsonWriter.render(g -> PromApiJsonWriter.queryData(g, new Matrix(series))).toString();
        assertThat(json).isEqualTo(expected.toString());
    }

    /**
     * A large matrix writes each point's opening from a cache by timestamp: the widest timestamps, fractions and
     * negative ones come out as without it, in every series sharing them, past the cache's fill limit too.
     */
    @Test
    void cachedPointOpeningsKeepEveryTimestampsForm() {
        long[] odd = {Long.MIN_VALUE, Long.MAX_VALUE, -1500, -999, 0, 1435781451010L, 1435781451001L, 1435781451781L};
        List<MatrixSeries> series = new java.util.ArrayList<>();
        StringBuilder expected = new StringBuilder("{\"resultType\":\"matrix\",\"result\":[");
        for (int k = 0; k < 2; k++) {
            MatrixSeries s = new MatrixSeries(Labels.of("k", Integer.toString(k)));
            expected.append(k > 0 ? "," : "").append("{\"metric\":{\"k\":\"").append(k).append("\"},\"values\":[");
            for (int i = 0; i < 5000; i++) {
                long t = i < odd.length ? odd[i] : 1_700_000_000_000L + i * 15_001L;
                s.addFloat(t, i);
                expected.append(i > 0 ? "," : "").append('[').append(timestamp(t)).append(",\"").append(i).append("\"]");
            }
            expected.append("]}");
            series.add(s);
        }
        expected.append("]}");
        // 10,000 points: the cache is on, and one part writes both series through it.
        assertThat(PromApiJsonWriter.cuts(series, 2)).containsExactly(0, 2);
        String json = PromApiJsonWriter.render(g -> PromApiJsonWriter.queryData(g, new Matrix(series))).toString();
        assertThat(json).isEqualTo(expected.toString());
    }

    @Test
    void matrixPartsHoldAboutEqualPointsAndNoneIsEmpty() {
        List<MatrixSeries> even = new java.util.ArrayList<>();
        for (int k = 0; k < 100; k++) {
            MatrixSeries s = new MatrixSeries(Labels.of("k", Integer.toString(k)));
            for (int i = 0; i < 1000; i++) {
                s.addFloat(i, i);
            }
            even.add(s);
        }
        assertThat(PromApiJsonWriter.cuts(even, 4)).containsExactly(0, 25, 50, 75, 100);
        assertThat(PromApiJsonWriter.cuts(even, 1)).containsExactly(0, 100);
        // All the points in the first series: it is a part of its own, the rest share the other.
        MatrixSeries big = even.getFirst();
        for (int i = 1000; i < 200_000; i++) {
            big.addFloat(i, i);
        }
        assertThat(PromApiJsonWriter.cuts(even, 2)).containsExactly(0, 1, 100);
        assertThat(PromApiJsonWriter.cuts(even.subList(0, 3), 8)).containsExactly(0, 1, 2, 3);
        assertThat(PromApiJsonWriter.cuts(even.subList(50, 60), 4)).containsExactly(0, 10);
    }

    @Test
    void vectorsAndScalars() {
        Vector v = new Vector(List.of(new Sample(Labels.of("a", "1"), 2000, 1.5), new Sample(Labels.of("a", "2"), 2000, -0.0)));
        assertThat(PromApiJsonWriter.render(g -> PromApiJsonWriter.queryData(g, v)).toString()).isEqualTo(
                "{\"resultType\":\"vector\",\"result\":[{\"metric\":{\"a\":\"1\"},\"value\":[2,\"1.5\"]},"
                        + "{\"metric\":{\"a\":\"2\"},\"value\":[2,\"-0\"]}]}");
        assertThat(PromApiJsonWriter.render(g -> PromApiJsonWriter.queryData(g, new Scalar(1, 1e21))).toString())
                .isEqualTo("{\"resultType\":\"scalar\",\"result\":[0.001,\"1000000000000000000000\"]}");
        // Prometheus 2.42 writes a scalar's 1e21 in full but a vector's as 1e+21 (jsonutil.MarshalValue).
        Vector big = new Vector(List.of(new Sample(Labels.of(), 1000, 1e21), new Sample(Labels.of(), 1000, 1.5e-7)));
        assertThat(PromApiJsonWriter.render(g -> PromApiJsonWriter.queryData(g, big)).toString()).isEqualTo(
                "{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":[1,\"1e+21\"]},"
                        + "{\"metric\":{},\"value\":[1,\"1.5e-07\"]}]}");
    }

    @Test
    void pointsNeedTheBufferGenerator() throws Exception {
        try (var g = new com.fasterxml.jackson.core.JsonFactory().createGenerator(new java.io.StringWriter())) {
            assertThatThrownBy(() -> PromApiJsonWriter.point(g, 0, 1)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("PromApiJsonWriter.render");
        }
    }

    /** Prometheus's jsonutil.MarshalValue through GoFloats' own formats: 'e' below 1e-6 and from 1e21 on, else 'f'. */
    private static String jsonValue(double v) {
        double a = Math.abs(v);
        return a != 0 && (a < 1e-6 || a >= 1e21) ? GoFloats.formatE(v) : GoFloats.formatF(v);
    }
}
