package dev.sightline.promql.test;

import dev.sightline.core.Labels;
import dev.sightline.promql.parser.SequenceValue;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A command of a Prometheus PromQL test script, as {@link TestScriptParser} reads it; {@code line} is the 0-based
 * index of its first line in the script.
 */
sealed interface ScriptCommand {
    int line();

    /** {@code clear}: the following commands start from an empty storage. */
    record Clear(int line) implements ScriptCommand {
    }

    /**
     * {@code load[_with_nhcb] <gap>}: each series' values at 0, gap, 2*gap..., with start timestamps as offsets from
     * each point's time where an {@code @st} line gives them; {@code nhcb} also stores classic histograms as native
     * histograms with custom buckets.
     */
    record Load(int line, boolean nhcb, long gap, Map<Labels, List<SequenceValue>> series,
                Map<Labels, List<Long>> startOffsets) implements ScriptCommand {
    }

    /** A command that could not be parsed, and whether it counts as a failed eval. */
    record Invalid(int line, String message, boolean countsAsFailure) implements ScriptCommand {
    }

    /** An {@code expect <type> [msg:|regex:]...} line of an eval: an annotation or error it expects. */
    record Expect(String type, String message, Pattern regex) {
        boolean matches(String s) {
            return regex == null ? message.equals(s) : regex.matcher(s).find();
        }

        String describe() {
            return regex == null ? "message \"" + message + "\"" : "pattern \"" + regex.pattern() + "\"";
        }
    }

    /** {@code eval[_fail|_warn|_info|_ordered] instant|range ...} and the expectations that follow it (filled by the parser). */
    final class Eval implements ScriptCommand {
        final int line;
        String expr;
        boolean isRange;
        long start, end, step, evalTime;
        boolean fail, warn, info, ordered;
        String failMessage;
        Pattern failRegexp;
        final Map<String, List<Expect>> expects = new HashMap<>();
        boolean expectScalar;
        double scalarValue;
        final Map<Labels, List<SequenceValue>> expected = new LinkedHashMap<>();
        final Map<Labels, Integer> positions = new HashMap<>();
        String expectedString;
        boolean excludeFromRange;
        boolean expectRangeVector;

        Eval(int line) {
            this.line = line;
        }

        @Override
        public int line() {
            return line;
        }

        boolean isFail() {
            return fail || expects.containsKey("fail");
        }

        boolean isOrdered() {
            return ordered || expects.containsKey("ordered");
        }
    }
}
