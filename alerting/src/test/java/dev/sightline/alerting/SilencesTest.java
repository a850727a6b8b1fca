package dev.sightline.alerting;

import dev.sightline.core.Labels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SilencesTest {
    private static final long T0 = 1_700_000_000_000L;
    private final AtomicLong clock = new AtomicLong(T0);

    @TempDir
    Path dir;

    private static Silence silence(String id, long start, long end, String... matchers) {
        return new Silence(id, java.util.Arrays.stream(matchers).map(Matchers::parse).toList(), start, end, 0, "ops", "why");
    }

    @Test
    void createListExpireAndSurviveARestart() throws Exception {
        Path file = dir.resolve("alerting/silences.json");
        Silences s = new Silences(file, clock::get);
        String id = s.upsert(silence(null, 0, T0 + 3_600_000, "job=\"api\"", "env=~\"prod|staging\""));
        String pending = s.upsert(silence(null, T0 + 600_000, T0 + 3_600_000, "job=\"db\""));
        assertThat(s.get(id).state(T0)).isEqualTo(Silence.State.ACTIVE);
        assertThat(s.get(pending).state(T0)).isEqualTo(Silence.State.PENDING);
        assertThat(s.silencedBy(Labels.of("job", "api", "env", "prod"))).containsExactly(id);
        assertThat(s.silencedBy(Labels.of("job", "api", "env", "dev"))).isEmpty();

        Silences reopened = new Silences(file, clock::get);
        assertThat(reopened.list()).extracting(Silence::id).containsExactlyInAnyOrder(id, pending);
        Silence back = reopened.get(id);
        assertThat(back.matchers()).containsExactly(Matchers.parse("job=\"api\""), Matchers.parse("env=~\"prod|staging\""));
        assertThat(back.endsAtMs()).isEqualTo(T0 + 3_600_000);
        assertThat(back.createdBy()).isEqualTo("ops");

        clock.addAndGet(1_000);
        reopened.expire(id);
        assertThat(reopened.get(id).state(clock.get())).isEqualTo(Silence.State.EXPIRED);
        assertThat(reopened.silencedBy(Labels.of("job", "api", "env", "prod"))).isEmpty();
        assertThatThrownBy(() -> reopened.expire(id)).hasMessageContaining("already expired");
        assertThat(new Silences(file, clock::get).get(id).state(clock.get())).isEqualTo(Silence.State.EXPIRED);
        assertThatThrownBy(() -> reopened.expire("nope")).isInstanceOf(Silences.NotFoundException.class);
    }

    @Test
    void corruptStateFilesAreMovedAsideAndTheRestStarts() throws Exception {
        Path file = dir.resolve("alerting/silences.json");
        new Silences(file, clock::get).upsert(silence(null, 0, T0 + 3_600_000, "job=\"api\""));
        String good = java.nio.file.Files.readString(file);
        for (String bad : new String[] {good.substring(0, good.length() / 2), "[{\"id\": \"x\", \"matchers\": 7}]"}) {
            java.nio.file.Files.writeString(file, bad);
            Silences s = new Silences(file, clock::get);
            assertThat(s.list()).isEmpty();
            assertThat(file).doesNotExist();
            try (var aside = java.nio.file.Files.list(file.getParent())) {
                assertThat(aside.filter(p -> p.getFileName().toString().startsWith("silences.json.corrupt-"))
                        .map(p -> {
                            try {
                                return java.nio.file.Files.readString(p);
                            } catch (java.io.IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                        })).contains(bad);
            }
        }
        Path log = dir.resolve("alerting/nflog.json");
        java.nio.file.Files.writeString(log, "{\"g\": {\"firing\": [\"zz\"]}}");
        new NotificationLog(log);
        assertThat(log).doesNotExist();
    }

    @Test
    void updatesInPlaceOrReplacesAsAlertmanagerDoes() throws Exception {
        Silences s = new Silences(null, clock::get);
        String id = s.upsert(silence(null, 0, T0 + 3_600_000, "job=\"api\""));
        // Same matchers, later end: the same silence, extended.
        assertThat(s.upsert(silence(id, 0, T0 + 7_200_000, "job=\"api\""))).isEqualTo(id);
        assertThat(s.get(id).endsAtMs()).isEqualTo(T0 + 7_200_000);
        // Other matchers on an active silence: the old one expires, a new one takes over.
        String replaced = s.upsert(silence(id, 0, T0 + 7_200_000, "job=\"web\""));
        assertThat(replaced).isNotEqualTo(id);
        assertThat(s.get(id).state(T0)).isEqualTo(Silence.State.EXPIRED);
        assertThat(s.get(replaced).state(T0)).isEqualTo(Silence.State.ACTIVE);
        assertThatThrownBy(() -> s.upsert(silence("unknown", 0, T0 + 1, "a=\"b\""))).isInstanceOf(Silences.NotFoundException.class);
    }

    @Test
    void refusesInvalidSilences() throws Exception {
        Silences s = new Silences(null, clock::get);
        assertThatThrownBy(() -> s.upsert(silence(null, 0, T0 + 1000))).hasMessageContaining("at least one matcher");
        assertThatThrownBy(() -> s.upsert(silence(null, 0, T0 + 1000, "a=~\".*\""))).hasMessageContaining("must not match the empty string");
        assertThatThrownBy(() -> s.upsert(silence(null, 0, T0 - 1000, "a=\"b\""))).hasMessageContaining("endsAt");
        assertThatThrownBy(() -> s.upsert(silence(null, T0 + 5000, T0 + 1000, "a=\"b\""))).hasMessageContaining("endsAt: must be after startsAt");
        assertThat(s.list()).isEmpty();
    }
}
