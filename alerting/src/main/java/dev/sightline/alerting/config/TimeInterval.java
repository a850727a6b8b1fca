package dev.sightline.alerting.config;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One entry of an Alertmanager {@code time_interval}'s list: it contains an instant when every field that is set
 * matches it in {@code location} (UTC by default); an unset field matches always. Times are end-exclusive
 * ({@code 09:30}-{@code 16:00} ends before 16:00); weekdays, days of month, months and years are inclusive ranges
 * {@code a:b} or single values. Negative days count from the end of the month ({@code -1} is the last day), and a
 * range is cut at the month's end, as in Alertmanager's timeinterval package.
 */
public record TimeInterval(
        @JsonProperty("times") List<TimeRange> times,
        @JsonProperty("weekdays") List<String> weekdays,
        @JsonProperty("days_of_month") List<String> daysOfMonth,
        @JsonProperty("months") List<String> months,
        @JsonProperty("years") List<String> years,
        @JsonProperty("location") String location) {

    private static final List<String> DAY_NAMES = List.of("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday");
    private static final List<String> MONTH_NAMES = List.of("january", "february", "march", "april", "may", "june", "july",
            "august", "september", "october", "november", "december");

    public TimeInterval {
        times = times == null ? List.of() : List.copyOf(times);
        weekdays = copy(weekdays);
        daysOfMonth = copy(daysOfMonth);
        months = copy(months);
        years = copy(years);
        for (int i = 0; i < times.size(); i++) {
            if (times.get(i) == null) {
                throw new IllegalArgumentException("times[" + i + "]: empty time range");
            }
        }
        Field.WEEKDAYS.ranges(weekdays);
        Field.DAYS_OF_MONTH.ranges(daysOfMonth);
        Field.MONTHS.ranges(months);
        Field.YEARS.ranges(years);
        zone(location);
    }

    private static List<String> copy(List<String> l) {
        return l == null ? List.of() : List.copyOf(l);
    }

    /** Whether the interval contains the instant. */
    public boolean contains(Instant at) {
        ZonedDateTime t = at.atZone(zone(location));
        if (!times.isEmpty()) {
            int minute = t.getHour() * 60 + t.getMinute();
            if (times.stream().noneMatch(r -> r.startMinute() <= minute && minute < r.endMinute())) {
                return false;
            }
        }
        int daysInMonth = t.toLocalDate().lengthOfMonth();
        return Field.DAYS_OF_MONTH.matches(daysOfMonth, t.getDayOfMonth(), daysInMonth)
                && Field.MONTHS.matches(months, t.getMonthValue(), daysInMonth)
                && Field.WEEKDAYS.matches(weekdays, t.getDayOfWeek().getValue() % 7, daysInMonth)
                && Field.YEARS.matches(years, t.getYear(), daysInMonth);
    }

    /** Go's time.LoadLocation names: an IANA zone, "UTC", or "Local" (the server's zone); unset is UTC. */
    private static ZoneId zone(String location) {
        if (location == null || location.isEmpty() || location.equals("UTC")) {
            return ZoneOffset.UTC;
        }
        if (location.equals("Local")) {
            return ZoneId.systemDefault();
        }
        if (!ZoneId.getAvailableZoneIds().contains(location)) {
            throw new IllegalArgumentException("location: unknown time zone \"" + location + "\"");
        }
        return ZoneId.of(location);
    }

    /** An inclusive range of values of one field. */
    private record Range(int begin, int end) {
    }

    /** The range-valued fields: how a member is read and which ranges are valid. */
    private enum Field {
        WEEKDAYS("weekdays") {
            @Override
            int member(String s) {
                int d = DAY_NAMES.indexOf(s);
                if (d < 0) {
                    throw new IllegalArgumentException("\"" + s + "\" is not a valid weekday");
                }
                return d;
            }

            @Override
            void check(Range r) {
                if (r.begin() > r.end()) {
                    throw new IllegalArgumentException("end day " + DAY_NAMES.get(r.end()) + " is before start day " + DAY_NAMES.get(r.begin()));
                }
            }
        },
        DAYS_OF_MONTH("days_of_month") {
            @Override
            void check(Range r) {
                for (int d : new int[] {r.begin(), r.end()}) {
                    if (d == 0 || d < -31 || d > 31) {
                        throw new IllegalArgumentException(d + " is not a valid day of the month: out of range");
                    }
                }
                if (r.begin() < 0 && r.end() > 0) {
                    throw new IllegalArgumentException("end day must be negative if start day is negative");
                }
                // Negative days depend on the month's length; refuse what is wrong even in the shortest month.
                int b = r.begin() < 0 ? 28 + r.begin() : r.begin();
                int e = r.end() < 0 ? 28 + r.end() : r.end();
                if (b > e) {
                    throw new IllegalArgumentException("end day " + r.end() + " is always before start day " + r.begin());
                }
            }

            @Override
            boolean contains(Range r, int day, int daysInMonth) {
                int b = r.begin() < 0 ? daysInMonth + r.begin() + 1 : r.begin();
                int e = r.end() < 0 ? daysInMonth + r.end() + 1 : r.end();
                return b <= day && day <= e;
            }
        },
        MONTHS("months") {
            @Override
            int member(String s) {
                int m = MONTH_NAMES.indexOf(s);
                return m >= 0 ? m + 1 : super.member(s);
            }

            @Override
            void check(Range r) {
                for (int m : new int[] {r.begin(), r.end()}) {
                    if (m < 1 || m > 12) {
                        throw new IllegalArgumentException(m + " is not a valid month: out of range");
                    }
                }
                if (r.begin() > r.end()) {
                    throw new IllegalArgumentException("end month " + MONTH_NAMES.get(r.end() - 1) + " is before start month " + MONTH_NAMES.get(r.begin() - 1));
                }
            }
        },
        YEARS("years") {
            @Override
            void check(Range r) {
                if (r.begin() > r.end()) {
                    throw new IllegalArgumentException("end year " + r.end() + " is before start year " + r.begin());
                }
            }
        };

        private static final Pattern NUMBER = Pattern.compile("-?[0-9]{1,9}");
        private final String key;

        Field(String key) {
            this.key = key;
        }

        int member(String s) {
            if (!NUMBER.matcher(s).matches()) {
                throw new IllegalArgumentException("\"" + s + "\" is not a valid number");
            }
            return Integer.parseInt(s);
        }

        abstract void check(Range r);

        boolean contains(Range r, int value, int daysInMonth) {
            return r.begin() <= value && value <= r.end();
        }

        /** The field's ranges; an error names the entry, e.g. {@code weekdays[1]: "funday" is not a valid weekday}. */
        List<Range> ranges(List<String> text) {
            Range[] out = new Range[text.size()];
            for (int i = 0; i < out.length; i++) {
                String s = text.get(i) == null ? "" : text.get(i).toLowerCase(Locale.ROOT);
                try {
                    String[] parts = s.split(":", -1);
                    if (parts.length > 2) {
                        throw new IllegalArgumentException("couldn't parse range \"" + s + "\", invalid format");
                    }
                    out[i] = new Range(member(parts[0]), member(parts[parts.length - 1]));
                    check(out[i]);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(key + "[" + i + "]: " + e.getMessage(), e);
                }
            }
            return List.of(out);
        }

        boolean matches(List<String> text, int value, int daysInMonth) {
            List<Range> ranges = ranges(text);
            return ranges.isEmpty() || ranges.stream().anyMatch(r -> contains(r, value, daysInMonth));
        }
    }

    /** A part of the day, {@code start_time} inclusive to {@code end_time} exclusive ("HH:MM", end up to 24:00). */
    public record TimeRange(@JsonProperty("start_time") String startTime, @JsonProperty("end_time") String endTime) {
        private static final Pattern HH_MM = Pattern.compile("([01][0-9]|2[0-3]):[0-5][0-9]|24:00");

        public TimeRange {
            minute("start_time", startTime);
            if (minute("end_time", endTime) <= minute("start_time", startTime)) {
                throw new IllegalArgumentException("end_time: " + endTime + " is not after start_time " + startTime
                        + " (start time cannot be equal or greater than end time)");
            }
        }

        private static int minute(String key, String hhmm) {
            if (hhmm == null || hhmm.isEmpty()) {
                throw new IllegalArgumentException(key + ": missing (both start and end times must be provided)");
            }
            if (!HH_MM.matcher(hhmm).matches()) {
                throw new IllegalArgumentException(key + ": invalid time \"" + hhmm + "\" (expected HH:MM from 00:00 to 24:00)");
            }
            return Integer.parseInt(hhmm.substring(0, 2)) * 60 + Integer.parseInt(hhmm.substring(3));
        }

        int startMinute() {
            return minute("start_time", startTime);
        }

        int endMinute() {
            return minute("end_time", endTime);
        }
    }
}
