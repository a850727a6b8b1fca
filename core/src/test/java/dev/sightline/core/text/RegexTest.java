package dev.sightline.core.text;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class RegexTest {
    private static final List<String> INPUTS = List.of("", "a", "ab", "GET /x", "a\nb", "{2}a", "aaa", "x|y", "ABab");

    @Test
    void matchesAndGroupsAsPatternDoes() {
        for (String regex : List.of("a", "ab|", "|a", "^a", "a$", "(?i)ab", "(?<n>a)(b)?", "a{2}", "{2}a", ".*", "(a)|b",
                "\\Qx|y\\E", "[ab]+", "(?s)a.b", "")) {
            for (int flags : new int[]{0, Pattern.DOTALL}) {
                Pattern raw = Pattern.compile(regex, flags);
                Pattern ours = Regex.compile(regex, flags);
                assertThat(ours.matcher("").groupCount()).as(regex).isEqualTo(raw.matcher("").groupCount());
                for (String in : INPUTS) {
                    Matcher a = raw.matcher(in), b = ours.matcher(in);
                    assertThat(b.matches()).as(regex + " matches " + in).isEqualTo(a.matches());
                    a.reset();
                    b.reset();
                    while (a.find()) {
                        assertThat(b.find()).isTrue();
                        assertThat(b.group()).as(regex + " finds in " + in).isEqualTo(a.group());
                    }
                    assertThat(b.find()).isFalse();
                }
            }
        }
    }

    @Test
    void errorsAreTheSameWithTheirIndexInTheCallersText() {
        for (String regex : List.of("*a", "?", "a)(b", "(a", "a{2", "[a", "x\\", "(?<1>a)")) {
            PatternSyntaxException raw = catchThrowableOfType(PatternSyntaxException.class, () -> Pattern.compile(regex));
            PatternSyntaxException ours = catchThrowableOfType(PatternSyntaxException.class, () -> Regex.compile(regex, 0));
            assertThat(ours.getMessage()).as(regex).isEqualTo(raw.getMessage());
        }
    }

    @Test
    void aLongLiteralCompilesInLinearTime() {
        // Pattern.compile took 19 s for this (fuzzing TraceQL: run seed 20261206, input 79112 of benchmarks/fuzz.sh).
        String regex = "GET " + "=".repeat(200_000) + ".*";
        Pattern p = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> Regex.compile(regex, Pattern.DOTALL));
        assertThat(p.matcher("GET " + "=".repeat(200_000) + "x").matches()).isTrue();
        assertThat(p.matcher("GET " + "=".repeat(199_999)).matches()).isFalse();
    }
}
