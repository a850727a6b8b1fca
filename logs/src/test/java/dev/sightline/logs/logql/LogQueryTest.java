package dev.sightline.logs.logql;

import dev.sightline.core.Labels;
import dev.sightline.logs.LogSelection;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.sightline.logs.logql.LogQlFixture.T0;
import static dev.sightline.logs.logql.LogQlFixture.at;
import static dev.sightline.logs.logql.LogQlFixture.lines;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LogQueryTest {
    private final LogQlEngine engine = new LogQlEvaluator(LogQlFixture.store().querier());

    @Test
    void seedQueryFailedPaymentsOver100() {
        List<String> out = lines(engine, "{service=\"payment\"} | json | status=\"failed\" | amount > 100");
        // Loki's reading: "lots" does not convert, so that line passes marked LabelFilterErr; the non-JSON line
        // passes marked JSONParserErr.
        // Streams come in label order: the error labels sort first.
        assertThat(out).hasSize(3);
        assertThat(out.get(0)).contains("__error__=\"JSONParserErr\"").endsWith("panic: runtime error: index out of range");
        assertThat(out.get(1)).contains("__error__=\"LabelFilterErr\"").contains("amount=\"lots\"");
        assertThat(out.get(2)).contains("amount=\"150.5\"").contains("status=\"failed\"").doesNotContain("__error__");
        assertThat(lines(engine, "{service=\"payment\"} | json | status=\"failed\" | amount > 100 | __error__=\"\""))
                .singleElement().asString().contains("150.5");
    }

    @Test
    void seedQuerySlowCallsAcrossServices() {
        List<String> out = lines(engine, "{service=~\".+\"} | json | duration_ms > 1000 | __error__=\"\"");
        assertThat(out).singleElement().asString().contains("\"duration_ms\":1500");
        assertThat(lines(engine, "{service=~\".+\"} | logfmt | duration_ms > 1000 | __error__=\"\""))
                .singleElement().asString().contains("payment timeout");
    }

    @Test
    void seedQueryByTraceId() {
        List<String> out = lines(engine, "{service=~\".+\"} | json | trace_id=\"abc123\" | __error__=\"\"");
        assertThat(out).singleElement().asString().contains("trace_id=\"abc123\"").contains("\"amount\":50")
                .doesNotContain("__error__");
        // The web line carries trace_id as structured metadata: a label of the line, found without parsing.
        assertThat(lines(engine, "{service=~\".+\"} | trace_id=\"abc123\"")).hasSize(1).first().asString()
                .contains("GET /api/users");
    }

    @Test
    void lineFiltersChainAndOr() {
        assertThat(lines(engine, "{service=~\".+\"} |= \"error\" != \"timeout\"")).hasSize(3);
        assertThat(lines(engine, "{service=~\".+\"} |= \"timeout\" or \"disk full\"")).hasSize(2);
        assertThat(lines(engine, "{service=~\".+\"} |~ `duration_ms\\W+\\d{4}`")).hasSize(2);
        assertThat(lines(engine, "{service=\"web\"} !~ \"GET|POST\"")).singleElement().asString().contains("disk full");
        assertThat(lines(engine, "{service=~\"pay.*|web\", service!=\"web\"} != \"{\"")).singleElement().asString()
                .contains("panic");
    }

    @Test
    void parsedFieldsClashingWithStreamLabelsAreRenamed() {
        List<String> out = lines(engine, "{service=\"payment\"} | json | env_extracted=\"dev\"");
        assertThat(out).hasSize(2); // the non-JSON line passes with its error
        assertThat(out.get(1)).contains("env=\"prod\"").contains("env_extracted=\"dev\"");
        // A label filter on the clashing name reads the stream label.
        assertThat(lines(engine, "{service=\"payment\"} | json | env=\"dev\"")).hasSize(1);
    }

    @Test
    void jsonFlattensAndExtractsPaths() {
        List<String> out = lines(engine, "{service=\"payment\"} | json | user_id=\"7\" | __error__=\"\"");
        assertThat(out).singleElement().asString().startsWith("{amount=\"50\", duration_ms=\"120\", env=\"prod\", "
                + "level=\"info\", service=\"payment\", status=\"ok\", trace_id=\"abc123\", user_id=\"7\"} ");
        out = lines(engine, "{service=\"payment\"} | json sku=\"items[1].sku\", uid=`user[\"id\"]`, u=\"user\", "
                + "missing=\"nope.x\", level | __error__=\"\" | level=\"info\"");
        assertThat(out).singleElement().asString()
                .startsWith("{env=\"prod\", level=\"info\", service=\"payment\", sku=\"B2\", u=\"{\\\"id\\\":7}\", "
                        + "uid=\"7\"}");
    }

    @Test
    void logfmtWithDurationAndBytesFilters() {
        assertThat(lines(engine, "{service=\"checkout\"} | logfmt | took > 1s")).singleElement().asString()
                .contains("payment timeout");
        assertThat(lines(engine, "{service=\"checkout\"} | logfmt | took <= 200ms")).singleElement().asString()
                .contains("order placed");
        assertThat(lines(engine, "{service=\"checkout\"} | logfmt | size >= 20MB")).singleElement().asString()
                .contains("payment timeout");
        assertThat(lines(engine, "{service=\"checkout\"} | logfmt | size < 2KB and msg=~\"order.*\"")).hasSize(1);
        assertThat(lines(engine, "{service=\"checkout\"} | logfmt | (level=\"info\" or took > 2s), msg!=\"x\""))
                .hasSize(2);
        assertThat(lines(engine, "{service=\"checkout\"} | logfmt | level=\"info\" or level=\"nope\" duration_ms == 200"))
                .hasSize(1);
        assertThat(lines(engine, "{service=\"checkout\"} | logfmt id=\"trace_id\" | id=\"abc123\""))
                .singleElement().asString().startsWith("{detected_level=\"info\", env=\"prod\", id=\"abc123\", service");
    }

    @Test
    void structuredMetadataIsPartOfTheLabels() {
        assertThat(lines(engine, "{service=\"checkout\"} | detected_level=\"error\"")).singleElement().asString()
                .startsWith("{detected_level=\"error\", env=\"prod\", service=\"checkout\"}");
    }

    @Test
    void regexpAndPatternParsers() {
        assertThat(lines(engine, "{service=\"web\"} | regexp `^(?P<ip>\\S+) .*\"(?P<method>\\w+) (?P<the_path>\\S+)`"
                + " | method=\"GET\"")).singleElement().asString()
                .startsWith("{env=\"prod\", ip=\"10.0.0.1\", method=\"GET\", service=\"web\", the_path=\"/api/users\", "
                        + "trace_id=\"abc123\"}");
        assertThat(lines(engine, "{service=\"web\"} | pattern `<ip> - <_> [<ts>] \"<method> <path> <_>\" <code> <size>`"
                + " | code == 200 | size > 500")).singleElement().asString()
                .startsWith("{code=\"200\", env=\"prod\", ip=\"10.0.0.1\", method=\"GET\", path=\"/api/users\", "
                        + "service=\"web\", size=\"512\", trace_id=\"abc123\", ts=\"10/Oct/2023:13:55:36 +0000\"}");
        // A line the pattern does not fit gets no labels and no error.
        assertThat(lines(engine, "{service=\"web\"} | pattern `<ip> - <_> [<ts>]` | ip=\"\"")).singleElement()
                .asString().contains("disk full");
    }

    @Test
    void unpackRestoresPackedLines() {
        LogQlEngine e = new LogQlEvaluator(store("{\"_entry\":\"original line\",\"pod\":\"p-1\",\"n\":3}").querier());
        assertThat(lines(e, "{job=\"x\"} | unpack")).containsExactly("{job=\"x\", pod=\"p-1\"} original line");
    }

    @Test
    void formattingStages() {
        assertThat(lines(engine, "{service=\"checkout\"} | logfmt | line_format "
                + "\"{{.level | ToUpper}} {{ .msg | replace \\\"payment\\\" \\\"pay\\\" }} took={{.took}}{{.nope}}\""))
                .extracting(s -> s.substring(s.indexOf("} ") + 2))
                .containsExactly("ERROR pay timeout took=3s", "INFO order placed took=200ms");
        assertThat(lines(engine, "{service=\"checkout\"} |= \"order\" | line_format "
                + "`{{ printf \"%s|%5s|%d\" .service \"ab\" 42 }} {{ trimPrefix \"le\" (lower \"LEVEL\") }} "
                + "{{ default \"none\" .missing }} {{ __timestamp__ | unixEpoch }} {{ __line__ | trunc 5 }}`"))
                .extracting(s -> s.substring(s.indexOf("} ") + 2))
                .containsExactly("checkout|   ab|42 vel none " + (T0 / 1_000_000_000L + 1) + " level");
        assertThat(lines(engine, "{service=\"checkout\"} | logfmt | label_format svc=service, lvl=`{{.level}}!` "
                + "| keep svc, lvl, took=~\"3.*\"")).extracting(s -> s.substring(0, s.indexOf("} ") + 1))
                .containsExactly("{lvl=\"error!\", svc=\"checkout\", took=\"3s\"}", "{lvl=\"info!\", svc=\"checkout\"}");
        assertThat(lines(engine, "{service=\"checkout\"} | logfmt | drop msg, trace_id, took=\"3s\", size, duration_ms"
                + ", detected_level")).extracting(s -> s.substring(0, s.indexOf("} ") + 1))
                .containsExactly("{env=\"prod\", level=\"error\", service=\"checkout\"}",
                        "{env=\"prod\", level=\"info\", service=\"checkout\", took=\"200ms\"}");
        assertThat(lines(engine, "{service=\"web\"} |= \"disk\" | decolorize")).singleElement().asString()
                .endsWith("} ERROR disk full on /var");
    }

    @Test
    void errorsCanBeSelectedAndDropped() {
        assertThat(lines(engine, "{service=\"payment\"} | json | __error__=\"JSONParserErr\"")).singleElement()
                .asString().contains("__error_details__=").contains("panic");
        assertThat(lines(engine, "{service=\"payment\"} | json | drop __error__, __error_details__ |= \"panic\""))
                .singleElement().asString().startsWith("{env=\"prod\", service=\"payment\"} panic");
        assertThat(lines(engine, "{service=\"checkout\"} | logfmt | __error__!=\"\"")).isEmpty();
        // A JSON line is no logfmt: Loki's logfmt parser stops at the quote.
        assertThat(lines(engine, "{service=\"payment\"} | logfmt | __error__=\"LogfmtParserErr\"")).hasSize(4);
    }

    @Test
    void limitAndDirection() {
        LogQlResult back = engine.range("{service=~\".+\"}", T0, at(100), 1, LogSelection.Direction.BACKWARD, 3);
        assertThat(LogQlFixture.seconds(back)).containsExactly(6.0, 5.0, 7.0); // newest lines, streams by labels
        LogQlResult fwd = engine.range("{service=~\".+\"} | json | __error__=\"\"", T0, at(100), 1,
                LogSelection.Direction.FORWARD, 2);
        // The two oldest JSON lines, each its own stream; {amount="150.5"} sorts before {amount="50"}.
        assertThat(LogQlFixture.seconds(fwd)).containsExactly(2.0, 1.0);
        LogQlResult instant = engine.instant("{service=\"payment\"}", at(3), LogSelection.Direction.BACKWARD, 2);
        assertThat(LogQlFixture.seconds(instant)).containsExactly(3.0, 2.0);
        assertThatThrownBy(() -> engine.instant("{service=\"payment\"}", at(3), LogSelection.Direction.BACKWARD, 0))
                .isInstanceOf(LogQlException.class).hasMessageContaining("limit");
    }

    @Test
    void streamsAreGroupedByFinalLabels() {
        LogQlResult r = engine.range("{service=\"payment\"} | json | keep level", T0, at(100), 1,
                LogSelection.Direction.FORWARD, 100);
        // keep never drops the error labels (Loki's special labels).
        assertThat(((LogQlResult.Streams) r).streams()).extracting(LogQlResult.Stream::labels).containsExactly(
                Labels.of("__error__", "JSONParserErr", "__error_details__", "not a JSON object"),
                Labels.of("level", "error"), Labels.of("level", "info"), Labels.of("level", "warn"));
        assertThat(((LogQlResult.Streams) r).streams().get(1).lines()).hasSize(2);
    }

    private static dev.sightline.logs.InMemoryLogStore store(String... lines) {
        dev.sightline.logs.InMemoryLogStore s = new dev.sightline.logs.InMemoryLogStore();
        dev.sightline.logs.LogAppender a = s.appender();
        for (int i = 0; i < lines.length; i++) {
            a.append(Labels.of("job", "x"), at(i + 1), lines[i], Labels.EMPTY);
        }
        LogQlFixture.commit(a);
        return s;
    }
}
