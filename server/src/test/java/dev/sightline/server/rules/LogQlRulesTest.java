package dev.sightline.server.rules;

import dev.sightline.core.Labels;
import dev.sightline.logs.InMemoryLogStore;
import dev.sightline.logs.LogAppender;
import dev.sightline.promql.engine.Sample;
import dev.sightline.rules.RuleFileParser;
import dev.sightline.rules.RuleLanguage;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LogQlRulesTest {
    private static final long T0 = 1_700_000_000_000L;
    private static final long NS = 1_000_000L;
    private final InMemoryLogStore logs = new InMemoryLogStore();
    private final LogQlRules logQl = new LogQlRules(logs::querier);

    private void line(long tMs, String service, String level, String text) throws Exception {
        LogAppender app = logs.appender();
        app.append(Labels.of("service", service, "level", level), tMs * NS, text, Labels.EMPTY);
        app.commit();
    }

    @Test
    void checkParsesAndRefusesLogQueries() throws Exception {
        logQl.check("count_over_time({service=\"a\"}[5m])");
        logQl.check("42");
        assertThatThrownBy(() -> logQl.check("rate({service=\"a\"} |"))
                .isInstanceOf(RuleLanguage.InvalidExpression.class)
                .hasMessage("parse error at line 1, col 21: syntax error: unexpected end of input, expecting a parser, "
                        + "a label filter or a formatting stage");
        assertThatThrownBy(() -> logQl.check("{service=\"a\"}"))
                .isInstanceOf(RuleLanguage.InvalidExpression.class)
                .hasMessageStartingWith("log query is not a metric query");
    }

    @Test
    void queryRunsOverTheLogStoreAtTheRulesTime() throws Exception {
        line(T0 - 6 * 60_000, "a", "error", "too old");
        line(T0 - 60_000, "a", "error", "one");
        line(T0 - 1_000, "a", "info", "two");
        line(T0, "a", "error", "three");
        line(T0 + 1, "a", "error", "after the evaluation");
        line(T0 - 1_000, "b", "error", "other service");
        List<Sample> out = logQl.query("count_over_time({service=\"a\"}[5m])", T0);
        assertThat(out).extracting(s -> s.labels().get("level") + "=" + s.f() + "@" + s.t())
                .containsExactly("error=2.0@" + T0, "info=1.0@" + T0);
        assertThat(logQl.query("7", T0)).extracting(Sample::labels, Sample::f)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Labels.EMPTY, 7.0));
        assertThatThrownBy(() -> logQl.query("{service=\"a\"}", T0))
                .isInstanceOf(IllegalStateException.class).hasMessageStartingWith("log query is not a metric query");
    }

    @Test
    void logQlIsTheOneLanguageBeyondPromQl() {
        assertThat(LogQlRules.languages(logs::querier)).containsOnlyKeys(RuleFileParser.LOGQL);
    }
}
