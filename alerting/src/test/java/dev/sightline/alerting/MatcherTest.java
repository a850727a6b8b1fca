package dev.sightline.alerting;

import dev.sightline.core.Labels;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MatcherTest {
    @Test
    void parsesTheFourOperatorsQuotedAndBare() {
        assertThat(Matcher.parse("team=\"a b\"")).isEqualTo(new Matcher("team", Matcher.Type.EQ, "a b"));
        assertThat(Matcher.parse("team != a")).isEqualTo(new Matcher("team", Matcher.Type.NEQ, "a"));
        assertThat(Matcher.parse("env=~\"prod|staging\"")).isEqualTo(new Matcher("env", Matcher.Type.RE, "prod|staging"));
        assertThat(Matcher.parse("env!~\"dev.*\"")).isEqualTo(new Matcher("env", Matcher.Type.NRE, "dev.*"));
        assertThat(Matcher.parse("q=\"say \\\"hi\\\"\"").value()).isEqualTo("say \"hi\"");
    }

    @Test
    void regexesAreAnchoredAndMissingLabelsAreEmpty() {
        Labels l = Labels.of("env", "production");
        assertThat(Matcher.parse("env=~\"prod\"").matches(l)).isFalse();
        assertThat(Matcher.parse("env=~\"prod.*\"").matches(l)).isTrue();
        assertThat(Matcher.parse("env!~\"prod.*\"").matches(l)).isFalse();
        assertThat(Matcher.parse("team=\"\"").matches(l)).isTrue();
        assertThat(Matcher.parse("team!=\"\"").matches(l)).isFalse();
    }

    @Test
    void badMatchersNameWhatIsWrong() {
        assertThatThrownBy(() -> Matcher.parse("=\"x\"")).hasMessageContaining("expected a label name");
        assertThatThrownBy(() -> Matcher.parse("a~\"x\"")).hasMessageContaining("expected one of =, !=, =~, !~");
        assertThatThrownBy(() -> Matcher.parse("a=\"x")).hasMessageContaining("missing closing quote");
        assertThatThrownBy(() -> Matcher.parse("a=~\"(\"")).hasMessageContaining("invalid regular expression");
    }

    @Test
    void printsLikeAlertmanager() {
        assertThat(Matcher.parse("a=~ x|y").toString()).isEqualTo("a=~\"x|y\"");
    }

    @Test
    void fingerprintIsPrometheusLabelsHash() {
        // FNV-1a 64 offset basis: the fingerprint of the empty label set.
        assertThat(Alert.fingerprint(Labels.EMPTY)).isEqualTo(0xcbf29ce484222325L);
        assertThat(Alert.fingerprint(Labels.of("a", "b"))).isNotEqualTo(Alert.fingerprint(Labels.of("ab", "")));
    }
}
