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
    private static final int BITS_PER_KEY = 6;
    private static final int PROBES = 3;
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

        void add(String value) {
            char c = value.isEmpty() ? ' ' : value.charAt(0);
            // Each conversion needs a digit, '.', ',' or sign first ("Inf" for numbers): skip the words.
            boolean numeric = c >= '0' && c <= '9' || c == '.' || c == '+' || c == '-' || c == ',' || c == 'i'
                    || c == 'I';
            for (int t = 0; t < TYPES; t++) {
                double x = numeric ? CONVERTED[t].convert(value) : Double.NaN;
                if (Double.isNaN(x)) {
                    bad[t] = true;
                } else {
                    has[t] = true;
                    min[t] = Math.min(min[t], x);
                    max[t] = Math.max(max[t], x);
                }
            }
        }
    }

    // --- building (one stream's open block; the stream's lock held) -----------------------------------------------

    private long[] keys = new long[1024];
    private int keyCount;
    private final boolean[] unknown = new boolean[PARSERS.length];
    private final List<Map<String, Range>> fields = List.of(new HashMap<>(), new HashMap<>());
    private final Map<String, String> lineFields = new HashMap<>();
    private final LogFields.FieldSink sink = lineFields::putIfAbsent;

    void addLine(String line, byte[] utf8, int off, int len, Labels metadata) {
        for (int i = off; i + 2 < off + len; i++) {
            addKey(trigramKey(utf8[i], utf8[i + 1], utf8[i + 2]));
        }
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
            addKey(fieldKey(parser, f.getKey(), f.getValue()));
            fields.get(parser).computeIfAbsent(f.getKey(), k -> new Range()).add(f.getValue());
        }
    }

    boolean isEmpty() {
        return keyCount == 0 && !unknown[0] && !unknown[1];
    }

    private void addKey(long key) {
        if (2 * (keyCount + 1) > keys.length) {
            long[] old = keys;
            keys = new long[old.length * 2];
            keyCount = 0;
            for (long k : old) {
                if (k != 0) {
                    addKey(k);
                }
            }
        }
        int mask = keys.length - 1;
        for (int i = (int) KeyFilter.mix(key) & mask; ; i = (i + 1) & mask) {
            if (keys[i] == key) {
                return;
            }
            if (keys[i] == 0) {
                keys[i] = key;
                keyCount++;
                return;
            }
        }
    }

    /** Trigram keys carry bit 61, field keys bit 62: never 0 (the empty slot) and never equal to each other. */
    private static long trigramKey(byte a, byte b, byte c) {
        return 1L << 61 | (a & 0xFF) << 16 | (b & 0xFF) << 8 | (c & 0xFF);
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
        return 1L << 62 | (h & ((1L << 61) - 1));
    }

    /** The stored form: the Bloom filter, then per parser whether it may fail on a line and its fields' ranges. */
    byte[] encode() {
        int bits = Integer.highestOneBit(Math.max(64, keyCount * BITS_PER_KEY - 1)) << 1;
        long[] words = new long[bits / 64];
        for (long k : keys) {
            if (k != 0) {
                long h = KeyFilter.mix(k);
                for (int i = 0; i < PROBES; i++) {
                    int bit = ((int) h + i * (int) (h >>> 32)) & (bits - 1);
                    words[bit >>> 6] |= 1L << bit;
                }
            }
        }
        ByteWriter w = new ByteWriter();
        w.writeVarLong(words.length);
        for (long word : words) {
            w.writeFixed64(word);
        }
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
        private final long[] words;
        private final boolean[] unknown = new boolean[PARSERS.length];
        private final List<Map<String, Range>> fields = List.of(new HashMap<>(), new HashMap<>());

        Stored(byte[] buf, int off, int len) {
            ByteReader r = new ByteReader(buf, off, len);
            words = new long[r.readVarInt()];
            if (words.length == 0 || Integer.bitCount(words.length) != 1) {
                throw new IllegalArgumentException("block summary: " + words.length + " filter words");
            }
            for (int i = 0; i < words.length; i++) {
                words[i] = r.readFixed64();
            }
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

        private boolean mightContain(long key) {
            long h = KeyFilter.mix(key);
            int bits = words.length * 64;
            for (int i = 0; i < PROBES; i++) {
                int bit = ((int) h + i * (int) (h >>> 32)) & (bits - 1);
                if ((words[bit >>> 6] & 1L << bit) == 0) {
                    return false;
                }
            }
            return true;
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
                if (!mightContain(trigramKey(b[i], b[i + 1], b[i + 2]))) {
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
                return mightContain(fieldKey(p, c.name(), c.text()));
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
