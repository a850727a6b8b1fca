package dev.sightline.core;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LabelsTest {
    @Test
    void sortsByNameAndLooksUp() {
        Labels l = Labels.of("job", "api", "__name__", "up", "instance", "a:1");
        assertThat(l.name(0)).isEqualTo("__name__");
        assertThat(l.name(2)).isEqualTo("job");
        assertThat(l.get("instance")).isEqualTo("a:1");
        assertThat(l.get("missing")).isNull();
        assertThat(l.metricName()).isEqualTo("up");
        assertThat(l.toString()).isEqualTo("up{instance=\"a:1\", job=\"api\"}");
    }

    @Test
    void emptyValueMeansAbsent() {
        assertThat(Labels.of("__name__", "x", "a", "")).isEqualTo(Labels.of("__name__", "x"));
        assertThat(Labels.of("a", "").isEmpty()).isTrue();
    }

    @Test
    void duplicateNameIsTypedError() {
        assertThatThrownBy(() -> Labels.of("a", "1", "a", "2"))
                .isInstanceOf(ValidationException.class)
                .satisfies(e -> assertThat(((ValidationException) e).reason()).isEqualTo(ValidationException.Reason.DUPLICATE_LABEL_NAME));
    }

    @Test
    void ofSortedTakesSortedPairsAndRefusesOthers() {
        assertThat(Labels.ofSorted("__name__", "up", "job", "api")).isEqualTo(Labels.of("job", "api", "__name__", "up"));
        assertThat(Labels.ofSorted()).isSameAs(Labels.EMPTY);
        assertThatThrownBy(() -> Labels.ofSorted("job", "api", "__name__", "up")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Labels.ofSorted("a", "1", "a", "2")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Labels.ofSorted("a", "")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Labels.ofSorted("a")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void keepAndWithout() {
        Labels l = Labels.of("__name__", "m", "a", "1", "b", "2");
        assertThat(l.without("__name__", "a")).isEqualTo(Labels.of("b", "2"));
        assertThat(l.keep("a", "zz")).isEqualTo(Labels.of("a", "1"));
    }

    @Test
    void quotingEscapesLikePrometheus() {
        assertThat(Labels.of("a", "x\"y\\z\n").toString()).isEqualTo("{a=\"x\\\"y\\\\z\\n\"}");
        // Go's %q, as labels.String(): other control and non-printable characters are escaped too.
        assertThat(Labels.of("a", "\u0007\u0001\u2028").toString()).isEqualTo("{a=\"\\a\\x01\\u2028\"}");
    }

    @Property
    void orderIndependentAndConsistentWithEquals(@ForAll @Size(max = 8) List<@AlphaChars @StringLength(min = 1, max = 6) String> names) {
        List<String> distinct = names.stream().distinct().toList();
        List<String> forward = new ArrayList<>();
        List<String> backward = new ArrayList<>();
        for (int i = 0; i < distinct.size(); i++) {
            forward.add(distinct.get(i));
            forward.add("v" + i);
        }
        for (int i = distinct.size() - 1; i >= 0; i--) {
            backward.add(distinct.get(i));
            backward.add("v" + i);
        }
        Labels a = Labels.of(forward.toArray(String[]::new));
        Labels b = Labels.of(backward.toArray(String[]::new));
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a.compareTo(b)).isZero();
        assertThat(Labels.fromMap(a.toMap())).isEqualTo(a);
        for (int i = 1; i < a.size(); i++) {
            assertThat(a.name(i - 1)).isLessThan(a.name(i));
        }
    }

    @Test
    void compareOrdersPairwiseWithPrefixFirst() {
        Labels a = Labels.of("a", "1");
        Labels ab = Labels.of("a", "1", "b", "1");
        Labels a2 = Labels.of("a", "2");
        assertThat(a.compareTo(ab)).isNegative();
        assertThat(ab.compareTo(a2)).isNegative();
        assertThat(Labels.fromMap(Map.of()).compareTo(a)).isNegative();
    }
}
