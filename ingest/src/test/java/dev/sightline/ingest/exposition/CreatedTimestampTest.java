package dev.sightline.ingest.exposition;

import dev.sightline.ingest.exposition.ExpositionParser.Entry;
import dev.sightline.ingest.exposition.ExpositionParser.Format;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Start timestamps of OpenMetrics samples from their family's {@code _created} line. */
class CreatedTimestampTest {
    /** "series start" per sample, start in ms (0: none), series as written. */
    static List<String> starts(Format f, String text) throws ExpositionException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        ExpositionParser p = new ExpositionParser(f, b, 0, b.length);
        List<String> out = new ArrayList<>();
        for (Entry e = p.next(); e != Entry.EOF; e = p.next()) {
            if (e == Entry.SAMPLE) {
                out.add(new String(b, p.seriesStart(), p.seriesEnd() - p.seriesStart(), StandardCharsets.UTF_8) + " " + p.startTimestamp());
            }
        }
        return out;
    }

    static List<String> om(String text) throws ExpositionException {
        return starts(Format.OPENMETRICS, text);
    }

    @Test
    void counterTakesItsCreatedLineAndKeepsTheCreatedSeries() throws Exception {
        assertThat(om("""
                # TYPE foo counter
                foo_total{a="b"} 17
                foo_created{a="b"} 1.7e9
                # EOF
                """)).containsExactly("foo_total{a=\"b\"} 1700000000000", "foo_created{a=\"b\"} 0");
    }

    @Test
    void withoutCreatedThereIsNoStart() throws Exception {
        assertThat(om("""
                # TYPE foo counter
                foo_total 17
                # TYPE lat histogram
                lat_bucket{le="+Inf"} 1
                lat_count 1
                lat_sum 2
                # TYPE q summary
                q{quantile="0.5"} 1
                q_count 1
                q_sum 1
                # EOF
                """)).allMatch(s -> s.endsWith(" 0"));
    }

    @Test
    void histogramBucketsCountAndSumIgnoringLe() throws Exception {
        assertThat(om("""
                # TYPE lat histogram
                lat_bucket{le="0.1",path="/a"} 3
                lat_bucket{path="/a",le="+Inf"} 5
                lat_count{path="/a"} 5
                lat_sum{path="/a"} 1.2
                lat_created{path="/a"} 1700000000.25
                lat_bucket{path="/b",le="+Inf"} 1
                lat_count{path="/b"} 1
                lat_sum{path="/b"} 0.5
                lat_created{path="/b"} 1600000000
                # EOF
                """)).containsExactly(
                "lat_bucket{le=\"0.1\",path=\"/a\"} 1700000000250", "lat_bucket{path=\"/a\",le=\"+Inf\"} 1700000000250",
                "lat_count{path=\"/a\"} 1700000000250", "lat_sum{path=\"/a\"} 1700000000250", "lat_created{path=\"/a\"} 0",
                "lat_bucket{path=\"/b\",le=\"+Inf\"} 1600000000000", "lat_count{path=\"/b\"} 1600000000000",
                "lat_sum{path=\"/b\"} 1600000000000", "lat_created{path=\"/b\"} 0");
    }

    @Test
    void summaryQuantilesCountAndSumIgnoringQuantile() throws Exception {
        assertThat(om("""
                # TYPE rpc summary
                rpc{quantile="0.5",m="get"} 0.1
                rpc{quantile="0.9",m="get"} 0.3
                rpc_count{m="get"} 9
                rpc_sum{m="get"} 1.5
                rpc_created{m="get"} 1.7000000001234e+09
                # EOF
                """)).containsExactly("rpc{quantile=\"0.5\",m=\"get\"} 1700000000123", "rpc{quantile=\"0.9\",m=\"get\"} 1700000000123",
                "rpc_count{m=\"get\"} 1700000000123", "rpc_sum{m=\"get\"} 1700000000123", "rpc_created{m=\"get\"} 0");
    }

    @Test
    void severalLabelSetsEachTakeTheirOwnInAnyLabelOrder() throws Exception {
        assertThat(om("""
                # TYPE req counter
                req_total{code="200",m="get"} 10
                req_created{m="get",code="200"} 100
                req_total{code="500",m="get"} 1
                req_created{code="500",m="get"} 200
                req_total{code="404",m="get"} 2
                # EOF
                """)).containsExactly("req_total{code=\"200\",m=\"get\"} 100000", "req_created{m=\"get\",code=\"200\"} 0",
                "req_total{code=\"500\",m=\"get\"} 200000", "req_created{code=\"500\",m=\"get\"} 0",
                "req_total{code=\"404\",m=\"get\"} 0");
    }

    @Test
    void createdBeforeTheSamplesCountsAsWellAsAfter() throws Exception {
        assertThat(om("""
                # TYPE req counter
                req_created{code="200"} 100
                req_total{code="200"} 10
                req_created{code="500"} 200
                req_total{code="500"} 1
                # EOF
                """)).containsExactly("req_created{code=\"200\"} 0", "req_total{code=\"200\"} 100000",
                "req_created{code=\"500\"} 0", "req_total{code=\"500\"} 200000");
    }

    @Test
    void searchAheadEndsAtTheFirstCreatedLineAndAtTheFamilyEnd() throws Exception {
        // As in Prometheus: a sample whose next _created line belongs to other labels has none.
        assertThat(om("""
                # TYPE req counter
                req_total{code="200"} 10
                req_total{code="500"} 1
                req_created{code="200"} 100
                req_created{code="500"} 200
                # TYPE other counter
                other_total 1
                # TYPE req2 counter
                req2_total 1
                # EOF
                """)).containsExactly("req_total{code=\"200\"} 100000", "req_total{code=\"500\"} 0",
                "req_created{code=\"200\"} 0", "req_created{code=\"500\"} 0", "other_total 0", "req2_total 0");
        // Another family's _created is never taken, nor a _created after the family's end.
        assertThat(om("""
                # TYPE a counter
                a_total 1
                # TYPE b counter
                a_created 100
                b_total 1
                # EOF
                """)).containsExactly("a_total 0", "a_created 0", "b_total 0");
    }

    @Test
    void gaugesAndOtherNamesInTheFamilyHaveNoStart() throws Exception {
        assertThat(om("""
                # TYPE g gauge
                g 1
                g_created 100
                # TYPE c counter
                c 1
                c_total 1
                c_created 100
                # EOF
                """)).containsExactly("g 0", "g_created 0", "c 0", "c_total 100000", "c_created 0");
    }

    @Test
    void nanZeroAndNegativeCreatedAreNone() throws Exception {
        assertThat(om("""
                # TYPE a counter
                a_total{x="nan"} 1
                a_created{x="nan"} NaN
                a_total{x="zero"} 1
                a_created{x="zero"} 0
                a_total{x="neg"} 1
                a_created{x="neg"} -5
                a_total{x="inf"} 1
                a_created{x="inf"} +Inf
                a_created{x="ok"} 0.001
                a_total{x="ok"} 1
                # EOF
                """)).filteredOn(s -> s.startsWith("a_total")).containsExactly("a_total{x=\"nan\"} 0", "a_total{x=\"zero\"} 0",
                "a_total{x=\"neg\"} 0", "a_total{x=\"inf\"} 0", "a_total{x=\"ok\"} 1");
    }

    @Test
    void emptyLabelValuesAreAbsentLabels() throws Exception {
        assertThat(om("""
                # TYPE a counter
                a_total{x="",y="1"} 1
                a_created{y="1"} 100
                # EOF
                """)).first().isEqualTo("a_total{x=\"\",y=\"1\"} 100000");
    }

    @Test
    void malformedCreatedValueFailsWithItsLineAndColumnAsBefore() throws Exception {
        String text = """
                # TYPE a counter
                a_total{x="1"} 1
                a_created{x="1"} 1.7e9x
                # EOF
                """;
        assertThatThrownBy(() -> om(text)).isInstanceOf(ExpositionException.class)
                .hasMessage("line 3, column 18: invalid value \"1.7e9x\"");
        assertThatThrownBy(() -> om(text.replace("1.7e9x", "1.7e9 x")))
                .hasMessage("line 3, column 24: invalid timestamp \"x\"");
    }

    @Test
    void theTextFormatHasNoStartTimestamps() throws Exception {
        assertThat(starts(Format.PROMETHEUS_TEXT, """
                # TYPE foo counter
                foo_total{a="b"} 17
                foo_created{a="b"} 1.7e9
                """)).containsExactly("foo_total{a=\"b\"} 0", "foo_created{a=\"b\"} 0");
    }

    @Test
    void prometheusJavaClientCreatedLines() throws Exception {
        io.prometheus.metrics.model.registry.PrometheusRegistry registry = new io.prometheus.metrics.model.registry.PrometheusRegistry();
        io.prometheus.metrics.core.metrics.Counter.builder().name("jobs_total").labelNames("q").register(registry)
                .labelValues("a").inc(3);
        io.prometheus.metrics.core.metrics.Histogram.builder().name("lat_seconds").classicOnly().classicUpperBounds(0.1, 1)
                .labelNames("q").register(registry).labelValues("a").observe(0.5);
        io.prometheus.metrics.core.metrics.Summary.builder().name("size_bytes").quantile(0.5, 0.01).register(registry).observe(7);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter.builder().setCreatedTimestampsEnabled(true).build()
                .write(out, registry.scrape());
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("jobs_created{q=\"a\"} ", "lat_seconds_created{q=\"a\"} ", "size_bytes_created ");
        List<String> starts = om(text);
        assertThat(starts).filteredOn(s -> !s.contains("_created")).hasSize(1 + 5 + 3).allSatisfy(s -> {
            long st = Long.parseLong(s.substring(s.lastIndexOf(' ') + 1));
            assertThat(st).as(s).isBetween(System.currentTimeMillis() - 600_000, System.currentTimeMillis());
        });
    }

    /** The exponent forms parsed without the JDK round exactly as Double.parseDouble. */
    @Property(tries = 3000)
    void exponentFormsMatchTheJdk(@ForAll @LongRange(min = 0, max = 1L << 53) long digits, @ForAll @IntRange(min = 0, max = 16) int point,
                                  @ForAll @IntRange(min = -40, max = 40) int exponent, @ForAll boolean upper) throws Exception {
        String d = Long.toString(digits);
        String m = point < d.length() ? d.substring(0, d.length() - point) + "." + d.substring(d.length() - point) : d;
        String v = m + (upper ? "E" : "e") + (exponent >= 0 && upper ? "+" : "") + exponent;
        byte[] b = ("m " + v + "\n").getBytes(StandardCharsets.US_ASCII);
        ExpositionParser p = new ExpositionParser(Format.PROMETHEUS_TEXT, b, 0, b.length);
        p.next();
        assertThat(Double.doubleToRawLongBits(p.value())).as(v).isEqualTo(Double.doubleToRawLongBits(Double.parseDouble(v)));
    }
}
