package dev.sightline.core.text;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Expected values and messages are those of prometheus/common's model.ParseDuration and Duration.String. */
class PromDurationsTest {
    private static final long DAY = 86_400_000L;

    private static final Object[][] VALID = {
            {"0", 0L},
            {"0s", 0L},
            {"500ms", 500L},
            {"15s", 15_000L},
            {"1m", 60_000L},
            {"1h30m", 5_400_000L},
            {"10s53ms", 10_053L},
            {"2d", 2 * DAY},
            {"1w", 7 * DAY},
            {"1y", 365 * DAY},
            {"1y2w3d4h5m6s7ms", 365 * DAY + 17 * DAY + 4 * 3_600_000L + 5 * 60_000L + 6_007L},
            {"0001m", 60_000L},
            // time.Duration's limit is 2^63-1 ns = 106751d23h47m16.854775807s.
            {"106751d23h47m16s854ms", 9_223_372_036_854L},
            {"9223372036854ms", 9_223_372_036_854L},
            {"292y", 292 * 365 * DAY},
    };

    private static final String[][] INVALID = {
            // text, Prometheus's message, explanation
            {"", "empty duration string", "empty string"},
            {"1", "not a valid duration string: \"1\"", "unknown or missing unit at position 2 (use y, w, d, h, m, s, ms)"},
            {"1m5", "not a valid duration string: \"1m5\"", "unknown or missing unit at position 4 (use y, w, d, h, m, s, ms)"},
            {"s", "not a valid duration string: \"s\"", "expected a number at position 1"},
            {"-1s", "not a valid duration string: \"-1s\"", "expected a number at position 1"},
            {"1.5h", "unknown unit \".\" in duration \"1.5h\"", "unknown or missing unit at position 2 (use y, w, d, h, m, s, ms)"},
            {"5y1hs", "unknown unit \"hs\" in duration \"5y1hs\"", "unknown or missing unit at position 4 (use y, w, d, h, m, s, ms)"},
            {"1h 30m", "unknown unit \"h \" in duration \"1h 30m\"", "unknown or missing unit at position 2 (use y, w, d, h, m, s, ms)"},
            {"1M", "unknown unit \"M\" in duration \"1M\"", "unknown or missing unit at position 2 (use y, w, d, h, m, s, ms)"},
            {"1mss", "unknown unit \"mss\" in duration \"1mss\"", "unknown or missing unit at position 2 (use y, w, d, h, m, s, ms)"},
            {"5m1h", "not a valid duration string: \"5m1h\"", "units must appear once each, from largest to smallest"},
            {"1m1m", "not a valid duration string: \"1m1m\"", "units must appear once each, from largest to smallest"},
            {"1\u0663s", "unknown unit \"\u0663s\" in duration \"1\u0663s\"", "unknown or missing unit at position 2 (use y, w, d, h, m, s, ms)"},
            {"293y", "duration out of range", "duration out of range"},
            {"9223372036855ms", "duration out of range", "duration out of range"},
            {"106751d23h47m16s855ms", "duration out of range", "duration out of range"},
            {"18446744073709551615ms", "duration out of range", "duration out of range"},
            {"18446744073709551616ms", "not a valid duration string: \"18446744073709551616ms\"", "duration out of range"},
    };

    private static final Object[][] FORMATTED = {
            {0L, "0s"},
            {1L, "1ms"},
            {500L, "500ms"},
            {90_000L, "1m30s"},
            {5_400_000L, "1h30m"},
            {DAY + 1, "1d1ms"},
            {14 * DAY, "2w"},
            {90 * DAY, "90d"},
            {365 * DAY, "1y"},
            {366 * DAY, "366d"},
            {730 * DAY + 3_600_000L, "730d1h"},
            {-1000L, ""},
    };

    @Test
    void parsesWhatPrometheusAccepts() {
        for (Object[] c : VALID) {
            assertThat(PromDurations.parseMillis((String) c[0])).as((String) c[0]).isEqualTo(c[1]);
        }
    }

    @Test
    void rejectsWhatPrometheusRejectsWithItsMessage() {
        for (String[] c : INVALID) {
            assertThatThrownBy(() -> PromDurations.parseMillis(c[0])).as(c[0])
                    .isInstanceOf(PromDurations.InvalidDuration.class).hasMessage(c[1])
                    .satisfies(e -> assertThat(((PromDurations.InvalidDuration) e).explanation()).isEqualTo(c[2]));
        }
    }

    @Test
    void formatsAsPrometheusDoes() {
        for (Object[] c : FORMATTED) {
            assertThat(PromDurations.format((Long) c[0])).as(c[0].toString()).isEqualTo(c[1]);
        }
    }

    @Property
    void formatThenParseRoundTrips(@ForAll @LongRange(min = 0, max = 9_223_372_036_854L) long millis) {
        assertThat(PromDurations.parseMillis(PromDurations.format(millis))).isEqualTo(millis);
    }
}
