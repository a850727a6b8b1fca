package dev.sightline.synthetics.journey;

import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * What a value read from a response (a JSONPath result, a header) must be: {@code equals}, {@code not_equals},
 * {@code gt}, {@code gte}, {@code lt}, {@code lte} (numbers), {@code contains} (a string's substring, or an element
 * of a list), {@code matches} (a regex over the text), {@code exists} (true: present; false: absent).
 */
record Comparison(String op, Object expected, Pattern regex) {
    static final Set<String> OPS = Set.of("equals", "not_equals", "gt", "gte", "lt", "lte", "contains", "matches", "exists");

    /** Reads the one comparison key of an assertion mapping; none given means {@code exists: true}. */
    static Comparison parse(Map<String, YamlNode> assertion, YamlNode at) throws JourneyException {
        Comparison found = null;
        for (Map.Entry<String, YamlNode> e : assertion.entrySet()) {
            if (!OPS.contains(e.getKey())) {
                continue;
            }
            if (found != null) {
                throw e.getValue().error("only one of " + String.join(", ", new TreeSet<>(OPS))
                        + " per assertion; found " + found.op + " and " + e.getKey());
            }
            YamlNode v = e.getValue();
            String what = e.getKey();
            found = switch (what) {
                case "gt", "gte", "lt", "lte" -> new Comparison(what, v.number(what), null);
                case "matches" -> new Comparison(what, null, v.regex(what));
                case "exists" -> new Comparison(what, v.bool(what), null);
                default -> {
                    if (!v.isScalar() && !v.isNull()) {
                        throw v.error(what + ": expected a string, number, boolean or null");
                    }
                    yield new Comparison(what, v.value(), null);
                }
            };
        }
        return found != null ? found : new Comparison("exists", Boolean.TRUE, null);
    }

    /**
     * Null when {@code present} and {@code actual} satisfy this comparison, else why not. Numbers compare by value
     * whatever their Java type (JSON's 1 equals YAML's 1.0).
     */
    String check(boolean present, Object actual) {
        if (op.equals("exists")) {
            boolean want = (Boolean) expected;
            return present == want ? null : want ? "is missing" : "is present (" + show(actual) + ")";
        }
        if (!present) {
            return "is missing";
        }
        boolean ok = switch (op) {
            case "equals" -> same(actual, expected);
            case "not_equals" -> !same(actual, expected);
            case "gt", "gte", "lt", "lte" -> {
                Double a = number(actual);
                if (a == null) {
                    yield false;
                }
                double b = (Double) expected;
                yield switch (op) {
                    case "gt" -> a > b;
                    case "gte" -> a >= b;
                    case "lt" -> a < b;
                    default -> a <= b;
                };
            }
            case "contains" -> actual instanceof Collection<?> c
                    ? c.stream().anyMatch(x -> same(x, expected))
                    : actual != null && String.valueOf(actual).contains(String.valueOf(expected));
            default -> actual != null && regex.matcher(String.valueOf(actual)).find();
        };
        return ok ? null : "is " + show(actual) + " (want " + describe() + ")";
    }

    String describe() {
        String what = regex != null ? "/" + regex.pattern() + "/" : show(expected);
        return switch (op) {
            case "equals" -> "equals " + what;
            case "not_equals" -> "not equals " + what;
            case "gt" -> "> " + what;
            case "gte" -> ">= " + what;
            case "lt" -> "< " + what;
            case "lte" -> "<= " + what;
            case "contains" -> "contains " + what;
            case "matches" -> "matches " + what;
            default -> (Boolean) expected ? "present" : "absent";
        };
    }

    private static boolean same(Object a, Object b) {
        Double x = number(a);
        Double y = number(b);
        if (x != null && y != null) {
            return x.doubleValue() == y.doubleValue();
        }
        return Objects.equals(a, b);
    }

    private static Double number(Object o) {
        if (o instanceof Number n) {
            return n.doubleValue();
        }
        return null;
    }

    static String show(Object o) {
        if (o instanceof String s) {
            String cut = s.length() > 100 ? s.substring(0, 100) + "..." : s;
            return "\"" + cut + "\"";
        }
        if (o instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d)) {
            return Long.toString(d.longValue());
        }
        return String.valueOf(o);
    }
}
