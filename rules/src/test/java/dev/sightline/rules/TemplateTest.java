package dev.sightline.rules;

import dev.sightline.core.Labels;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TemplateTest {
    private static String render(String text, double value) throws Exception {
        return Template.parse("t", text).render(new Template.Data(Labels.of("job", "shop", "instance", "a:1"), value,
                Map.of("cluster", "eu1")));
    }

    @Test
    void variablesAndFields() throws Exception {
        assertThat(render("{{ $labels.job }}/{{ .Labels.instance }} = {{ $value }} in {{ $externalLabels.cluster }}", 2.5))
                .isEqualTo("shop/a:1 = 2.5 in eu1");
        assertThat(render("{{ .Value }} {{ $labels.missing }}|", 1e6)).isEqualTo("1e+06 |");
        assertThat(render("{{- \" x \" -}}  y", 0)).isEqualTo(" x y");
    }

    @Test
    void humanizeFamily() throws Exception {
        assertThat(render("{{ $value | humanize }}", 1234567)).isEqualTo("1.235M");
        assertThat(render("{{ $value | humanize }}", 0.0012)).isEqualTo("1.2m");
        assertThat(render("{{ $value | humanize1024 }}", 2048)).isEqualTo("2ki");
        assertThat(render("{{ $value | humanizePercentage }}", 0.1234)).isEqualTo("12.34%");
        assertThat(render("{{ $value | humanizeDuration }}", 90061)).isEqualTo("1d 1h 1m 1s");
        assertThat(render("{{ $value | humanizeDuration }}", 0.25)).isEqualTo("250ms");
        assertThat(render("{{ humanize 1500 }}", 0)).isEqualTo("1.5k");
    }

    @Test
    void printf() throws Exception {
        assertThat(render("{{ printf \"%.2f\" $value }}", 3.14159)).isEqualTo("3.14");
        assertThat(render("{{ $value | printf \"%.1f%%\" }}", 99.95)).isEqualTo("100.0%");
        assertThat(render("{{ printf \"%s=%v\" $labels.job $value }}", 7)).isEqualTo("shop=7");
    }

    @Test
    void parseErrors() {
        assertThatThrownBy(() -> Template.parse("__alert_A", "x\n{{ $value | nope }}"))
                .hasMessage("template: __alert_A:2: function \"nope\" not defined");
        assertThatThrownBy(() -> Template.parse("t", "{{ $value "))
                .hasMessage("template: t:1: unclosed action");
        assertThatThrownBy(() -> Template.parse("t", "{{ $foo }}"))
                .hasMessage("template: t:1: undefined variable \"$foo\"");
        assertThatThrownBy(() -> Template.parse("t", "{{ if $value }}x{{ end }}"))
                .hasMessageContaining("not supported");
    }

    @Test
    void queryFirstValueAndLabel() throws Exception {
        Template t = Template.parse("t", "{{ printf \"avg(x{job='%s'})\" $labels.job | query | first | value | humanize }}"
                + " from {{ query \"x\" | first | label \"instance\" }}");
        java.util.List<String> asked = new java.util.ArrayList<>();
        Template.Data data = new Template.Data(Labels.of("job", "shop"), 1, Map.of(), q -> {
            asked.add(q);
            return java.util.List.of(new Template.QuerySample(Labels.of("instance", "a:1"), 1234.5));
        });
        assertThat(t.render(data)).isEqualTo("1.234k from a:1");
        assertThat(asked).containsExactly("avg(x{job='shop'})", "x");
        Template empty = Template.parse("t", "{{ query \"nothing\" | first | value }}");
        assertThatThrownBy(() -> empty.render(new Template.Data(Labels.EMPTY, 0, Map.of(), q -> java.util.List.of())))
                .hasMessageContaining("first() called on vector with no elements");
        assertThatThrownBy(() -> empty.render(new Template.Data(Labels.EMPTY, 0, Map.of(), q -> {
            throw new IllegalArgumentException("parse error at char 3");
        }))).hasMessageContaining("error calling query: parse error at char 3");
    }

    @Test
    void humanizeOfNonNumberFailsAtRender() throws Exception {
        Template t = Template.parse("t", "{{ $labels.job | humanize }}");
        assertThatThrownBy(() -> t.render(new Template.Data(Labels.of("job", "x"), 0, Map.of())))
                .hasMessageContaining("humanize");
    }
}
