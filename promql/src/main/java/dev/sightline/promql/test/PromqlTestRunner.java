package dev.sightline.promql.test;

import dev.sightline.core.Histogram;
import dev.sightline.core.Labels;
import dev.sightline.core.text.GoFloats;
import dev.sightline.core.text.GoQuote;
import dev.sightline.core.text.PromDurations;
import dev.sightline.metricstore.Appender;
import dev.sightline.metricstore.Storage;
import dev.sightline.promql.ast.Expr;
import dev.sightline.promql.engine.Engine;
import dev.sightline.promql.engine.EngineOptions;
import dev.sightline.promql.engine.FloatHistograms;
import dev.sightline.promql.engine.Kernels;
import dev.sightline.promql.engine.Matrix;
import dev.sightline.promql.engine.PromQLException;
import dev.sightline.promql.engine.QueryResult;
import dev.sightline.promql.engine.Sample;
import dev.sightline.promql.engine.Scalar;
import dev.sightline.promql.engine.MatrixSeries;
import dev.sightline.promql.engine.StringValue;
import dev.sightline.promql.engine.Value;
import dev.sightline.promql.engine.Vector;
import dev.sightline.promql.parser.ParseException;
import dev.sightline.promql.parser.PromQLParser;
import dev.sightline.promql.parser.SequenceValue;
import dev.sightline.promql.parser.SeriesDesc;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs Prometheus's PromQL test scripts (promql/promqltest format: load, clear, eval with expectations) against
 * {@link Engine} and a storage from the given supplier, comparing results as Prometheus's framework does. Each
 * failing eval is reported as {@code FILE:LINE: message}; the last line printed is {@code N passed, M failed}.
 */
public final class PromqlTestRunner {
    public record RunResult(int passed, int failed) {
    }

    private static final Pattern LOAD = Pattern.compile("^load(?:_(with_nhcb))?\\s+(.+?)$");
    private static final Pattern EVAL_INSTANT = Pattern.compile("^eval(?:_(fail|warn|ordered|info))?\\s+instant\\s+(?:at\\s+(.+?))?\\s+(.+)$");
    private static final Pattern EVAL_RANGE = Pattern.compile("^eval(?:_(fail|warn|info))?\\s+range\\s+from\\s+(.+)\\s+to\\s+(.+)\\s+step\\s+(.+?)\\s+(.+)$");
    private static final Pattern EXPECT = Pattern.compile("^expect\\s+(ordered|fail|warn|no_warn|info|no_info)(?:\\s+(regex|msg):(.+))?$");
    private static final Pattern EXPECT_RANGE = Pattern.compile("^expect range vector\\s+from\\s+(.+)\\s+to\\s+(.+)\\s+step\\s+(.+)$");
    private static final double EPSILON = 0.000001;

    private final Supplier<Storage> storageFactory;
    private final Engine engine;

    public PromqlTestRunner(Supplier<Storage> storageFactory, EngineOptions options) {
        this.storageFactory = storageFactory;
        this.engine = new Engine(options);
    }

    public PromqlTestRunner(Supplier<Storage> storageFactory) {
        this(storageFactory, EngineOptions.forTestScripts());
    }

    public RunResult run(List<Path> filesOrDirs, PrintStream out) {
        int passed = 0, failed = 0;
        for (Path p : expand(filesOrDirs)) {
            RunResult r = runFile(p, out);
            passed += r.passed;
            failed += r.failed;
        }
        out.println(passed + " passed, " + failed + " failed");
        return new RunResult(passed, failed);
    }

    private static List<Path> expand(List<Path> in) {
        List<Path> out = new ArrayList<>();
        for (Path p : in) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.list(p)) {
                    s.filter(f -> f.toString().endsWith(".test")).sorted().forEach(out::add);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            } else {
                out.add(p);
            }
        }
        return out;
    }

    /** Runs one script; returns its eval counts. Does not print the summary line. */
    public RunResult runFile(Path file, PrintStream out) {
        List<String> raw;
        try {
            raw = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            out.println(file + ":0: cannot read: " + e.getMessage());
            return new RunResult(0, 1);
        }
        String[] lines = new String[raw.size()];
        for (int i = 0; i < lines.length; i++) {
            String l = raw.get(i).trim();
            lines[i] = l.startsWith("#") ? "" : l;
        }
        int passed = 0, failed = 0;
        Storage storage = storageFactory.get();
        try {
            for (int i = 0; i < lines.length; i++) {
                String l = lines[i];
                if (l.isEmpty()) {
                    continue;
                }
                String cmd = l.split("[\\t ]+", 2)[0].toLowerCase(java.util.Locale.ROOT);
                int end = i;
                // clear is one line; load and eval take the lines up to the next blank one.
                while (!cmd.equals("clear") && end + 1 < lines.length && !lines[end + 1].isEmpty()) {
                    end++;
                }
                try {
                    if (cmd.equals("clear")) {
                        storage.close();
                        storage = storageFactory.get();
                    } else if (cmd.startsWith("load")) {
                        load(storage, lines, i, end);
                    } else if (cmd.startsWith("eval")) {
                        String err = eval(storage, lines, i, end);
                        if (err == null) {
                            passed++;
                        } else {
                            failed++;
                            out.println(file + ":" + (i + 1) + ": " + err);
                        }
                    } else {
                        failed++;
                        out.println(file + ":" + (i + 1) + ": invalid command \"" + l + "\"");
                    }
                } catch (ScriptException e) {
                    if (cmd.startsWith("eval")) {
                        failed++;
                    }
                    out.println(file + ":" + (i + 1) + ": " + e.getMessage());
                }
                i = end;
            }
        } catch (IOException e) {
            out.println(file + ":0: storage error: " + e);
            failed++;
        } finally {
            try {
                storage.close();
            } catch (IOException ignored) {
                // Closing a test storage after the run; nothing to recover.
            }
        }
        out.println(file.getFileName() + ": " + passed + " passed, " + failed + " failed");
        return new RunResult(passed, failed);
    }

    private static final class ScriptException extends Exception {
        ScriptException(String msg) {
            super(msg);
        }
    }

    // ---------------------------------------------------------------- load

    private void load(Storage storage, String[] lines, int i, int end) throws ScriptException {
        Matcher m = LOAD.matcher(lines[i]);
        if (!m.matches()) {
            throw new ScriptException("invalid load command. (load[_with_nhcb] <step:duration>)");
        }
        boolean nhcb = m.group(1) != null;
        long gap = parseDuration(m.group(2));
        Map<Labels, List<SequenceValue>> defs = new java.util.LinkedHashMap<>();
        Map<Labels, List<Long>> startOffsets = new java.util.HashMap<>();
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
        Appender app = storage.appender();
        try {
            for (var e : defs.entrySet()) {
                List<Long> starts = startOffsets.getOrDefault(e.getKey(), List.of());
                long t = 0;
                int idx = 0;
                for (SequenceValue v : e.getValue()) {
                    if (!v.omitted()) {
                        Long offset = idx < starts.size() ? starts.get(idx) : null;
                        long startT = offset == null ? 0 : t + offset;
                        if (v.histogram() != null) {
                            app.appendHistogram(0, e.getKey(), startT, t, v.histogram());
                        } else {
                            app.append(0, e.getKey(), startT, t, v.value());
                        }
                    }
                    t += gap;
                    idx++;
                }
            }
            if (nhcb) {
                appendNhcb(app, defs, gap);
            }
            app.commit();
        } catch (IOException | RuntimeException e) {
            app.rollback();
            throw new ScriptException("load failed: " + e.getMessage());
        }
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

    /** Converts classic histogram series (_bucket/_count/_sum) into native histograms with custom buckets. */
    private static void appendNhcb(Appender app, Map<Labels, List<SequenceValue>> defs, long gap) {
        record Acc(TreeMap<Double, Double> buckets, double[] countSum) {
        }
        Map<Labels, TreeMap<Long, Acc>> hist = new java.util.LinkedHashMap<>();
        for (var e : defs.entrySet()) {
            Labels l = e.getKey();
            String name = l.metricName();
            if (name == null) {
                continue;
            }
            String base;
            int kind;
            if (name.endsWith("_bucket")) {
                base = name.substring(0, name.length() - 7);
                kind = 0;
            } else if (name.endsWith("_count")) {
                base = name.substring(0, name.length() - 6);
                kind = 1;
            } else if (name.endsWith("_sum")) {
                base = name.substring(0, name.length() - 4);
                kind = 2;
            } else {
                continue;
            }
            double le = Double.NaN;
            if (kind == 0) {
                String les = l.get("le");
                if (les == null) {
                    continue;
                }
                try {
                    le = parseLe(les);
                } catch (NumberFormatException ex) {
                    continue;
                }
                if (Double.isNaN(le)) {
                    continue;
                }
            }
            Labels key = l.toBuilder().set(Labels.METRIC_NAME, base).remove("le").build();
            TreeMap<Long, Acc> byT = hist.computeIfAbsent(key, k -> new TreeMap<>());
            long t = 0;
            for (SequenceValue v : e.getValue()) {
                if (!v.omitted() && v.histogram() == null) {
                    Acc a = byT.computeIfAbsent(t, k -> new Acc(new TreeMap<>(), new double[]{Double.NaN, Double.NaN}));
                    switch (kind) {
                        case 0 -> a.buckets.put(le, v.value());
                        case 1 -> a.countSum[0] = v.value();
                        default -> a.countSum[1] = v.value();
                    }
                }
                t += gap;
            }
        }
        for (var e : hist.entrySet()) {
            for (var te : e.getValue().entrySet()) {
                Acc a = te.getValue();
                List<Double> bounds = new ArrayList<>();
                List<Double> counts = new ArrayList<>();
                double prev = 0;
                for (var b : a.buckets.entrySet()) {
                    if (b.getKey() != Double.POSITIVE_INFINITY) {
                        bounds.add(b.getKey());
                    }
                    counts.add(b.getValue() - prev);
                    prev = b.getValue();
                }
                double count = Double.isNaN(a.countSum[0]) ? prev : a.countSum[0];
                if (!a.buckets.containsKey(Double.POSITIVE_INFINITY)) {
                    counts.add(count - prev);
                }
                double sum = Double.isNaN(a.countSum[1]) ? 0 : a.countSum[1];
                double[] cv = bounds.stream().mapToDouble(Double::doubleValue).toArray();
                double[] bk = counts.stream().mapToDouble(Double::doubleValue).toArray();
                Histogram h = new Histogram(Histogram.CounterResetHint.UNKNOWN, Histogram.CUSTOM_BUCKETS_SCHEMA, 0, 0,
                        count, sum, new int[]{0}, new int[]{bk.length}, bk, null, null, null, cv);
                app.appendHistogram(0, e.getKey(), te.getKey(), FloatHistograms.compact(h));
            }
        }
    }

    private static double parseLe(String s) {
        return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "+inf", "inf" -> Double.POSITIVE_INFINITY;
            case "-inf" -> Double.NEGATIVE_INFINITY;
            case "nan" -> Double.NaN;
            default -> Double.parseDouble(s.trim());
        };
    }

    private static SeriesDesc parseSeries(String line, int lineNo) throws ScriptException {
        try {
            return PromQLParser.parseSeriesDesc(line);
        } catch (ParseException e) {
            throw new ScriptException("bad series description on line " + (lineNo + 1) + ": " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------- eval

    private record Expect(String type, String message, Pattern regex) {
        boolean matches(String s) {
            return regex == null ? message.equals(s) : regex.matcher(s).find();
        }

        String describe() {
            return regex == null ? "message \"" + message + "\"" : "pattern \"" + regex.pattern() + "\"";
        }
    }

    private static final class EvalCmd {
        String expr;
        boolean isRange;
        long start, end, step, evalTime;
        boolean fail, warn, info, ordered;
        String failMessage;
        Pattern failRegexp;
        final Map<String, List<Expect>> expects = new HashMap<>();
        boolean expectScalar;
        double scalarValue;
        final Map<Labels, List<SequenceValue>> expected = new java.util.LinkedHashMap<>();
        final Map<Labels, Integer> positions = new HashMap<>();
        String expectedString;
        boolean excludeFromRange;
        boolean expectRangeVector;

        boolean isFail() {
            return fail || expects.containsKey("fail");
        }

        boolean isOrdered() {
            return ordered || expects.containsKey("ordered");
        }
    }

    private EvalCmd parseEval(String[] lines, int i, int end) throws ScriptException {
        EvalCmd c = new EvalCmd();
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
                Expect e;
                if (m.group(2) == null) {
                    e = new Expect(m.group(1), null, Pattern.compile("^.*$"));
                } else if (m.group(2).equals("msg")) {
                    e = new Expect(m.group(1), m.group(3).trim(), null);
                } else {
                    e = new Expect(m.group(1), null, Pattern.compile(m.group(3).trim()));
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
            String lower = s.toLowerCase(java.util.Locale.ROOT);
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

    /** Returns null when the eval passed, else the failure message. */
    private String eval(Storage storage, String[] lines, int i, int end) throws ScriptException {
        EvalCmd c = parseEval(lines, i, end);
        int line = i + 1;
        Expr expr;
        try {
            expr = PromQLParser.parseExpr(c.expr);
        } catch (ParseException e) {
            if (c.isFail()) {
                return checkFailure(c, e.getMessage(), e.detail(), line);
            }
            return "error parsing query " + GoQuote.quote(c.expr) + ": " + e.getMessage();
        }
        if (c.isRange) {
            return evalOnce(storage, c, expr, c.evalTime, line, "");
        }
        String err = evalOnce(storage, c, expr, c.evalTime, line, "");
        if (err != null) {
            return err;
        }
        // As Prometheus's framework does: the same result with every selector pinned by @ to the eval time.
        Expr pinned = AtModifierVariants.pin(expr, c.evalTime);
        if (pinned != null) {
            for (long t : AtModifierVariants.evalTimes(c.evalTime)) {
                err = evalOnce(storage, c, pinned, t, line, " (with @ " + GoFloats.formatG(c.evalTime / 1000.0) + " evaluated at " + t + "ms)");
                if (err != null) {
                    return err;
                }
            }
        }
        return null;
    }

    /** One instant (at evalTime) or range evaluation checked against the expectations; null when it passed. */
    private String evalOnce(Storage storage, EvalCmd c, Expr expr, long evalTime, int line, String variant) {
        QueryResult res;
        try {
            if (c.isRange) {
                res = engine.range(storage, expr, c.start, c.end, c.step, c.expr);
            } else {
                res = engine.instant(storage, expr, evalTime, c.expr);
            }
        } catch (PromQLException e) {
            if (c.isFail()) {
                return checkFailure(c, e.getMessage(), e.getMessage(), line);
            }
            return "error evaluating query " + GoQuote.quote(c.expr) + variant + " (line " + line + "): " + e.getMessage();
        } catch (RuntimeException e) {
            return "engine crashed evaluating query " + GoQuote.quote(c.expr) + variant + " (line " + line + "): " + e;
        }
        if (c.isFail()) {
            return "expected error evaluating query " + GoQuote.quote(c.expr) + " (line " + line + ") but got none";
        }
        String err = checkAnnotations(c, res, line);
        if (err != null) {
            return err + variant;
        }
        err = compare(c, res.value(), c.isRange || c.expectRangeVector);
        if (err != null) {
            return "error in eval " + c.expr + variant + " (line " + line + "): " + err;
        }
        if (!c.isRange && !c.excludeFromRange && !c.expr.matches("(?s).*(start|end|range|step)\\(\\).*") && !c.isOrdered()) {
            QueryResult rr;
            try {
                rr = engine.range(storage, expr, evalTime - 60_000, evalTime + 60_000, 60_000, c.expr);
            } catch (PromQLException e) {
                return "error evaluating query " + GoQuote.quote(c.expr) + variant + " (line " + line + ") in range mode: " + e.getMessage();
            } catch (RuntimeException e) {
                return "engine crashed evaluating query " + GoQuote.quote(c.expr) + " (line " + line + ") in range mode: " + e;
            }
            Value v;
            if (res.value() instanceof Scalar) {
                Matrix m = (Matrix) rr.value();
                double f = Double.NaN;
                for (MatrixSeries s : m.series()) {
                    for (int k = 0; k < s.fn; k++) {
                        if (s.ft[k] == evalTime) {
                            f = s.fv[k];
                        }
                    }
                }
                v = new Scalar(evalTime, f);
            } else if (rr.value() instanceof Matrix m) {
                List<Sample> vec = new ArrayList<>();
                for (MatrixSeries s : m.series()) {
                    for (int k = 0; k < s.fn; k++) {
                        if (s.ft[k] == evalTime) {
                            vec.add(new Sample(s.labels, s.ft[k], s.fv[k]));
                        }
                    }
                    for (int k = 0; k < s.hn; k++) {
                        if (s.ht[k] == evalTime) {
                            vec.add(new Sample(s.labels, s.ht[k], 0, s.hv[k], false));
                        }
                    }
                }
                v = new Vector(vec);
            } else {
                return null;
            }
            err = compare(c, v, false);
            if (err != null) {
                return "error in eval " + c.expr + variant + " (line " + line + ") range mode: " + err;
            }
        }
        return null;
    }

    private static String checkFailure(EvalCmd c, String full, String detail, int line) {
        if (c.failMessage != null && !c.failMessage.equals(full) && !c.failMessage.equals(detail)) {
            return "expected error " + GoQuote.quote(c.failMessage) + " evaluating query " + GoQuote.quote(c.expr) + " (line " + line + "), but got: " + full;
        }
        if (c.failRegexp != null && !c.failRegexp.matcher(full).find()) {
            return "expected error matching pattern " + GoQuote.quote(c.failRegexp.pattern()) + " evaluating query " + GoQuote.quote(c.expr) + " (line " + line + "), but got: " + full;
        }
        List<Expect> f = c.expects.get("fail");
        if (f != null && !f.isEmpty() && !f.get(0).matches(full) && !f.get(0).matches(detail)) {
            return "expected error matching " + f.get(0).describe() + " evaluating query " + GoQuote.quote(c.expr) + " (line " + line + "), but got: " + full;
        }
        return null;
    }

    private static String checkAnnotations(EvalCmd c, QueryResult res, int line) {
        if (c.warn && res.warnings().isEmpty()) {
            return "expected warnings evaluating query " + GoQuote.quote(c.expr) + " (line " + line + ") but got none";
        }
        if (c.info && res.infos().isEmpty()) {
            return "expected info annotations evaluating query " + GoQuote.quote(c.expr) + " (line " + line + ") but got none";
        }
        String e = validate(c, "warn", res.warnings(), line);
        if (e != null) {
            return e;
        }
        e = validate(c, "info", res.infos(), line);
        if (e != null) {
            return e;
        }
        if (c.expects.containsKey("no_warn") && !res.warnings().isEmpty()) {
            return "unexpected warning annotations evaluating query " + GoQuote.quote(c.expr) + " (line " + line + "): " + res.warnings();
        }
        if (c.expects.containsKey("no_info") && !res.infos().isEmpty()) {
            return "unexpected info annotations evaluating query " + GoQuote.quote(c.expr) + " (line " + line + "): " + res.infos();
        }
        return null;
    }

    private static String validate(EvalCmd c, String type, List<String> actual, int line) {
        List<Expect> exp = c.expects.get(type);
        if (exp == null || exp.isEmpty()) {
            return null;
        }
        if (actual.isEmpty()) {
            return "expected " + type + " annotations but none were found for query " + GoQuote.quote(c.expr) + " (line " + line + ")";
        }
        for (Expect e : exp) {
            if (actual.stream().noneMatch(e::matches)) {
                return "expected " + type + " annotation matching " + e.describe() + " but no matching annotation was found for query "
                        + GoQuote.quote(c.expr) + " (line " + line + "), found: " + actual;
            }
        }
        for (String a : actual) {
            if (exp.stream().noneMatch(e -> e.matches(a))) {
                return "unexpected " + type + " annotation " + GoQuote.quote(a) + " found for query " + c.expr + " (line " + line + ")";
            }
        }
        return null;
    }

    private static String compare(EvalCmd c, Value v, boolean asMatrix) {
        switch (v) {
            case Matrix m -> {
                if (c.isOrdered()) {
                    return "expected ordered result, but query returned a matrix";
                }
                if (c.expectScalar) {
                    return "expected scalar result, but got matrix";
                }
                for (int k = 1; k < m.series().size(); k++) {
                    if (m.series().get(k - 1).labels.compareTo(m.series().get(k).labels) > 0) {
                        return "matrix results should always be sorted by labels, but matrix is not sorted";
                    }
                }
                Set<Labels> seen = new HashSet<>();
                for (MatrixSeries s : m.series()) {
                    List<SequenceValue> exp = c.expected.get(s.labels);
                    if (exp == null) {
                        return "unexpected metric " + s.labels + " in result, has " + describe(s);
                    }
                    seen.add(s.labels);
                    List<long[]> ft = new ArrayList<>();
                    List<Double> fv = new ArrayList<>();
                    List<Long> ht = new ArrayList<>();
                    List<SequenceValue> hv = new ArrayList<>();
                    for (int k = 0; k < exp.size(); k++) {
                        long t = c.start + k * c.step;
                        if (t > c.end) {
                            return "expected " + exp.size() + " points for " + s.labels + ", but query time range cannot return this many points";
                        }
                        SequenceValue e = exp.get(k);
                        if (e.histogram() != null) {
                            ht.add(t);
                            hv.add(e);
                        } else if (!e.omitted()) {
                            ft.add(new long[]{t});
                            fv.add(e.value());
                        }
                    }
                    if (ft.size() != s.fn || ht.size() != s.hn) {
                        return "expected " + ft.size() + " float points and " + ht.size() + " histogram points for " + s.labels + ", but got " + describe(s);
                    }
                    for (int k = 0; k < s.fn; k++) {
                        if (ft.get(k)[0] != s.ft[k]) {
                            return "expected float value at index " + k + " for " + s.labels + " to have timestamp " + ft.get(k)[0] + ", but it had timestamp " + s.ft[k] + " (result has " + describe(s) + ")";
                        }
                        if (!Kernels.almostEqual(s.fv[k], fv.get(k), EPSILON)) {
                            return "expected float value at index " + k + " (t=" + s.ft[k] + ") for " + s.labels + " to be " + GoFloats.formatG(fv.get(k)) + ", but got " + GoFloats.formatG(s.fv[k]) + " (result has " + describe(s) + ")";
                        }
                    }
                    for (int k = 0; k < s.hn; k++) {
                        if (ht.get(k) != s.ht[k]) {
                            return "expected histogram value at index " + k + " for " + s.labels + " to have timestamp " + ht.get(k) + ", but it had timestamp " + s.ht[k];
                        }
                        if (!histogramsMatch(hv.get(k).histogram(), s.hv[k], hv.get(k).counterResetHintSet())) {
                            return "expected histogram value at index " + k + " (t=" + s.ht[k] + ") for " + s.labels + " to be " + hv.get(k).histogram() + ", but got " + s.hv[k];
                        }
                    }
                }
                for (Labels l : c.expected.keySet()) {
                    if (!seen.contains(l)) {
                        return "expected metric " + l + " not found";
                    }
                }
                return null;
            }
            case Vector vec -> {
                if (c.expectScalar) {
                    return "expected scalar result, but got vector " + vec.samples();
                }
                Set<Labels> seen = new HashSet<>();
                int pos = 0;
                for (Sample s : vec.samples()) {
                    pos++;
                    List<SequenceValue> exp = c.expected.get(s.labels());
                    if (exp == null) {
                        return "unexpected metric " + s.labels() + " in result, has value " + (s.h() != null ? s.h().toString() : GoFloats.formatG(s.f()));
                    }
                    if (c.isOrdered() && c.positions.get(s.labels()) != pos) {
                        return "expected metric " + s.labels() + " at position " + c.positions.get(s.labels()) + " but was at " + pos;
                    }
                    SequenceValue e = exp.get(0);
                    if (e.histogram() == null && s.h() != null) {
                        return "expected float value " + GoFloats.formatG(e.value()) + " for " + s.labels() + " but got histogram " + s.h();
                    }
                    if (e.histogram() != null && s.h() == null) {
                        return "expected histogram " + e.histogram() + " for " + s.labels() + " but got float value " + GoFloats.formatG(s.f());
                    }
                    if (e.histogram() != null && !histogramsMatch(e.histogram(), s.h(), e.counterResetHintSet())) {
                        return "expected " + e.histogram() + " for " + s.labels() + " but got " + s.h();
                    }
                    if (e.histogram() == null && !Kernels.almostEqual(e.value(), s.f(), EPSILON)) {
                        return "expected " + GoFloats.formatG(e.value()) + " for " + s.labels() + " but got " + GoFloats.formatG(s.f());
                    }
                    seen.add(s.labels());
                }
                for (var e : c.expected.entrySet()) {
                    if (!seen.contains(e.getKey())) {
                        return "expected metric " + e.getKey() + " with " + e.getValue() + " not found";
                    }
                }
                return null;
            }
            case Scalar s -> {
                if (!c.expectScalar) {
                    return "expected vector or matrix result, but got scalar " + GoFloats.formatG(s.v());
                }
                if (!Kernels.almostEqual(c.scalarValue, s.v(), EPSILON)) {
                    return "expected scalar " + GoFloats.formatG(c.scalarValue) + " but got " + GoFloats.formatG(s.v());
                }
                return null;
            }
            case StringValue sv -> {
                if (!sv.s().equals(c.expectedString)) {
                    return "expected string \"" + c.expectedString + "\" but got \"" + sv.s() + "\"";
                }
                return null;
            }
        }
    }

    private static String describe(MatrixSeries s) {
        return s.fn + " float points and " + s.hn + " histogram points " + s;
    }

    static boolean histogramsMatch(Histogram expRaw, Histogram curRaw, boolean hintSet) {
        Histogram exp = FloatHistograms.compact(expRaw);
        Histogram cur = FloatHistograms.compact(curRaw);
        if (exp.schema != cur.schema || !Kernels.almostEqual(exp.count, cur.count, EPSILON)
                || !Kernels.almostEqual(exp.sum, cur.sum, EPSILON)) {
            return false;
        }
        if (exp.usesCustomBuckets() && !Arrays.equals(exp.customValues, cur.customValues)) {
            return false;
        }
        if (exp.zeroThreshold != cur.zeroThreshold || !Kernels.almostEqual(exp.zeroCount, cur.zeroCount, EPSILON)) {
            return false;
        }
        if (!Arrays.equals(exp.negativeSpanOffsets, cur.negativeSpanOffsets) || !Arrays.equals(exp.negativeSpanLengths, cur.negativeSpanLengths)
                || !Arrays.equals(exp.positiveSpanOffsets, cur.positiveSpanOffsets) || !Arrays.equals(exp.positiveSpanLengths, cur.positiveSpanLengths)) {
            return false;
        }
        if (!bucketsMatch(exp.negativeBuckets, cur.negativeBuckets) || !bucketsMatch(exp.positiveBuckets, cur.positiveBuckets)) {
            return false;
        }
        return !hintSet || exp.counterResetHint == cur.counterResetHint;
    }

    private static boolean bucketsMatch(double[] a, double[] b) {
        if (a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (!Kernels.almostEqual(a[i], b[i], EPSILON)) {
                return false;
            }
        }
        return true;
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
