package dev.sightline.server;

import dev.sightline.promql.anomaly.Detector;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Arrays;

/**
 * Scores {@code timestamp,value} CSV rows as they are read and writes {@code timestamp,value,anomaly_score} rows:
 * each row is scored by the detector over the rows in (t - lookback, t] read so far, so nothing after a row can
 * change its score. Rows must come in increasing time order. Memory is the lookback window, not the file.
 */
final class DetectStream {
    /** A refused input line; the message names the line. */
    static final class BadInputException extends Exception {
        final long line;
        final String detail;

        BadInputException(long line, String detail) {
            super("line " + line + ": " + detail);
            this.line = line;
            this.detail = detail;
        }
    }

    private final Detector detector;
    private final long lookbackMs;
    private long[] ts = new long[1024];
    private double[] vs = new double[1024];
    private int from;
    private int n;

    DetectStream(Detector detector, long lookbackMs) {
        this.detector = detector;
        this.lookbackMs = lookbackMs;
    }

    /** Reads every row of {@code in}, writing each scored row to {@code out} as soon as it is read. */
    void run(Reader in, Writer out) throws IOException, BadInputException {
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
        out.write("timestamp,value,anomaly_score\n");
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
            if (n > 0 && t <= ts[n - 1]) {
                throw new BadInputException(lineNo, "timestamp " + tText + " is not after the previous row's; rows must be in increasing time order");
            }
            double score = add(t, v);
            out.write(tText);
            out.write(',');
            out.write(vText);
            out.write(',');
            out.write(score == 0 ? "0" : BigDecimal.valueOf(score).toPlainString());
            out.write('\n');
        }
        out.flush();
    }

    /** Appends a point and returns its score; 0 while there is not enough history to judge it. */
    double add(long t, double v) {
        while (from < n && ts[from] <= t - lookbackMs) {
            from++;
        }
        if (n == ts.length) {
            // Keep only the window: slide it to the front, and grow when it fills more than half the buffer.
            int live = n - from;
            if (live > ts.length / 2) {
                ts = Arrays.copyOf(ts, ts.length * 2);
                vs = Arrays.copyOf(vs, vs.length * 2);
            }
            System.arraycopy(ts, from, ts, 0, live);
            System.arraycopy(vs, from, vs, 0, live);
            from = 0;
            n = live;
        }
        ts[n] = t;
        vs[n] = v;
        n++;
        double s = detector.score(ts, vs, from, n);
        return Double.isNaN(s) ? 0 : s;
    }

    /** Epoch seconds (fractional allowed) or ISO-8601: an instant, a date-time with offset, or one without (UTC). */
    static long parseTimestamp(String s, long lineNo) throws BadInputException {
        if (isNumber(s)) {
            double sec = Double.parseDouble(s);
            if (Double.isFinite(sec) && Math.abs(sec) < 9e15) {
                return Math.round(sec * 1000);
            }
        } else {
            try {
                return OffsetDateTime.parse(s).toInstant().toEpochMilli();
            } catch (DateTimeParseException e) {
                try {
                    return LocalDateTime.parse(s).toInstant(ZoneOffset.UTC).toEpochMilli();
                } catch (DateTimeParseException e2) {
                    // reported below
                }
            }
        }
        throw new BadInputException(lineNo, "timestamp: expected epoch seconds or ISO-8601 (e.g. "
                + Instant.ofEpochSecond(1700000000) + "), got \"" + s + "\"");
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
