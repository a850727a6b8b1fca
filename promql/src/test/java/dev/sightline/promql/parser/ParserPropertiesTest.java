package dev.sightline.promql.parser;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sightline.promql.ast.Expr;
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
        Throwable[] failure = new Throwable[1];
        // A small stack, as on server worker threads.
        Thread t = new Thread(null, () -> {
            for (String q : List.of(deep, chain, unary, subqueries)) {
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
    void nestingWithinTheLimitParsesAndPrints() throws ParseException {
        String q = "(".repeat(ExprParser.MAX_DEPTH / 2 - 2) + "1" + ")".repeat(ExprParser.MAX_DEPTH / 2 - 2);
        assertThat(PromQLParser.parseExpr(q).toString()).isEqualTo(q);
    }
}
