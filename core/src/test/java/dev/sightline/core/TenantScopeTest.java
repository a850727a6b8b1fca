package dev.sightline.core;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TenantScopeTest {
    @Test
    void tenantIdsAreCheckedAsMimirDoes() {
        assertThat(TenantScope.validate("Team_1.prod-(eu)!*'")).isEqualTo("Team_1.prod-(eu)!*'");
        assertThatThrownBy(() -> TenantScope.validate("")).hasMessage("no org id");
        assertThatThrownBy(() -> TenantScope.validate("a/b")).hasMessageContaining("unsupported characters");
        assertThatThrownBy(() -> TenantScope.validate("a|b")).hasMessageContaining("unsupported characters");
        assertThatThrownBy(() -> TenantScope.validate("..")).hasMessageContaining("'.' or '..'");
        assertThatThrownBy(() -> TenantScope.validate("x".repeat(151))).hasMessageContaining("max 150");
        assertThat(TenantScope.validate("x".repeat(150))).hasSize(150);
    }

    @Test
    void theReservedLabelIsAbsentToTheTenant() {
        TenantScope a = new TenantScope("a");
        LabelMatcher own = LabelMatcher.eq(TenantScope.LABEL, "a");
        LabelMatcher job = LabelMatcher.eq("job", "x");
        assertThat(a.matchers(job)).containsExactly(job, own);
        // Accepting the empty string: dropped; needing a value: nothing can match.
        assertThat(a.matchers(job, LabelMatcher.re(TenantScope.LABEL, ".*"))).containsExactly(job, own);
        assertThat(a.matchers(job, LabelMatcher.neq(TenantScope.LABEL, "a"))).containsExactly(job, own);
        assertThat(a.matchers(job, LabelMatcher.eq(TenantScope.LABEL, "a"))).isNull();
        assertThat(a.matchers(List.of(LabelMatcher.re(TenantScope.LABEL, "b|")))).containsExactly(own);
        Labels written = a.tag(Labels.of("job", "x", TenantScope.LABEL, "b"));
        assertThat(written).isEqualTo(Labels.of("job", "x", TenantScope.LABEL, "a"));
        assertThat(TenantScope.strip(written)).isEqualTo(Labels.of("job", "x"));
        assertThat(TenantScope.stripNames(List.of("job", TenantScope.LABEL))).containsExactly("job");
    }
}
