package dev.sightline.promql.ast;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sightline.promql.parser.ParseException;
import dev.sightline.promql.parser.PromQLParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PrinterTest {
    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '^', value = {
        "sum(rate(foo{a='b'}[5m])) by (job)|sum by (job) (rate(foo{a=\"b\"}[5m]))",
        "sum without(a,b)(x)|sum without (a, b) (x)",
        "sum by()(x)|sum(x)",
        "topk(5,x)|topk(5, x)",
        "foo{c='d',a='b'}|foo{a=\"b\",c=\"d\"}",
        "{__name__='foo'}|{__name__=\"foo\"}",
        "{__name__=~'foo.*'}|{__name__=~\"foo.*\"}",
        "foo offset 1h30m|foo offset 1h30m",
        "foo offset -90m|foo offset -1h30m",
        "foo offset 5m @ 100|foo @ 100.000 offset 5m",
        "foo[5m] offset 1w @ end()|foo[5m] @ end() offset 1w",
        "foo[120s]|foo[2m]",
        "foo[86400s]|foo[1d]",
        "foo[365d]|foo[1y]",
        "foo[1500ms]|foo[1s500ms]",
        "rate(foo[5m])[30m:1m] offset 1m|rate(foo[5m])[30m:1m] offset 1m",
        "foo[5m:]|foo[5m:]",
        "a + ignoring(b) c|a + ignoring (b) c",
        "a * on() b|a * on () b",
        "a * on(x) group_left b|a * on (x) group_left () b",
        "a >bool b|a > bool b",
        "a + fill_left(1) fill_right(2) b|a + fill_left (1) fill_right (2) b",
        "1.5 + 0.000001 + 1e100|1.5 + 0.000001 + 10000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
        "-(1)|-(1)",
        "- - 1|1",
        "-foo|-foo",
        "'a\\nb'|\"a\\nb\"",
        "foo[2m*(10+5)]|foo[2m * (10 + 5)]",
        "foo[-5m+35m]|foo[-5m + 35m]",
        "foo offset -(1m)|foo offset -(1m)",
        "foo offset (step())|foo offset (step())",
        "foo[min_of(step(),1h)]|foo[min_of(step(), 1h)]",
        "foo smoothed|foo smoothed",
        "foo[1m] anchored @ 5|foo[1m] anchored @ 5.000",
        "time() - 5m|time() - 5m",
        "{\"a.b\"=\"c\", d=\"e\"}|{\"a.b\"=\"c\",d=\"e\"}",
    })
    void printsPrometheusCanonicalForm(String in, String out) throws ParseException {
        Expr e = PromQLParser.parseExpr(in);
        assertThat(e.toString()).isEqualTo(out);
        assertThat(PromQLParser.parseExpr(out).toString()).isEqualTo(out);
    }

    @Test
    void infinityKeepsItsSignLikePrometheus() throws ParseException {
        // Prometheus prints +Inf with a sign, so this form does not parse back to the same tree (a known quirk).
        assertThat(PromQLParser.parseExpr("Inf ^ 2").toString()).isEqualTo("+Inf ^ 2");
    }

    @Test
    void positionOfAnOffset() {
        assertThat(new PositionRange(5, 6).startPosInput("ab\ncdef")).isEqualTo("2:3");
    }

    @Test
    void prettierSplitsLongExpressions() throws ParseException {
        String shortQ = "sum by (job) (rate(http_requests_total[5m]))";
        assertThat(Prettier.pretty(PromQLParser.parseExpr(shortQ))).isEqualTo(shortQ);
        Expr e = PromQLParser.parseExpr("sum by (job) (rate(http_requests_total{job=\"apiserver\", handler=\"/api/comments\"}[5m]))"
                + " / on (job) group_left sum by (job) (rate(http_requests_total{job=\"apiserver\"}[5m]))");
        assertThat(Prettier.pretty(e)).isEqualTo("""
                  sum by (job) (rate(http_requests_total{handler="/api/comments",job="apiserver"}[5m]))
                / on (job) group_left ()
                  sum by (job) (rate(http_requests_total{job="apiserver"}[5m]))""");
        Expr call = PromQLParser.parseExpr("histogram_quantile(0.99, sum by (le, job, instance, handler) "
                + "(rate(prometheus_http_request_duration_seconds_bucket{job=\"prometheus\"}[5m])))");
        assertThat(Prettier.pretty(call)).isEqualTo("""
                histogram_quantile(
                  0.99,
                  sum by (le, job, instance, handler) (
                    rate(prometheus_http_request_duration_seconds_bucket{job="prometheus"}[5m])
                  )
                )""");
    }
}
