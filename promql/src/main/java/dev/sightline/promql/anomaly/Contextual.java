package dev.sightline.promql.anomaly;

/**
 * Unusual contexts: the last few points, written as a short word of rank symbols, and p the share of the window's
 * words (this one included) that are at most as frequent as this one: a novel word among n others that were all
 * common has p = 1 / (n + 1).
 *
 * <p>The context of a point is it and the {@code length - 1} points before it, cut into {@link #SEGMENTS} equal
 * segments; each segment's mean becomes one of {@link #SYMBOLS} symbols by its mid-rank among the window's values
 * (quartiles: low, lower middle, upper middle, high; ties share a rank, so flat and quantized series give stable
 * words). That is SAX over ranks, and the p-value is a conformal one: under a stable series every word is as likely
 * to be among the rare ones as the others, so quiet data stay calibrated whatever their distribution. It sees what
 * the point detectors do not: values each usual on their own in an unusual order (a ramp that stalls, a missing
 * peak, a night at day level following an evening at evening level).
 */
public final class Contextual extends PointStream {
    static final int SEGMENTS = 4;
    static final int SYMBOLS = 4;
    static final int WORDS = 256; // SYMBOLS ^ SEGMENTS
    /** Words the window needs before a word is judged. */
    static final int MIN_WORDS = 100;

    private final int length;
    private final double[] recent;
    private long seen;
    private final RollingSample values = new RollingSample();
    private final int[] count = new int[WORDS];
    private final TimeRing wordTimes = new TimeRing();
    private int[] words = new int[256];
    private int wordHead;

    /** {@code length}: points in a context, a multiple of {@link #SEGMENTS}. */
    public Contextual(int length) {
        if (length < SEGMENTS || length % SEGMENTS != 0) {
            throw new IllegalArgumentException("context length must be a positive multiple of " + SEGMENTS
                    + ", got " + length);
        }
        this.length = length;
        this.recent = new double[length];
    }

    @Override
    void accept(long t, double v) {
        values.add(t, v);
        recent[(int) (seen++ % length)] = v;
        if (seen < length) {
            return;
        }
        int word = 0;
        int per = length / SEGMENTS;
        for (int s = 0; s < SEGMENTS; s++) {
            double sum = 0;
            for (int i = 0; i < per; i++) {
                sum += recent[(int) ((seen - length + s * per + i) % length)];
            }
            int symbol = (int) (values.rankFraction(sum / per) * SYMBOLS);
            word = word * SYMBOLS + Math.min(SYMBOLS - 1, symbol);
        }
        int n = wordTimes.size();
        if (n >= MIN_WORDS) {
            // The conformal p-value of the last symbol's frequency after this prefix, counted with this word among
            // the others (a novel ending ties with every ending seen once). Conditioning on the prefix judges each
            // event once, as its first segment ends: the later contexts that still hold it start with it.
            int prefix = word - word % SYMBOLS;
            int c = count[word] + 1;
            long atMost = 0, group = 1;
            for (int k = prefix; k < prefix + SYMBOLS; k++) {
                int ck = count[k] + (k == word ? 1 : 0);
                group += count[k];
                if (ck <= c) {
                    atMost += ck;
                }
            }
            logP = Math.log((double) atMost / group);
        }
        pushWord(t, word);
    }

    private void pushWord(long t, int word) {
        int n = wordTimes.size();
        if (n == words.length) {
            int[] g = new int[n * 2];
            for (int i = 0; i < n; i++) {
                g[i] = words[(wordHead + i) % n];
            }
            words = g;
            wordHead = 0;
        }
        words[(wordHead + n) % words.length] = word;
        wordTimes.add(t);
        count[word]++;
    }

    @Override
    void evict(long t) {
        values.evictThrough(t);
        int before = wordTimes.size();
        wordTimes.evictThrough(t);
        for (int k = wordTimes.size(); k < before; k++) {
            count[words[wordHead]]--;
            wordHead = (wordHead + 1) % words.length;
        }
    }

    @Override
    void reset() {
        values.clear();
        wordTimes.clear();
        java.util.Arrays.fill(count, 0);
        wordHead = 0;
        seen = 0;
    }
}
