package dev.sightline.ingest.exposition;

import dev.sightline.core.Labels;
import dev.sightline.ingest.MetricType;
import dev.sightline.ingest.Utf8;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * A pull parser for Prometheus's text exposition format 0.0.4 and OpenMetrics 1.0 text, over a byte array. Call
 * {@link #next()} until it returns {@link Entry#EOF}; after {@link Entry#SAMPLE} read {@link #value()},
 * {@link #timestamp()}, the exemplar, and either the raw series bytes ({@link #seriesStart()}..{@link #seriesEnd()},
 * a cache key a scrape loop can look up without building labels) or {@link #labels()}. Nothing is allocated per
 * sample unless labels are built or a value is not a plain decimal.
 *
 * <p>The formats differ in what this parser enforces: OpenMetrics must end with {@code # EOF}, allows no blank lines
 * and no comments other than HELP, TYPE, UNIT and EOF, takes timestamps in seconds (kept here as milliseconds) and may
 * carry exemplars; the text format takes millisecond timestamps, ignores other comments and blank lines. Both use
 * classic (legacy) metric and label names and take one or more spaces or tabs between tokens. The first error ends
 * parsing with the line and column.
 */
public final class ExpositionParser {
    public enum Format { PROMETHEUS_TEXT, OPENMETRICS }

    public enum Entry { HELP, TYPE, UNIT, SAMPLE, EOF }

    private static final int MAX_EXEMPLAR_LABEL_CHARS = 128;

    private final byte[] b;
    private final int end;
    private final boolean om;
    private int pos;
    private int line;
    private int lineStart;
    private boolean eofMarker;

    // The current entry.
    private String family;
    private String text;
    private MetricType type;
    private int nameStart, nameEnd, seriesEnd, valueStart, valueEnd;
    private final Spans labelSpans = new Spans(32);
    private double value;
    private boolean hasTimestamp;
    private long timestamp;
    private boolean hasExemplar;
    private final Spans exemplarSpans = new Spans(16);
    private double exemplarValue;
    private boolean exemplarHasTimestamp;
    private long exemplarTimestamp;

    // The family the last HELP, TYPE or UNIT named and its type, for start timestamps from OpenMetrics _created lines.
    private int curFamilyStart, curFamilyLength = -1;
    private MetricType curType = MetricType.UNKNOWN;
    private int familySeq;
    /** The family's last _created line so far, and the next one after the current sample (found by looking ahead). */
    private Created behind = new Created();
    private Created ahead = new Created();

    /** Raw label spans in the buffer: name start, name end, value start, value end (escapes kept) per label. */
    private static final class Spans {
        int[] s;
        int count;

        Spans(int capacity) {
            s = new int[4 * capacity];
        }
    }

    /** A {@code <family>_created} line: where it is, its labels and its start in ms (0: none). */
    private static final class Created {
        /** Line start; for a look-ahead that found none, where the search stopped. -1: nothing known. */
        int at = -1;
        int family;
        boolean found;
        final Spans labels = new Spans(8);
        long startMs;
    }

    public ExpositionParser(Format format, byte[] buf, int off, int len) {
        this.b = buf;
        this.pos = off;
        this.end = off + len;
        this.om = format == Format.OPENMETRICS;
    }

    /** The format of a scrape response by its Content-Type: OpenMetrics when it says so, else the text format. */
    public static Format formatOf(String contentType) {
        return contentType != null && contentType.toLowerCase(Locale.ROOT).trim().startsWith("application/openmetrics-text")
                ? Format.OPENMETRICS : Format.PROMETHEUS_TEXT;
    }

    public Entry next() throws ExpositionException {
        while (true) {
            if (pos >= end) {
                if (om && !eofMarker) {
                    throw new ExpositionException(line + 1, 1, "OpenMetrics data does not end with \"# EOF\"");
                }
                return Entry.EOF;
            }
            line++;
            lineStart = pos;
            int nl = lineEnd(pos);
            int le = nl;
            pos = nl + 1;
            if (om && eofMarker) {
                throw error(lineStart, "unexpected data after \"# EOF\"");
            }
            if (!om && le > lineStart && b[le - 1] == '\r') {
                le--;
            }
            Entry e = parseLine(lineStart, le);
            if (e != null) {
                return e;
            }
        }
    }

    /** Parses one line; null for lines that yield nothing (blank lines, plain comments, # EOF). */
    private Entry parseLine(int p, int le) throws ExpositionException {
        if (!om) {
            p = skipBlanks(p, le);
        }
        if (p == le) {
            if (om) {
                throw error(p, "empty line (OpenMetrics allows none)");
            }
            return null;
        }
        if (b[p] == '#') {
            return om ? openMetricsComment(p, le) : textComment(p, le);
        }
        sample(p, le);
        if (om && hasCreated(curType) && nameIs(nameStart, nameEnd, "_created")) {
            Created c = behind;
            behind = ahead;
            ahead = c;
            if (behind.at != lineStart || !behind.found || behind.family != familySeq) {
                // Not the line the search ahead already read.
                behind.at = lineStart;
                behind.family = familySeq;
                behind.found = true;
                copy(labelSpans, behind.labels);
                behind.startMs = createdMillis(value, valueStart, valueEnd);
            }
        }
        return Entry.SAMPLE;
    }

    // ---- comments ----

    private Entry textComment(int p, int le) throws ExpositionException {
        p = skipBlanks(p + 1, le);
        int w = p;
        while (p < le && !isBlank(b[p])) {
            p++;
        }
        boolean help = matches(w, p, "HELP");
        if (!(help || matches(w, p, "TYPE")) || p == le) {
            return null; // an ordinary comment
        }
        p = skipBlanks(p, le);
        int n = p;
        p = metricName(p, le);
        family = ascii(n, p);
        if (p < le && !isBlank(b[p])) {
            throw error(p, "invalid character '" + (char) b[p] + "' in metric name of " + (help ? "HELP" : "TYPE"));
        }
        p = skipBlanks(p, le);
        if (help) {
            text = unescapeHelp(p, le);
            return Entry.HELP;
        }
        int t = p;
        while (p < le && !isBlank(b[p])) {
            p++;
        }
        type = typeOf(t, p);
        if (skipBlanks(p, le) != le) {
            throw error(p, "unexpected text after the type");
        }
        return Entry.TYPE;
    }

    private Entry openMetricsComment(int p, int le) throws ExpositionException {
        if (matches(p, le, "# EOF")) {
            eofMarker = true;
            return null;
        }
        Entry kind;
        if (startsWith(p, le, "# HELP ")) {
            kind = Entry.HELP;
        } else if (startsWith(p, le, "# TYPE ")) {
            kind = Entry.TYPE;
        } else if (startsWith(p, le, "# UNIT ")) {
            kind = Entry.UNIT;
        } else {
            throw error(p, "invalid comment: OpenMetrics allows only \"# HELP\", \"# TYPE\", \"# UNIT\" and \"# EOF\"");
        }
        p += 7;
        int n = p;
        p = metricName(p, le);
        family = ascii(n, p);
        if (!(p - n == curFamilyLength && sameBytes(n, p, curFamilyStart, curFamilyStart + curFamilyLength))) {
            curFamilyStart = n;
            curFamilyLength = p - n;
            curType = MetricType.UNKNOWN;
            familySeq++;
        }
        if (p == le) {
            if (kind == Entry.TYPE) {
                throw error(p, "missing type after the metric name");
            }
            text = "";
            return kind;
        }
        if (b[p] != ' ') {
            throw error(p, "invalid character '" + (char) b[p] + "' in metric name");
        }
        p++;
        switch (kind) {
            case HELP -> text = unescapeHelp(p, le);
            case TYPE -> curType = type = typeOf(p, le);
            default -> {
                for (int i = p; i < le; i++) {
                    if (!isNameChar(b[i], false)) {
                        throw error(i, "invalid character '" + (char) b[i] + "' in unit");
                    }
                }
                text = ascii(p, le);
            }
        }
        return kind;
    }

    private MetricType typeOf(int s, int e) throws ExpositionException {
        String t = ascii(s, e);
        MetricType result = switch (t) {
            case "counter" -> MetricType.COUNTER;
            case "gauge" -> MetricType.GAUGE;
            case "histogram" -> MetricType.HISTOGRAM;
            case "summary" -> MetricType.SUMMARY;
            case "untyped" -> om ? null : MetricType.UNKNOWN;
            case "unknown" -> om ? MetricType.UNKNOWN : null;
            case "gaugehistogram" -> om ? MetricType.GAUGEHISTOGRAM : null;
            case "stateset" -> om ? MetricType.STATESET : null;
            case "info" -> om ? MetricType.INFO : null;
            default -> null;
        };
        if (result == null) {
            throw error(s, "unknown metric type \"" + t + "\"");
        }
        return result;
    }

    private String unescapeHelp(int s, int e) throws ExpositionException {
        StringBuilder sb = null;
        int from = s;
        for (int i = s; i < e; i++) {
            if (b[i] == '\\' && i + 1 < e) {
                char c = switch (b[i + 1]) {
                    case '\\' -> '\\';
                    case 'n' -> '\n';
                    case '"' -> om ? '"' : 0;
                    default -> 0;
                };
                if (c != 0) {
                    if (sb == null) {
                        sb = new StringBuilder();
                    }
                    sb.append(utf8(from, i)).append(c);
                    from = i + 2;
                    i++;
                }
            }
        }
        String rest = utf8(from, e);
        return sb == null ? rest : sb.append(rest).toString();
    }

    // ---- samples ----

    private void sample(int p, int le) throws ExpositionException {
        nameStart = p;
        p = metricName(p, le);
        nameEnd = p;
        labelSpans.count = 0;
        hasExemplar = false;
        hasTimestamp = false;
        exemplarHasTimestamp = false;
        int brace = om ? p : skipBlanks(p, le);
        if (brace < le && b[brace] == '{') {
            p = labelSet(brace, le, labelSpans, false);
        }
        seriesEnd = p;
        int v = p;
        p = skipBlanks(p, le);
        if (p == v || p == le) {
            throw error(p, p == le ? "missing value after the series" : "expected a space before the value, got '" + (char) b[p] + "'");
        }
        v = p;
        while (p < le && !isBlank(b[p])) {
            p++;
        }
        value = parseFloat(v, p, "value");
        valueStart = v;
        valueEnd = p;
        p = skipBlanks(p, le);
        if (p == le) {
            return;
        }
        if (!(om && b[p] == '#')) {
            int t = p;
            while (p < le && !isBlank(b[p])) {
                p++;
            }
            timestamp = om ? secondsToMillis(t, p) : parseLong(t, p);
            hasTimestamp = true;
            p = skipBlanks(p, le);
            if (p == le) {
                return;
            }
        }
        if (om && b[p] == '#') {
            exemplar(p, le);
            return;
        }
        throw error(p, "unexpected text after the " + (hasTimestamp ? "timestamp" : "value"));
    }

    private void exemplar(int p, int le) throws ExpositionException {
        if (!startsWith(p, le, "# {")) {
            throw error(p, "expected an exemplar \"# {labels} value\"");
        }
        p = labelSet(p + 2, le, exemplarSpans, true);
        hasExemplar = true;
        int chars = 0;
        for (int i = 0; i < exemplarSpans.count; i++) {
            int[] s = exemplarSpans.s;
            chars += codePoints(s[4 * i], s[4 * i + 1]) + codePoints(s[4 * i + 2], s[4 * i + 3]);
        }
        if (chars > MAX_EXEMPLAR_LABEL_CHARS) {
            throw error(p, "exemplar labels have " + chars + " characters, more than the " + MAX_EXEMPLAR_LABEL_CHARS + " OpenMetrics allows");
        }
        if (p == le || b[p] != ' ') {
            throw error(p, "missing exemplar value");
        }
        int v = ++p;
        while (p < le && b[p] != ' ') {
            p++;
        }
        exemplarValue = parseFloat(v, p, "exemplar value");
        if (p < le) {
            int t = ++p;
            while (p < le && b[p] != ' ') {
                p++;
            }
            exemplarTimestamp = secondsToMillis(t, p);
            exemplarHasTimestamp = true;
            if (p != le) {
                throw error(p, "unexpected text after the exemplar timestamp");
            }
        }
    }

    /** Reads {...} at p; records spans (name start/end, raw value start/end) for the sample or the exemplar. */
    private int labelSet(int p, int le, Spans into, boolean forExemplar) throws ExpositionException {
        p++;
        int count = 0;
        while (true) {
            p = skipBlanks(p, le);
            if (p == le) {
                throw error(p, "unterminated label set, missing '}'");
            }
            if (b[p] == '}') {
                p++;
                break;
            }
            int ns = p;
            while (p < le && isNameChar(b[p], false)) {
                p++;
            }
            if (p == ns || (b[ns] >= '0' && b[ns] <= '9')) {
                throw error(ns, "expected a label name, got '" + (char) b[ns] + "'");
            }
            int ne = p;
            p = skipBlanks(p, le);
            if (p == le || b[p] != '=') {
                throw error(p, "expected '=' after label name \"" + ascii(ns, ne) + "\"");
            }
            p = skipBlanks(p + 1, le);
            if (p == le || b[p] != '"') {
                throw error(p, "expected '\"' to start the value of label \"" + ascii(ns, ne) + "\"");
            }
            int vs = ++p;
            while (p < le && b[p] != '"') {
                p += b[p] == '\\' ? 2 : 1;
            }
            if (p >= le) {
                throw error(vs - 1, "unterminated value of label \"" + ascii(ns, ne) + "\"");
            }
            int ve = p++;
            if (!Utf8.isValid(b, vs, ve - vs)) {
                throw error(vs, "value of label \"" + ascii(ns, ne) + "\" is not valid UTF-8");
            }
            int[] spans = into.s;
            for (int i = 0; i < count; i++) {
                if (Arrays.equals(b, spans[4 * i], spans[4 * i + 1], b, ns, ne)) {
                    throw error(ns, "duplicate label name \"" + ascii(ns, ne) + "\"");
                }
            }
            if (!forExemplar && ne - ns == Labels.METRIC_NAME.length() && matches(ns, ne, Labels.METRIC_NAME)) {
                throw error(ns, "label \"__name__\" given besides the metric name");
            }
            if (4 * count + 4 > spans.length) {
                spans = into.s = Arrays.copyOf(spans, spans.length * 2);
            }
            spans[4 * count] = ns;
            spans[4 * count + 1] = ne;
            spans[4 * count + 2] = vs;
            spans[4 * count + 3] = ve;
            count++;
            p = skipBlanks(p, le);
            if (p < le && b[p] == ',') {
                p++;
            } else if (p < le && b[p] == '}') {
                p++;
                break;
            } else {
                throw error(p, p == le ? "unterminated label set, missing '}'" : "expected ',' or '}' after a label value, got '" + (char) b[p] + "'");
            }
        }
        into.count = count;
        return p;
    }

    // ---- accessors ----

    /** The 1-based line of the current entry. */
    public int line() {
        return line;
    }

    /** Metric family name of a HELP, TYPE or UNIT entry. */
    public String family() {
        return family;
    }

    /** Help text (unescaped) or unit of a HELP or UNIT entry. */
    public String text() {
        return text;
    }

    public MetricType type() {
        return type;
    }

    public byte[] buffer() {
        return b;
    }

    /** The raw series text (metric name and label set as written) of a SAMPLE: a cache key that needs no parsing. */
    public int seriesStart() {
        return nameStart;
    }

    public int seriesEnd() {
        return seriesEnd;
    }

    public String metricName() {
        return ascii(nameStart, nameEnd);
    }

    /** The sample's labels with {@code __name__}; label values unescaped; empty values dropped, as in Prometheus. */
    public Labels labels() {
        Labels.Builder lb = Labels.builder().set(Labels.METRIC_NAME, metricName());
        int[] s = labelSpans.s;
        for (int i = 0; i < labelSpans.count; i++) {
            lb.set(ascii(s[4 * i], s[4 * i + 1]), labelValue(s[4 * i + 2], s[4 * i + 3]));
        }
        return lb.build();
    }

    public double value() {
        return value;
    }

    public boolean hasTimestamp() {
        return hasTimestamp;
    }

    /** Milliseconds since the epoch (OpenMetrics' seconds converted, sub-millisecond digits dropped). */
    public long timestamp() {
        return timestamp;
    }

    public boolean hasExemplar() {
        return hasExemplar;
    }

    public Labels exemplarLabels() {
        Labels.Builder lb = Labels.builder();
        int[] s = exemplarSpans.s;
        for (int i = 0; i < exemplarSpans.count; i++) {
            lb.set(ascii(s[4 * i], s[4 * i + 1]), labelValue(s[4 * i + 2], s[4 * i + 3]));
        }
        return lb.build();
    }

    public double exemplarValue() {
        return exemplarValue;
    }

    public boolean exemplarHasTimestamp() {
        return exemplarHasTimestamp;
    }

    public long exemplarTimestamp() {
        return exemplarTimestamp;
    }

    // ---- start timestamps from _created lines (OpenMetrics) ----

    /**
     * The start of the current sample in ms, 0 for none: OpenMetrics only, for the samples of a counter
     * ({@code _total}), histogram ({@code _bucket}, {@code _count}, {@code _sum}) or summary (quantiles, {@code _count},
     * {@code _sum}), taken from the family's {@code _created} line with the same labels ({@code le}, {@code quantile}
     * and empty values aside) that is nearest before or after the sample; as in Prometheus the search ahead ends at
     * the family's first {@code _created} line. A NaN or non-positive created value is none. The search ahead is
     * remembered, so a family costs one pass however many samples share its {@code _created} line.
     */
    public long startTimestamp() {
        if (!om || !startsSample()) {
            return 0;
        }
        boolean aheadKnown = ahead.at > lineStart && ahead.family == familySeq;
        if (aheadKnown && ahead.found && sameLabels(ahead.labels)) {
            return ahead.startMs;
        }
        if (behind.at >= 0 && behind.family == familySeq && sameLabels(behind.labels)) {
            return behind.startMs;
        }
        if (aheadKnown) {
            return 0;
        }
        lookAhead();
        return ahead.found && sameLabels(ahead.labels) ? ahead.startMs : 0;
    }

    private static boolean hasCreated(MetricType t) {
        return t == MetricType.COUNTER || t == MetricType.HISTOGRAM || t == MetricType.SUMMARY;
    }

    private boolean startsSample() {
        int s = nameStart, e = nameEnd;
        return switch (curType) {
            case COUNTER -> nameIs(s, e, "_total");
            case HISTOGRAM -> nameIs(s, e, "_bucket") || nameIs(s, e, "_count") || nameIs(s, e, "_sum");
            case SUMMARY -> nameIs(s, e, "") || nameIs(s, e, "_count") || nameIs(s, e, "_sum");
            default -> false;
        };
    }

    /** Whether the name at s..e is the current family's name followed by suffix. */
    private boolean nameIs(int s, int e, String suffix) {
        return e - s == curFamilyLength + suffix.length() && inFamily(s, e) && startsWith(s + curFamilyLength, e, suffix);
    }

    /** Whether the text at s..e starts with the current family's name. */
    private boolean inFamily(int s, int e) {
        return e - s >= curFamilyLength && sameBytes(s, s + curFamilyLength, curFamilyStart, curFamilyStart + curFamilyLength);
    }

    /** Finds the family's next _created line after the current one; stops at a comment or another family's sample. */
    private void lookAhead() {
        Created c = ahead;
        c.family = familySeq;
        c.found = false;
        int p = pos;
        while (p < end) {
            int ls = p;
            int le = lineEnd(ls);
            p = le + 1;
            if (!inFamily(ls, le)) {
                c.at = ls;
                return;
            }
            int ne = ls + curFamilyLength + "_created".length();
            if (startsWith(ls + curFamilyLength, le, "_created") && (ne == le || b[ne] == '{' || isBlank(b[ne]))) {
                c.at = ls;
                try {
                    c.labels.count = 0;
                    int q = ne < le && b[ne] == '{' ? labelSet(ne, le, c.labels, false) : ne;
                    int vs = skipBlanks(q, le);
                    int ve = vs;
                    while (ve < le && !isBlank(b[ve])) {
                        ve++;
                    }
                    c.startMs = createdMillis(parseFloat(vs, ve, "value"), vs, ve);
                    c.found = true;
                } catch (ExpositionException malformed) {
                    // No start from it; the parser reports the line, with its position, when it gets there.
                }
                return;
            }
        }
        c.at = end;
    }

    /** Created seconds as ms, truncated as sample timestamps are; 0 when NaN, not positive or out of range. */
    private long createdMillis(double seconds, int s, int e) throws ExpositionException {
        return seconds > 0 && seconds < 9.2e15 ? secondsToMillis(s, e) : 0;
    }

    private static void copy(Spans from, Spans to) {
        if (to.s.length < 4 * from.count) {
            to.s = new int[from.s.length];
        }
        System.arraycopy(from.s, 0, to.s, 0, 4 * from.count);
        to.count = from.count;
    }

    /** The current sample's labels equal other's, le, quantile and empty values aside; raw bytes compared. */
    private boolean sameLabels(Spans other) {
        int[] a = labelSpans.s, o = other.s;
        int n = 0;
        for (int i = 0; i < labelSpans.count; i++) {
            if (ignoredForStart(a, i)) {
                continue;
            }
            n++;
            int j = 0;
            while (j < other.count && !(sameBytes(a[4 * i], a[4 * i + 1], o[4 * j], o[4 * j + 1])
                    && sameBytes(a[4 * i + 2], a[4 * i + 3], o[4 * j + 2], o[4 * j + 3]))) {
                j++;
            }
            if (j == other.count) {
                return false;
            }
        }
        for (int j = 0; j < other.count; j++) {
            if (!ignoredForStart(o, j)) {
                n--;
            }
        }
        return n == 0;
    }

    /** Arrays.equals for the short spans of label names and values, without its per-call overhead. */
    private boolean sameBytes(int s1, int e1, int s2, int e2) {
        if (e1 - s1 != e2 - s2) {
            return false;
        }
        for (int i = 0; i < e1 - s1; i++) {
            if (b[s1 + i] != b[s2 + i]) {
                return false;
            }
        }
        return true;
    }

    private boolean ignoredForStart(int[] s, int i) {
        int ns = s[4 * i], ne = s[4 * i + 1];
        return s[4 * i + 2] == s[4 * i + 3] || matches(ns, ne, "le") || matches(ns, ne, "quantile");
    }

    // ---- tokens ----

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long NEWLINES = 0x0a0a0a0a0a0a0a0aL, ONES = 0x0101010101010101L, HIGHS = 0x8080808080808080L;

    /** Where the line at p ends: its '\n' or the end. Eight bytes at a time, as the search ahead reads whole families. */
    private int lineEnd(int p) {
        for (; p + 8 <= end; p += 8) {
            long x = (long) LONGS.get(b, p) ^ NEWLINES;
            long zeros = (x - ONES) & ~x & HIGHS; // the lowest flagged byte is the first '\n'
            if (zeros != 0) {
                return p + (Long.numberOfTrailingZeros(zeros) >>> 3);
            }
        }
        while (p < end && b[p] != '\n') {
            p++;
        }
        return p;
    }

    private int metricName(int p, int le) throws ExpositionException {
        int s = p;
        while (p < le && isNameChar(b[p], true)) {
            p++;
        }
        if (p == s || (b[s] >= '0' && b[s] <= '9')) {
            throw error(s, s < le ? "expected a metric name, got '" + (char) b[s] + "'" : "expected a metric name");
        }
        return p;
    }

    private static boolean isNameChar(byte c, boolean colon) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || (colon && c == ':');
    }

    private static boolean isBlank(byte c) {
        return c == ' ' || c == '\t';
    }

    private int skipBlanks(int p, int le) {
        while (p < le && isBlank(b[p])) {
            p++;
        }
        return p;
    }

    private boolean matches(int s, int e, String word) {
        return e - s == word.length() && startsWith(s, e, word);
    }

    private boolean startsWith(int s, int e, String prefix) {
        if (e - s < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (b[s + i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private String ascii(int s, int e) {
        return new String(b, s, e - s, StandardCharsets.ISO_8859_1);
    }

    private String utf8(int s, int e) {
        return new String(b, s, e - s, StandardCharsets.UTF_8);
    }

    private int codePoints(int s, int e) {
        int n = 0;
        for (int i = s; i < e; i++) {
            if ((b[i] & 0xc0) != 0x80) {
                n++;
            }
        }
        return n;
    }

    /** Unescapes \\, \" and \n; any other escape is kept as written, as Prometheus does. */
    private String labelValue(int s, int e) {
        int i = s;
        while (i < e && b[i] != '\\') {
            i++;
        }
        if (i == e) {
            return utf8(s, e);
        }
        StringBuilder sb = new StringBuilder(e - s);
        int from = s;
        for (; i < e; i++) {
            if (b[i] == '\\' && i + 1 < e) {
                char c = switch (b[i + 1]) {
                    case '\\' -> '\\';
                    case '"' -> '"';
                    case 'n' -> '\n';
                    default -> 0;
                };
                if (c != 0) {
                    sb.append(utf8(from, i)).append(c);
                    from = i + 2;
                }
                i++;
            }
        }
        return sb.append(utf8(from, e)).toString();
    }

    private static final double[] POW10 = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14,
            1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

    /**
     * Go's ParseFloat as Prometheus uses it. Decimals, with or without an exponent, whose digits are at most 2^53 and
     * whose scale is at most 22 decimal places either way are converted without allocating (one correctly rounded
     * multiplication or division of two exact doubles); the rest goes through the JDK.
     */
    private double parseFloat(int s, int e, String what) throws ExpositionException {
        int p = s;
        boolean neg = false;
        if (p < e && (b[p] == '+' || b[p] == '-')) {
            neg = b[p] == '-';
            p++;
        }
        long m = 0;
        int fraction = -1;
        int digits = 0;
        int exponent = 0;
        boolean simple = p < e;
        for (; p < e && simple; p++) {
            byte c = b[p];
            if (c >= '0' && c <= '9') {
                m = m * 10 + (c - '0');
                digits++;
                if (fraction >= 0) {
                    fraction++;
                }
                simple = m <= (1L << 53) && fraction <= 22;
            } else if (c == '.' && fraction < 0) {
                fraction = 0;
            } else if ((c == 'e' || c == 'E') && digits > 0) {
                // Exponent forms such as client libraries write for _created ("1.7000000001234e+09").
                int q = p + 1;
                boolean negExp = q < e && b[q] == '-';
                if (q < e && (b[q] == '-' || b[q] == '+')) {
                    q++;
                }
                int digitsFrom = q;
                while (q < e && b[q] >= '0' && b[q] <= '9' && exponent < 1000) {
                    exponent = exponent * 10 + (b[q++] - '0');
                }
                simple = q == e && q > digitsFrom && exponent < 1000;
                exponent = negExp ? -exponent : exponent;
                p = q - 1;
            } else {
                simple = false;
            }
        }
        int scale = exponent - Math.max(fraction, 0);
        if (simple && digits > 0 && scale >= -22 && scale <= 22) {
            double d = scale < 0 ? m / POW10[-scale] : m * POW10[scale];
            return neg ? -d : d;
        }
        String str = ascii(s, e);
        String body = str.startsWith("+") || str.startsWith("-") ? str.substring(1) : str;
        String lower = body.toLowerCase(Locale.ROOT);
        if (lower.equals("inf") || lower.equals("infinity")) {
            return str.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if (lower.equals("nan")) {
            return Double.NaN;
        }
        // The JDK also takes forms Go does not ("1d", "1f", surrounding spaces): only Go's shapes get through.
        boolean hex = lower.startsWith("0x");
        boolean goShape = hex ? lower.contains("p")
                : lower.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == '+' || c == '-');
        boolean ok = !body.isEmpty() && goShape
                && (Character.isDigit(lower.charAt(lower.length() - 1)) || lower.endsWith("."));
        if (ok) {
            try {
                return Double.parseDouble(str);
            } catch (NumberFormatException ignored) {
                // reported below with the position
            }
        }
        throw error(s, "invalid " + what + " \"" + str + "\"");
    }

    private long parseLong(int s, int e) throws ExpositionException {
        int p = s;
        boolean neg = p < e && b[p] == '-';
        if (neg || (p < e && b[p] == '+')) {
            p++;
        }
        if (p == e) {
            throw error(s, "invalid timestamp \"" + ascii(s, e) + "\"");
        }
        long v = 0;
        for (; p < e; p++) {
            int d = b[p] - '0';
            if (d < 0 || d > 9) {
                throw error(s, "invalid timestamp \"" + ascii(s, e) + "\"");
            }
            if (v > (Long.MAX_VALUE - d) / 10) {
                throw error(s, "timestamp \"" + ascii(s, e) + "\" is out of range");
            }
            v = v * 10 + d;
        }
        return neg ? -v : v;
    }

    /** OpenMetrics timestamps are seconds; plain decimals convert exactly, exponent forms through a double. */
    private long secondsToMillis(int s, int e) throws ExpositionException {
        int p = s;
        boolean neg = p < e && b[p] == '-';
        if (neg || (p < e && b[p] == '+')) {
            p++;
        }
        int dot = -1;
        boolean plain = p < e;
        for (int i = p; i < e && plain; i++) {
            if (b[i] == '.' && dot < 0) {
                dot = i;
            } else if (b[i] < '0' || b[i] > '9') {
                plain = false;
            }
        }
        if (plain && (dot < 0 ? e - p : dot - p) <= 15) {
            long ms = 0;
            int intEnd = dot < 0 ? e : dot;
            for (int i = p; i < intEnd; i++) {
                ms = ms * 10 + (b[i] - '0');
            }
            for (int k = 0; k < 3; k++) {
                int i = dot < 0 ? e : dot + 1 + k;
                ms = ms * 10 + (i < e ? b[i] - '0' : 0);
            }
            return neg ? -ms : ms;
        }
        double sec = parseFloat(s, e, "timestamp");
        if (Double.isNaN(sec) || Double.isInfinite(sec) || Math.abs(sec) > 9.2e15) {
            throw error(s, "invalid timestamp \"" + ascii(s, e) + "\"");
        }
        return (long) (sec * 1000);
    }

    private ExpositionException error(int at, String reason) {
        return new ExpositionException(line, at - lineStart + 1, reason);
    }
}
