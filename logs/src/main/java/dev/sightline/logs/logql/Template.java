package dev.sightline.logs.logql;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The subset of Go's text/template that {@code line_format} and {@code label_format} take: text, actions
 * {@code {{ .label }}} (a missing label prints nothing, as Loki's {@code missingkey=zero}), string and number
 * literals, pipelines {@code {{ .a | lower | trimPrefix "x" }}}, parentheses, comments, trim markers
 * {@code {{- -}}}, {@code __line__} and {@code __timestamp__}, and common functions (see {@link #call}). Control
 * actions ({@code if}, {@code range}, ...) and other functions are rejected by name when the query is parsed.
 */
final class Template {
    private final List<Object> nodes; // String text or Command[] pipeline

    private Template(List<Object> nodes) {
        this.nodes = nodes;
    }

    /** A piece of an action: a label, a literal, a function name, or a parenthesized pipeline. */
    private sealed interface Arg {
    }

    private record Field(String name) implements Arg {
    }

    private record Literal(Object value) implements Arg {
    }

    private record Func(String name) implements Arg {
    }

    private record Sub(List<List<Arg>> pipeline) implements Arg {
    }

    /** A time value ({@code __timestamp__}), printed as Go prints a time.Time in UTC. */
    private record Time(long nanos) {
        private static final DateTimeFormatter GO = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

        @Override
        public String toString() {
            Instant i = Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
            StringBuilder sb = new StringBuilder(GO.format(i.atOffset(ZoneOffset.UTC)));
            int frac = i.getNano();
            if (frac != 0) {
                String f = String.format(Locale.ROOT, "%09d", frac);
                sb.append('.').append(f.replaceAll("0+$", ""));
            }
            return sb.append(" +0000 UTC").toString();
        }
    }

    /** Thrown while rendering; the stage records it as {@code TemplateFormatErr}. */
    private static final class RenderException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RenderException(String message) {
            super(message, null, false, false);
        }
    }

    private static final List<String> FUNCTIONS = List.of("ToUpper", "ToLower", "upper", "lower", "TrimSpace",
            "trim", "trimPrefix", "trimSuffix", "TrimPrefix", "TrimSuffix", "replace", "Replace", "default", "printf",
            "trunc", "substr", "contains", "hasPrefix", "hasSuffix", "unixEpoch", "unixEpochMillis", "unixEpochNanos", "__line__", "__timestamp__");

    /** @throws IllegalArgumentException naming what does not parse or is not implemented, with its offset */
    static Template parse(String text) {
        List<Object> nodes = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            int open = text.indexOf("{{", i);
            if (open < 0) {
                nodes.add(text.substring(i));
                break;
            }
            int close = text.indexOf("}}", open + 2);
            if (close < 0) {
                throw new IllegalArgumentException("template: unclosed action at offset " + open);
            }
            String before = text.substring(i, open);
            String action = text.substring(open + 2, close);
            if (action.startsWith("-") && (action.length() == 1 || Character.isWhitespace(action.charAt(1)))) {
                before = before.stripTrailing();
                action = action.substring(1);
            }
            boolean trimAfter = action.endsWith("-") && (action.length() == 1
                    || Character.isWhitespace(action.charAt(action.length() - 2)));
            if (trimAfter) {
                action = action.substring(0, action.length() - 1);
            }
            if (!before.isEmpty()) {
                nodes.add(before);
            }
            String body = action.strip();
            if (!(body.startsWith("/*") && body.endsWith("*/"))) {
                Lexer lx = new Lexer(body, text.indexOf(body, open + 2));
                List<List<Arg>> pipeline = lx.pipeline();
                if (lx.pos < body.length()) {
                    throw new IllegalArgumentException("template: unexpected \"" + body.substring(lx.pos)
                            + "\" in action at offset " + open);
                }
                nodes.add(pipeline);
            }
            i = close + 2;
            if (trimAfter) {
                while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
                    i++;
                }
            }
        }
        return new Template(nodes);
    }

    /** The text for the line; on a function error sets {@code TemplateFormatErr} and gives {@code fallback}. */
    @SuppressWarnings("unchecked")
    String render(Pipeline.LineState s, String fallback) {
        StringBuilder sb = new StringBuilder();
        try {
            for (Object n : nodes) {
                if (n instanceof String text) {
                    sb.append(text);
                } else {
                    sb.append(print(run((List<List<Arg>>) n, s)));
                }
            }
        } catch (RenderException e) {
            s.setError("TemplateFormatErr", e.getMessage());
            return fallback;
        }
        return sb.toString();
    }

    private static final class Lexer {
        private final String text;
        private final int base;
        private int pos;
        private int depth;

        Lexer(String text, int base) {
            this.text = text;
            this.base = base;
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException("template: " + what + " at offset " + (base + pos));
        }

        private void skipSpace() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }

        List<List<Arg>> pipeline() {
            List<List<Arg>> commands = new ArrayList<>();
            while (true) {
                commands.add(command());
                skipSpace();
                if (pos < text.length() && text.charAt(pos) == '|') {
                    pos++;
                } else {
                    return commands;
                }
            }
        }

        private List<Arg> command() {
            List<Arg> args = new ArrayList<>();
            while (true) {
                skipSpace();
                if (pos >= text.length() || text.charAt(pos) == '|' || text.charAt(pos) == ')') {
                    break;
                }
                args.add(operand());
            }
            if (args.isEmpty()) {
                throw error("missing value for command");
            }
            return args;
        }

        private Arg operand() {
            char c = text.charAt(pos);
            int start = pos;
            if (c == '.') {
                pos++;
                while (pos < text.length() && isNameChar(text.charAt(pos))) {
                    pos++;
                }
                String name = text.substring(start + 1, pos);
                if (name.isEmpty() || pos < text.length() && text.charAt(pos) == '.') {
                    pos = start;
                    throw error("not implemented: template field \"" + text.substring(start).split("\\s")[0] + "\"");
                }
                return new Field(name);
            }
            if (c == '"' || c == '`') {
                try {
                    return new Literal(LogQlParser.unquote(text, pos, end -> pos = end));
                } catch (IllegalArgumentException e) {
                    throw error(e.getMessage());
                }
            }
            if (c == '(') {
                if (++depth > LogQlParser.MAX_DEPTH) {
                    throw error("parentheses nested too deep (more than " + LogQlParser.MAX_DEPTH + " levels)");
                }
                pos++;
                List<List<Arg>> inner = pipeline();
                depth--;
                skipSpace();
                if (pos >= text.length() || text.charAt(pos) != ')') {
                    throw error("unclosed parenthesis");
                }
                pos++;
                return new Sub(inner);
            }
            if (c == '-' || Character.isDigit(c)) {
                pos++;
                while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '.')) {
                    pos++;
                }
                String num = text.substring(start, pos);
                try {
                    return new Literal(num.contains(".") || num.contains("e") ? (Object) Double.parseDouble(num)
                            : (Object) Long.parseLong(num));
                } catch (NumberFormatException e) {
                    pos = start;
                    throw error("bad number \"" + num + "\"");
                }
            }
            if (isNameChar(c) || c == '$') {
                pos++;
                while (pos < text.length() && isNameChar(text.charAt(pos))) {
                    pos++;
                }
                String name = text.substring(start, pos);
                if (FUNCTIONS.contains(name)) {
                    return new Func(name);
                }
                pos = start;
                if (c == '$') {
                    throw error("not implemented: template variable " + name);
                }
                if (List.of("if", "else", "end", "range", "with", "define", "template", "block", "break",
                        "continue").contains(name)) {
                    throw error("not implemented: template action " + name);
                }
                throw error("not implemented: template function " + name);
            }
            throw error("unexpected \"" + c + "\"");
        }

        private static boolean isNameChar(char c) {
            return Character.isLetterOrDigit(c) || c == '_';
        }
    }

    private static Object run(List<List<Arg>> pipeline, Pipeline.LineState s) {
        Object piped = null;
        boolean first = true;
        for (List<Arg> command : pipeline) {
            piped = command(command, s, first ? null : piped, !first);
            first = false;
        }
        return piped;
    }

    private static Object command(List<Arg> command, Pipeline.LineState s, Object piped, boolean hasPiped) {
        Arg head = command.getFirst();
        if (!(head instanceof Func f)) {
            if (command.size() > 1 || hasPiped) {
                throw new RenderException("can't give argument to non-function " + describe(head));
            }
            return value(head, s);
        }
        List<Object> args = new ArrayList<>();
        for (int i = 1; i < command.size(); i++) {
            args.add(value(command.get(i), s));
        }
        if (hasPiped) {
            args.add(piped);
        }
        return call(f.name(), args, s);
    }

    private static String describe(Arg a) {
        return a instanceof Field f ? "." + f.name() : a.toString();
    }

    private static Object value(Arg a, Pipeline.LineState s) {
        return switch (a) {
            case Field f -> {
                String v = s.get(f.name());
                yield v == null ? "" : v;
            }
            case Literal l -> l.value();
            case Func f -> call(f.name(), List.of(), s);
            case Sub sub -> run(sub.pipeline(), s);
        };
    }

    private static String print(Object v) {
        if (v instanceof Double d) {
            return d == Math.rint(d) && Math.abs(d) < 1e21 ? Long.toString(d.longValue()) : d.toString();
        }
        return String.valueOf(v);
    }

    private static void arity(String name, List<Object> args, int n) {
        if (args.size() != n) {
            throw new RenderException("wrong number of args for " + name + ": want " + n + " got " + args.size());
        }
    }

    private static long integer(String name, Object v) {
        if (v instanceof Long l) {
            return l;
        }
        try {
            return Long.parseLong(print(v));
        } catch (NumberFormatException e) {
            throw new RenderException(name + ": \"" + print(v) + "\" is not an integer");
        }
    }

    private static long timeNanos(String name, Object v) {
        if (v instanceof Time t) {
            return t.nanos();
        }
        throw new RenderException(name + ": expected a time, got \"" + print(v) + "\"");
    }

    /** The functions; arguments in call order, a piped value last (as Go passes it). */
    private static Object call(String name, List<Object> a, Pipeline.LineState s) {
        return switch (name) {
            case "__line__" -> {
                arity(name, a, 0);
                yield s.line;
            }
            case "__timestamp__" -> {
                arity(name, a, 0);
                yield new Time(s.timeNanos);
            }
            case "ToUpper", "upper" -> {
                arity(name, a, 1);
                yield print(a.get(0)).toUpperCase(Locale.ROOT);
            }
            case "ToLower", "lower" -> {
                arity(name, a, 1);
                yield print(a.get(0)).toLowerCase(Locale.ROOT);
            }
            case "TrimSpace", "trim" -> {
                arity(name, a, 1);
                yield print(a.get(0)).strip();
            }
            case "trimPrefix", "TrimPrefix", "trimSuffix", "TrimSuffix" -> {
                arity(name, a, 2);
                // sprig's lower-case forms take the affix first (so it pipes), Go's strings forms the text first.
                boolean sprig = Character.isLowerCase(name.charAt(0));
                String text = print(a.get(sprig ? 1 : 0));
                String affix = print(a.get(sprig ? 0 : 1));
                if (name.endsWith("Prefix")) {
                    yield text.startsWith(affix) ? text.substring(affix.length()) : text;
                }
                yield text.endsWith(affix) ? text.substring(0, text.length() - affix.length()) : text;
            }
            case "replace" -> {
                arity(name, a, 3);
                yield print(a.get(2)).replace(print(a.get(0)), print(a.get(1)));
            }
            case "Replace" -> {
                arity(name, a, 4);
                yield replaceN(print(a.get(0)), print(a.get(1)), print(a.get(2)), integer(name, a.get(3)));
            }
            case "default" -> {
                arity(name, a, 2);
                Object v = a.get(1);
                yield v == null || print(v).isEmpty() ? a.get(0) : v;
            }
            case "trunc" -> {
                arity(name, a, 2);
                long n = integer(name, a.get(0));
                String t = print(a.get(1));
                if (n >= 0) {
                    yield t.length() > n ? t.substring(0, (int) n) : t;
                }
                yield t.length() > -n ? t.substring(t.length() + (int) n) : t;
            }
            case "substr" -> {
                arity(name, a, 3);
                String t = print(a.get(2));
                long from = integer(name, a.get(0));
                long to = integer(name, a.get(1));
                if (from < 0) {
                    yield t.substring(0, (int) Math.min(Math.max(to, 0), t.length()));
                }
                if (to < 0 || to > t.length()) {
                    yield from > t.length() ? "" : t.substring((int) from);
                }
                yield from > to ? "" : t.substring((int) from, (int) to);
            }
            case "contains", "hasPrefix", "hasSuffix" -> {
                // sprig's order, the needle first so the text pipes in: Grafana's trace-to-logs query uses
                // {{ contains "<trace id>" __line__ }}.
                arity(name, a, 2);
                String needle = print(a.get(0));
                String text = print(a.get(1));
                yield switch (name) {
                    case "contains" -> text.contains(needle);
                    case "hasPrefix" -> text.startsWith(needle);
                    default -> text.endsWith(needle);
                };
            }
            case "unixEpoch" -> {
                arity(name, a, 1);
                yield Math.floorDiv(timeNanos(name, a.get(0)), 1_000_000_000L);
            }
            case "unixEpochMillis" -> {
                arity(name, a, 1);
                yield Math.floorDiv(timeNanos(name, a.get(0)), 1_000_000L);
            }
            case "unixEpochNanos" -> {
                arity(name, a, 1);
                yield timeNanos(name, a.get(0));
            }
            case "printf" -> {
                if (a.isEmpty()) {
                    throw new RenderException("wrong number of args for printf: want at least 1 got 0");
                }
                yield printf(print(a.get(0)), a.subList(1, a.size()));
            }
            default -> throw new IllegalStateException("function listed but not defined: " + name);
        };
    }

    private static String replaceN(String text, String old, String replacement, long n) {
        if (n < 0) {
            return text.replace(old, replacement);
        }
        StringBuilder sb = new StringBuilder();
        int from = 0;
        for (long i = 0; i < n; i++) {
            int at = text.indexOf(old, from);
            if (at < 0) {
                break;
            }
            sb.append(text, from, at).append(replacement);
            from = at + old.length();
        }
        return sb.append(text.substring(from)).toString();
    }

    /** Go's fmt for the verbs templates use: %s %v %q %d %f %e %g %x %%, with flags, width and precision. */
    private static String printf(String format, List<Object> args) {
        StringBuilder sb = new StringBuilder();
        int next = 0;
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%') {
                sb.append(c);
                continue;
            }
            int start = i++;
            while (i < format.length() && "+-# 0123456789.".indexOf(format.charAt(i)) >= 0) {
                i++;
            }
            if (i >= format.length()) {
                sb.append("%!(NOVERB)");
                break;
            }
            char verb = format.charAt(i);
            String spec = format.substring(start, i);
            if (verb == '%') {
                sb.append('%');
                continue;
            }
            if (next >= args.size()) {
                sb.append("%!").append(verb).append("(MISSING)");
                continue;
            }
            Object arg = args.get(next++);
            sb.append(formatOne(spec, verb, arg));
        }
        if (next < args.size()) {
            sb.append("%!(EXTRA ");
            for (int k = next; k < args.size(); k++) {
                sb.append(k > next ? ", " : "").append(goType(args.get(k))).append('=').append(print(args.get(k)));
            }
            sb.append(')');
        }
        return sb.toString();
    }

    private static String goType(Object v) {
        return v instanceof Long ? "int" : v instanceof Double ? "float64" : v instanceof Time ? "time.Time" : "string";
    }

    private static String formatOne(String spec, char verb, Object arg) {
        switch (verb) {
            case 's', 'v' -> {
                return String.format(Locale.ROOT, spec + "s", print(arg));
            }
            case 'q' -> {
                return dev.sightline.core.text.GoQuote.quote(print(arg));
            }
            case 'd', 'x', 'X' -> {
                if (arg instanceof Long l) {
                    return String.format(Locale.ROOT, spec + verb, l);
                }
                if (verb != 'd' && arg instanceof String str) {
                    StringBuilder hex = new StringBuilder();
                    for (byte b : str.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
                        hex.append(String.format(Locale.ROOT, verb == 'x' ? "%02x" : "%02X", b));
                    }
                    return hex.toString();
                }
            }
            case 'f', 'F', 'e', 'E', 'g', 'G' -> {
                if (arg instanceof Double || arg instanceof Long) {
                    return String.format(Locale.ROOT, spec + (verb == 'F' ? 'f' : verb), ((Number) arg).doubleValue());
                }
            }
            default -> {
                // Go prints an unknown verb in its bad-verb form below.
            }
        }
        return "%!" + verb + "(" + goType(arg) + "=" + print(arg) + ")";
    }
}
