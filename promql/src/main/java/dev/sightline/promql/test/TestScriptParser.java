package dev.sightline.promql.test;

import dev.sightline.core.Labels;
import dev.sightline.core.text.PromDurations;
import dev.sightline.promql.parser.ParseException;
import dev.sightline.promql.parser.PromQLParser;
import dev.sightline.promql.parser.SequenceValue;
import dev.sightline.promql.parser.SeriesDesc;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses a Prometheus PromQL test script (promql/promqltest format) into {@link ScriptCommand}s: {@code clear} is one
 * line, {@code load} and {@code eval} take the lines up to the next blank one; {@code #} starts a comment line. A
 * command that does not parse becomes a {@link ScriptCommand.Invalid} in its place, so the rest still runs.
 */
final class TestScriptParser {
    private static final Pattern LOAD = Pattern.compile("^load(?:_(with_nhcb))?\\s+(.+?)$");
    private static final Pattern EVAL_INSTANT = Pattern.compile("^eval(?:_(fail|warn|ordered|info))?\\s+instant\\s+(?:at\\s+(.+?))?\\s+(.+)$");
    private static final Pattern EVAL_RANGE = Pattern.compile("^eval(?:_(fail|warn|info))?\\s+range\\s+from\\s+(.+)\\s+to\\s+(.+)\\s+step\\s+(.+?)\\s+(.+)$");
    private static final Pattern EXPECT = Pattern.compile("^expect\\s+(ordered|fail|warn|no_warn|info|no_info)(?:\\s+(regex|msg):(.+))?$");
    private static final Pattern EXPECT_RANGE = Pattern.compile("^expect range vector\\s+from\\s+(.+)\\s+to\\s+(.+)\\s+step\\s+(.+)$");

    private TestScriptParser() {
    }

    static List<ScriptCommand> parse(List<String> raw) {
        String[] lines = new String[raw.size()];
        for (int i = 0; i < lines.length; i++) {
            String l = raw.get(i).trim();
            lines[i] = l.startsWith("#") ? "" : l;
        }
        List<ScriptCommand> commands = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i];
            if (l.isEmpty()) {
                continue;
            }
            String cmd = l.split("[\\t ]+", 2)[0].toLowerCase(Locale.ROOT);
            int end = i;
            // clear is one line; load and eval take the lines up to the next blank one.
            while (!cmd.equals("clear") && end + 1 < lines.length && !lines[end + 1].isEmpty()) {
                end++;
            }
            commands.add(command(cmd, lines, i, end));
            i = end;
        }
        return commands;
    }

    private static ScriptCommand command(String cmd, String[] lines, int i, int end) {
        if (cmd.equals("clear")) {
            return new ScriptCommand.Clear(i);
        }
        boolean eval = cmd.startsWith("eval");
        try {
            if (cmd.startsWith("load")) {
                return parseLoad(lines, i, end);
            } else if (eval) {
                return parseEval(lines, i, end);
            }
        } catch (ScriptException e) {
            return new ScriptCommand.Invalid(i, e.getMessage(), eval);
        }
        return new ScriptCommand.Invalid(i, "invalid command \"" + lines[i] + "\"", true);
    }

    private static ScriptCommand.Load parseLoad(String[] lines, int i, int end) throws ScriptException {
        Matcher m = LOAD.matcher(lines[i]);
        if (!m.matches()) {
            throw new ScriptException("invalid load command. (load[_with_nhcb] <step:duration>)");
        }
        boolean nhcb = m.group(1) != null;
        long gap = parseDuration(m.group(2));
        Map<Labels, List<SequenceValue>> defs = new LinkedHashMap<>();
        Map<Labels, List<Long>> startOffsets = new HashMap<>();
        for (int k = i + 1; k <= end; k++) {
            String line = lines[k];
            int st = startTimestampMarker(line);
            if (st >= 0) {
                SeriesDesc d = parseSeries(line.substring(0, st) + line.substring(st + 3), k);
                startOffsets.put(d.labels(), parseStartOffsets(line.substring(st + 3), k));
                continue;
            }
            SeriesDesc d = parseSeries(line, k);
            defs.put(d.labels(), d.values());
        }
        return new ScriptCommand.Load(i, nhcb, gap, defs, startOffsets);
    }

    /**
     * Where a load line's series ends in {@code @st} (its values are then the points' start timestamps), or -1. The
     * marker follows the series name or its closing brace: {@code name@st} or {@code name{a="b"}@st}.
     */
    private static int startTimestampMarker(String line) {
        String trimmed = line.strip();
        int close = trimmed.indexOf('}');
        int from = close >= 0 ? close + 1 : 0;
        int ws = from;
        while (ws < trimmed.length() && !Character.isWhitespace(trimmed.charAt(ws))) {
            ws++;
        }
        if (!trimmed.substring(0, ws).endsWith("@st") || ws < 3) {
            return -1;
        }
        return line.indexOf(trimmed) + ws - 3;
    }

    private static final Pattern START_OFFSET = Pattern.compile(
            "([+-]?(?:0|(?:\\d+(?:ms|y|w|d|h|m|s))+))(?:([+-](?:0|(?:\\d+(?:ms|y|w|d|h|m|s))+))?x(\\d+))?");

    /**
     * The values of an {@code @st} line: per point, the start timestamp as an offset from the point's own time, in
     * the load syntax's expanding notation over durations ({@code -30s-1mx2} is -30s, -90s, -150s; {@code -1mx3}
     * repeats -1m four times); {@code _} (or {@code _xN}) is a point without a start timestamp (null).
     */
    static List<Long> parseStartOffsets(String values, int lineNo) throws ScriptException {
        List<Long> out = new ArrayList<>();
        for (String tok : values.trim().split("\\s+")) {
            if (tok.isEmpty()) {
                continue;
            }
            if (tok.equals("_") || tok.matches("_x\\d+")) {
                int n = tok.equals("_") ? 1 : Integer.parseInt(tok.substring(2)) + 1;
                for (int j = 0; j < n; j++) {
                    out.add(null);
                }
                continue;
            }
            Matcher m = START_OFFSET.matcher(tok);
            if (!m.matches()) {
                throw new ScriptException("line " + (lineNo + 1) + ": invalid start timestamp offset \"" + tok
                        + "\" (want a signed duration, optionally followed by [+-]duration and xN)");
            }
            long value = signedDuration(m.group(1));
            if (m.group(3) == null) {
                out.add(value);
                continue;
            }
            long step = m.group(2) == null ? 0 : signedDuration(m.group(2));
            int times = Integer.parseInt(m.group(3));
            for (int j = 0; j <= times; j++) {
                out.add(value + j * step);
            }
        }
        return out;
    }

    private static long signedDuration(String s) throws ScriptException {
        boolean negative = s.startsWith("-");
        String body = s.startsWith("-") || s.startsWith("+") ? s.substring(1) : s;
        long d = parseDuration(body);
        return negative ? -d : d;
    }

    private static SeriesDesc parseSeries(String line, int lineNo) throws ScriptException {
        try {
            return PromQLParser.parseSeriesDesc(line);
        } catch (ParseException e) {
            throw new ScriptException("bad series description on line " + (lineNo + 1) + ": " + e.getMessage());
        }
    }


    private static ScriptCommand.Eval parseEval(String[] lines, int i, int end) throws ScriptException {
        ScriptCommand.Eval c = new ScriptCommand.Eval(i);
        Matcher mi = EVAL_INSTANT.matcher(lines[i]);
        Matcher mr = EVAL_RANGE.matcher(lines[i]);
        String mod;
        if (mi.matches()) {
            mod = mi.group(1);
            c.expr = mi.group(3);
            c.evalTime = parseDuration(mi.group(2) == null ? "0" : mi.group(2));
            c.start = c.evalTime;
        } else if (mr.matches()) {
            mod = mr.group(1);
            c.expr = mr.group(5);
            c.isRange = true;
            c.start = parseDuration(mr.group(2));
            c.end = parseDuration(mr.group(3));
            c.step = parseDuration(mr.group(4));
            if (c.end < c.start) {
                throw new ScriptException("invalid test definition, end timestamp (" + mr.group(3) + ") is before start timestamp (" + mr.group(2) + ")");
            }
        } else {
            throw new ScriptException("invalid evaluation command. Must be either 'eval[_fail|_warn|_ordered] instant [at <offset:duration>] <query>' or 'eval[_fail|_warn] range from <from> to <to> step <step> <query>'");
        }
        if (mod != null) {
            switch (mod) {
                case "ordered" -> c.ordered = true;
                case "fail" -> c.fail = true;
                case "warn" -> c.warn = true;
                case "info" -> c.info = true;
                default -> {
                }
            }
        }
        int pos = 1;
        for (int k = i + 1; k <= end; k++) {
            String l = lines[k];
            if (c.fail && l.startsWith("expected_fail_message")) {
                c.failMessage = l.substring("expected_fail_message".length()).trim();
                break;
            }
            if (c.fail && l.startsWith("expected_fail_regexp")) {
                c.failRegexp = Pattern.compile(l.substring("expected_fail_regexp".length()).trim());
                break;
            }
            if (l.startsWith("expect range vector")) {
                Matcher m = EXPECT_RANGE.matcher(l);
                if (!m.matches()) {
                    throw new ScriptException("invalid range vector definition \"" + l + "\"");
                }
                c.expectRangeVector = true;
                c.start = parseDuration(m.group(1));
                c.end = parseDuration(m.group(2));
                c.step = parseDuration(m.group(3));
                c.evalTime = c.end;
                c.excludeFromRange = true;
                continue;
            }
            if (l.startsWith("expect string")) {
                String s = l.substring("expect string".length()).trim();
                c.expectedString = unquote(s);
                c.excludeFromRange = true;
                continue;
            }
            if (l.split(" ")[0].equals("expect")) {
                Matcher m = EXPECT.matcher(l.trim());
                if (!m.matches()) {
                    throw new ScriptException("invalid expect statement, must match `expect <type> <match_type>: <string>` format");
                }
                ScriptCommand.Expect e;
                if (m.group(2) == null) {
                    e = new ScriptCommand.Expect(m.group(1), null, Pattern.compile("^.*$"));
                } else if (m.group(2).equals("msg")) {
                    e = new ScriptCommand.Expect(m.group(1), m.group(3).trim(), null);
                } else {
                    e = new ScriptCommand.Expect(m.group(1), null, Pattern.compile(m.group(3).trim()));
                }
                c.expects.computeIfAbsent(m.group(1), x -> new ArrayList<>()).add(e);
                continue;
            }
            Double num = parseNumber(l);
            if (num != null) {
                c.expectScalar = true;
                c.scalarValue = num;
                break;
            }
            SeriesDesc d = parseSeries(l, k);
            if (d.values().size() > 1 && !c.isRange && !c.expectRangeVector) {
                throw new ScriptException("expecting multiple values in instant evaluation not allowed. consider using 'expect range vector' directive to enable a range vector result for an instant query");
            }
            c.expected.put(d.labels(), d.values());
            c.positions.put(d.labels(), pos++);
        }
        return c;
    }

    private static String unquote(String s) throws ScriptException {
        if (s.length() >= 2 && (s.charAt(0) == '"' || s.charAt(0) == '`') && s.charAt(s.length() - 1) == s.charAt(0)) {
            String inner = s.substring(1, s.length() - 1);
            return s.charAt(0) == '`' ? inner : inner.replace("\\\"", "\"").replace("\\\\", "\\");
        }
        throw new ScriptException("expected string literal not valid - check that the string is correctly quoted");
    }

    private static Double parseNumber(String s) {
        try {
            if (s.startsWith("0x") || s.startsWith("0X")) {
                return (double) Long.parseLong(s.substring(2), 16);
            }
            String lower = s.toLowerCase(Locale.ROOT);
            switch (lower) {
                case "nan":
                    return Double.NaN;
                case "inf", "+inf":
                    return Double.POSITIVE_INFINITY;
                case "-inf":
                    return Double.NEGATIVE_INFINITY;
                default:
                    break;
            }
            if (!s.matches("[-+]?[0-9.]+([eE][-+]?[0-9]+)?")) {
                return null;
            }
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** A duration of the script (load interval, eval time, range bounds and step) in Prometheus's syntax. */
    static long parseDuration(String s) throws ScriptException {
        try {
            return PromDurations.parseMillis(s.trim());
        } catch (IllegalArgumentException e) {
            throw new ScriptException(e.getMessage());
        }
    }
}
