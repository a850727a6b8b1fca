package dev.sightline.logs.store;

import dev.sightline.logs.FieldCondition;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BlockSummaryTest {
    private static final FieldCondition.Type[] TYPES = {FieldCondition.Type.NUMBER, FieldCondition.Type.DURATION,
            FieldCondition.Type.BYTES};

    /** The shortcut may only skip a conversion that gives NaN: a skipped value must never be one that converts. */
    @Property(tries = 3000)
    void aValueJudgedUnconvertibleDoesNotConvert(@ForAll @StringLength(max = 9) @CharRange(from = '0', to = '9')
                                                 @Chars({'.', ',', '+', '-', 'e', 'E', 's', 'm', 'h', 'n', 'u', 'k',
                                                         'B', 'i', 'I', 'f', ' ', 'x'}) String v) {
        for (int t = 0; t < TYPES.length; t++) {
            if (!BlockSummary.convertible(v, t)) {
                assertThat(TYPES[t].convert(v)).as("%s of \"%s\"", TYPES[t], v).isNaN();
            }
        }
    }

    @Test
    void commonValuesAreJudgedAsTheyConvert() {
        assertThat(BlockSummary.convertible("2026-12-06T11:15:22Z", 0)).isFalse();
        assertThat(BlockSummary.convertible("10.0.0.1", 1)).isFalse();
        assertThat(BlockSummary.convertible("10.0.0.1", 2)).isFalse();
        assertThat(BlockSummary.convertible("1.5e3", 0)).isTrue();
        assertThat(BlockSummary.convertible("-Inf", 0)).isTrue();
        assertThat(BlockSummary.convertible("300ms", 1)).isTrue();
        assertThat(BlockSummary.convertible("0", 1)).isTrue();
        assertThat(BlockSummary.convertible("300", 1)).isFalse();
        assertThat(BlockSummary.convertible("2 KiB", 2)).isTrue();
    }

    @Test
    void simpleRegexesGiveTheLiteralsEveryMatchContains() {
        assertThat(BlockSummary.requiredLiterals("time.*out")).containsExactly("time", "out");
        assertThat(BlockSummary.requiredLiterals("retr?ying")).containsExactly("ret", "ying");
        assertThat(BlockSummary.requiredLiterals("^error+$")).containsExactly("error");
        assertThat(BlockSummary.requiredLiterals("a|b")).isEmpty();
        assertThat(BlockSummary.requiredLiterals("(?i)error")).isEmpty();
        assertThat(BlockSummary.requiredLiterals("\\d+ms")).isEmpty();
    }
}
