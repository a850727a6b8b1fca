package dev.sightline.alerting;

import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MatchersTest {
    @Test
    void parsesTheFourOperatorsQuotedAndBare() {
        assertThat(Matchers.parse("team=\"a b\"")).isEqualTo(new LabelMatcher(LabelMatcher.Type.EQ, "team", "a b"));
        assertThat(Matchers.parse("team != a")).isEqualTo(new LabelMatcher(LabelMatcher.Type.NEQ, "team", "a"));
        assertThat(Matchers.parse("env=~\"prod|staging\"")).isEqualTo(new LabelMatcher(LabelMatcher.Type.RE, "env", "prod|staging"));
        assertThat(Matchers.parse("env!~\"dev.*\"")).isEqualTo(new LabelMatcher(LabelMatcher.Type.NRE, "env", "dev.*"));
        assertThat(Matchers.parse("q=\"say \\\"hi\\\"\"").value()).isEqualTo("say \"hi\"");
    }

    @Test
    void regexesAreAnchoredAndMissingLabelsAreEmpty() {
        Labels l = Labels.of("env", "production");
        assertThat(Matchers.matches(Matchers.parse("env=~\"prod\""), l)).isFalse();
        assertThat(Matchers.matches(Matchers.parse("env=~\"prod.*\""), l)).isTrue();
        assertThat(Matchers.matches(Matchers.parse("env!~\"prod.*\""), l)).isFalse();
        assertThat(Matchers.matches(Matchers.parse("team=\"\""), l)).isTrue();
        assertThat(Matchers.matches(Matchers.parse("team!=\"\""), l)).isFalse();
    }

    @Test
    void badMatchersNameWhatIsWrong() {
        assertThatThrownBy(() -> Matchers.parse("=\"x\"")).hasMessageContaining("expected a label name");
        assertThatThrownBy(() -> Matchers.parse("a~\"x\"")).hasMessageContaining("expected one of =, !=, =~, !~");
        assertThatThrownBy(() -> Matchers.parse("a=\"x")).hasMessageContaining("missing closing quote");
        assertThatThrownBy(() -> Matchers.parse("a=~\"(\"")).hasMessageContaining("bad matcher").hasMessageContaining("error parsing regexp");
    }

    @Test
    void printsLikeAlertmanager() {
        assertThat(Matchers.parse("a=~ x|y").toString()).isEqualTo("a=~\"x|y\"");
    }

    @Test
    void fingerprintIsPrometheusLabelsHash() {
        // FNV-1a 64 offset basis: the fingerprint of the empty label set.
        assertThat(Alert.fingerprint(Labels.EMPTY)).isEqualTo(0xcbf29ce484222325L);
        assertThat(Alert.fingerprint(Labels.of("a", "b"))).isNotEqualTo(Alert.fingerprint(Labels.of("ab", "")));
    }
}
