package dev.sightline.demo.sim;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/**
 * A daily and weekly shape: 24 hourly levels (UTC), linearly interpolated between hours, times a factor for each
 * day of the week. A rate is {@code base * level(t)}; noise comes on top.
 *
 * @param hourly levels at hh:00 UTC, hour 0 first
 * @param weekly factors Monday first
 */
public record Rhythm(double[] hourly, double[] weekly) {
    public Rhythm {
        if (hourly.length != 24) {
            throw new IllegalArgumentException("hourly: 24 levels expected, got " + hourly.length);
        }
        if (weekly.length != 7) {
            throw new IllegalArgumentException("weekly: 7 factors expected, got " + weekly.length);
        }
        hourly = hourly.clone();
        weekly = weekly.clone();
    }

    private static final double[] EVERY_DAY = {1, 1, 1, 1, 1, 1, 1};

    /** A crypto desk trades every day: Asian, European and US sessions, a quiet gap before Asia opens. */
    public static final Rhythm TRADING = new Rhythm(new double[] {
            0.55, 0.6, 0.6, 0.55, 0.5, 0.45, 0.5, 0.65, 0.8, 0.85, 0.8, 0.75,
            0.8, 0.95, 1.0, 1.0, 0.95, 0.85, 0.7, 0.6, 0.5, 0.4, 0.4, 0.5}, EVERY_DAY);

    /** Online shopping: night low, a lunch bump, the evening peak; weekends busier. */
    public static final Rhythm SHOPPING = new Rhythm(new double[] {
            0.25, 0.15, 0.1, 0.08, 0.08, 0.1, 0.2, 0.35, 0.5, 0.55, 0.6, 0.7,
            0.75, 0.7, 0.6, 0.6, 0.65, 0.75, 0.9, 1.0, 1.0, 0.9, 0.7, 0.45}, new double[] {
            0.9, 0.9, 0.95, 0.95, 1.0, 1.2, 1.15});

    /** Rides: two commute peaks on weekdays, late nights on Friday and Saturday. */
    public static final Rhythm RIDES = new Rhythm(new double[] {
            0.35, 0.25, 0.15, 0.1, 0.1, 0.2, 0.5, 0.9, 1.0, 0.7, 0.5, 0.5,
            0.55, 0.5, 0.5, 0.55, 0.7, 0.95, 1.0, 0.8, 0.6, 0.55, 0.5, 0.45}, new double[] {
            1.0, 1.0, 1.0, 1.0, 1.1, 0.9, 0.75});

    /** The level at a time: between hourly points, times the weekday's factor. */
    public double level(long millis) {
        ZonedDateTime t = Instant.ofEpochMilli(millis).atZone(ZoneOffset.UTC);
        double hour = t.getHour() + t.getMinute() / 60.0 + t.getSecond() / 3600.0;
        int h0 = (int) hour;
        double f = hour - h0;
        double daily = hourly[h0] * (1 - f) + hourly[(h0 + 1) % 24] * f;
        return daily * weekly[t.getDayOfWeek().getValue() - DayOfWeek.MONDAY.getValue()];
    }
}
