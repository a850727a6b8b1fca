package dev.sightline.logs.patterns;

import java.util.Arrays;

/**
 * A line cut into tokens for the miner, without copying it: each token is a range of the line that includes the
 * whitespace and punctuation before it, so the tokens laid end to end give the line back (trailing whitespace aside)
 * and a template renders as the line with its variable parts replaced by {@code <_>}.
 * <p>
 * Kinds: a <em>key</em> token is structure ({@code level=} of logfmt, {@code ,"msg":} of JSON, a JSON line's closing
 * brace) and must match exactly for two lines to share a template, so lines with different key sets never merge; a
 * <em>value</em> or <em>word</em> token is content the miner may generalise. A token is <em>masked</em> (variable
 * before any clustering) when its core (the token without surrounding quotes and punctuation) contains a digit
 * (numbers, durations, IPs, hex ids, UUIDs, timestamps) or is longer than {@value #MAX_LITERAL}, and so is every
 * quoted logfmt value and every JSON array or number: free-form text of varying word count would otherwise split a
 * template by token count. The value of a message key ({@code msg message log content _msg error err}) is split into
 * <em>message</em> words instead, since it carries the template.
 * <p>
 * One instance per thread: {@link #read} reuses its arrays, so tokenising allocates nothing once they have grown.
 */
final class LineTokens {
    static final int KEY = 0;
    static final int WORD = 1;
    static final int VALUE = 2;
    /** A word of a message key's value. */
    static final int MESSAGE = 3;
    /** A core longer than this is taken for an id or a payload (base64, tokens), not a word. */
    static final int MAX_LITERAL = 40;

    private final int maxTokens;
    String line;
    int count;
    int[] start = new int[32];
    int[] end = new int[32];
    int[] coreStart = new int[32];
    int[] coreEnd = new int[32];
    int[] kind = new int[32];
    boolean[] masked = new boolean[32];
    int[] hash = new int[32];
    /** The range of the first level field's value ({@code level=}, {@code "severity":}), or -1. */
    int levelStart;
    int levelEnd;
    /** Set once the token budget is used: the rest of the line goes into one masked tail token. */
    private int tailFrom;

    LineTokens(int maxTokens) {
        if (maxTokens < 2) {
            throw new IllegalArgumentException("maxTokensPerLine must be at least 2, got " + maxTokens);
        }
        this.maxTokens = maxTokens;
    }

    /** Tokenises {@code l}: a JSON object line by its structure (falling back to text if it does not scan), else as text/logfmt. */
    void read(String l) {
        line = l;
        int first = 0;
        int n = l.length();
        while (first < n && l.charAt(first) <= ' ') {
            first++;
        }
        if (first < n && l.charAt(first) == '{' && readJson(first)) {
            return;
        }
        readText();
    }

    private void reset() {
        count = 0;
        levelStart = -1;
        levelEnd = -1;
        tailFrom = -1;
    }

    private void readText() {
        reset();
        String l = line;
        int n = l.length();
        int i = 0;
        while (i < n && tailFrom < 0) {
            int from = i;
            while (i < n && l.charAt(i) <= ' ') {
                i++;
            }
            if (i == n) {
                break;
            }
            int k = i;
            while (k < n && isKeyChar(l.charAt(k))) {
                k++;
            }
            if (k > i && k < n && l.charAt(k) == '=') {
                add(from, k + 1, i, k, KEY, false);
                boolean message = isMessageKey(l, i, k);
                boolean levelKey = isLevelKey(l, i, k);
                i = k + 1;
                if (i < n && l.charAt(i) == '"') {
                    int close = closingQuote(l, i, n);
                    if (levelKey) {
                        setLevel(i + 1, Math.min(close, n));
                    }
                    int stop = Math.min(close + 1, n);
                    if (message) {
                        words(i, stop);
                    } else {
                        add(i, stop, i + 1, Math.max(i + 1, Math.min(close, n)), VALUE, true);
                    }
                    i = stop;
                } else {
                    int e = i;
                    while (e < n && l.charAt(e) > ' ') {
                        e++;
                    }
                    if (levelKey) {
                        setLevel(i, e);
                    }
                    addStripped(i, e, VALUE);
                    i = e;
                }
            } else {
                int e = i;
                while (e < n && l.charAt(e) > ' ') {
                    e++;
                }
                addStripped(from, e, WORD);
                i = e;
            }
        }
        finishTail();
    }

    /** The message words of {@code [from, to)}, split at whitespace, each with the whitespace before it. */
    private void words(int from, int to) {
        String l = line;
        int i = from;
        while (i < to && tailFrom < 0) {
            int s = i;
            while (i < to && l.charAt(i) <= ' ') {
                i++;
            }
            if (i == to) {
                // Whitespace at the end of a quoted message belongs to the closing quote's token; keep it literal.
                if (count > 0 && end[count - 1] == s) {
                    end[count - 1] = to;
                    hash[count - 1] = hashOf(start[count - 1], to);
                }
                break;
            }
            int e = i;
            while (e < to && l.charAt(e) > ' ') {
                e++;
            }
            addStripped(s, e, MESSAGE);
            i = e;
        }
    }

    /**
     * Scans a JSON object line. Keys with the punctuation before them become key tokens; strings of message keys are
     * split into words, other strings are one value token; numbers and arrays are masked values. False when the line
     * is not one well-formed-enough object (the caller then reads it as text).
     */
    private boolean readJson(int open) {
        reset();
        String l = line;
        int n = l.length();
        int i = open + 1;
        int tokenFrom = 0;
        int depth = 1;
        while (tailFrom < 0) {
            i = skipSpace(l, i, n);
            if (i >= n) {
                return false;
            }
            char c = l.charAt(i);
            if (c == '}') {
                i++;
                if (--depth == 0) {
                    break;
                }
                continue;
            }
            if (c == ',') {
                i++;
                continue;
            }
            if (c != '"') {
                return false;
            }
            int keyClose = closingQuote(l, i, n);
            if (keyClose >= n) {
                return false;
            }
            int colon = skipSpace(l, keyClose + 1, n);
            if (colon >= n || l.charAt(colon) != ':') {
                return false;
            }
            int v = skipSpace(l, colon + 1, n);
            if (v >= n) {
                return false;
            }
            add(tokenFrom, v, i + 1, keyClose, KEY, false);
            boolean message = isMessageKey(l, i + 1, keyClose);
            boolean levelKey = isLevelKey(l, i + 1, keyClose);
            char vc = l.charAt(v);
            int after;
            if (vc == '"') {
                int close = closingQuote(l, v, n);
                if (close >= n) {
                    return false;
                }
                after = close + 1;
                if (levelKey) {
                    setLevel(v + 1, close);
                }
                if (message && close > v + 1) {
                    words(v, after);
                } else {
                    addStripped(v, after, VALUE);
                }
            } else if (vc == '{') {
                depth++;
                // The brace opens the nested object's first key token.
                tokenFrom = v;
                i = v + 1;
                continue;
            } else if (vc == '[') {
                after = skipArray(l, v, n);
                if (after < 0) {
                    return false;
                }
                add(v, after, v, after, VALUE, after - v > 2);
            } else {
                after = v;
                while (after < n && l.charAt(after) != ',' && l.charAt(after) != '}' && l.charAt(after) > ' ') {
                    after++;
                }
                if (after == v) {
                    return false;
                }
                // Numbers are variables; true, false and null stay literal for the miner to judge.
                add(v, after, v, after, VALUE, vc == '-' || vc >= '0' && vc <= '9');
            }
            i = after;
            tokenFrom = after;
        }
        if (tailFrom < 0) {
            if (skipSpace(l, i, n) != n) {
                return false; // something after the object: not a JSON line
            }
            add(tokenFrom, i, i, i, KEY, false);
        }
        finishTail();
        return true;
    }

    private void finishTail() {
        if (tailFrom < 0) {
            return;
        }
        int from = tailFrom;
        int core = skipSpace(line, from, line.length());
        tailFrom = -1;
        // The token budget is spent: one masked token holds the rest, so long lines of one template stay together.
        put(from, line.length(), core, line.length(), VALUE, true);
    }

    /** Adds a token whose core is the range without surrounding quotes and punctuation, masked when variable. */
    private void addStripped(int from, int to, int kind) {
        String l = line;
        int cs = from;
        while (cs < to && (l.charAt(cs) <= ' ' || isOpening(l.charAt(cs)))) {
            cs++;
        }
        int ce = to;
        while (ce > cs && isClosing(l.charAt(ce - 1))) {
            ce--;
        }
        add(from, to, cs, ce, kind, isVariable(l, cs, ce));
    }

    private void add(int from, int to, int cs, int ce, int kind, boolean mask) {
        if (count == maxTokens - 1) {
            tailFrom = from;
            return;
        }
        put(from, to, cs, ce, kind, mask);
    }

    private void put(int from, int to, int cs, int ce, int k, boolean mask) {
        if (count == start.length) {
            int cap = count * 2;
            start = Arrays.copyOf(start, cap);
            end = Arrays.copyOf(end, cap);
            coreStart = Arrays.copyOf(coreStart, cap);
            coreEnd = Arrays.copyOf(coreEnd, cap);
            kind = Arrays.copyOf(kind, cap);
            masked = Arrays.copyOf(masked, cap);
            hash = Arrays.copyOf(hash, cap);
        }
        start[count] = from;
        end[count] = to;
        coreStart[count] = cs;
        coreEnd[count] = ce;
        kind[count] = k;
        masked[count] = mask;
        hash[count] = mask ? 0 : hashOf(from, to);
        count++;
    }

    private int hashOf(int from, int to) {
        int h = 0;
        for (int i = from; i < to; i++) {
            h = 31 * h + line.charAt(i);
        }
        return h;
    }

    private void setLevel(int from, int to) {
        if (levelStart < 0) {
            levelStart = from;
            levelEnd = to;
        }
    }

    /** True when token {@code i}'s text equals {@code s}. */
    boolean textEquals(int i, String s) {
        int len = end[i] - start[i];
        return s.length() == len && line.regionMatches(start[i], s, 0, len);
    }

    String text(int i) {
        return line.substring(start[i], end[i]);
    }

    static boolean isVariable(String l, int from, int to) {
        if (to - from > MAX_LITERAL) {
            return true;
        }
        for (int i = from; i < to; i++) {
            char c = l.charAt(i);
            if (c >= '0' && c <= '9') {
                return true;
            }
        }
        return false;
    }

    private static boolean isOpening(char c) {
        return c == '"' || c == '\'' || c == '(' || c == '[' || c == '{' || c == '<' || c == '`';
    }

    private static boolean isClosing(char c) {
        return c == '"' || c == '\'' || c == ')' || c == ']' || c == '}' || c == '>' || c == '`' || c == ','
                || c == ';' || c == ':' || c == '.' || c == '!' || c == '?';
    }

    private static boolean isKeyChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-';
    }

    private static int skipSpace(String l, int i, int n) {
        while (i < n && l.charAt(i) <= ' ') {
            i++;
        }
        return i;
    }

    /** The index of the quote closing the string opened at {@code open} (backslash escapes skipped), or n. */
    private static int closingQuote(String l, int open, int n) {
        for (int i = open + 1; i < n; i++) {
            char c = l.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                return i;
            }
        }
        return n;
    }

    /** The index after the array opened at {@code open}, strings and nesting respected; -1 when it does not close. */
    private static int skipArray(String l, int open, int n) {
        int depth = 0;
        for (int i = open; i < n; i++) {
            char c = l.charAt(i);
            if (c == '"') {
                i = closingQuote(l, i, n);
            } else if (c == '[' || c == '{') {
                depth++;
            } else if ((c == ']' || c == '}') && --depth == 0) {
                return i + 1;
            }
        }
        return -1;
    }

    private static boolean isMessageKey(String l, int from, int to) {
        return is(l, from, to, "msg") || is(l, from, to, "message") || is(l, from, to, "log")
                || is(l, from, to, "content") || is(l, from, to, "_msg") || is(l, from, to, "error")
                || is(l, from, to, "err");
    }

    private static boolean isLevelKey(String l, int from, int to) {
        return is(l, from, to, "level") || is(l, from, to, "lvl") || is(l, from, to, "severity")
                || is(l, from, to, "loglevel") || is(l, from, to, "log.level");
    }

    private static boolean is(String l, int from, int to, String word) {
        return to - from == word.length() && l.regionMatches(true, from, word, 0, word.length());
    }
}
