package dev.sightline.logs.logql;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.logs.FieldCondition;
import dev.sightline.logs.LineFilter;
import dev.sightline.logs.LogFields;

import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The stages of a log pipeline and the state of one line passing through them. Labels follow Loki's LabelsBuilder:
 * the line's stream labels and structured metadata are the base, parsers add labels (a name the base already has is
 * renamed {@code name_extracted}), {@code __error__} and {@code __error_details__} record the first failing stage.
 */
final class Pipeline {
    static final String ERROR = "__error__";
    static final String ERROR_DETAILS = "__error_details__";
    static final JsonFactory JSON = new JsonFactory();

    private Pipeline() {
    }

    /**
     * False when the line cannot be one JSON object (its first character is neither whitespace nor a brace): the
     * parser would say so too, but only after building an exception, which costs more than parsing a line.
     */
    static boolean mayBeJsonObject(String line) {
        if (line.isEmpty()) {
            return false;
        }
        char c = line.charAt(0);
        return c == '{' || c <= ' ' || c == '\uFEFF';
    }

    /** One stage; false drops the line. */
    interface Stage {
        boolean process(LineState s);
    }

    /** One line in the pipeline; reused from line to line by {@link #reset}. */
    static final class LineState {
        long timeNanos;
        String line;
        Labels stream;
        Labels metadata;
        /** Labels added or changed by stages; an empty value is kept here (a filter tells "" from missing). */
        private final Map<String, String> set = new HashMap<>();
        private final Set<String> deleted = new HashSet<>();
        /** Base label sets merged, by stream then metadata: most lines add nothing and share these. */
        private final Map<Labels, Map<Labels, Labels>> merged = new HashMap<>();

        void reset(long time, String text, Labels streamLabels, Labels meta) {
            timeNanos = time;
            line = text;
            stream = streamLabels;
            metadata = meta;
            set.clear();
            deleted.clear();
        }

        /** A label's value, null when the line has none. */
        String get(String name) {
            String v = set.get(name);
            if (v != null || deleted.contains(name)) {
                return v;
            }
            v = stream.get(name);
            return v != null ? v : metadata.get(name);
        }

        void put(String name, String value) {
            set.put(name, value);
            deleted.remove(name);
        }

        void delete(String name) {
            set.remove(name);
            deleted.add(name);
        }

        /** Adds a parsed field, renamed {@code name_extracted} when a stream or metadata label has its name. */
        void putParsed(String name, String value) {
            put(stream.has(name) || metadata.has(name) ? name + "_extracted" : name, value);
        }

        boolean hasError() {
            String e = get(ERROR);
            return e != null && !e.isEmpty();
        }

        void setError(String error, String details) {
            if (!hasError()) {
                put(ERROR, error);
                put(ERROR_DETAILS, details);
            }
        }

        /** Every label the line has now, names sorted (empty values included). */
        Map<String, String> all() {
            Map<String, String> m = new TreeMap<>();
            metadata.forEach(m::put);
            stream.forEach(m::put);
            deleted.forEach(m::remove);
            m.putAll(set);
            return m;
        }

        /** The line's labels as a result shows them (empty values dropped). */
        Labels labels() {
            if (set.isEmpty() && deleted.isEmpty()) {
                if (metadata.isEmpty()) {
                    return stream;
                }
                return merged.computeIfAbsent(stream, k -> new HashMap<>()).computeIfAbsent(metadata,
                        k -> merge(stream, metadata));
            }
            Labels.Builder b = Labels.builder();
            all().forEach(b::set);
            return b.build();
        }

        static Labels merge(Labels stream, Labels metadata) {
            Labels.Builder b = metadata.toBuilder();
            stream.forEach(b::set);
            return b.build();
        }
    }

    record LineFilterStage(LineFilter filter) implements Stage {
        @Override
        public boolean process(LineState s) {
            return filter.matches(s.line);
        }
    }

    /** {@code | json} or {@code | logfmt} without arguments: every field, read as the store reads it. */
    record FieldsParser(FieldCondition.Parser parser) implements Stage {
        @Override
        public boolean process(LineState s) {
            Map<String, String> fields = parser == FieldCondition.Parser.JSON && !mayBeJsonObject(s.line) ? null
                    : parser.parse(s.line);
            if (fields == null) {
                s.setError(parser == FieldCondition.Parser.JSON ? "JSONParserErr" : "LogfmtParserErr",
                        parser == FieldCondition.Parser.JSON ? "not a JSON object" : "logfmt syntax error");
                return true;
            }
            fields.forEach(s::putParsed);
            return true;
        }
    }

    /** One element of a JSON extraction path: an object key or an array index. */
    record PathElement(String key, int index) {
    }

    /** {@code | json a="x.y[0]"}: only the named paths, objects and arrays as their JSON text. */
    record JsonExtract(List<String> labels, List<List<PathElement>> paths) implements Stage {
        @Override
        public boolean process(LineState s) {
            if (!mayBeJsonObject(s.line) || !LogFields.json(s.line, (n, v) -> { })) {
                s.setError("JSONParserErr", "not a JSON object");
                return true;
            }
            for (int i = 0; i < labels.size(); i++) {
                String v;
                try {
                    v = extract(s.line, paths.get(i));
                } catch (IOException e) {
                    v = null;
                }
                s.putParsed(labels.get(i), v == null ? "" : v);
            }
            return true;
        }

        private static String extract(String line, List<PathElement> path) throws IOException {
            try (JsonParser p = JSON.createParser(line)) {
                JsonToken t = p.nextToken();
                for (PathElement e : path) {
                    if (e.key() != null ? !seekField(p, t, e.key()) : !seekIndex(p, t, e.index())) {
                        return null;
                    }
                    t = p.nextToken();
                }
                if (t == null || t == JsonToken.END_ARRAY || t == JsonToken.END_OBJECT) {
                    return null;
                }
                return switch (t) {
                    case START_OBJECT, START_ARRAY -> {
                        int from = (int) p.currentTokenLocation().getCharOffset();
                        p.skipChildren();
                        yield line.substring(from, (int) p.currentTokenLocation().getCharOffset() + 1);
                    }
                    case VALUE_NULL -> "";
                    default -> p.getText();
                };
            }
        }

        /** Moves to the named field's name (its value is next); false when the object has none. */
        private static boolean seekField(JsonParser p, JsonToken t, String key) throws IOException {
            if (t != JsonToken.START_OBJECT) {
                return false;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                if (p.currentName().equals(key)) {
                    return true;
                }
                p.nextToken();
                p.skipChildren();
            }
            return false;
        }

        private static boolean seekIndex(JsonParser p, JsonToken t, int index) throws IOException {
            if (t != JsonToken.START_ARRAY) {
                return false;
            }
            for (int i = 0; i < index; i++) {
                JsonToken e = p.nextToken();
                if (e == JsonToken.END_ARRAY) {
                    return false;
                }
                p.skipChildren();
            }
            // Leave the parser before the wanted element: the caller's nextToken reads it.
            return true;
        }
    }

    /** {@code | logfmt a="key"}: only the named keys. */
    record LogfmtExtract(List<String> labels, List<String> keys) implements Stage {
        @Override
        public boolean process(LineState s) {
            Map<String, String> fields = LogFields.logfmt(s.line);
            if (fields == null) {
                s.setError("LogfmtParserErr", "logfmt syntax error");
                return true;
            }
            for (int i = 0; i < labels.size(); i++) {
                String v = fields.get(keys.get(i));
                if (v != null) {
                    s.putParsed(labels.get(i), v);
                }
            }
            return true;
        }
    }

    /** {@code | regexp "..."}: named groups (renamed for Java, whose group names allow no underscore) become labels. */
    record RegexpParser(Pattern pattern, List<String> groupLabels) implements Stage {
        @Override
        public boolean process(LineState s) {
            Matcher m = pattern.matcher(s.line);
            if (m.find()) {
                for (int i = 0; i < groupLabels.size(); i++) {
                    String v = m.group("g" + i);
                    if (v != null) {
                        s.putParsed(groupLabels.get(i), v);
                    }
                }
            }
            return true;
        }
    }

    /**
     * {@code | pattern "<ip> - <_> [<ts>]"}: literals found in order, each capture taking the text up to the next
     * literal (or the rest of the line); a line the literals do not fit gives no labels.
     */
    record PatternParser(List<String> literals, List<String> captures) implements Stage {
        // literals.get(i) precedes captures.get(i); the last literal (possibly "") follows the last capture.
        @Override
        public boolean process(LineState s) {
            String line = s.line;
            int n = captures.size();
            String[] values = new String[n];
            int pos = 0;
            if (!line.startsWith(literals.get(0))) {
                return true;
            }
            pos = literals.get(0).length();
            for (int i = 0; i < n; i++) {
                String next = literals.get(i + 1);
                int end = next.isEmpty() ? line.length() : line.indexOf(next, pos);
                if (end < 0) {
                    return true;
                }
                values[i] = line.substring(pos, end);
                pos = end + next.length();
            }
            for (int i = 0; i < n; i++) {
                if (captures.get(i) != null) {
                    s.putParsed(captures.get(i), values[i]);
                }
            }
            return true;
        }
    }

    /** {@code | unpack}: a JSON object's string fields become labels, {@code _entry} becomes the line (Promtail's pack). */
    record UnpackParser() implements Stage {
        @Override
        public boolean process(LineState s) {
            Map<String, String> fields = new HashMap<>();
            String entry = null;
            if (!mayBeJsonObject(s.line)) {
                s.setError("JSONParserErr", "not a JSON object");
                return true;
            }
            try (JsonParser p = JSON.createParser(s.line)) {
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    throw new IOException("not a JSON object");
                }
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    JsonToken t = p.nextToken();
                    if (t == JsonToken.VALUE_STRING) {
                        if (name.equals("_entry")) {
                            entry = p.getText();
                        } else {
                            fields.putIfAbsent(LogFields.sanitize(name), p.getText());
                        }
                    } else {
                        p.skipChildren();
                    }
                }
                if (p.nextToken() != null) {
                    throw new IOException("trailing data after the object");
                }
            } catch (IOException e) {
                s.setError("JSONParserErr", "not a JSON object");
                return true;
            }
            fields.forEach(s::putParsed);
            if (entry != null) {
                s.line = entry;
            }
            return true;
        }
    }

    /** A label filter expression, Loki's reading: after an error every filter but one on the error itself passes. */
    sealed interface LabelFilter {
        boolean test(LineState s);
    }

    record And(LabelFilter left, LabelFilter right) implements LabelFilter {
        @Override
        public boolean test(LineState s) {
            return left.test(s) && right.test(s);
        }
    }

    record Or(LabelFilter left, LabelFilter right) implements LabelFilter {
        @Override
        public boolean test(LineState s) {
            return left.test(s) || right.test(s);
        }
    }

    record StringFilter(LabelMatcher matcher) implements LabelFilter {
        @Override
        public boolean test(LineState s) {
            String name = matcher.name();
            if (!name.equals(ERROR) && !name.equals(ERROR_DETAILS) && s.hasError()) {
                return true;
            }
            return matcher.matches(s.get(name));
        }
    }

    enum CompareOp {
        EQ("=="), NE("!="), GT(">"), GE(">="), LT("<"), LE("<=");

        final String symbol;

        CompareOp(String symbol) {
            this.symbol = symbol;
        }

        boolean test(double a, double b) {
            return switch (this) {
                case EQ -> a == b;
                case NE -> a != b;
                case GT -> a > b;
                case GE -> a >= b;
                case LT -> a < b;
                case LE -> a <= b;
            };
        }
    }

    /** A numeric, duration (seconds) or bytes comparison, converting the label's value as {@link FieldCondition.Type}. */
    record CompareFilter(String name, FieldCondition.Type type, CompareOp op, double bound) implements LabelFilter {
        @Override
        public boolean test(LineState s) {
            if (s.hasError()) {
                return true;
            }
            String v = s.get(name);
            if (v == null) {
                return false;
            }
            double x = type.convert(v);
            if (Double.isNaN(x)) {
                s.setError("LabelFilterErr", "cannot convert label " + name + " value \"" + v + "\" to "
                        + type.name().toLowerCase(java.util.Locale.ROOT));
                return true;
            }
            return op.test(x, bound);
        }
    }

    record LabelFilterStage(LabelFilter filter) implements Stage {
        @Override
        public boolean process(LineState s) {
            return filter.test(s);
        }
    }

    record LineFormat(Template template) implements Stage {
        @Override
        public boolean process(LineState s) {
            s.line = template.render(s, s.line);
            return true;
        }
    }

    /** One {@code label_format} assignment: a rename from {@code source}, or a template. */
    record LabelAssignment(String target, String source, Template template) {
    }

    /** {@code | label_format a=b, c="{{...}}"}: every right side reads the labels as they were before the stage. */
    record LabelFormat(List<LabelAssignment> assignments) implements Stage {
        @Override
        public boolean process(LineState s) {
            String[] values = new String[assignments.size()];
            for (int i = 0; i < values.length; i++) {
                LabelAssignment a = assignments.get(i);
                if (a.template() != null) {
                    String old = s.get(a.target());
                    values[i] = a.template().render(s, old == null ? "" : old);
                } else {
                    String v = s.get(a.source());
                    values[i] = v == null ? "" : v;
                }
            }
            for (int i = 0; i < values.length; i++) {
                LabelAssignment a = assignments.get(i);
                if (a.source() != null && !a.source().equals(a.target())) {
                    s.delete(a.source());
                }
            }
            for (int i = 0; i < values.length; i++) {
                s.put(assignments.get(i).target(), values[i]);
            }
            return true;
        }
    }

    /** {@code | drop a, b="x"} (keep = false) or {@code | keep a, b="x"} (keep = true). */
    record DropKeep(boolean keep, Set<String> names, List<LabelMatcher> matchers) implements Stage {
        @Override
        public boolean process(LineState s) {
            if (!keep) {
                for (String n : names) {
                    s.delete(n);
                }
                for (LabelMatcher m : matchers) {
                    String v = s.get(m.name());
                    if (v != null && m.matches(v)) {
                        s.delete(m.name());
                    }
                }
                return true;
            }
            for (Map.Entry<String, String> e : s.all().entrySet()) {
                String n = e.getKey();
                if (n.equals(ERROR) || n.equals(ERROR_DETAILS) || names.contains(n)) {
                    continue;
                }
                boolean kept = false;
                for (LabelMatcher m : matchers) {
                    kept |= m.name().equals(n) && m.matches(e.getValue());
                }
                if (!kept) {
                    s.delete(n);
                }
            }
            return true;
        }
    }

    /** {@code | decolorize}: ANSI colour and cursor escapes removed from the line. */
    record Decolorize() implements Stage {
        private static final Pattern ANSI = Pattern.compile("\u001b\\[[0-9;?]*[ -/]*[@-~]");

        @Override
        public boolean process(LineState s) {
            if (s.line.indexOf('\u001b') >= 0) {
                s.line = ANSI.matcher(s.line).replaceAll("");
            }
            return true;
        }
    }
}
