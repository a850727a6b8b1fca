package dev.sightline.logs.logql;

import dev.sightline.core.Labels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TemplateTest {
    private static Pipeline.LineState state() {
        Pipeline.LineState s = new Pipeline.LineState();
        s.reset(1_700_000_000_123_000_000L, "the line", Labels.of("app", "Api", "path", "/v1/users/"), Labels.EMPTY);
        s.put("n", "42");
        return s;
    }

    @ParameterizedTest
    @CsvSource(delimiterString = "=>", quoteCharacter = '\'', value = {
            "{{.app}} {{ .path }}=>Api /v1/users/",
            "{{ .app | ToLower | upper }}=>API",
            "{{ trimSuffix \"/\" .path | trimPrefix \"/v1\" }}=>/users",
            "{{ TrimPrefix .path \"/v1\" }}|{{ TrimSuffix .path \"/\" }}=>/users/|/v1/users",
            "{{ Replace .path \"/\" \"-\" 2 }}|{{ replace \"/\" \".\" .path }}=>-v1-users/|.v1.users.",
            "{{ default \"none\" .missing }} {{ .missing | default \"dflt\" }} {{ default \"x\" .app }}=>none dflt Api",
            "{{ printf \"%s=%05d %.2f %q %x %v\" .app 42 1.5 .app \"hi\" 7 }}=>Api=00042 1.50 \"Api\" 6869 7",
            "{{ printf \"%d\" .n }}=>%!d(string=42)",
            "{{ printf \"%s\" }}{{ printf \"a\" 1 }}=>%!s(MISSING)a%!(EXTRA int=1)",
            "{{ __line__ | trunc 3 }}|{{ trunc -4 __line__ }}|{{ substr 4 8 __line__ }}=>the|line|line",
            "{{ __timestamp__ }}=>2023-11-14 22:13:20.123 +0000 UTC",
            "{{ __timestamp__ | unixEpochMillis }} {{ unixEpoch __timestamp__ }}=>1700000000123 1700000000",
            "a  {{- .app -}}  b {{/* a comment */}}c=>aApib c",
            "{{ (lower .app) | upper }}{{ \"lit\" }}{{ 3 }}{{ .nope }}=>APIlit3",
            "{{ contains \"lin\" __line__ }} {{ __line__ | contains \"x\" }} {{ hasPrefix \"/v1\" .path }} {{ hasSuffix \"v1\" .path }}=>true false true false",
    })
    void renders(String template, String expected) {
        Pipeline.LineState s = state();
        assertThat(Template.parse(template).render(s, "fallback")).isEqualTo(expected);
        assertThat(s.hasError()).isFalse();
    }

    @Test
    void aFailingFunctionSetsTemplateFormatErrAndKeepsTheFallback() {
        Pipeline.LineState s = state();
        assertThat(Template.parse("{{ .app | unixEpoch }}").render(s, "kept")).isEqualTo("kept");
        assertThat(s.get("__error__")).isEqualTo("TemplateFormatErr");
        assertThat(s.get("__error_details__")).isEqualTo("unixEpoch: expected a time, got \"Api\"");
        Pipeline.LineState t = state();
        assertThat(Template.parse("{{ .app .path }}").render(t, "kept")).isEqualTo("kept");
        assertThat(t.get("__error_details__")).isEqualTo("can't give argument to non-function .app");
        Pipeline.LineState u = state();
        Template.parse("{{ trunc \"x\" .app }}").render(u, "kept");
        assertThat(u.get("__error_details__")).isEqualTo("trunc: \"x\" is not an integer");
    }

    @ParameterizedTest
    @CsvSource(delimiterString = "=>", quoteCharacter = '\'', value = {
            "{{ .a => template: unclosed action at offset 0",
            "x {{ range .a }}{{ end }}=>template: not implemented: template action range at offset 5",
            "{{ $x := 1 }}=>template: not implemented: template variable $x at offset 3",
            "{{ .a.b }}=>template: not implemented: template field \".a.b\" at offset 3",
            "{{ . }}=>template: not implemented: template field \".\" at offset 3",
            "{{ toJson .a }}=>template: not implemented: template function toJson at offset 3",
            "{{ (lower .a }}=>template: unclosed parenthesis at offset 12",
            "{{ .a | }}=>template: missing value for command at offset 7",
            "{{ \"open }}=>template: unterminated string at offset 3",
    })
    void rejectsByName(String template, String message) {
        assertThatThrownBy(() -> Template.parse(template)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }
}
