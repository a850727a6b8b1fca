package dev.sightline.logs.store;

import dev.sightline.core.Labels;
import dev.sightline.logs.FieldCondition;
import dev.sightline.logs.LineFilter;
import dev.sightline.logs.LogEntry;
import dev.sightline.logs.LogFields;
import dev.sightline.timeindex.ByteReader;
import dev.sightline.timeindex.ByteWriter;
import dev.sightline.timeindex.KeyFilter;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a stored block may contain, so a query skips blocks before inflating a line: a Bloom filter of the line
 * bytes' trigrams (a substring of three bytes or more can only be in a block holding all its trigrams) and of every
 * detected field's {@code parser/name=value}, and per parser and field the range of its values read as number,
 * duration and bytes. Fields are detected at ingest with {@link LogFields} (a line starting with {@code {} as JSON,
 * any other as logfmt), metadata labels overriding parsed fields of the same name as {@link FieldCondition} reads
 * them. A block with a line the parser could not read (or did not try) may match any condition of that parser: the
 * reference lets such lines pass. Answers are "may match"; the query verifies every line it returns.
 */
final class BlockSummary {
    /**
     * Trigram filter: one probe and up to 40% of bits set, a loose filter, but a substring query needs all of its
     * trigrams (a 6-byte literal passes a block without it about 1% of the time).
     */
    private static final int TRIGRAM_PROBES = 1;
    private static final double MAX_TRIGRAM_FILL = 0.4;
    /** Field filter: one key per condition, so three probes at most 30% full (about 3% false positives). */
    private static final int FIELD_PROBES = 3;
    private static final double MAX_FIELD_FILL = 0.3;
    private static final int TYPES = 3; // NUMBER, DURATION, BYTES
    private static final FieldCondition.Parser[] PARSERS = FieldCondition.Parser.values();
    private static final FieldCondition.Type[] CONVERTED = {FieldCondition.Type.NUMBER, FieldCondition.Type.DURATION,
            FieldCondition.Type.BYTES};

    /** Per parser and field: the converted values' ranges, and whether some value did not convert. */
    static final class Range {
        final double[] min = {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY};
        final double[] max = {Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY};
        final boolean[] has = new boolean[TYPES];
        final boolean[] bad = new boolean[TYPES];

        /** Adds a value; returns whether it reads as a number. */
        boolean add(String value) {
            boolean number = false;
            for (int t = 0; t < TYPES; t++) {
                double x = convertible(value, t) ? CONVERTED[t].convert(value) : Double.NaN;
                if (Double.isNaN(x)) {
                    bad[t] = true;
                } else {
                    has[t] = true;
                    min[t] = Math.min(min[t], x);
                    max[t] = Math.max(max[t], x);
                    number |= t == 0;
                }
            }
            return number;
        }
    }

    /**
     * False when {@code CONVERTED[type]} certainly gives NaN for the value, decided without calling it: the
     * conversions parse what looks like a number, and most fields of most lines are not one.
     * A number has only {@code [0-9.eE+-]} (and trailing blanks) or is an infinity; a duration or size starts with a
     * digit, '.', ',' or sign and has no run of digits and dots without a digit or with two dots ("10.0.0.1"); a
     * duration ends in a unit (s, m, h: ns, us, ms too) unless it is zero.
     */
    static boolean convertible(String v, int type) {
        int n = v.length();
        if (n == 0) {
            return false;
        }
        if (type == 0) {
            for (int i = 0; i < n; i++) {
                char c = v.charAt(i);
                if (!(c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-' || c <= ' ')) {
                    String t = v.charAt(0) == '+' || v.charAt(0) == '-' ? v.substring(1) : v;
                    return t.equalsIgnoreCase("inf") || t.equalsIgnoreCase("infinity");
                }
            }
            return true;
        }
        char first = v.charAt(0);
        if (!(first >= '0' && first <= '9' || first == '.' || first == ',' || first == '+' || first == '-')) {
            return false;
        }
        char last = v.charAt(n - 1);
        if (type == 1 && last != 's' && last != 'm' && last != 'h' && !v.equals("0") && !v.equals("+0")
                && !v.equals("-0")) {
            return false; // every duration unit ends in s, m or h; only a zero goes without
        }
        int i = first == '+' || first == '-' ? 1 : 0;
        while (i < n) {
            int dots = 0;
            int digits = 0;
            int start = i;
            for (char c; i < n && ((c = v.charAt(i)) >= '0' && c <= '9' || c == '.' || c == ','); i++) {
                if (c == '.') {
                    dots++;
                } else if (c != ',') {
                    digits++;
                }
            }
            if (i > start && (dots > 1 || digits == 0)) {
                return false;
            }
            i++;
        }
        return true;
    }

    // --- building (one stream's open block; the stream's lock held) -----------------------------------------------

    private final Bloom trigrams;
    private final Bloom fieldKeys;
    private final boolean[] unknown = new boolean[PARSERS.length];
    private final List<Map<String, Range>> fields = List.of(new HashMap<>(), new HashMap<>());
    private final Map<String, String> lineFields = new HashMap<>();
    private final LogFields.FieldSink sink = lineFields::putIfAbsent;

    /** A summary whose filters start at {@code trigramBits} and {@code fieldBits} bits (powers of two, >= 64). */
    BlockSummary(int trigramBits, int fieldBits) {
        trigrams = new Bloom(trigramBits, TRIGRAM_PROBES);
        fieldKeys = new Bloom(fieldBits, FIELD_PROBES);
    }

    /** Whether a filter is too full to add more lines usefully: the block should be stored. */
    boolean full() {
        return trigrams.fill() > MAX_TRIGRAM_FILL || fieldKeys.fill() > MAX_FIELD_FILL;
    }

    /** Whether the filters were sized generously for this block (a quarter as large would have done). */
    boolean roomy() {
        return trigrams.fill() < MAX_TRIGRAM_FILL / 4 && fieldKeys.fill() < MAX_FIELD_FILL / 4;
    }

    void addLine(String line, byte[] utf8, int off, int len, Labels metadata) {
        trigrams.addTrigrams(utf8, off, len);
        int first = 0;
        while (first < line.length() && line.charAt(first) <= ' ') {
            first++;
        }
        int parser = first < line.length() && line.charAt(first) == '{' ? 0 : 1;
        unknown[1 - parser] = true;
        lineFields.clear();
        // Metadata first: it wins over a parsed field of the same name, as FieldCondition reads a line.
        metadata.forEach(lineFields::put);
        boolean parsed = parser == 0 ? LogFields.json(line, sink) : LogFields.logfmt(line, sink);
        if (!parsed) {
            unknown[parser] = true;
            return;
        }
        for (Map.Entry<String, String> f : lineFields.entrySet()) {
            Range r = fields.get(parser).get(f.getKey());
            if (r == null) {
                r = new Range();
                fields.get(parser).put(f.getKey(), r);
            }
            // A value that reads as a number is found by its number range (see Stored.mayMatch), not the filter.
            if (!r.add(f.getValue())) {
                fieldKeys.add(fieldKey(parser, f.getKey(), f.getValue()));
            }
        }
    }

    /**
     * A Bloom filter built at a generous size and folded when stored: a key's bits are its hashes modulo the size, a
     * power of two, so OR-ing the upper half onto the lower gives the filter of half the size, as if built there. It
     * needs no count of distinct keys up front and costs one cache-friendly bit per probe while lines arrive.
     */
    static final class Bloom {
        private final long[] words;
        private final int probes;
        private int set;

        Bloom(int bits, int probes) {
            words = new long[bits / 64];
            this.probes = probes;
        }

        Bloom(ByteReader r, int probes) {
            this.probes = probes;
            words = new long[r.readVarInt()];
            if (words.length == 0 || Integer.bitCount(words.length) != 1) {
                throw new IllegalArgumentException("block summary: " + words.length + " filter words");
            }
            for (int i = 0; i < words.length; i++) {
                words[i] = r.readFixed64();
            }
        }

        int bits() {
            return words.length * 64;
        }

        /** The share of bits set. */
        double fill() {
            return (double) set / bits();
        }

        void add(long hash) {
            int h1 = (int) hash;
            int h2 = (int) (hash >>> 32) | 1;
            int mask = bits() - 1;
            for (int i = 0; i < probes; i++) {
                int bit = (h1 + i * h2) & mask;
                long w = words[bit >>> 6];
                if ((w & 1L << bit) == 0) {
                    words[bit >>> 6] = w | 1L << bit;
                    set++;
                }
            }
        }

        /**
         * Adds every trigram of {@code b[off, off + len)}, as {@link #add} of {@link #trigramHash} would with one
         * probe, in one pass with a rolling trigram: this runs for every byte ingested.
         */
        void addTrigrams(byte[] b, int off, int len) {
            int mask = bits() - 1;
            int tri = 0;
            for (int i = off; i < off + len; i++) {
                tri = (tri << 8 | (b[i] & 0xFF)) & 0xFFFFFF;
                if (i >= off + 2) {
                    int bit = (int) trigramHash(tri) & mask;
                    long w = words[bit >>> 6];
                    if ((w & 1L << bit) == 0) {
                        words[bit >>> 6] = w | 1L << bit;
                        set++;
                    }
                }
            }
        }

        boolean mightContain(long hash) {
            int h1 = (int) hash;
            int h2 = (int) (hash >>> 32) | 1;
            int mask = bits() - 1;
            for (int i = 0; i < probes; i++) {
                int bit = (h1 + i * h2) & mask;
                if ((words[bit >>> 6] & 1L << bit) == 0) {
                    return false;
                }
            }
            return true;
        }

        /** Folds down while the folded filter stays at most {@code maxFill} full, then writes it. */
        void write(ByteWriter w, double maxFill) {
            long[] f = words;
            while (f.length > 1) {
                long[] half = new long[f.length / 2];
                int ones = 0;
                for (int i = 0; i < half.length; i++) {
                    half[i] = f[i] | f[i + half.length];
                    ones += Long.bitCount(half[i]);
                }
                if (ones > maxFill * half.length * 64) {
                    break;
                }
                f = half;
            }
            w.writeVarLong(f.length);
            for (long word : f) {
                w.writeFixed64(word);
            }
        }
    }

    private static long trigramHash(byte a, byte b, byte c) {
        return trigramHash((a & 0xFF) << 16 | (b & 0xFF) << 8 | (c & 0xFF));
    }

    /** One multiply (Fibonacci hashing), its well-mixed high half rotated down to where the filter reads its bits. */
    private static long trigramHash(int trigram) {
        return Long.rotateLeft(trigram * 0x9E3779B97F4A7C15L, 32);
    }

    private static long fieldKey(int parser, String name, String value) {
        long h = 0xcbf29ce484222325L ^ parser; // FNV-1a over the chars, the name and value separated
        for (int i = 0; i < name.length(); i++) {
            h = (h ^ name.charAt(i)) * 0x100000001b3L;
        }
        h = (h ^ 0x10000) * 0x100000001b3L;
        for (int i = 0; i < value.length(); i++) {
            h = (h ^ value.charAt(i)) * 0x100000001b3L;
        }
        return KeyFilter.mix(h);
    }

    /** The stored form: the two filters, then per parser whether it may fail on a line and its fields' ranges. */
    byte[] encode() {
        ByteWriter w = new ByteWriter();
        trigrams.write(w, MAX_TRIGRAM_FILL);
        fieldKeys.write(w, MAX_FIELD_FILL);
        for (int p = 0; p < PARSERS.length; p++) {
            w.writeByte(unknown[p] ? 1 : 0);
            w.writeVarLong(fields.get(p).size());
            for (Map.Entry<String, Range> f : fields.get(p).entrySet()) {
                w.writeString(f.getKey());
                Range r = f.getValue();
                for (int t = 0; t < TYPES; t++) {
                    w.writeByte((r.has[t] ? 1 : 0) | (r.bad[t] ? 2 : 0));
                    if (r.has[t]) {
                        w.writeFixed64(Double.doubleToRawLongBits(r.min[t]));
                        w.writeFixed64(Double.doubleToRawLongBits(r.max[t]));
                    }
                }
            }
        }
        return java.util.Arrays.copyOf(w.array(), w.length());
    }

    // --- reading --------------------------------------------------------------------------------------------------

    /** A stored summary, read for the checks of one query. */
    static final class Stored {
        private final Bloom trigrams;
        private final Bloom fieldKeys;
        private final boolean[] unknown = new boolean[PARSERS.length];
        private final List<Map<String, Range>> fields = List.of(new HashMap<>(), new HashMap<>());

        Stored(byte[] buf, int off, int len) {
            ByteReader r = new ByteReader(buf, off, len);
            trigrams = new Bloom(r, TRIGRAM_PROBES);
            fieldKeys = new Bloom(r, FIELD_PROBES);
            for (int p = 0; p < PARSERS.length; p++) {
                unknown[p] = r.readByte() != 0;
                int n = r.readVarInt();
                for (int i = 0; i < n; i++) {
                    String name = r.readString();
                    Range range = new Range();
                    for (int t = 0; t < TYPES; t++) {
                        int flags = r.readByte();
                        range.bad[t] = (flags & 2) != 0;
                        if ((flags & 1) != 0) {
                            range.has[t] = true;
                            range.min[t] = Double.longBitsToDouble(r.readFixed64());
                            range.max[t] = Double.longBitsToDouble(r.readFixed64());
                        }
                    }
                    fields.get(p).put(name, range);
                }
            }
        }

        /** Whether the block may hold a line passing the filter. */
        boolean mayMatch(LineFilter f) {
            if (f.op().negated()) {
                return true; // "does not contain" narrows nothing a Bloom filter can tell
            }
            for (String v : f.values()) {
                String literal = f.op() == LineFilter.Op.CONTAINS ? v : null;
                if (literal == null ? mayHoldAll(requiredLiterals(v)) : mayHold(literal)) {
                    return true;
                }
            }
            return false;
        }

        private boolean mayHoldAll(String[] literals) {
            for (String l : literals) {
                if (!mayHold(l)) {
                    return false;
                }
            }
            return true;
        }

        private boolean mayHold(String literal) {
            byte[] b = literal.getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i + 2 < b.length; i++) {
                if (!trigrams.mightContain(trigramHash(b[i], b[i + 1], b[i + 2]))) {
                    return false;
                }
            }
            return true;
        }

        /** Whether the block may hold a line of {@code stream} meeting the condition. */
        boolean mayMatch(FieldCondition c, Labels stream) {
            int p = c.parser().ordinal();
            if (stream.get(c.name()) != null) {
                // The stream's label decides every line the parser reads; the others pass.
                return unknown[p] || c.matches(new LogEntry(0, stream, Labels.EMPTY, ""), Map.of());
            }
            if (unknown[p]) {
                return true;
            }
            Range r = fields.get(p).get(c.name());
            if (r == null) {
                return false;
            }
            if (c.type() == FieldCondition.Type.STRING) {
                // A value equal to a text that reads as a number reads as the same number: its range tells.
                double x = convertible(c.text(), 0) ? FieldCondition.Type.NUMBER.convert(c.text()) : Double.NaN;
                return Double.isNaN(x) ? fieldKeys.mightContain(fieldKey(p, c.name(), c.text()))
                        : r.has[0] && r.min[0] <= x && x <= r.max[0];
            }
            int t = c.type().ordinal() - 1;
            if (r.bad[t]) {
                return true;
            }
            if (!r.has[t]) {
                return false;
            }
            double b = c.number();
            return switch (c.op()) {
                case EQ -> r.min[t] <= b && b <= r.max[t];
                case GT -> r.max[t] > b;
                case GE -> r.max[t] >= b;
                case LT -> r.min[t] < b;
                case LE -> r.min[t] <= b;
            };
        }
    }

    /**
     * Substrings every match of a simple regular expression contains: for patterns with no escapes, classes, groups
     * or alternation, the literal runs between {@code . * + ? ^ $} (a run's last character dropped when a {@code *}
     * or {@code ?} makes it optional). Anything else gives none (no narrowing).
     */
    static String[] requiredLiterals(String regex) {
        for (int i = 0; i < regex.length(); i++) {
            if ("\\[](){}|".indexOf(regex.charAt(i)) >= 0) {
                return new String[0];
            }
        }
        java.util.List<String> out = new java.util.ArrayList<>();
        StringBuilder run = new StringBuilder();
        for (int i = 0; i <= regex.length(); i++) {
            char c = i < regex.length() ? regex.charAt(i) : '$';
            if (".*+?^$".indexOf(c) < 0) {
                run.append(c);
                continue;
            }
            if ((c == '*' || c == '?') && !run.isEmpty()) {
                run.setLength(run.length() - 1);
            }
            if (!run.isEmpty()) {
                out.add(run.toString());
            }
            run.setLength(0);
        }
        return out.toArray(new String[0]);
    }
}
