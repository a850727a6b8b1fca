package dev.sightline.rules;

import java.util.Map;

/**
 * One validated rule of a rule file: exactly one of {@code record} and {@code alert} is set. Label and annotation
 * templates are parsed already; maps keep the file's order. {@code exprText} is the expression as written.
 */
public record RuleConfig(String record, String alert, String exprText, RuleExpr expr, long forMs, long keepFiringForMs,
                         Map<String, Template> labels, Map<String, Template> annotations, int line) {
    public boolean isAlerting() {
        return alert != null;
    }

    public String name() {
        return alert != null ? alert : record;
    }
}
