package dev.sightline.alerting.config;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Alertmanager's time interval semantics: end-exclusive times, inclusive ranges, negative days, locations and DST. */
class TimeIntervalTest {
    private static TimeInterval.TimeRange range(String start, String end) {
        return new TimeInterval.TimeRange(start, end);
    }

    private static TimeInterval interval(List<TimeInterval.TimeRange> times, List<String> weekdays, List<String> days,
                                         List<String> months, List<String> years, String location) {
        return new TimeInterval(times, weekdays, days, months, years, location);
    }

    private static boolean at(TimeInterval t, String instant) {
        return t.contains(Instant.parse(instant));
    }

    @Test
    void timesAreEndExclusiveAndUnsetFieldsMatchAlways() {
        TimeInterval t = interval(List.of(range("09:30", "16:00")), null, null, null, null, null);
        assertThat(at(t, "2025-03-03T09:29:59Z")).isFalse();
        assertThat(at(t, "2025-03-03T09:30:00Z")).isTrue();
        assertThat(at(t, "2025-03-03T15:59:59Z")).isTrue();
        assertThat(at(t, "2025-03-03T16:00:00Z")).isFalse();
        assertThat(at(interval(null, null, null, null, null, null), "2025-03-03T03:00:00Z")).isTrue();
        TimeInterval toMidnight = interval(List.of(range("22:00", "24:00"), range("00:00", "01:00")), null, null, null, null, null);
        assertThat(at(toMidnight, "2025-03-03T23:59:00Z")).isTrue();
        assertThat(at(toMidnight, "2025-03-04T00:30:00Z")).isTrue();
        assertThat(at(toMidnight, "2025-03-04T01:00:00Z")).isFalse();
    }

    @Test
    void weekdayMonthAndYearRangesAreInclusiveAndCaseInsensitive() {
        TimeInterval weekdays = interval(null, List.of("Monday:friday"), null, null, null, null);
        assertThat(at(weekdays, "2025-03-03T12:00:00Z")).as("Monday").isTrue();
        assertThat(at(weekdays, "2025-03-07T23:59:00Z")).as("Friday").isTrue();
        assertThat(at(weekdays, "2025-03-08T00:00:00Z")).as("Saturday").isFalse();
        assertThat(at(weekdays, "2025-03-09T12:00:00Z")).as("Sunday").isFalse();
        TimeInterval weekend = interval(null, List.of("saturday", "sunday"), null, null, null, null);
        assertThat(at(weekend, "2025-03-09T12:00:00Z")).isTrue();

        TimeInterval months = interval(null, null, null, List.of("january:march", "12"), List.of("2025:2026"), null);
        assertThat(at(months, "2025-03-31T23:59:00Z")).isTrue();
        assertThat(at(months, "2025-04-01T00:00:00Z")).isFalse();
        assertThat(at(months, "2026-12-15T00:00:00Z")).isTrue();
        assertThat(at(months, "2027-01-15T00:00:00Z")).as("year 2027").isFalse();
    }

    @Test
    void negativeDaysCountFromTheEndOfEachMonth() {
        TimeInterval lastThree = interval(null, null, List.of("-3:-1"), null, null, null);
        assertThat(at(lastThree, "2025-02-25T12:00:00Z")).isFalse();
        assertThat(at(lastThree, "2025-02-26T12:00:00Z")).as("Feb 26 of 28").isTrue();
        assertThat(at(lastThree, "2024-02-26T12:00:00Z")).as("Feb 26 of 29 (leap)").isFalse();
        assertThat(at(lastThree, "2024-02-29T12:00:00Z")).isTrue();
        assertThat(at(lastThree, "2025-01-29T12:00:00Z")).isTrue();
        TimeInterval firstFive = interval(null, null, List.of("1:5", "31"), null, null, null);
        assertThat(at(firstFive, "2025-01-05T23:59:00Z")).isTrue();
        assertThat(at(firstFive, "2025-01-06T00:00:00Z")).isFalse();
        assertThat(at(firstFive, "2025-01-31T00:00:00Z")).isTrue();
        TimeInterval fromTen = interval(null, null, List.of("10:-1"), null, null, null);
        assertThat(at(fromTen, "2025-02-28T00:00:00Z")).isTrue();
        assertThat(at(fromTen, "2025-02-09T00:00:00Z")).isFalse();
    }

    @Test
    void fieldsAreReadInTheLocationAcrossDaylightSavingTime() {
        // New York market hours: 14:30-21:00 UTC in winter (EST), 13:30-20:00 UTC in summer (EDT).
        TimeInterval market = interval(List.of(range("09:30", "16:00")), List.of("monday:friday"), null, null, null, "America/New_York");
        assertThat(at(market, "2025-01-06T14:30:00Z")).isTrue();
        assertThat(at(market, "2025-01-06T14:29:00Z")).isFalse();
        assertThat(at(market, "2025-01-06T20:59:00Z")).isTrue();
        assertThat(at(market, "2025-07-07T13:30:00Z")).isTrue();
        assertThat(at(market, "2025-07-07T20:00:00Z")).isFalse();
        // Saturday 01:00 UTC is still Friday 20:00 in New York (outside hours), and Monday 00:30 UTC is Sunday there.
        assertThat(at(market, "2025-01-11T01:00:00Z")).isFalse();
        TimeInterval fridayNy = interval(null, List.of("friday"), null, null, null, "America/New_York");
        assertThat(at(fridayNy, "2025-01-11T01:00:00Z")).isTrue();
        // The day DST starts (2025-03-09, 02:00 -> 03:00): 03:30 local is 07:30 UTC.
        TimeInterval early = interval(List.of(range("03:00", "04:00")), null, null, null, null, "America/New_York");
        assertThat(at(early, "2025-03-09T07:30:00Z")).isTrue();
        assertThat(at(early, "2025-03-09T08:30:00Z")).isFalse();
        assertThat(at(interval(List.of(range("00:00", "01:00")), null, null, null, null, "UTC"), "2025-03-09T00:30:00Z")).isTrue();
    }

    @Test
    void badValuesNameTheEntry() {
        assertThatThrownBy(() -> interval(null, List.of("monday", "funday"), null, null, null, null))
                .hasMessage("weekdays[1]: \"funday\" is not a valid weekday");
        assertThatThrownBy(() -> interval(null, List.of("friday:monday"), null, null, null, null))
                .hasMessageStartingWith("weekdays[0]: end day monday is before start day friday");
        assertThatThrownBy(() -> interval(null, null, List.of("0"), null, null, null))
                .hasMessageStartingWith("days_of_month[0]: 0 is not a valid day of the month");
        assertThatThrownBy(() -> interval(null, null, List.of("1:32"), null, null, null))
                .hasMessageStartingWith("days_of_month[0]: 32 is not a valid day");
        assertThatThrownBy(() -> interval(null, null, List.of("-3:5"), null, null, null))
                .hasMessageContaining("end day must be negative if start day is negative");
        assertThatThrownBy(() -> interval(null, null, List.of("-1:-3"), null, null, null))
                .hasMessageContaining("always before start day");
        assertThatThrownBy(() -> interval(null, null, null, List.of("jan"), null, null))
                .hasMessageStartingWith("months[0]: \"jan\" is not a valid number");
        assertThatThrownBy(() -> interval(null, null, null, List.of("13"), null, null))
                .hasMessageStartingWith("months[0]: 13 is not a valid month");
        assertThatThrownBy(() -> interval(null, null, null, List.of("march:january"), null, null))
                .hasMessageStartingWith("months[0]: end month january is before start month march");
        assertThatThrownBy(() -> interval(null, null, null, null, List.of("2027:2025"), null))
                .hasMessageStartingWith("years[0]: end year 2025 is before start year 2027");
        assertThatThrownBy(() -> interval(null, null, null, null, List.of("1:2:3"), null))
                .hasMessageContaining("invalid format");
        assertThatThrownBy(() -> interval(null, null, null, null, null, "Mars/Olympus"))
                .hasMessage("location: unknown time zone \"Mars/Olympus\"");
        assertThatThrownBy(() -> range("9:30", "16:00")).hasMessageStartingWith("start_time: invalid time \"9:30\"");
        assertThatThrownBy(() -> range("09:30", "24:01")).hasMessageStartingWith("end_time: invalid time");
        assertThatThrownBy(() -> range("16:00", "09:30")).hasMessageStartingWith("end_time: 09:30 is not after start_time 16:00");
        assertThatThrownBy(() -> range("16:00", "16:00")).hasMessageStartingWith("end_time:");
        assertThatThrownBy(() -> range(null, "16:00")).hasMessageStartingWith("start_time: missing");
    }
}
