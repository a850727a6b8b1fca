package dev.sightline.core.text;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

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

    private static DoubleFunction<String> format(char fmt) {
        return switch (fmt) {
            case 'f' -> GoFloats::formatF;
            case 'g' -> GoFloats::formatG;
            default -> GoFloats::formatE;
        };
    }
}
