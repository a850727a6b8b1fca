package dev.sightline.core.text;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * {@link Pattern#compile(String, int)} for a regular expression from outside, in time linear in its length. The JDK
 * builds a Boyer-Moore table for a pattern that starts with a literal, in time quadratic in the literal's length: a
 * TraceQL regex of "GET " and 65,000 '=' took 19 s to compile. An empty group in front keeps the pattern's root from
 * being a literal and matches what the pattern matches; errors are the same, their index in the caller's text.
 */
public final class Regex {
    private static final String PREFIX = "(?:)";

    private Regex() {
    }

    public static Pattern compile(String regex, int flags) {
        // A pattern starting with a quantifier is left alone: the empty group would give it something to repeat.
        if (regex.isEmpty() || "*+?{".indexOf(regex.charAt(0)) >= 0) {
            return Pattern.compile(regex, flags);
        }
        try {
            return Pattern.compile(PREFIX + regex, flags);
        } catch (PatternSyntaxException e) {
            throw new PatternSyntaxException(e.getDescription(), regex, e.getIndex() < 0 ? -1 : e.getIndex() - PREFIX.length());
        }
    }
}
