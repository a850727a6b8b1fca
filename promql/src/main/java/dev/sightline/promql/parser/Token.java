package dev.sightline.promql.parser;
import dev.sightline.core.text.GoQuote;

import dev.sightline.promql.ast.PositionRange;

/** One lexical item: type, start offset in the input and its text (for ERROR: the error message). */
record Token(TokenType type, int pos, String val) {
    int end() {
        return pos + val.length();
    }

    PositionRange range() {
        return new PositionRange(pos, end());
    }

    /** Prometheus's Item.desc(), used in "unexpected ..." messages. */
    String desc() {
        if (type.text != null) {
            return itemString();
        }
        if (type == TokenType.EOF) {
            return type.desc();
        }
        return type.desc() + " " + itemString();
    }

    private String itemString() {
        return switch (type) {
            case EOF -> "EOF";
            case ERROR -> val;
            case IDENTIFIER, METRIC_IDENTIFIER -> GoQuote.quote(val);
            default -> switch (type.kind) {
                case KEYWORD -> "<" + val + ">";
                case OPERATOR -> "<op:" + val + ">";
                case AGGREGATOR -> "<aggr:" + val + ">";
                default -> val.codePointCount(0, val.length()) > 10
                        ? GoQuote.quote(val.substring(0, val.offsetByCodePoints(0, 10))) + "..."
                        : GoQuote.quote(val);
            };
        };
    }
}
