package dev.sightline.core.text;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.function.DoubleFunction;

import static org.assertj.core.api.Assertions.assertThat;

/** Expected outputs are Go's: strconv's ftoa_test.go table and FormatFloat's documented behaviour. */
class GoFloatsTest {
    private static final double BELOW_1E23 = 99999999999999974834176.0;
    private static final double ABOVE_1E23 = 100000000000000008388608.0;
    private static final double MIN_SUBNORMAL = Double.MIN_VALUE; // Go's 5e-324

    private record Case(double v, char fmt, String go) {
    }

    private static final Case[] CASES = {
            new Case(1, 'g', "1"),
            new Case(20, 'g', "20"),
            new Case(32, 'g', "32"),
            new Case(1234567.8, 'g', "1.2345678e+06"),
            new Case(200000, 'g', "200000"),
            new Case(2000000, 'g', "2e+06"),
            new Case(1e6, 'g', "1e+06"),
            new Case(123456789, 'g', "1.23456789e+08"),
            new Case(123456700, 'g', "1.234567e+08"),
            new Case(0, 'g', "0"),
            new Case(-0.0, 'g', "-0"),
            new Case(-1, 'g', "-1"),
            new Case(0.0001, 'g', "0.0001"),
            new Case(0.00001, 'g', "1e-05"),
            new Case(1e-7, 'g', "1e-07"),
            new Case(0.1 + 0.2, 'g', "0.30000000000000004"),
            new Case(1e23, 'g', "1e+23"),
            new Case(BELOW_1E23, 'g', "9.999999999999997e+22"),
            new Case(ABOVE_1E23, 'g', "1.0000000000000001e+23"),
            new Case(MIN_SUBNORMAL, 'g', "5e-324"),
            new Case(-MIN_SUBNORMAL, 'g', "-5e-324"),
            new Case(2 * MIN_SUBNORMAL, 'g', "1e-323"),
            new Case(2.2250738585072012e-308, 'g', "2.2250738585072014e-308"),
            new Case(2.2250738585072011e-308, 'g', "2.225073858507201e-308"),
            new Case(383260575764816448.0, 'g', "3.8326057576481645e+17"),
            new Case(-5.8339553793802237e+23, 'g', "-5.8339553793802237e+23"),
            new Case(Double.NaN, 'g', "NaN"),
            new Case(Double.POSITIVE_INFINITY, 'g', "+Inf"),
            new Case(Double.NEGATIVE_INFINITY, 'g', "-Inf"),

            new Case(1, 'f', "1"),
            new Case(0, 'f', "0"),
            new Case(-0.0, 'f', "-0"),
            new Case(1e6, 'f', "1000000"),
            new Case(123456789, 'f', "123456789"),
            new Case(1e21, 'f', "1000000000000000000000"),
            new Case(1e23, 'f', "100000000000000000000000"),
            new Case(BELOW_1E23, 'f', "99999999999999970000000"),
            new Case(ABOVE_1E23, 'f', "100000000000000010000000"),
            new Case(498484681984085570.0, 'f', "498484681984085570"),
            new Case(1e-7, 'f', "0.0000001"),
            new Case(0.1 + 0.2, 'f', "0.30000000000000004"),
            new Case(-2.5, 'f', "-2.5"),
            new Case(123456.789, 'f', "123456.789"),
            new Case(1.0 / 3, 'f', "0.3333333333333333"),
            new Case(Double.MAX_VALUE, 'f', "17976931348623157" + "0".repeat(292)),
            new Case(MIN_SUBNORMAL, 'f', "0." + "0".repeat(323) + "5"),
            new Case(Double.NaN, 'f', "NaN"),
            new Case(Double.POSITIVE_INFINITY, 'f', "+Inf"),
            new Case(Double.NEGATIVE_INFINITY, 'f', "-Inf"),

            new Case(1, 'e', "1e+00"),
            new Case(0, 'e', "0e+00"),
            new Case(-0.0, 'e', "-0e+00"),
            new Case(1e23, 'e', "1e+23"),
            new Case(BELOW_1E23, 'e', "9.999999999999997e+22"),
            new Case(ABOVE_1E23, 'e', "1.0000000000000001e+23"),
            new Case(1e100, 'e', "1e+100"),
            new Case(0.25, 'e', "2.5e-01"),
            new Case(MIN_SUBNORMAL, 'e', "5e-324"),
            new Case(Double.NaN, 'e', "NaN"),
            new Case(Double.NEGATIVE_INFINITY, 'e', "-Inf"),
    };

    @Test
    void formatsAsGoDoes() {
        for (Case c : CASES) {
            assertThat(format(c.fmt()).apply(c.v())).as("FormatFloat(%s, '%s', -1, 64)", c.v(), c.fmt()).isEqualTo(c.go());
        }
    }

    @Property
    void everyFormatReadsBackAsTheSameDouble(@ForAll double v) {
        for (char fmt : new char[] {'f', 'g', 'e'}) {
            String s = format(fmt).apply(v).replace("Inf", "Infinity");
            assertThat(Double.parseDouble(s)).as(s).isEqualTo(v);
        }
    }

    /** The allocation-free writer agrees with the exact BigDecimal reference digit for digit. */
    @Property(tries = 20000)
    void bytesMatchTheExactReference(@ForAll double v) {
        assertBytesMatch(v);
    }

    @Property(tries = 20000)
    void bytesMatchTheExactReferenceForShortDecimals(@ForAll long m, @ForAll byte k) {
        // Values such as gauges and rates print with few digits: m / 10^k over every magnitude.
        assertBytesMatch(m / Math.pow(10, Math.floorMod(k, 40) - 12));
    }

    /**
     * The integer path (below 2^53) and the digit search against the exact reference, over doubles drawn where they
     * change: any bit pattern (subnormals, NaN, the infinities, both zeros), short decimals m / 10^k and their
     * neighbours one ulp away, integers and half-integers around 2^50 and 2^53, and values around 1e21, where 'g'
     * and JavaScript switch to the exponent form and 'f' must not.
     */
    @Property(tries = 50000)
    void fastPathsMatchTheExactReference(@ForAll("fastPathEdges") double v) {
        assertBytesMatch(v);
        assertBytesMatch(-v);
    }

    @Provide
    Arbitrary<Double> fastPathEdges() {
        Arbitrary<Integer> k = Arbitraries.integers().between(0, 24);
        Arbitrary<Double> shortDecimals = Arbitraries.longs().between(1, (1L << 52)).flatMap(m -> k.map(e -> m / Math.pow(10, e)));
        Arbitrary<Integer> ulps = Arbitraries.integers().between(-3, 3);
        return Arbitraries.oneOf(
                Arbitraries.longs().map(Double::longBitsToDouble),
                shortDecimals,
                shortDecimals.flatMap(d -> ulps.map(u -> nextUlps(d, u))),
                Arbitraries.integers().between(1, 10).map(i -> Math.pow(10, -i) * 0x1p50).flatMap(d -> ulps.map(u -> nextUlps(d, u))),
                Arbitraries.of(0x1p50, 0x1p52, 0x1p53, 1e21, 1e15).flatMap(d -> Arbitraries.integers().between(-64, 64)
                        .map(u -> nextUlps(d, u))),
                Arbitraries.of(0x1p50, 0x1p53).flatMap(d -> Arbitraries.integers().between(-1000, 1000).map(i -> d + i * 0.5)),
                Arbitraries.longs().between(1, 100).map(i -> i * Double.MIN_VALUE));
    }

    private static double nextUlps(double d, int n) {
        for (int i = 0; i < Math.abs(n); i++) {
            d = n > 0 ? Math.nextUp(d) : Math.nextDown(d);
        }
        return d;
    }

    /**
     * The shortest-digit search against the JDK's Double.toString-derived reference, 'f' and 'e', at every binary
     * exponent of a normal double (its power of two, where the gap below is half the gap above, the largest
     * significand and random ones) and at every power of ten and its neighbours: each exponent has its own scale.
     */
    @Test
    void bytesMatchTheReferenceAtEveryExponent() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(19);
        for (long be = 1; be <= 2046; be++) {
            assertBytesMatch(Double.longBitsToDouble(be << 52));
            assertBytesMatch(Double.longBitsToDouble(be << 52 | (1L << 52) - 1));
            for (int i = 0; i < 20; i++) {
                assertBytesMatch(Double.longBitsToDouble(be << 52 | random.nextLong(1L << 52)));
            }
        }
        for (int e = -307; e <= 308; e++) {
            double p = Double.parseDouble("1e" + e);
            for (double v : new double[] {p, Math.nextUp(p), Math.nextDown(p), 5 * p, 9.999999999999999 * p}) {
                assertBytesMatch(v);
            }
        }
    }

    /** A million random bit patterns, beyond what the properties try. */
    @Test
    void bytesMatchTheReferenceForRandomBits() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(1919);
        for (int i = 0; i < 1_000_000; i++) {
            assertBytesMatch(Double.longBitsToDouble(random.nextLong()));
        }
    }

    /**
     * Prometheus's JSON values: the 'e' form below 1e-6 and from 1e21 on, as Prometheus 2.42 answered vector(1.5e-7)
     * with "1.5e-07" and vector(1e21) with "1e+21"; zero and the specials as in 'f'.
     */
    @Test
    void jsonValuesSwitchToTheExponentFormWherePrometheusDoes() {
        double[] values = {1.5e-7, 1e21, -1e21, Math.nextDown(1e21), 1e-6, Math.nextDown(1e-6), -1e-7, 0, -0.0, 0.1,
                123456.789, Double.MIN_VALUE, Double.MAX_VALUE, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
        String[] expected = {"1.5e-07", "1e+21", "-1e+21", "999999999999999900000", "0.000001", "9.999999999999997e-07",
                "-1e-07", "0", "-0", "0.1", "123456.789", "5e-324", "1.7976931348623157e+308", "NaN", "+Inf", "-Inf"};
        byte[] out = new byte[GoFloatBytes.MAX_F_BYTES];
        GoFloatBytes f = new GoFloatBytes();
        for (int i = 0; i < values.length; i++) {
            int end = f.formatJsonValue(values[i], out, 0);
            assertThat(new String(out, 0, end, StandardCharsets.US_ASCII)).as("%s", values[i]).isEqualTo(expected[i]);
        }
    }

    @Test
    void bytesMatchTheExactReferenceAtEdges() {
        double[] edges = {1e15, 1e15 + 0.5, 0x1p53 - 1, 0x1p53, 0x1p53 + 2, 0x1p50 + 0.5, 0x1p50 - 0.25, 0x1p52 - 0.5,
                1e21, Math.nextDown(1e21), Math.nextUp(1e21), 1e22, 1e-22, 1.5e-22, 999999999999999.9, 1e-3, 9.999999999999999e-4, 1e7, 9999999.999999998,
                Double.MIN_NORMAL, Math.nextDown(Double.MIN_NORMAL), Math.nextUp(1.0), Math.nextDown(1.0), 0.1, 0.5,
                2.5, 1e-5, 1.0E-300, 123456789.123, Double.MAX_VALUE, MIN_SUBNORMAL, BELOW_1E23, ABOVE_1E23};
        for (double v : edges) {
            assertBytesMatch(v);
            assertBytesMatch(-v);
        }
    }

    @Test
    void writesLongs() {
        byte[] out = new byte[GoFloatBytes.MAX_LONG_BYTES + 2];
        for (long v : new long[] {0, 7, -7, 10, 999, 1000, Long.MAX_VALUE, Long.MIN_VALUE, -1_000_000_000_000L}) {
            int end = GoFloatBytes.writeLong(v, out, 1);
            assertThat(new String(out, 1, end - 1, StandardCharsets.US_ASCII)).isEqualTo(Long.toString(v));
        }
    }

    /** formatF and formatE against GoFloats' BigDecimal reference, written after a guard byte that must stay. */
    private static void assertBytesMatch(double v) {
        byte[] out = new byte[GoFloatBytes.MAX_F_BYTES + 3];
        out[0] = 'x';
        GoFloatBytes f = new GoFloatBytes();
        int end = f.formatF(v, out, 1);
        String expected = Double.isNaN(v) || Double.isInfinite(v) || v == 0 ? GoFloats.formatF(v)
                : (v < 0 ? "-" : "") + GoFloats.exactF(Math.abs(v));
        if (v == 0) {
            expected = 1 / v < 0 ? "-0" : "0";
        }
        assertThat(new String(out, 1, end - 1, StandardCharsets.US_ASCII)).as("%s", v).isEqualTo(expected);
        assertThat(out[0]).isEqualTo((byte) 'x');
        end = f.formatE(v, out, 1);
        assertThat(end - 1).isLessThanOrEqualTo(GoFloatBytes.MAX_E_BYTES);
        assertThat(new String(out, 1, end - 1, StandardCharsets.US_ASCII)).as("%s", v).isEqualTo(GoFloats.formatE(v));
    }

    private static DoubleFunction<String> format(char fmt) {
        return switch (fmt) {
            case 'f' -> GoFloats::formatF;
            case 'g' -> GoFloats::formatG;
            default -> GoFloats::formatE;
        };
    }
}
