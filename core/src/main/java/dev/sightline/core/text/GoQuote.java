package dev.sightline.core.text;

/**
 * Go's strconv.Quote (the {@code %q} verb), which Prometheus uses wherever it prints a label value, matcher or user
 * input: {@code \a \b \f \n \r \t \v \\ \"} by name, other non-printable runes as {@code \xNN}, &#92;uNNNN or
 * &#92;UNNNNNNNN, printable runes (Go's unicode.IsPrint) as they are.
 *
 * <p>Not for wire formats with their own rule: the text exposition format escapes only backslash, quote and newline.
 */
public final class GoQuote {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private GoQuote() {
    }

    public static String quote(String s) {
        return quote(new StringBuilder(s.length() + 2), s).toString();
    }

    /**
     * Appends {@code s} quoted. A lone surrogate U+DC80..U+DCFF stands for a byte that was not valid UTF-8 (how the
     * PromQL parser keeps such bytes of string literals) and prints as Go prints that byte, {@code \xNN}; any other
     * lone surrogate is not a rune Go could hold and prints as &#92;ufffd.
     */
    public static StringBuilder quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            switch (cp) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case 7 -> sb.append("\\a");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case 11 -> sb.append("\\v");
                default -> {
                    if (isPrint(cp)) {
                        sb.appendCodePoint(cp);
                    } else if (cp < ' ' || cp == 0x7f) {
                        hex(sb.append("\\x"), cp, 2);
                    } else if (cp >= 0xDC80 && cp <= 0xDCFF) {
                        hex(sb.append("\\x"), cp - 0xDC00, 2);
                    } else if (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE) {
                        sb.append("\\ufffd");
                    } else if (cp < 0x10000) {
                        hex(sb.append("\\u"), cp, 4);
                    } else {
                        hex(sb.append("\\U"), cp, 8);
                    }
                }
            }
        }
        return sb.append('"');
    }

    /** Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
    private static boolean isPrint(int cp) {
        if (cp == ' ') {
            return true;
        }
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE,
                 Character.UNASSIGNED, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                 Character.SPACE_SEPARATOR -> false;
            default -> true;
        };
    }

    private static void hex(StringBuilder sb, int v, int digits) {
        for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
            sb.append(HEX[(v >>> shift) & 0xF]);
        }
    }
}
