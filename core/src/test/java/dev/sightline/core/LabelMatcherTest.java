package dev.sightline.core;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LabelMatcherTest {
    @Test
    void regexIsAnchoredAndDotMatchesNewline() {
        LabelMatcher m = LabelMatcher.re("job", "api|web");
        assertThat(m.matches("api")).isTrue();
        assertThat(m.matches("xapi")).isFalse();
        assertThat(m.matches("apix")).isFalse();
        assertThat(LabelMatcher.re("a", "x.*").matches("x\ny")).isTrue();
    }

    @Test
    void absentLabelMatchesAsEmpty() {
        assertThat(LabelMatcher.eq("a", "").matches(null)).isTrue();
        assertThat(LabelMatcher.neq("a", "x").matches(null)).isTrue();
        assertThat(LabelMatcher.nre("a", ".+").matchesEmpty()).isTrue();
        assertThat(LabelMatcher.re("a", ".+").matchesEmpty()).isFalse();
    }

    @Test
    void badRegexIsReportedWithTheExpression() {
        assertThatThrownBy(() -> LabelMatcher.re("a", "(unclosed")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("error parsing regexp").hasMessageContaining("(unclosed");
    }

    @Test
    void printsLikePromql() {
        assertThat(LabelMatcher.nre("a", "x\"y").toString()).isEqualTo("a!~\"x\\\"y\"");
        assertThat(LabelMatcher.eq("a", "\u0000\u007f").toString()).isEqualTo("a=\"\\x00\\x7f\"");
    }
}
