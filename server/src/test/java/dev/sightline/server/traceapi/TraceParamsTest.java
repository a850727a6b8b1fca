package dev.sightline.server.traceapi;

import dev.sightline.server.traceapi.TraceParams.BadRequest;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Go durations as time.ParseDuration reads them, and logfmt as go-logfmt reads Tempo's tags parameter. */
class TraceParamsTest {
    @Test
    void goDurations() {
        assertThat(TraceParams.goDuration("d", "0")).isZero();
        assertThat(TraceParams.goDuration("d", "-0")).isZero();
        assertThat(TraceParams.goDuration("d", "1.2s")).isEqualTo(1_200_000_000L);
        assertThat(TraceParams.goDuration("d", "100ms")).isEqualTo(100_000_000L);
        assertThat(TraceParams.goDuration("d", "1h30m")).isEqualTo(5_400_000_000_000L);
        assertThat(TraceParams.goDuration("d", "1.5h")).isEqualTo(5_400_000_000_000L);
        assertThat(TraceParams.goDuration("d", "2m3.000000001s")).isEqualTo(123_000_000_001L);
        assertThat(TraceParams.goDuration("d", "7us")).isEqualTo(7_000L);
        assertThat(TraceParams.goDuration("d", "7µs")).isEqualTo(7_000L);
        assertThat(TraceParams.goDuration("d", "7μs")).isEqualTo(7_000L);
        assertThat(TraceParams.goDuration("d", "15ns")).isEqualTo(15L);
        assertThat(TraceParams.goDuration("d", ".5s")).isEqualTo(500_000_000L);
        assertThat(TraceParams.goDuration("d", "-1.5s")).isEqualTo(-1_500_000_000L);
        assertThat(TraceParams.goDuration("d", "+2s")).isEqualTo(2_000_000_000L);
        assertThat(TraceParams.goDuration("d", "2562047h")).isEqualTo(2_562_047L * 3_600_000_000_000L);
    }

    @Test
    void badGoDurationsNameTheParameter() {
        assertBad("", "unable to parse param 'minDuration': time: invalid duration \"\"");
        assertBad("1", "unable to parse param 'minDuration': time: missing unit in duration \"1\"");
        assertBad("1d", "unable to parse param 'minDuration': time: unknown unit \"d\" in duration \"1d\"");
        assertBad("s", "unable to parse param 'minDuration': time: invalid duration \"s\"");
        assertBad("1..2s", "unable to parse param 'minDuration': time: invalid duration \"1..2s\"");
        assertBad(".s", "unable to parse param 'minDuration': time: invalid duration \".s\"");
        assertBad("-", "unable to parse param 'minDuration': time: invalid duration \"-\"");
        assertBad("9999999999999999999h", "unable to parse param 'minDuration': time: invalid duration \"9999999999999999999h\"");
        assertBad("2562048h", "unable to parse param 'minDuration': time: invalid duration \"2562048h\"");
    }

    private static void assertBad(String text, String message) {
        assertThatThrownBy(() -> TraceParams.goDuration("minDuration", text)).isInstanceOf(BadRequest.class)
                .hasMessage(message);
    }

    @Test
    void traceIdsArePaddedAndBadOnesNamed() {
        assertThat(TraceParams.traceId("traceID", "abc").hex()).isEqualTo("00000000000000000000000000000abc");
        assertThatThrownBy(() -> TraceParams.traceId("traceID", "0")).isInstanceOf(BadRequest.class)
                .hasMessageStartingWith("unable to parse param 'traceID': ");
        assertThatThrownBy(() -> TraceParams.traceId("traceID", "g1")).isInstanceOf(BadRequest.class)
                .hasMessageContaining("non-hex character");
    }

    @Test
    void logfmt() {
        assertThat(Logfmt.parse("tags", "service.name=frontend http.status_code=500"))
                .containsExactly(new String[]{"service.name", "frontend"}, new String[]{"http.status_code", "500"});
        assertThat(Logfmt.parse("tags", "  note=\"naïve \\\"café\\\" ☕\"\tflag  empty= ")).containsExactly(
                new String[]{"note", "naïve \"café\" ☕"}, new String[]{"flag", ""}, new String[]{"empty", ""});
        assertThat(Logfmt.parse("tags", "")).isEmpty();
        assertThat(Logfmt.parse("tags", "a=\"x y\" b=\"\\\\\"")).containsExactly(new String[]{"a", "x y"},
                new String[]{"b", "\\"});
    }

    @Test
    void badLogfmtNamesTheParameterAndOffset() {
        for (var c : List.of(
                List.of("a=\"open", "unable to parse param 'tags': logfmt: unterminated quoted value starting at offset 2"),
                List.of("=v", "unable to parse param 'tags': logfmt: a key is missing before '=' at offset 0"),
                List.of("a=\"x\"b", "unable to parse param 'tags': logfmt: expected a space after the quoted value at offset 5"),
                List.of("a=x=y", "unable to parse param 'tags': logfmt: unexpected '=' in a value at offset 3; quote values holding it"),
                List.of("k\"=v", "unable to parse param 'tags': logfmt: unexpected '\"' in a key at offset 1"))) {
            assertThatThrownBy(() -> Logfmt.parse("tags", c.get(0))).as(c.get(0)).isInstanceOf(BadRequest.class)
                    .hasMessage(c.get(1));
        }
    }

    @Test
    void matchAllFilters() {
        assertThat(TempoApi.matchesAll("")).isTrue();
        assertThat(TempoApi.matchesAll(" { } ")).isTrue();
        assertThat(TempoApi.matchesAll("{ true }")).isTrue();
        assertThat(TempoApi.matchesAll("{ .a = 1 }")).isFalse();
        assertThat(TempoApi.matchesAll("{} | count() > 1")).isFalse();
    }
}
