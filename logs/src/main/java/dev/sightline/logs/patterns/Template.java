package dev.sightline.logs.patterns;

import java.util.Arrays;

/**
 * One pattern of a service: its template (tokens, some of them variables), its level, its stable id and the line
 * counts per stream and time bucket. Guarded by the owning {@link ServiceMiner}'s lock.
 */
final class Template {
    static final String VARIABLE = "<_>";

    final String id;
    final int level;
    final long groupKey;
    private final String[] text;
    private final int[] coreStart;
    private final int[] coreEnd;
    private final boolean[] variable;
    private final boolean[] key;
    /** Tokens of a message key's value: when there are any, they alone decide which template a line joins. */
    private final boolean[] message;
    private final boolean hasMessage;
    private final int[] hash;
    private String rendered;
    long lines;
    long lastUsed;
    private int[] streams = new int[1];
    private BucketCounts[] counts = new BucketCounts[1];
    private int streamCount;

    Template(String service, LineTokens t, int level, long groupKey) {
        int n = t.count;
        this.level = level;
        this.groupKey = groupKey;
        text = new String[n];
        coreStart = new int[n];
        coreEnd = new int[n];
        variable = new boolean[n];
        key = new boolean[n];
        message = new boolean[n];
        hash = new int[n];
        boolean anyMessage = false;
        for (int i = 0; i < n; i++) {
            text[i] = t.text(i);
            coreStart[i] = t.coreStart[i] - t.start[i];
            coreEnd[i] = t.coreEnd[i] - t.start[i];
            variable[i] = t.masked[i];
            key[i] = t.kind[i] == LineTokens.KEY;
            message[i] = t.kind[i] == LineTokens.MESSAGE;
            anyMessage |= message[i];
            hash[i] = t.hash[i];
        }
        hasMessage = anyMessage;
        // Derived from what the pattern first looked like, so it does not change as the template generalises.
        this.id = id(service, Levels.NAMES[level], render());
    }

    /**
     * The share of this template's literal content tokens the line has equal; -1 when the line's structure (key
     * tokens) differs. Template variables count neither way, as in Drain. With a message field, only its words
     * count: "charge failed" and "refund failed" stay apart however many other fields they share, while a field
     * that varies under one message ({@code user=alice}, {@code user=bob}) becomes a variable on merging.
     */
    double similarity(LineTokens t) {
        int literal = 0;
        int equal = 0;
        for (int i = 0; i < text.length; i++) {
            boolean lineKey = t.kind[i] == LineTokens.KEY;
            if (key[i] || lineKey) {
                if (!(key[i] && lineKey && same(t, i))) {
                    return -1;
                }
            } else if (!variable[i] && (message[i] || !hasMessage)) {
                literal++;
                if (!t.masked[i] && same(t, i)) {
                    equal++;
                }
            }
        }
        return literal == 0 ? 1 : (double) equal / literal;
    }

    private boolean same(LineTokens t, int i) {
        return t.hash[i] == hash[i] && t.textEquals(i, text[i]);
    }

    /** Makes every literal content token the line differs in a variable. */
    void merge(LineTokens t) {
        for (int i = 0; i < text.length; i++) {
            if (!key[i] && !variable[i] && (t.masked[i] || !same(t, i))) {
                variable[i] = true;
                rendered = null;
            }
        }
    }

    /** Counts one line of stream {@code stream} in bucket {@code bucket}. */
    void count(int stream, int bucket, int windowBuckets) {
        lines++;
        for (int i = 0; i < streamCount; i++) {
            if (streams[i] == stream) {
                counts[i].add(bucket);
                return;
            }
        }
        if (streamCount == streams.length) {
            streams = Arrays.copyOf(streams, streamCount * 2);
            counts = Arrays.copyOf(counts, streamCount * 2);
        }
        streams[streamCount] = stream;
        BucketCounts c = new BucketCounts(windowBuckets);
        c.add(bucket);
        counts[streamCount++] = c;
    }

    /** Sums the counts of the streams {@code selected} marks, see {@link BucketCounts#sumInto}. */
    boolean sumInto(boolean[] selected, int from, int to, int per, long[] sums) {
        boolean any = false;
        for (int i = 0; i < streamCount; i++) {
            if (streams[i] < selected.length && selected[streams[i]]) {
                counts[i].sumInto(from, to, per, sums);
                any = true;
            }
        }
        return any;
    }

    int buckets() {
        int b = 0;
        for (int i = 0; i < streamCount; i++) {
            b += counts[i].buckets();
        }
        return b;
    }

    /** The line with its variable parts as {@code <_>}, the surrounding quotes and punctuation kept. */
    String render() {
        String r = rendered;
        if (r == null) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < text.length; i++) {
                if (variable[i]) {
                    sb.append(text[i], 0, coreStart[i]).append(VARIABLE).append(text[i], coreEnd[i], text[i].length());
                } else {
                    sb.append(text[i]);
                }
            }
            r = sb.toString();
            rendered = r;
        }
        return r;
    }

    /** 16 hex digits of a 64-bit FNV-1a hash of service, level and first text. */
    static String id(String service, String level, String firstText) {
        long h = 0xcbf29ce484222325L;
        h = fnv(h, service);
        h = fnv(h, level);
        h = fnv(h, firstText);
        return String.format("%016x", h);
    }

    private static long fnv(long h, String s) {
        for (int i = 0; i < s.length(); i++) {
            h ^= s.charAt(i);
            h *= 0x100000001b3L;
        }
        return (h ^ 0xff) * 0x100000001b3L; // a separator, so ("ab","c") and ("a","bc") differ
    }
}
