package dev.sightline.server;

import dev.sightline.promql.anomaly.Detectors;
import dev.sightline.promql.anomaly.StreamingDetector;
import dev.sightline.promql.anomaly.WindowBuffer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.chrono.IsoChronology;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.ResolverStyle;
import java.time.temporal.TemporalAccessor;

/**
 * Scores {@code timestamp,value} CSV rows as they are read and writes {@code timestamp,value,anomaly_score} rows,
 * one per input row, in input order: each row goes through one {@link StreamingDetector} whose window is the rows in
 * (t - lookback, t] read so far, so nothing after a row can change its score. Memory is the lookback window (and
 * the detector's state), not the file.
 * <p>
 * A row whose timestamp is not after the latest row in the history (a repeat or a step back: duplicated exports,
 * daylight-saving repeats) is judged like that latest row: the latest row's window is replayed through a fresh
 * detector with the row's value in the latest row's place, and the row is then left out of the history, so the
 * rows after it score as if it were not there. For a window detector that is exactly the score the latest row had
 * with this value; a detector with memory beyond the window starts that replay from the window. An exact duplicate
 * gets its twin's score without a replay.
 */
public final class DetectStream {
    /** A refused input line; the message names the line. */
    public static final class BadInputException extends Exception {
        public final long line;
        public final String detail;

        BadInputException(long line, String detail) {
            super("line " + line + ": " + detail);
            this.line = line;
            this.detail = detail;
        }
    }

    /** Below this magnitude an epoch number is seconds (until the year 5138), from it on milliseconds (from 1973). */
    static final BigDecimal MILLIS_FROM = new BigDecimal("1e11");
    /** Epoch milliseconds end here (year 5138 again): larger numbers would be micro- or nanoseconds. */
    static final BigDecimal MILLIS_UNTIL = new BigDecimal("1e14");
    static final String FORMS = "epoch seconds or milliseconds (1700000000, 1700000000.5, 1700000000500), ISO-8601"
            + " with T or a space, optional fraction and zone (2023-11-14T22:13:20Z, 2023-11-14 22:13:20.5+02:00,"
            + " +0200) or a date (2023-11-14)";
    private static final DateTimeFormatter ISO_T = iso('T');
    private static final DateTimeFormatter ISO_SPACE = iso(' ');

    private final Detectors.Configured configured;
    private final StreamingDetector detector;
    /** A second detector for judging rows out of order, made at the first one. */
    private StreamingDetector replay;
    private final long lookbackMs;
    private final ZoneId zone;
    private final WindowBuffer window = new WindowBuffer();
    private double latestScore;
    /** Rows read so far. */
    private long rows;
    /** Rows whose timestamp repeated or stepped back, and the line of the first one (0 if none). */
    private long outOfOrder;
    private long firstOutOfOrderLine;

    /** Receives each row as it is scored, in input order. */
    @FunctionalInterface
    public interface RowSink {
        /** {@code timestamp} and {@code value} as written, {@code t} in epoch milliseconds, the row's score. */
        void row(String timestamp, String value, long t, double score) throws IOException;
    }

    /** {@code zone} places timestamps written without an offset. */
    public DetectStream(Detectors.Configured detector, ZoneId zone) {
        this.configured = detector;
        this.detector = detector.newDetector();
        this.lookbackMs = detector.lookbackMs();
        this.zone = zone;
    }

    public long outOfOrder() {
        return outOfOrder;
    }

    public long firstOutOfOrderLine() {
        return firstOutOfOrderLine;
    }

    /** Reads every row of {@code in}, writing each scored row to {@code out} as soon as it is read. */
    void run(Reader in, Writer out) throws IOException, BadInputException {
        read(in, (tText, vText, t, score) -> {
            // The header goes out with the first row, so a file without rows writes nothing.
            if (rows == 1) {
                out.write("timestamp,value,anomaly_score\n");
            }
            out.write(tText);
            out.write(',');
            out.write(vText);
            out.write(',');
            out.write(score == 0 ? "0" : BigDecimal.valueOf(score).toPlainString());
            out.write('\n');
        });
        out.flush();
    }

    /**
     * Reads every row of {@code in} and hands each to {@code sink} with its score as soon as it is read: the one
     * scoring path of {@code detect} and {@code detect-eval}.
     */
    public void read(Reader in, RowSink sink) throws IOException, BadInputException {
        BufferedReader r = new BufferedReader(in);
        String header = r.readLine();
        if (header == null) {
            throw new BadInputException(1, "empty input; expected a header line \"timestamp,value\"");
        }
        String[] h = header.split(",", -1);
        if (h.length != 2 || isNumber(h[1].trim())) {
            throw new BadInputException(1, "expected a header line with two columns, such as \"timestamp,value\", got \""
                    + header + "\"");
        }
        long lineNo = 1;
        String line;
        while ((line = r.readLine()) != null) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            int comma = line.indexOf(',');
            if (comma < 0 || line.indexOf(',', comma + 1) >= 0) {
                throw new BadInputException(lineNo, "expected two columns \"timestamp,value\", got \"" + line + "\"");
            }
            String tText = unquote(line.substring(0, comma));
            String vText = unquote(line.substring(comma + 1));
            long t = parseTimestamp(tText, lineNo);
            double v;
            try {
                v = Double.parseDouble(vText);
            } catch (NumberFormatException e) {
                throw new BadInputException(lineNo, "value: not a number: \"" + vText + "\"");
            }
            double score;
            if (window.size() > 0 && t <= window.lastTime()) {
                if (outOfOrder++ == 0) {
                    firstOutOfOrderLine = lineNo;
                }
                score = scoreInPlaceOfLatest(v);
            } else {
                score = add(t, v);
            }
            rows++;
            sink.row(tText, vText, t, score);
        }
        if (rows == 0) {
            throw new BadInputException(lineNo, "no rows after the header; expected timestamp,value rows");
        }
    }

    /** Appends a point and returns its score; 0 while there is not enough history to judge it. */
    double add(long t, double v) {
        window.evictThrough(t - lookbackMs);
        window.add(t, v);
        detector.evictThrough(t - lookbackMs);
        detector.add(t, v);
        latestScore = orZero(detector.score());
        return latestScore;
    }

    /**
     * Scores {@code v} as if it were the latest point's value: same timestamp, same window, replayed through a
     * second detector, so the history is unchanged.
     */
    private double scoreInPlaceOfLatest(double v) {
        int last = window.to() - 1;
        if (Double.compare(v, window.vs()[last]) == 0) {
            return latestScore;
        }
        if (replay == null) {
            replay = configured.newDetector();
        }
        replay.clear();
        long[] ts = window.ts();
        double[] vs = window.vs();
        for (int i = window.from(); i < last; i++) {
            replay.add(ts[i], vs[i]);
        }
        replay.add(ts[last], v);
        return orZero(replay.score());
    }

    private static double orZero(double s) {
        return Double.isNaN(s) ? 0 : s;
    }

    /**
     * Milliseconds since the epoch of {@code s}: an epoch number (seconds below 1e11, milliseconds from there up to
     * 1e14, fraction allowed) or ISO-8601/RFC 3339 with {@code T} or a space, with or without fraction and offset, or a
     * date (midnight). Without an offset the time is in this stream's zone; a local time a daylight-saving change
     * repeats takes the earlier offset unless that would step back before the previous row, then the later one.
     * Digits below the millisecond are dropped (rounded down) in every form, so all forms of an instant agree.
     */
    long parseTimestamp(String s, long lineNo) throws BadInputException {
        return parseTimestamp(s, lineNo, zone, window.size() > 0 ? window.lastTime() : Long.MIN_VALUE);
    }

    /**
     * A timestamp outside a stream (corpus labels): as {@link #parseTimestamp(String, long)}, a repeated local time
     * taking the earlier offset. A refusal carries line 0; its {@code detail} names the accepted forms.
     */
    public static long parseTimestamp(String s, ZoneId zone) throws BadInputException {
        return parseTimestamp(s, 0, zone, Long.MIN_VALUE);
    }

    /** {@code previous}: the latest earlier row's time, so a repeated local time does not step back before it. */
    private static long parseTimestamp(String s, long lineNo, ZoneId zone, long previous) throws BadInputException {
        BigDecimal number = null;
        try {
            number = new BigDecimal(s);
        } catch (NumberFormatException e) {
            // not a number: ISO-8601 below
        }
        // The scale bound keeps "1e-999999999" from a costly rounding; such a number is refused below.
        if (number != null && number.scale() <= 18) {
            BigDecimal abs = number.abs();
            if (abs.compareTo(MILLIS_UNTIL) >= 0) {
                throw new BadInputException(lineNo, "timestamp: " + s + " is too large for epoch milliseconds"
                        + " (microseconds and nanoseconds are not accepted); expected " + FORMS);
            }
            BigDecimal ms = abs.compareTo(MILLIS_FROM) < 0 ? number.movePointRight(3) : number;
            return ms.setScale(0, RoundingMode.FLOOR).longValue();
        }
        try {
            TemporalAccessor a = (s.length() > 10 && s.charAt(10) == ' ' ? ISO_SPACE : ISO_T)
                    .parseBest(s, OffsetDateTime::from, LocalDateTime::from, LocalDate::from);
            if (a instanceof OffsetDateTime o) {
                return o.toInstant().toEpochMilli();
            }
            ZonedDateTime z = a instanceof LocalDate d ? d.atStartOfDay(zone) : ((LocalDateTime) a).atZone(zone);
            if (z.toInstant().toEpochMilli() < previous) {
                z = z.withLaterOffsetAtOverlap();
            }
            return z.toInstant().toEpochMilli();
        } catch (DateTimeException e) {
            throw new BadInputException(lineNo, "timestamp: expected " + FORMS + ", got \"" + s + "\"");
        }
    }

    /** Date, then optionally {@code sep}, time of day (seconds and fraction optional) and offset (Z, +02:00, +0200). */
    private static DateTimeFormatter iso(char sep) {
        return new DateTimeFormatterBuilder().parseCaseInsensitive()
                .append(DateTimeFormatter.ISO_LOCAL_DATE)
                .optionalStart().appendLiteral(sep).append(DateTimeFormatter.ISO_LOCAL_TIME)
                .optionalStart().appendOffset("+HH:MM", "Z").optionalEnd()
                .optionalStart().appendOffset("+HHmm", "Z").optionalEnd()
                .optionalEnd()
                .toFormatter().withChronology(IsoChronology.INSTANCE).withResolverStyle(ResolverStyle.STRICT);
    }

    private static boolean isNumber(String s) {
        if (s.isEmpty()) {
            return false;
        }
        try {
            Double.parseDouble(s);
            return !s.endsWith("d") && !s.endsWith("D") && !s.endsWith("f") && !s.endsWith("F");
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static String unquote(String s) {
        String t = s.trim();
        return t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"") ? t.substring(1, t.length() - 1).trim() : t;
    }
}
