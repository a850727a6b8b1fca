package dev.sightline.demo.sim;

import org.junit.jupiter.api.Test;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WeekTimeTest {
    @Test
    void namesOneInstantOfTheReferenceWeek() {
        WeekTime fri = WeekTime.parse("Fri 18:00");
        assertThat(fri).isEqualTo(new WeekTime(DayOfWeek.FRIDAY, LocalTime.of(18, 0)));
        assertThat(Instant.ofEpochMilli(fri.millis())).isEqualTo(Instant.parse("2026-01-09T18:00:00Z"));
        assertThat(Instant.ofEpochMilli(WeekTime.parse("mon 00:00").millis())).isEqualTo(Instant.parse("2026-01-05T00:00:00Z"));
        assertThat(Instant.ofEpochMilli(WeekTime.parse(" SUN 23:59 ").millis())).isEqualTo(Instant.parse("2026-01-11T23:59:00Z"));
        assertThat(fri).hasToString("Fri 18:00");
        assertThat(WeekTime.parse(fri.toString())).isEqualTo(fri);
        // The rhythms read it as what it says: a Friday evening.
        assertThat(Rhythm.RIDES.level(fri.millis())).isEqualTo(1.0 * 1.1);
    }

    @Test
    void theShiftPutsAnyClockReadingThere() {
        WeekTime at = WeekTime.parse("Tue 14:30");
        for (long clock : new long[] {Instant.parse("2026-12-06T22:31:00Z").toEpochMilli(), 0, -86_400_000}) {
            assertThat(clock + at.shiftFrom(clock)).isEqualTo(at.millis());
        }
    }

    @Test
    void refusesWhatIsNotADayAndAMinute() {
        for (String bad : new String[] {"18:00", "Friday 18:00", "Fri 24:00", "Fri 18:60", "Fri 8:00", "Fri 18:00:30", "Xyz 18:00", ""}) {
            assertThatThrownBy(() -> WeekTime.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("a day and a UTC time such as \"Fri 18:00\" expected (Mon..Sun, 00:00..23:59), got \"" + bad + "\"");
        }
        assertThatThrownBy(() -> new WeekTime(DayOfWeek.MONDAY, LocalTime.of(1, 2, 3))).hasMessageContaining("to the minute");
    }
}
