package dev.sightline.core;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LabelLimitsTest {
    private final LabelLimits limits = new LabelLimits(LabelLimits.NameScheme.LEGACY, 4, 10, 20);

    private ValidationException.Reason reasonOf(Labels l) {
        try {
            limits.validate(l);
        } catch (ValidationException e) {
            return e.reason();
        }
        return null;
    }

    @Test
    void acceptsValidSeries() {
        assertThatCode(() -> limits.validate(Labels.of("__name__", "node_cpu:rate5m", "cpu", "0", "mode", "idle"))).doesNotThrowAnyException();
    }

    @Test
    void refusesEachKindOfBadLabelWithItsReason() {
        assertThat(reasonOf(Labels.of("job", "x"))).isEqualTo(ValidationException.Reason.MISSING_METRIC_NAME);
        assertThat(reasonOf(Labels.of("__name__", "1abc"))).isEqualTo(ValidationException.Reason.INVALID_METRIC_NAME);
        assertThat(reasonOf(Labels.of("__name__", "a.b"))).isEqualTo(ValidationException.Reason.INVALID_METRIC_NAME);
        assertThat(reasonOf(Labels.of("__name__", "m", "a:b", "x"))).isEqualTo(ValidationException.Reason.INVALID_LABEL_NAME);
        assertThat(reasonOf(Labels.of("__name__", "m", "a", "1", "b", "2", "c", "3", "d", "4"))).isEqualTo(ValidationException.Reason.TOO_MANY_LABELS);
        assertThat(reasonOf(Labels.of("__name__", "m", "abcdefghijk", "x"))).isEqualTo(ValidationException.Reason.LABEL_NAME_TOO_LONG);
        assertThat(reasonOf(Labels.of("__name__", "m", "a", "x".repeat(21)))).isEqualTo(ValidationException.Reason.LABEL_VALUE_TOO_LONG);
        assertThat(reasonOf(Labels.of("__name__", "m", "a", "bad\uD800"))).isEqualTo(ValidationException.Reason.INVALID_LABEL_VALUE);
    }

    /** A set remembers the limits it passed, so only a check under equal limits is skipped. */
    @Test
    void aSetThatPassedSomeLimitsIsStillCheckedUnderOthers() {
        Labels l = Labels.of("__name__", "m", "a", "1", "b", "2", "c:d", "3");
        LabelLimits utf8 = new LabelLimits(LabelLimits.NameScheme.UTF8, 4, 10, 20);
        assertThatCode(() -> utf8.validate(l)).doesNotThrowAnyException();
        assertThat(reasonOf(l)).isEqualTo(ValidationException.Reason.INVALID_LABEL_NAME);
        assertThatCode(() -> new LabelLimits(LabelLimits.NameScheme.UTF8, 4, 10, 20).validate(l)).doesNotThrowAnyException();
        assertThatThrownBy(() -> new LabelLimits(LabelLimits.NameScheme.UTF8, 3, 10, 20).validate(l))
                .isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> new LabelLimits(LabelLimits.NameScheme.UTF8, 4, 10, 20).validate(Labels.of("job", "x")))
                .isInstanceOf(ValidationException.class);
    }

    @Test
    void errorNamesTheOffendingLabel() {
        assertThatThrownBy(() -> limits.validate(Labels.of("__name__", "m", "a-b", "x")))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("\"a-b\"")
                .satisfies(e -> assertThat(((ValidationException) e).field()).isEqualTo("a-b"));
    }

    @Test
    void utf8SchemeAllowsDotsButNotBrokenStrings() {
        LabelLimits utf8 = new LabelLimits(LabelLimits.NameScheme.UTF8, 10, 100, 100);
        assertThatCode(() -> utf8.validate(Labels.of("__name__", "http.server.duration", "service.name", "api"))).doesNotThrowAnyException();
        assertThatThrownBy(() -> utf8.validate(Labels.of("__name__", "m", "a\uDC00", "x"))).isInstanceOf(ValidationException.class);
    }

    @Test
    void strictUtf8DecodingRefusesMalformedBytes() {
        assertThatThrownBy(() -> LabelLimits.decodeUtf8Strict(new byte[]{(byte) 0xC3, (byte) 0x28}, 0, 2))
                .isInstanceOf(java.nio.charset.CharacterCodingException.class);
    }

    /** Decoded from checked UTF-8, a set skips only the character walk: every other rule still holds. */
    @Test
    void aSetDecodedFromCheckedUtf8IsCheckedForEverythingElse() {
        Labels ok = Labels.of("__name__", "m", "zone", "süd-😀");
        assertThatCode(() -> limits.validateDecodedFromUtf8(ok)).doesNotThrowAnyException();
        for (Labels bad : new Labels[] {
                Labels.of("job", "x"), Labels.of("__name__", "1abc"), Labels.of("__name__", "m", "a:b", "x"),
                Labels.of("__name__", "m", "a", "1", "b", "2", "c", "3", "d", "4"),
                Labels.of("__name__", "m", "abcdefghijk", "x"), Labels.of("__name__", "m", "a", "x".repeat(21))}) {
            ValidationException.Reason expected = reasonOf(bad);
            assertThat(expected).isNotNull();
            assertThatThrownBy(() -> new LabelLimits(LabelLimits.NameScheme.LEGACY, 4, 10, 20).validateDecodedFromUtf8(bad))
                    .isInstanceOf(ValidationException.class)
                    .satisfies(e -> assertThat(((ValidationException) e).reason()).isEqualTo(expected));
        }
        LabelLimits utf8 = new LabelLimits(LabelLimits.NameScheme.UTF8, 4, 10, 20);
        assertThatThrownBy(() -> utf8.validateDecodedFromUtf8(Labels.of("__name__", "m", "", "x")))
                .isInstanceOf(ValidationException.class);
        // A lone surrogate cannot come out of checked UTF-8; the full check still refuses it.
        assertThat(reasonOf(Labels.of("__name__", "m", "a", "bad\uD800"))).isEqualTo(ValidationException.Reason.INVALID_LABEL_VALUE);
    }
}
