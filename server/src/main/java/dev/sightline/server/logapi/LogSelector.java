package dev.sightline.server.logapi;

import dev.sightline.core.LabelMatcher;
import dev.sightline.logs.LineFilter;
import dev.sightline.promql.parser.ParseException;
import dev.sightline.promql.parser.PromQLParser;
import dev.sightline.server.logapi.LokiParams.BadRequest;

import java.util.ArrayList;
import java.util.List;

/**
 * The stream selector of a LogQL log query and what follows it: what the endpoints that answer from the store's
 * index read ({@code labels}, {@code series}, {@code index/*}, {@code detected_*}, {@code tail}) without the LogQL
 * engine. A LogQL selector has PromQL's matcher syntax (and Go string literals), so PromQL's parser reads it.
 *
 * @param matchers the stream matchers; empty for {@code {}} or no query (every stream)
 * @param pipeline the text after the selector, trimmed ("" when none)
 */
record LogSelector(List<LabelMatcher> matchers, String pipeline) {
    static final LogSelector ALL = new LogSelector(List.of(), "");

    /** The selector of {@code query}; a blank query or {@code {}} selects every stream. */
    static LogSelector parse(String param, String query) {
        String q = query.strip();
        if (q.isEmpty()) {
            return ALL;
        }
        if (q.charAt(0) != '{') {
            throw new BadRequest("parse error: " + param + " must start with a stream selector {...}, got "
                    + abbreviate(q));
        }
        int close = closingBrace(q);
        if (close < 0) {
            throw new BadRequest("parse error: " + param + ": stream selector not closed: " + abbreviate(q));
        }
        String selector = q.substring(0, close + 1);
        String rest = q.substring(close + 1).strip();
        if (selector.substring(1, close).isBlank()) {
            return new LogSelector(List.of(), rest);
        }
        try {
            return new LogSelector(PromQLParser.parseMetricSelector(selector), rest);
        } catch (ParseException e) {
            throw new BadRequest(param + ": " + e.getMessage());
        }
    }

    /** The index of the brace closing the leading one, skipping quoted text; -1 when none. */
    private static int closingBrace(String q) {
        char quote = 0;
        for (int i = 1; i < q.length(); i++) {
            char c = q.charAt(i);
            if (quote != 0) {
                if (c == '\\' && quote == '"') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '`') {
                quote = c;
            } else if (c == '}') {
                return i;
            }
        }
        return -1;
    }

    /**
     * The pipeline as line filters ({@code |= != |~ !~}, each with one or more literals joined by {@code or}); null
     * when it holds any other stage, which needs the LogQL engine.
     */
    List<LineFilter> lineFiltersOrNull() {
        List<LineFilter> filters = new ArrayList<>();
        int i = 0;
        String p = pipeline;
        while (true) {
            i = skipSpace(p, i);
            if (i >= p.length()) {
                return filters;
            }
            LineFilter.Op op = p.length() - i < 2 ? null : switch (p.substring(i, i + 2)) {
                case "|=" -> LineFilter.Op.CONTAINS;
                case "!=" -> LineFilter.Op.NOT_CONTAINS;
                case "|~" -> LineFilter.Op.REGEX;
                case "!~" -> LineFilter.Op.NOT_REGEX;
                default -> null;
            };
            if (op == null) {
                return null;
            }
            i += 2;
            List<String> values = new ArrayList<>();
            while (true) {
                i = skipSpace(p, i);
                int end = literalEnd(p, i);
                if (end < 0) {
                    return null;
                }
                values.add(unquote(p.substring(i, end)));
                i = skipSpace(p, end);
                if (p.startsWith("or", i) && (i + 2 == p.length() || isSpace(p.charAt(i + 2))
                        || p.charAt(i + 2) == '"' || p.charAt(i + 2) == '`')) {
                    i += 2;
                } else {
                    break;
                }
            }
            try {
                filters.add(new LineFilter(op, values));
            } catch (IllegalArgumentException e) {
                throw new BadRequest("parse error: " + e.getMessage());
            }
        }
    }

    /** The end (exclusive) of the string literal at {@code i}; -1 when there is none. */
    private static int literalEnd(String p, int i) {
        if (i >= p.length() || p.charAt(i) != '"' && p.charAt(i) != '`') {
            return -1;
        }
        char quote = p.charAt(i);
        for (int j = i + 1; j < p.length(); j++) {
            char c = p.charAt(j);
            if (c == '\\' && quote == '"') {
                j++;
            } else if (c == quote) {
                return j + 1;
            }
        }
        throw new BadRequest("parse error: string literal not terminated: " + abbreviate(p.substring(i)));
    }

    /** A Go string literal's value, read by PromQL's lexer (LogQL literals are Go's, as PromQL's). */
    private static String unquote(String literal) {
        try {
            // A second matcher that is not empty, so that an empty literal parses too.
            for (LabelMatcher m : PromQLParser.parseMetricSelector("{_=" + literal + ",a=\"b\"}")) {
                if (m.name().equals("_")) {
                    return m.value();
                }
            }
            throw new IllegalStateException("the parser lost the literal's matcher");
        } catch (ParseException e) {
            throw new BadRequest("parse error: invalid string literal " + literal + ": " + e.getMessage());
        }
    }

    private static int skipSpace(String p, int i) {
        while (i < p.length() && isSpace(p.charAt(i))) {
            i++;
        }
        return i;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 60) + "...";
    }
}
