package dev.sightline.rules;

import dev.sightline.promql.engine.Sample;

import java.util.List;

/**
 * A query language other than PromQL that a rule group may be written in (the group's {@code query_language}):
 * every expression is checked when its rule file loads, so a broken one fails {@code check-rules} and a reload, and
 * run as an instant query at each evaluation. Implementations live where the language does (LogQL: the server),
 * so this module depends on none of them.
 */
public interface RuleLanguage {
    /** Checks {@code expr} without running it on data; the exception's message names what is wrong and where. */
    void check(String expr) throws InvalidExpression;

    /**
     * Runs {@code expr} at {@code tsMs}: one sample per series, time {@code tsMs}. Throws a RuntimeException whose
     * message becomes the rule's error (for example a query that gives no numbers).
     */
    List<Sample> query(String expr, long tsMs);

    /** An expression the language refuses, with its message. */
    final class InvalidExpression extends Exception {
        private static final long serialVersionUID = 1L;

        public InvalidExpression(String message) {
            super(message);
        }
    }
}
