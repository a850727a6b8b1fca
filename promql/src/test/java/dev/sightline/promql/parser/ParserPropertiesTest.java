package dev.sightline.promql.parser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.sightline.promql.ast.Expr;
import java.time.Duration;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** Arbitrary input never makes the parser fail with anything but a ParseException located inside the input. */
class ParserPropertiesTest {
    private static final List<String> SEEDS = List.of(
            "sum by (job) (rate(http_requests_total{job=~\"api|web\", code!=\"500\"}[5m] offset 1m))",
            "histogram_quantile(0.9, sum without (instance) (rate(x_bucket[1m:10s] @ end())))",
            "a + on(x) group_left(y) fill_left(0) b > bool 3 ^ -2 unless c",
            "topk(3, count_values(\"v\", {__name__=~\"a.*\"})) or vector(1)",
            "count_over_time(m[max_of(min_of(step()+1,1h),1ms)] anchored) offset -min_of(step(), 1s)",
            "label_replace(up, 'a', \"$1\", `b`, \"(.*)\") / scalar(time() - 5m) # comment",
            "info(x{a=\"\\u00e9\"}, {k=~\".+\"}) </ 2 >/ 0x1F");
    private static final String ALPHABET = "abcxyz_:019.eE+-*/%^=!~<>(){}[],@\"'`#\\ \n\tsumbyoffsetnan";

    private static void assertOnlyParseExceptions(String input) {
        try {
            Expr e = PromQLParser.parseExpr(input);
            assertThat(e.toString()).isNotNull();
        } catch (ParseException ex) {
            assertThat(ex.position().start()).isBetween(0, input.length());
            assertThat(ex.getMessage()).contains("parse error: ");
        }
    }

    @Property(tries = 1000)
    void randomStrings(@ForAll("junk") String input) {
        assertOnlyParseExceptions(input);
    }

    @Property(tries = 1000)
    void mutationsOfValidQueries(@ForAll("mutated") String input) {
        assertOnlyParseExceptions(input);
    }

    @Property(tries = 300)
    void seriesDescriptionsOnlyFailWithParseException(@ForAll("seriesJunk") String input) {
        try {
            PromQLParser.parseSeriesDesc(input);
        } catch (ParseException ex) {
            assertThat(ex.position().start()).isBetween(0, input.length());
        }
    }

    @Provide
    Arbitrary<String> junk() {
        return Arbitraries.strings().withChars(ALPHABET.toCharArray()).ofMaxLength(60);
    }

    @Provide
    Arbitrary<String> seriesJunk() {
        return Arbitraries.strings().withChars("m{a=\"b\"} 0123456789+-x_.stale{}[]:schemcountbuckets".toCharArray())
                .ofMaxLength(50).map(s -> "m " + s);
    }

    @Provide
    Arbitrary<String> mutated() {
        Arbitrary<String> seed = Arbitraries.of(SEEDS);
        Arbitrary<Integer> ops = Arbitraries.integers().between(1, 4);
        return Combinators.combine(seed, ops, Arbitraries.integers().between(0, 10_000),
                Arbitraries.chars().with(ALPHABET.toCharArray())).as((s, n, r, c) -> {
                    StringBuilder sb = new StringBuilder(s);
                    int x = r;
                    for (int i = 0; i < n && !sb.isEmpty(); i++) {
                        int at = (x = x * 31 + 7) % sb.length();
                        at = Math.abs(at);
                        switch (Math.abs(x) % 3) {
                            case 0 -> sb.deleteCharAt(at);
                            case 1 -> sb.insert(at, c);
                            default -> sb.setCharAt(at, c);
                        }
                    }
                    return sb.toString();
                });
    }

    @Test
    void deepNestingIsAParseErrorNotAStackOverflow() throws InterruptedException {
        String deep = "(".repeat(100_000) + "1" + ")".repeat(100_000);
        // ^ is right-associative: each right operand nests one level deeper.
        String chain = "1" + " ^ 1".repeat(100_000);
        String unary = "-".repeat(100_000) + "1";
        // Fuzzing found it: each subquery wraps what it follows; 3000 of them overflowed the type checker's stack.
        String subqueries = "x" + "[1h:1m]".repeat(3_000);
        // And this (run seed 20261206, inputs 130655 and 455365 of the promql target): signs after offset.
        String offsetSigns = "x offset " + "-".repeat(100_000) + "1m";
        Throwable[] failure = new Throwable[1];
        // A small stack, as on server worker threads.
        Thread t = new Thread(null, () -> {
            for (String q : List.of(deep, chain, unary, subqueries, offsetSigns)) {
                try {
                    PromQLParser.parseExpr(q);
                    failure[0] = new AssertionError("parsed " + q.length() + " chars");
                } catch (ParseException e) {
                    assertThat(e.detail()).startsWith("expression nesting too deep");
                } catch (Throwable e) {
                    failure[0] = e;
                }
            }
        }, "small-stack", 512 * 1024);
        t.start();
        t.join();
        assertThat(failure[0]).isNull();
    }

    @Test
    void aHugeNumberLiteralIsRefusedInLinearTime() {
        // Fuzzing found it (run seed 20261206, input 46165 of benchmarks/fuzz.sh): 65,448 digits took 2.5 s, a hang
        // on a loaded machine, because BigInteger and BigDecimal convert digits in quadratic time.
        String found = "histogram_quantile(0.99, sum without (instance) (rate(latency_bucket[5m] @ 17" + "5".repeat(65_448)
                + "00000000)))";
        // 200,000 digits took the old conversion over 30 s; a linear one takes milliseconds.
        String digits = "5".repeat(200_000);
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            for (String q : List.of(found, "x @ " + digits, "1 + " + digits, "0x" + "f".repeat(200_000))) {
                assertThatThrownBy(() -> PromQLParser.parseExpr(q)).isInstanceOf(ParseException.class)
                        .satisfies(e -> assertThat(((ParseException) e).position()).isNotNull());
            }
            assertThat(GoFmt.parseNumber("0." + digits + "e-3")).isEqualTo(5.0 / 9000);
            assertThat(GoFmt.parseNumber("000" + "9".repeat(19))).isEqualTo(1e19);
        });
    }

    @Test
    void aLongNumberRoundsAsItsFullDigitsDo() {
        // 1 + 2^-53 is halfway between 1 and the next double: a digit far past the 800 kept decides the rounding.
        String half = "1.00000000000000011102230246251565404236316680908203125";
        assertThat(GoFmt.parseNumber(half + "0".repeat(2000))).isEqualTo(1.0);
        assertThat(GoFmt.parseNumber(half + "0".repeat(2000) + "1")).isEqualTo(Math.nextUp(1.0));
        java.util.SplittableRandom r = new java.util.SplittableRandom(18);
        for (int i = 0; i < 100; i++) {
            StringBuilder digits = new StringBuilder("0".repeat(r.nextInt(3)));
            for (int n = 801 + r.nextInt(2000); n > 0; n--) {
                digits.append((char) ('0' + r.nextInt(10)));
            }
            // At most 300 digits before the point and a negative exponent: no value out of range.
            int point = r.nextInt(301);
            String number = (r.nextBoolean() ? "-" : "") + digits.substring(0, point) + "." + digits.substring(point)
                    + (r.nextBoolean() ? "e" + r.nextInt(-700, 1) : "");
            assertThat(GoFmt.parseNumber(number)).as(number).isEqualTo(new java.math.BigDecimal(
                    number.replace("-.", "-0.").replaceFirst("^\\.", "0.").replace(".e", ".0e")).doubleValue());
        }
    }

    @Test
    void nestingWithinTheLimitParsesAndPrints() throws ParseException {
        String q = "(".repeat(ExprParser.MAX_DEPTH / 2 - 2) + "1" + ")".repeat(ExprParser.MAX_DEPTH / 2 - 2);
        assertThat(PromQLParser.parseExpr(q).toString()).isEqualTo(q);
    }
}
