package dev.sightline.traces.traceql;

import dev.sightline.core.fuzz.FuzzTarget;
import dev.sightline.core.fuzz.FuzzTests;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.List;
import java.util.stream.Stream;

/** Fuzz target of the TraceQL parser and checker: a refusal is a {@link TraceQLException} with its line and column. */
class TraceQlFuzzTargetsTest {
    static List<FuzzTarget> targets() {
        return List.of(FuzzTarget.named("traceql")
                .seeds("{ resource.service.name = \"cart\" && span.http.status_code >= 500 } | count() > 2",
                        "{ .db.system = \"postgresql\" && duration > 100ms } >> { status = error } | select(span.db.statement)",
                        "{ name =~ \"GET .*\" || kind = server } && { rootServiceName != `api` } | avg(duration) > 20ms",
                        "{ trace:duration > 1s && event:name = \"exception\" } ~ { link:traceID != nil } | rate() by (span.x)",
                        "{ span.ratio < 0.5 && !(span.ok = true) } | quantile_over_time(duration, .9, .99) with (sample=true)")
                .tokens("{", "}", "(", ")", "&&", "||", "!", "=", "!=", "=~", "!~", ">", ">=", "<", "<=", ">>", "<<", "~", "!>>",
                        "&>>", "|", "\"", "`", "\\", ".", "span.", "resource.", "event:", "link:", "trace:", "duration", "1ms",
                        "-", "1e309", "9223372036854775808", "nil", "true", "count()", "by (", "select(", "with (", "#", "\n")
                .rejects(TraceQLException.class, e -> e.line() > 0 && e.column() > 0)
                .runText(TraceQL::parse)
                .build());
    }

    @TestFactory
    Stream<DynamicTest> fuzz() {
        return FuzzTests.dynamicTests(targets());
    }
}
