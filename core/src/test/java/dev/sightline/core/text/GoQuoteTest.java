package dev.sightline.core.text;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Expected outputs are Go's strconv.Quote (the table of strconv's quote_test.go and its documented rules). */
class GoQuoteTest {
    private static final String[][] CASES = {
            {"", "\"\""},
            {"abc", "\"abc\""},
            {"\u0007\b\f\r\n\t\u000b", "\"\\a\\b\\f\\r\\n\\t\\v\""},
            {"\\", "\"\\\\\""},
            {"say \"hi\"", "\"say \\\"hi\\\"\""},
            {"it's", "\"it's\""},
            {"\u263a", "\"\u263a\""},
            {"\uD83D\uDE00", "\"\uD83D\uDE00\""},
            {"\uDBFF\uDFFF", "\"\\U0010ffff\""},
            {"\u0004", "\"\\x04\""},
            {"\u0000", "\"\\x00\""},
            {"\u007f", "\"\\x7f\""},
            {"\u0085", "\"\\u0085\""},
            {"!\u00a0!\u2000!\u3000!", "\"!\\u00a0!\\u2000!\\u3000!\""},
            {"\ufeffabc", "\"\\ufeffabc\""},
            {"\u2028", "\"\\u2028\""},
            {"\ufffd", "\"\ufffd\""},
            // A byte that was not valid UTF-8 (kept as U+DC00+byte) prints as Go prints the byte: "abc\xffdef".
            {"abc\udcffdef", "\"abc\\xffdef\""},
            {"\udc80", "\"\\x80\""},
            // Any other lone surrogate is not a rune: the replacement character.
            {"a\ud800b", "\"a\\ufffdb\""},
    };

    @Test
    void quotesAsGoDoes() {
        for (String[] c : CASES) {
            assertThat(GoQuote.quote(c[0])).as("Quote(%s)", c[1]).isEqualTo(c[1]);
        }
    }

    @Test
    void appendsToABuilder() {
        assertThat(GoQuote.quote(new StringBuilder("x="), "a\nb").toString()).isEqualTo("x=\"a\\nb\"");
    }
}
