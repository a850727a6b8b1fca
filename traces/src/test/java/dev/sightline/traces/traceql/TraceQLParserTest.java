package dev.sightline.traces.traceql;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class TraceQLParserTest {
    @Test
    void aRegexWithALongLiteralIsCheckedInLinearTime() {
        // Fuzzing found it (run seed 20261206, input 79112 of benchmarks/fuzz.sh): compiling the regex to check it took
        // 19 s, the JDK's Boyer-Moore table for a leading literal being quadratic in its length.
        String found = "{ name =~ \"GET " + "=".repeat(65_444) + ".*\" || kind = server } && { rootServiceName != `api` }"
                + " | avg(duration) > 20ms";
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertThat(TraceQL.parse(found)).isNotNull());
    }

    /** Queries from Tempo's TraceQL documentation (construct-traceql-queries.md, metrics functions.md). */
    @ParameterizedTest
    @ValueSource(strings = {
        "{ }",
        "{}",
        "{ span.http.status_code >= 200 && span.http.status_code < 300 } | count() > 2",
        "{resource.service.name = \"frontend\" && name = \"POST /api/orders\"}",
        "{\n  resource.service.namespace = \"ecommerce\" &&\n  resource.service.name = \"frontend\" &&\n"
            + "  resource.deployment.environment = \"production\" &&\n  name = \"POST /api/orders\"\n}",
        "{span.service.name=\"frontend\" && name = \"GET /api/products/{id}\"} && {span.db.system=\"postgresql\"}",
        "{ resource.deployment.environment = \"production\" } && { resource.deployment.environment = \"staging\" }",
        "{ resource.service.name=\"frontend\" } >> { status = error }",
        "{ } !< { resource.service.name = \"productcatalogservice\" }",
        "{ resource.service.name = \"productcatalogservice\" } ~ { resource.service.name=\"frontend\" }",
        "{ span:childCount = 0 }",
        "{nestedSetParent<0 && true} | rate()",
        "{nestedSetParent<0} | histogram_over_time(duration)",
        "{ resource.service.name = \"frontend\" && span:childCount = 0 }",
        "{ span.http.status_code = 200 } | select(resource.service.name)",
        "{ span.http.method = \"GET\" && status = ok } && { span.http.method = \"DELETE\" && status != ok }",
        "{ resource.deployment.environment =~ \"prod-.*\" && span.http.status_code = 200 }",
        "{ trace:duration > 5s }",
        "{ resource.deployment.environment = \"production\" && trace:duration > 2s } | count() > 30",
        "{ span:name = \"foo\" }",
        "{ trace:id = \"1234\" }",
        "{ span:status = ok } && { span:kind = server } && { span:statusMessage = \"Forbidden\" }",
        "{ trace:rootName = \"HTTP GET\" } && { trace:rootService = \"gateway\" }",
        "{ resource.k8s.cluster.name=\"service-name\" && trace:rootName !~ \".*perf.*\"}",
        "{ instrumentation:name = \"grpc\" }",
        "{ instrumentation.language = \"java\" }",
        "{ event.exception.message =~ \".*something went wrong.*\" }",
        "{ event:name = \"exception\" && event:timeSinceStart > 2ms } || { link:traceID = \"1234\" }",
        "{ link.opentracing.ref_type = \"child_of\" && link:spanID != \"0000000000000001\" }",
        "{ event.exception.message = nil && event.flag }",
        "{ span.\"attribute name with space\" = \"value\" }",
        "{ span.attribute.\"attribute name with space\" = \"value\" }",
        "{ span.retry_count > -1 }",
        "{ span.value != minInt && span.value != maxInt }",
        "{ span.value > 1.5 }",
        "{ span.optional_field = nil }",
        "{ span.required_field != nil }",
        "{ span.cache.hit = true }",
        "{ span.http.status_code >= \"400\" }",
        "{ span.db.system =~ \"postgresql|mysql\" }",
        "{ span.cache.hit || span.http.status_code = 500 }",
        "{ resource.cloud.region = \"us-east-1\" } || { resource.cloud.region = \"us-west-1\" }",
        "{ span.http.url = \"/path/of/api\" } >> { span.db.name = \"db-shard-001\" }",
        "{ span.http.url = \"/path/of/api\" && status = error } &>> { status = error }",
        "{ status = error } !< { status = error }",
        "{ .a } < { .b } << { .c } !> { .d } !>> { .e } !<< { .f } !~ { .g } &> { .h } &< { .i } &~ { .j } &<< { .k }",
        "count() > 10",
        "avg(duration) > 20ms",
        "{ span.http.status_code = 200 } | count() > 3",
        "{ } | sum(span.bytesProcessed) > 1000000000",
        "{ status = error } | by(resource.service.name) | count() > 1",
        "{ span.http.request_content_length > 10 * 1024 * 1024 }",
        "{ status = error } | select(span.http.status_code, span.http.url)",
        "{} with (most_recent=true)",
        "{ span.foo = \"bar\" } >> { status = error } with (most_recent=true)",
        "{ status = error } | rate() by (resource.service.name, name)",
        "{ resource.service.name = \"foo\" && status = error } | rate()",
        "{ name = \"GET /:endpoint\" } | count_over_time() by (span.http.status_code)",
        "{ name = \"GET /:endpoint\" } | min_over_time(duration) by (span.http.target)",
        "{ name = \"GET /:endpoint\" } | max_over_time(span.http.status_code)",
        "{ name = \"GET /:endpoint\" } | quantile_over_time(duration, .99, .9, .5)",
        "{ name = \"GET /:endpoint\" } | quantile_over_time(duration, .99) by (span.http.target)",
        "{ name = \"GET /:endpoint\" } | histogram_over_time(duration) by (span.foo)",
        "{ resource.service.name = \"foo\" } | rate() by (instrumentation:name)",
        "{ span:duration < 5ms } | count_over_time() by(resource.service.name)",
        "{ span:duration < 5ms } | count_over_time() by(resource.service.name) | topk(10)",
        "{ } | rate() by (name) | bottomk(2)",
        "{ resource.service.name=\"a\" && span.http.path=\"/myapi\" } | compare({status=error})",
        "{nestedSetParent<0 && true} | compare({status = error}, 10)",
        "{ } | compare({ duration > 1s }, 5, 1000, 2000)",
        "{ .a =~ `\\d+\\.\\d+` }",
        "{ name = \"a\\\"b\\\\c\\n\\t\\u00e9\\x41\" }",
        "{ duration > 1h30m } && { duration >= 1.5s } && { duration < 100us } && { duration < 100µs }",
        "{ kind = server && status = unset } || { kind = consumer }",
        "({ .a = 1 } | count() > 1) && { .b = 2 }",
        "{ .a = 1 } | { .b = 2 } | coalesce()",
        "{ !(.a = 1) && -span.b < 3 }",
        "(({ .a = 1 }))",
    })
    void parsesTempoDocumentationQueries(String query) {
        TraceQLQuery q = TraceQL.parse(query);
        assertThat(q.text()).isEqualTo(query);
        // The canonical form is itself valid TraceQL that parses to the same tree.
        assertThat(TraceQL.parse(q.toString()).toString()).isEqualTo(q.toString());
    }

    /** Precedence and literal forms, printed fully parenthesised. */
    @ParameterizedTest
    @CsvSource(delimiterString = " => ", quoteCharacter = '\'', value = {
        // && and || share one level, left to right (Tempo's grammar), below the comparisons
        "{ .a = 1 || .b = 2 && .c = 3 } => { (((.a = 1) || (.b = 2)) && (.c = 3)) }",
        "{ .a = 1 && .b = 2 || .c = 3 } => { (((.a = 1) && (.b = 2)) || (.c = 3)) }",
        // structural operators bind tighter than && and ||, left to right among themselves
        "{ .a } && { .b } > { .c } => ({ .a } && ({ .b } > { .c }))",
        "{ .a } > { .b } >> { .c } => (({ .a } > { .b }) >> { .c })",
        "{ .a } || { .b } && { .c } => (({ .a } || { .b }) && { .c })",
        "{ .a = 1 + 2 * 3 } => { (.a = (1 + (2 * 3))) }",
        "{ .a = 2 ^ 3 ^ 2 } => { (.a = (2 ^ (3 ^ 2))) }",
        "{ .a - 1 > 0 } => { ((.a - 1) > 0) }",
        "{ .a-1 > 0 } => { (.a-1 > 0) }",
        "{ span.a - 1 > 0 } => { ((span.a - 1) > 0) }",
        "{ duration > 1.5s } => { (duration > 1500000000ns) }",
        "{ duration > 1h30m } => { (duration > 5400000000000ns) }",
        "{ duration > 250µs } => { (duration > 250000ns) }",
        "{ span.http.status-code = 200 } => { (span.http.status-code = 200) }",
        "{ resource.service.name = `a\\b` } => { (resource.service.name = \"a\\\\b\") }",
        "{ kind = client && status = error } => { ((kind = client) && (status = error)) }",
        "{ .x = -2.5 } => { (.x = -2.5) }",
        "{ } | count() > 2 * 3 => { } | count() > (2 * 3)",
        "{ } | by(span.a) | avg(duration) >= 1s | select(name, .b) | rate() by (.c, rootName) => "
            + "{ } | by(span.a) | avg(duration) >= 1000000000ns | select(name, .b) | rate() by (.c, rootName)",
    })
    void canonicalForm(String query, String canonical) {
        assertThat(TraceQL.parse(query.strip()).toString()).isEqualTo(canonical.strip());
    }

    @ParameterizedTest
    @CsvSource(delimiterString = " => ", quoteCharacter = '\'', value = {
        "{ .a = } => 1 => 8 => unexpected \"}\", expected a field or a value",
        "{ .a = 1 => 1 => 9 => unexpected end of query, expected \"}\"",
        "{ .a = \"x } => 1 => 8 => unterminated string",
        "{ name = \"a\\qb\" } => 1 => 12 => invalid escape sequence \\q",
        "{ span.\"a b = 1 } => 1 => 3 => unterminated quoted attribute name",
        "{ .a = 1 } | count() => 1 => 21 => expected a comparison",
        "{ .a = 1 } > => 1 => 13 => expected a spanset filter",
        "{ foo = 2 } => 1 => 3 => unexpected identifier \"foo\"",
        "{ status > ok } => 1 => 10 => operator > does not apply to status",
        "{ kind =~ \"server\" } => 1 => 8 => operator =~ does not apply to kind",
        "{ .a =~ \"(\" } => 1 => 6 => invalid regular expression \"(\"",
        "{ .a =~ 1 } => 1 => 6 => must be a string literal",
        "{ duration > 1.5.5s } => 1 => 17 => unexpected \".5s\"",
        "{ parent.foo = 1 } => 1 => 3 => unsupported construct \"parent.\"",
        "{ event.a + 1 > 2 } => 1 => 11 => unsupported construct \"event.a\" in (event.a + 1)",
        "{ } | by(event:name) => 1 => 7 => unsupported construct \"event:name\" here",
        "{ } | rate() by (link.kind) => 1 => 18 => unsupported construct \"link.kind\" here",
        "{ event:timeSinceStart > \"x\" } => 1 => 24 => event:timeSinceStart cannot be compared with \"x\"",
        "{ span:start > 1 } => 1 => 3 => unsupported construct \"span:start\"",
        "{ nestedSetParent = \"x\" } => 1 => 19 => nestedSetParent cannot be compared with \"x\"",
        "{ } | compare(.a) => 1 => 15 => expected a spanset filter as compare's first argument",
        "{ } | compare({ }, 10, 5) => 1 => 25 => compare needs both a start and an end timestamp, or neither",
        "{ } | compare({ }, 0) => 1 => 21 => compare's top number of values must be greater than 0",
        "{ } | compare({ status > ok }) => 1 => 24 => operator > does not apply to status",
        "{ } | rate() | compare({ }) => 1 => 16 => unsupported construct \"compare()\" after a metrics function",
        "{ } | rate() | topk(0) => 1 => 21 => topk needs a positive number of series, not 0",
        "{ } | rate() | topk(.a) => 1 => 21 => unexpected attribute .a, expected the number of series",
        "{ } | rate() by (.a => 1 => 20 => expected \")\" closing by(",
        "{ } | quantile_over_time(duration, 1.5) => 1 => 36 => quantile 1.5 is not between 0 and 1",
        "{ } | quantile_over_time(duration) => 1 => 34 => expected \",\" and the quantiles",
        "{ .a = 1 } $ => 1 => 12 => unexpected character '$'",
        "{ } | rate() { } => 1 => 14 => unexpected \"{\"",
        "{ .a = 99999999999999999999 } => 1 => 8 => integer 99999999999999999999 out of range",
        "{ name } => 1 => 3 => name is not a condition",
        "{ .a = 1 && duration } => 1 => 13 => duration is not a condition",
        "{ !(1 + 2) } => 1 => 4 => (1 + 2) is not a condition",
        "{ .a + 1 } => 1 => 3 => (.a + 1) is not a condition",
        "{ name = 1 } => 1 => 8 => name cannot be compared with 1",
        "{ status = \"error\" } => 1 => 10 => status cannot be compared with \"error\"",
        "{ 5ms = kind } => 1 => 7 => kind cannot be compared with 5000000ns",
        "{ trace:duration > \"1s\" } => 1 => 18 => trace:duration cannot be compared with \"1s\"",
    })
    void rejectsWithPositionAndConstruct(String query, int line, int column, String message) {
        assertThatThrownBy(() -> TraceQL.parse(query.strip()))
                .isInstanceOfSatisfying(TraceQLException.class, e -> {
                    assertThat(e.line()).as(e.getMessage()).isEqualTo(line);
                    assertThat(e.column()).as(e.getMessage()).isEqualTo(column);
                    assertThat(e.getMessage()).startsWith("parse error at line " + line + ", col " + column + ": ")
                            .contains(message.strip());
                });
    }

    @org.junit.jupiter.api.Test
    void reportsTheLineOfAMultiLineQuery() {
        assertThatThrownBy(() -> TraceQL.parse("{\n  .a = 1 &&\n  foo = 2\n}"))
                .hasMessage("parse error at line 3, col 3: unexpected identifier \"foo\": not an intrinsic or a "
                        + "literal (attributes are written span.x, resource.x or .x)");
    }

    /**
     * Fuzzing found it: 1000 minus signs (or parentheses, or a long chain of operators) overflowed the parser's stack;
     * nesting is bounded with an error at the token past the bound, and what fits still parses and compiles. The
     * comparison is the first level, so the 256th minus sign is one too many.
     */
    @org.junit.jupiter.api.Test
    void nestingBeyondTheBoundIsAParseErrorNotAStackOverflow() {
        assertThatThrownBy(() -> TraceQL.parse("{ .a = " + "-".repeat(1000) + "1 }"))
                .isInstanceOf(TraceQLException.class)
                .hasMessage("parse error at line 1, col " + (7 + Parser.MAX_DEPTH) + ": query nests too deeply (more than "
                        + Parser.MAX_DEPTH + " levels of parentheses, negations or operators)");
        assertThatThrownBy(() -> TraceQL.parse("{ " + "(".repeat(5000) + ".a = 1" + ")".repeat(5000) + " }"))
                .hasMessageContaining("query nests too deeply");
        assertThatThrownBy(() -> TraceQL.parse("{ .a = 1" + " + 1".repeat(20_000) + " }"))
                .hasMessageContaining("query nests too deeply");
        assertThatThrownBy(() -> TraceQL.parse("{ .a = 1 }" + " >> { .a = 1 }".repeat(20_000)))
                .hasMessageContaining("query nests too deeply");
        assertThat(TraceQL.parse("{ " + "(".repeat(30) + ".a = " + "-".repeat(30) + "1" + " + 1".repeat(30) + ")".repeat(30) + " }"))
                .isNotNull();
    }

    /** Go's time.Duration.String(), as Tempo prints durations. */
    @ParameterizedTest
    @CsvSource({
        "0, 0s", "999, 999ns", "1500, 1.5µs", "120000000, 120ms", "1000000000, 1s", "1500000000, 1.5s",
        "60000000000, 1m0s", "123500000000, 2m3.5s", "3600000000000, 1h0m0s", "3723000000001, 1h2m3.000000001s",
        "-2500000, -2.5ms", "-9223372036854775808, -2562047h47m16.854775808s"
    })
    void formatsDurationsAsGo(long nanos, String text) {
        assertThat(TraceQL.formatDuration(nanos)).isEqualTo(text);
    }
}
