package dev.sightline.promql.ast;

import static dev.sightline.promql.ast.ExprType.MATRIX;
import static dev.sightline.promql.ast.ExprType.SCALAR;
import static dev.sightline.promql.ast.ExprType.STRING;
import static dev.sightline.promql.ast.ExprType.VECTOR;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The signature table the parser checks calls against: every function of Prometheus 3's PromQL
 * (promql/parser/functions.go), and Sightline's anomaly functions, by name. Evaluation is engine.FunctionEvaluator's.
 * Each function's argument names and one-line description (for people: the query editor's help) are in
 * functions.properties beside this class.
 */
public final class FunctionTable {
    private static final Map<String, Function> ALL = new TreeMap<>();
    private static final Map<String, Doc> DOCS = new TreeMap<>();

    /** A function's argument names (one per declared argument type) and its one-line description. */
    public record Doc(List<String> argNames, String description) {
        public Doc {
            argNames = List.copyOf(argNames);
        }
    }

    static {
        for (String n : List.of("abs", "absent", "acos", "acosh", "asin", "asinh", "atan", "atanh", "ceil", "cos",
                "cosh", "deg", "exp", "floor", "histogram_avg", "histogram_count", "histogram_sum",
                "histogram_stddev", "histogram_stdvar", "ln", "log10", "log2", "rad", "sgn", "sin", "sinh", "sort",
                "sort_desc", "sqrt", "tan", "tanh", "timestamp")) {
            add(n, List.of(VECTOR), 0, VECTOR, false);
        }
        for (String n : List.of("absent_over_time", "avg_over_time", "changes", "count_over_time", "delta", "deriv",
                "idelta", "increase", "irate", "last_over_time", "max_over_time", "min_over_time",
                "present_over_time", "rate", "resets", "stddev_over_time", "stdvar_over_time", "sum_over_time")) {
            add(n, List.of(MATRIX), 0, VECTOR, false);
        }
        for (String n : List.of("first_over_time", "mad_over_time", "ts_of_first_over_time", "ts_of_last_over_time",
                "ts_of_max_over_time", "ts_of_min_over_time")) {
            add(n, List.of(MATRIX), 0, VECTOR, true);
        }
        for (String n : List.of("day_of_month", "day_of_week", "day_of_year", "days_in_month", "hour", "minute",
                "month", "year")) {
            add(n, List.of(VECTOR), 1, VECTOR, false);
        }
        add("clamp", List.of(VECTOR, SCALAR, SCALAR), 0, VECTOR, false);
        add("clamp_max", List.of(VECTOR, SCALAR), 0, VECTOR, false);
        add("clamp_min", List.of(VECTOR, SCALAR), 0, VECTOR, false);
        add("double_exponential_smoothing", List.of(MATRIX, SCALAR, SCALAR), 0, VECTOR, true);
        add("histogram_fraction", List.of(SCALAR, SCALAR, VECTOR), 0, VECTOR, false);
        add("histogram_quantile", List.of(SCALAR, VECTOR), 0, VECTOR, false);
        add("histogram_quantiles", List.of(VECTOR, STRING, SCALAR, SCALAR), 9, VECTOR, true);
        add("info", List.of(VECTOR, VECTOR), 1, VECTOR, true);
        add("integral", List.of(MATRIX, SCALAR), 1, VECTOR, true);
        add("label_join", List.of(VECTOR, STRING, STRING, STRING), -1, VECTOR, false);
        add("label_replace", List.of(VECTOR, STRING, STRING, STRING, STRING), 0, VECTOR, false);
        add("pi", List.of(), 0, SCALAR, false);
        add("predict_linear", List.of(MATRIX, SCALAR), 0, VECTOR, false);
        add("quantile_over_time", List.of(SCALAR, MATRIX), 0, VECTOR, false);
        add("round", List.of(VECTOR, SCALAR), 1, VECTOR, false);
        add("scalar", List.of(VECTOR), 0, SCALAR, false);
        add("sort_by_label", List.of(VECTOR, STRING), -1, VECTOR, true);
        add("sort_by_label_desc", List.of(VECTOR, STRING), -1, VECTOR, true);
        add("time", List.of(), 0, SCALAR, false);
        add("min_of", List.of(SCALAR, SCALAR), 0, SCALAR, true);
        add("max_of", List.of(SCALAR, SCALAR), 0, SCALAR, true);
        add("start_timestamp", List.of(VECTOR), 0, VECTOR, true);
        add("vector", List.of(SCALAR), 0, VECTOR, false);
        // Experimental scalar functions giving the query's start, end, range and step.
        for (String n : List.of("start", "end", "range", "step")) {
            add(n, List.of(), 0, SCALAR, true);
        }
        // Sightline's anomaly functions, not in Prometheus (docs/anomaly.md; engine/AnomalyKernels.java).
        add("zscore_over_time", List.of(MATRIX), 0, VECTOR, false);
        add("robust_zscore_over_time", List.of(MATRIX), 0, VECTOR, false);
        for (String n : List.of("seasonal_expected", "seasonal_zscore", "seasonal_score")) {
            add(n, List.of(MATRIX, SCALAR), 0, VECTOR, false);
        }
        add("seasonal_lower", List.of(MATRIX, SCALAR, SCALAR), 1, VECTOR, false);
        add("seasonal_upper", List.of(MATRIX, SCALAR, SCALAR), 1, VECTOR, false);
        add("anomaly_score_over_time", List.of(MATRIX, SCALAR), 1, VECTOR, false);
        add("bimodality_over_time", List.of(MATRIX, STRING), 1, VECTOR, false);
        add("histogram_bimodality", List.of(VECTOR, STRING), 1, VECTOR, false);
        loadDocs();
    }

    private FunctionTable() {
    }

    private static void add(String name, List<ExprType> args, int variadic, ExprType ret, boolean experimental) {
        ALL.put(name, new Function(name, args, variadic, ret, experimental));
    }

    /** The function with this exact (case-sensitive) name, or null. */
    public static Function get(String name) {
        return ALL.get(name);
    }

    public static Collection<Function> all() {
        return Collections.unmodifiableCollection(ALL.values());
    }

    /** The argument names and description of the function with this name, or null when there is none. */
    public static Doc doc(String name) {
        return DOCS.get(name);
    }

    /**
     * The function's signature as Prometheus's documentation writes it, optional arguments in brackets and
     * repeatable ones followed by "...": {@code round(v instant-vector[, to_nearest scalar]) instant-vector}.
     */
    public static String signature(Function f) {
        List<String> names = DOCS.get(f.name()).argNames();
        List<String> args = IntStream.range(0, f.argTypes().size())
                .mapToObj(i -> names.get(i) + " " + typeName(f.argTypes().get(i))).toList();
        StringBuilder b = new StringBuilder(f.name()).append('(');
        int required = f.variadic() == 0 ? args.size() : args.size() - 1;
        b.append(String.join(", ", args.subList(0, required)));
        if (required < args.size()) {
            b.append(required == 0 ? "[" : "[, ").append(args.getLast());
            // More than one optional argument: the last one repeats.
            b.append(f.variadic() == 1 ? "]" : "...]");
        }
        return b.append(") ").append(typeName(f.returnType())).toString();
    }

    /** "instant-vector", "range-vector", "scalar", "string": the names of Prometheus's function documentation. */
    public static String typeName(ExprType t) {
        return t.documentedName().replace(' ', '-');
    }

    private static void loadDocs() {
        Properties p = new Properties();
        try (InputStream in = FunctionTable.class.getResourceAsStream("functions.properties")) {
            if (in == null) {
                throw new IllegalStateException("functions.properties is missing beside FunctionTable");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String name : p.stringPropertyNames()) {
            String line = p.getProperty(name);
            int bar = line.indexOf('|');
            if (bar < 0) {
                throw new IllegalStateException("functions.properties: " + name + " has no '|' before its description");
            }
            String names = line.substring(0, bar).strip();
            List<String> argNames = names.isEmpty() ? List.of()
                    : Arrays.stream(names.split(",")).map(String::strip).collect(Collectors.toList());
            DOCS.put(name, new Doc(argNames, line.substring(bar + 1).strip()));
        }
    }
}
