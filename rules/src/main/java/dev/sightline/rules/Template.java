package dev.sightline.rules;
import dev.sightline.core.text.GoFloats;

import dev.sightline.promql.ast.Printer;
import dev.sightline.core.Labels;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The subset of Go's text/template that Prometheus rule labels and annotations mostly use: {@code {{ $value }}},
 * {@code {{ $labels.x }}}, {@code {{ $externalLabels.x }}}, {@code {{ .Value }}}, {@code {{ .Labels.x }}}, string
 * and number literals, and pipelines through {@code humanize}, {@code humanize1024}, {@code humanizePercentage},
 * {@code humanizeDuration}, {@code printf}, and {@code query}, {@code first}, {@code value}, {@code label} (so an
 * annotation can show other figures than the alert's own value:
 * {@code {{ printf "avg_over_time(x{job='%s'}[1d])" $labels.job | query | first | value | humanize }}}). Control
 * structures are refused when parsing, so a rule file using them fails {@code check-rules} instead of rendering
 * something wrong. A missing label renders as
 * the empty string (Prometheus runs templates with missingkey=zero).
 */
public final class Template {
    /** A template the subset cannot parse; the message reads like Go's ("template: NAME:LINE: ..."). */
    public static final class TemplateException extends Exception {
        public TemplateException(String message) {
            super(message);
        }
    }

    /**
     * What a template sees: the alert's labels, its value, the server's external labels, and the instant query that
     * {@code query} runs (at the rule's evaluation time; null where no query can run).
     */
    public record Data(Labels labels, double value, Map<String, String> externalLabels, QueryFunc query) {
        public Data(Labels labels, double value, Map<String, String> externalLabels) {
            this(labels, value, externalLabels, null);
        }
    }

    /** Runs a PromQL instant query for {@code query}; a failure's message becomes the template error. */
    @FunctionalInterface
    public interface QueryFunc {
        List<QuerySample> query(String promql) throws Exception;
    }

    /** One element of a {@code query} result, as Prometheus's templates see it (.Labels, .Value). */
    public record QuerySample(Labels labels, double value) {
    }

    private static final Set<String> FUNCTIONS = Set.of("humanize", "humanize1024", "humanizePercentage",
            "humanizeDuration", "printf", "query", "first", "value", "label");
    private static final Set<String> KEYWORDS = Set.of("if", "else", "end", "range", "with", "define", "template",
            "block", "break", "continue");

    private sealed interface Node permits Text, Action {
    }

    private record Text(String text) implements Node {
    }

    /** One {@code {{ }}} action: commands joined by '|'; each command is its operands (function name first). */
    private record Action(List<List<Operand>> commands) implements Node {
    }

    private sealed interface Operand permits Literal, Field, Func {
    }

    private record Literal(Object value) implements Operand {
    }

    /** kind: "value", "labels", "external"; key: label name or null for the whole map. */
    private record Field(String kind, String key) implements Operand {
    }

    private record Func(String name) implements Operand {
    }

    private final String source;
    private final List<Node> nodes;

    private Template(String source, List<Node> nodes) {
        this.source = source;
        this.nodes = nodes;
    }

    public String source() {
        return source;
    }

    /** Parses {@code text}; {@code name} appears in errors, like Go's template name (e.g. __alert_HighErrors). */
    public static Template parse(String name, String text) throws TemplateException {
        List<Node> nodes = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            int open = text.indexOf("{{", i);
            if (open < 0) {
                nodes.add(new Text(text.substring(i)));
                break;
            }
            String before = text.substring(i, open);
            int bodyStart = open + 2;
            if (text.startsWith("- ", bodyStart)) {
                before = before.stripTrailing();
                bodyStart++;
            }
            if (!before.isEmpty()) {
                nodes.add(new Text(before));
            }
            int close = text.indexOf("}}", bodyStart);
            int line = lineOf(text, open);
            if (close < 0) {
                throw new TemplateException("template: " + name + ":" + line + ": unclosed action");
            }
            int bodyEnd = close;
            boolean trimAfter = false;
            if (close >= 2 && text.charAt(close - 1) == '-' && text.charAt(close - 2) == ' ') {
                bodyEnd = close - 1;
                trimAfter = true;
            }
            String body = text.substring(bodyStart, bodyEnd).trim();
            if (!body.startsWith("/*")) {
                nodes.add(parseAction(name, line, body));
            }
            i = close + 2;
            if (trimAfter) {
                while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
                    i++;
                }
            }
        }
        return new Template(text, List.copyOf(nodes));
    }

    private static int lineOf(String text, int pos) {
        int line = 1;
        for (int k = 0; k < pos; k++) {
            if (text.charAt(k) == '\n') {
                line++;
            }
        }
        return line;
    }

    private static Action parseAction(String name, int line, String body) throws TemplateException {
        String where = "template: " + name + ":" + line + ": ";
        if (body.isEmpty()) {
            throw new TemplateException(where + "missing value for command");
        }
        List<List<Operand>> commands = new ArrayList<>();
        List<Operand> current = new ArrayList<>();
        int i = 0;
        while (i <= body.length()) {
            if (i == body.length() || body.charAt(i) == '|') {
                if (current.isEmpty()) {
                    throw new TemplateException(where + "missing command");
                }
                commands.add(List.copyOf(current));
                current = new ArrayList<>();
                i++;
                continue;
            }
            char c = body.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '"' || c == '`') {
                int end = i + 1;
                StringBuilder sb = new StringBuilder();
                while (end < body.length() && body.charAt(end) != c) {
                    char ch = body.charAt(end);
                    if (c == '"' && ch == '\\' && end + 1 < body.length()) {
                        char esc = body.charAt(++end);
                        sb.append(switch (esc) {
                            case 'n' -> '\n';
                            case 't' -> '\t';
                            default -> esc;
                        });
                    } else {
                        sb.append(ch);
                    }
                    end++;
                }
                if (end >= body.length()) {
                    throw new TemplateException(where + "unterminated quoted string");
                }
                current.add(new Literal(sb.toString()));
                i = end + 1;
            } else {
                int end = i;
                while (end < body.length() && !Character.isWhitespace(body.charAt(end)) && body.charAt(end) != '|') {
                    end++;
                }
                current.add(operand(where, body.substring(i, end), current.isEmpty()));
                i = end;
            }
        }
        for (int k = 0; k < commands.size(); k++) {
            List<Operand> cmd = commands.get(k);
            for (int j = 1; j < cmd.size(); j++) {
                if (cmd.get(j) instanceof Func f) {
                    throw new TemplateException(where + "function \"" + f.name() + "\" used as an argument is not supported");
                }
            }
            if (!(cmd.get(0) instanceof Func) && (cmd.size() > 1 || k > 0)) {
                throw new TemplateException(where + (k > 0 ? "non executable command in pipeline stage " + (k + 1)
                        : "can't give argument to non-function " + describe(cmd.get(0))));
            }
        }
        return new Action(List.copyOf(commands));
    }

    private static String describe(Operand op) {
        return switch (op) {
            case Literal l -> String.valueOf(l.value());
            case Field f -> f.kind() + (f.key() == null ? "" : "." + f.key());
            case Func f -> f.name();
        };
    }

    private static Operand operand(String where, String word, boolean first) throws TemplateException {
        if (word.equals("$value") || word.equals(".Value")) {
            return new Field("value", null);
        }
        for (String[] prefix : new String[][]{{"$labels", "labels"}, {".Labels", "labels"},
                {"$externalLabels", "external"}, {".ExternalLabels", "external"}}) {
            if (word.equals(prefix[0])) {
                return new Field(prefix[1], null);
            }
            if (word.startsWith(prefix[0] + ".")) {
                String key = word.substring(prefix[0].length() + 1);
                if (!key.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                    throw new TemplateException(where + "bad field name " + key);
                }
                return new Field(prefix[1], key);
            }
        }
        if (word.startsWith("$")) {
            throw new TemplateException(where + "undefined variable \"" + word + "\"");
        }
        if (word.startsWith(".")) {
            throw new TemplateException(where + "field " + word + " is not supported (only .Value, .Labels and .ExternalLabels)");
        }
        if (!word.isEmpty() && (Character.isDigit(word.charAt(0)) || word.charAt(0) == '-' || word.charAt(0) == '+')) {
            try {
                return new Literal(Double.parseDouble(word));
            } catch (NumberFormatException e) {
                throw new TemplateException(where + "bad number syntax: \"" + word + "\"");
            }
        }
        if (KEYWORDS.contains(word)) {
            throw new TemplateException(where + "\"" + word + "\" actions are not supported in Sightline templates");
        }
        if (FUNCTIONS.contains(word)) {
            return new Func(word);
        }
        throw new TemplateException(where + "function \"" + word + "\" not defined");
    }

    /** Renders the template; a runtime error (e.g. humanize of a non-number) is thrown with the template's name. */
    public String render(Data data) throws TemplateException {
        StringBuilder out = new StringBuilder();
        for (Node node : nodes) {
            switch (node) {
                case Text t -> out.append(t.text());
                case Action a -> out.append(print(run(a, data)));
            }
        }
        return out.toString();
    }

    private static Object run(Action action, Data data) throws TemplateException {
        Object piped = null;
        boolean hasPiped = false;
        for (List<Operand> cmd : action.commands()) {
            if (cmd.get(0) instanceof Func f) {
                List<Object> args = new ArrayList<>();
                for (int j = 1; j < cmd.size(); j++) {
                    args.add(value(cmd.get(j), data));
                }
                if (hasPiped) {
                    args.add(piped);
                }
                piped = call(f.name(), args, data);
            } else {
                piped = value(cmd.get(0), data);
            }
            hasPiped = true;
        }
        return piped;
    }

    private static Object value(Operand op, Data data) {
        return switch (op) {
            case Literal l -> l.value();
            case Field f -> switch (f.kind()) {
                case "value" -> data.value();
                case "labels" -> f.key() == null ? data.labels().toMap() : orEmpty(data.labels().get(f.key()));
                default -> f.key() == null ? data.externalLabels() : orEmpty(data.externalLabels().get(f.key()));
            };
            case Func f -> throw new IllegalStateException("functions are rejected as arguments at parse time: " + f);
        };
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    private static String print(Object o) {
        if (o instanceof Double d) {
            return GoFloats.formatG(d);
        }
        if (o instanceof QuerySample q) {
            return "{" + print(q.labels().toMap()) + " " + GoFloats.formatG(q.value()) + "}";
        }
        if (o instanceof Map<?, ?> m) {
            StringBuilder sb = new StringBuilder("map[");
            m.entrySet().stream().sorted(Map.Entry.comparingByKey((a, b) -> a.toString().compareTo(b.toString())))
                    .forEach(e -> sb.append(sb.length() > 4 ? " " : "").append(e.getKey()).append(':').append(e.getValue()));
            return sb.append(']').toString();
        }
        return String.valueOf(o);
    }

    private static Object call(String name, List<Object> args, Data data) throws TemplateException {
        if (name.equals("printf")) {
            if (args.isEmpty() || !(args.get(0) instanceof String format)) {
                throw new TemplateException("error calling printf: the first argument must be a format string");
            }
            return printf(format, args.subList(1, args.size()));
        }
        if (name.equals("label")) {
            if (args.size() != 2 || !(args.get(1) instanceof QuerySample sample)) {
                throw new TemplateException("error calling label: want a label name and a query sample");
            }
            return orEmpty(sample.labels().get(String.valueOf(args.get(0))));
        }
        if (args.size() != 1) {
            throw new TemplateException("wrong number of args for " + name + ": want 1 got " + args.size());
        }
        Object arg = args.get(0);
        switch (name) {
            case "query" -> {
                if (data.query() == null) {
                    throw new TemplateException("error calling query: no query engine here");
                }
                try {
                    return data.query().query(String.valueOf(arg));
                } catch (Exception e) {
                    throw new TemplateException("error calling query: " + e.getMessage());
                }
            }
            case "first" -> {
                if (!(arg instanceof List<?> list)) {
                    throw new TemplateException("error calling first: want a query result, got " + print(arg));
                }
                if (list.isEmpty()) {
                    throw new TemplateException("error calling first: first() called on vector with no elements");
                }
                return list.get(0);
            }
            case "value" -> {
                if (!(arg instanceof QuerySample sample)) {
                    throw new TemplateException("error calling value: want a query sample, got " + print(arg));
                }
                return sample.value();
            }
            default -> {
            }
        }
        double v = number(name, arg);
        return switch (name) {
            case "humanize" -> humanize(v);
            case "humanize1024" -> humanize1024(v);
            case "humanizePercentage" -> GoFormat.g(v * 100, 4) + "%";
            default -> humanizeDuration(v);
        };
    }

    private static double number(String fn, Object arg) throws TemplateException {
        if (arg instanceof Double d) {
            return d;
        }
        try {
            return Double.parseDouble(String.valueOf(arg).trim());
        } catch (NumberFormatException e) {
            throw new TemplateException("error calling " + fn + ": strconv.ParseFloat: parsing \"" + arg + "\": invalid syntax");
        }
    }

    static String humanize(double v) {
        if (v == 0 || Double.isNaN(v) || Double.isInfinite(v)) {
            return GoFormat.g(v, 4);
        }
        if (Math.abs(v) >= 1) {
            String prefix = "";
            for (String p : new String[]{"k", "M", "G", "T", "P", "E", "Z", "Y"}) {
                if (Math.abs(v) < 1000) {
                    break;
                }
                prefix = p;
                v /= 1000;
            }
            return GoFormat.g(v, 4) + prefix;
        }
        String prefix = "";
        for (String p : new String[]{"m", "u", "n", "p", "f", "a", "z", "y"}) {
            if (Math.abs(v) >= 1) {
                break;
            }
            prefix = p;
            v *= 1000;
        }
        return GoFormat.g(v, 4) + prefix;
    }

    static String humanize1024(double v) {
        if (Math.abs(v) <= 1 || Double.isNaN(v) || Double.isInfinite(v)) {
            return GoFormat.g(v, 4);
        }
        String prefix = "";
        for (String p : new String[]{"ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"}) {
            if (Math.abs(v) < 1024) {
                break;
            }
            prefix = p;
            v /= 1024;
        }
        return GoFormat.g(v, 4) + prefix;
    }

    static String humanizeDuration(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return GoFormat.g(v, 4);
        }
        if (v == 0) {
            return "0s";
        }
        if (Math.abs(v) >= 1) {
            String sign = v < 0 ? "-" : "";
            v = Math.abs(v);
            long duration = (long) v;
            long seconds = duration % 60;
            long minutes = (duration / 60) % 60;
            long hours = (duration / 3600) % 24;
            long days = duration / 86400;
            if (days != 0) {
                return sign + days + "d " + hours + "h " + minutes + "m " + seconds + "s";
            }
            if (hours != 0) {
                return sign + hours + "h " + minutes + "m " + seconds + "s";
            }
            if (minutes != 0) {
                return sign + minutes + "m " + seconds + "s";
            }
            return sign + GoFormat.g(v, 4) + "s";
        }
        String prefix = "";
        for (String p : new String[]{"m", "u", "n", "p", "f", "a", "z", "y"}) {
            if (Math.abs(v) >= 1) {
                break;
            }
            prefix = p;
            v *= 1000;
        }
        return GoFormat.g(v, 4) + prefix + "s";
    }

    /** Go's printf for the verbs templates use: %s %v %d %f %e %g with optional precision, and %%. */
    static String printf(String format, List<Object> args) throws TemplateException {
        StringBuilder out = new StringBuilder();
        int argIndex = 0;
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%') {
                out.append(c);
                continue;
            }
            int j = i + 1;
            int prec = -1;
            if (j < format.length() && format.charAt(j) == '.') {
                int start = ++j;
                while (j < format.length() && Character.isDigit(format.charAt(j))) {
                    j++;
                }
                prec = start == j ? 0 : Integer.parseInt(format.substring(start, j));
            }
            if (j >= format.length()) {
                out.append("%!(NOVERB)");
                break;
            }
            char verb = format.charAt(j);
            i = j;
            if (verb == '%') {
                out.append('%');
                continue;
            }
            if (argIndex >= args.size()) {
                out.append("%!").append(verb).append("(MISSING)");
                continue;
            }
            Object arg = args.get(argIndex++);
            switch (verb) {
                case 'v', 's' -> out.append(prec >= 0 && verb == 's' ? print(arg).substring(0, Math.min(prec, print(arg).length())) : print(arg));
                case 'd' -> out.append(arg instanceof Double d && d == Math.rint(d) ? String.valueOf(d.longValue())
                        : "%!d(" + typeName(arg) + "=" + print(arg) + ")");
                case 'f', 'F', 'e', 'g' -> {
                    if (!(arg instanceof Double d)) {
                        out.append("%!").append(verb).append("(").append(typeName(arg)).append("=").append(print(arg)).append(")");
                    } else {
                        out.append(switch (verb) {
                            case 'e' -> GoFormat.e(d, prec < 0 ? 6 : prec);
                            case 'g' -> GoFormat.g(d, prec);
                            default -> GoFormat.f(d, prec < 0 ? 6 : prec);
                        });
                    }
                }
                default -> throw new TemplateException("error calling printf: verb %" + verb + " is not supported");
            }
        }
        return out.toString();
    }

    private static String typeName(Object o) {
        return o instanceof Double ? "float64" : "string";
    }
}
