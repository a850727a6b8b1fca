package dev.sightline.demo.sim;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.format.TextStyle;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A time of the company's week, UTC, to the minute ("Fri 18:00"): where a drill's replay starts in the company's
 * rhythms. It stands for one instant of a fixed reference week, not of the current one, because the company's noise
 * is keyed by time as well: a replay put there draws the same numbers whenever it runs.
 */
public record WeekTime(DayOfWeek day, LocalTime time) {
    /** Monday 00:00 UTC of the reference week. Any fixed week would do; changing it changes every drill's numbers. */
    static final long REFERENCE_MONDAY = Instant.parse("2026-01-05T00:00:00Z").toEpochMilli();
    private static final Pattern FORMAT = Pattern.compile("([A-Za-z]{3}) ([01][0-9]|2[0-3]):([0-5][0-9])");

    public WeekTime {
        // Whole minutes: a drill's replay starts on a minute, so the shift keeps the noise's minute steps aligned.
        if (time.getSecond() != 0 || time.getNano() != 0) {
            throw new IllegalArgumentException("a week time is to the minute, got " + time);
        }
    }

    /** {@code "Fri 18:00"}: a day's three-letter English name (any case) and a 24-hour UTC time. */
    public static WeekTime parse(String text) {
        Matcher m = FORMAT.matcher(text.strip());
        if (m.matches()) {
            for (DayOfWeek d : DayOfWeek.values()) {
                if (name(d).equalsIgnoreCase(m.group(1))) {
                    return new WeekTime(d, LocalTime.of(Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))));
                }
            }
        }
        throw new IllegalArgumentException(
                "a day and a UTC time such as \"Fri 18:00\" expected (Mon..Sun, 00:00..23:59), got \"" + text + "\"");
    }

    private static String name(DayOfWeek d) {
        return d.getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
    }

    /** The instant of the reference week this time stands for. */
    public long millis() {
        long minutes = (day.getValue() - DayOfWeek.MONDAY.getValue()) * 1440L + time.getHour() * 60L + time.getMinute();
        return REFERENCE_MONDAY + minutes * 60_000;
    }

    /** How far the company's time must run ahead of a clock reading {@code clockMillis} to be at this time then. */
    public long shiftFrom(long clockMillis) {
        return millis() - clockMillis;
    }

    @Override
    public String toString() {
        return name(day) + " " + time;
    }
}
