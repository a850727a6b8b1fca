package dev.sightline.rules;

import dev.sightline.promql.ast.Expr;

/** A rule's expression: PromQL parsed into its tree, or the text of another language's query run by its evaluator. */
public sealed interface RuleExpr {
    /** The expression as the rules API shows it: PromQL printed from its tree, anything else as written. */
    String display();

    record PromQl(Expr expr) implements RuleExpr {
        @Override
        public String display() {
            return expr.toString();
        }
    }

    /** An expression of {@code language} (a group's {@code query_language}), checked at load, run by a {@link RuleLanguage}. */
    record External(String language, String text) implements RuleExpr {
        @Override
        public String display() {
            return text;
        }
    }
}
