package dev.sightline.server.anomalyeval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The Numenta Anomaly Benchmark's scoring rules (Lavin and Ahmad, "Evaluating Real-time Anomaly Detection Algorithms
 * - the Numenta Anomaly Benchmark", 2015, and NAB's README), our own code:
 * <ul>
 *   <li>A row is a detection when its score is {@code >=} the threshold.</li>
 *   <li>Each labelled window is worth its earliest detection: {@code tp x S(y) / S(-1)} with the scaled sigmoid
 *       {@code S(y) = 2 / (1 + e^(5y)) - 1} of the relative position {@code y = -(right - i + 1) / width} (-1 at the
 *       window's first row, near 0 at its last); later detections in the same window count for nothing. A window
 *       without a detection costs {@code -fn}.</li>
 *   <li>A detection outside every window costs {@code fp x S(y)} (negative) with {@code y = (i - right) / (width - 1)}
 *       of the window before it, so a detection just after a window costs little; before any window, and from 3
 *       widths on, it costs the full {@code -fp}. True negatives count 0 in every profile.</li>
 *   <li>The first 15% of each file's rows, at most 750, is probation: not scored at all (nor a window lying
 *       wholly in it).</li>
 *   <li>One threshold per profile for the whole corpus, the one with the highest total (the highest such threshold
 *       on ties), found exactly by sweeping every distinct score from the top as NAB's sweeper does.</li>
 *   <li>Normalized to 100 x (raw - null) / (perfect - null): the null detector (no detection, every window missed)
 *       scores 0, the perfect one (each window detected at its first row, nothing else) 100.</li>
 * </ul>
 */
public final class NabScorer {
    /** NAB's probation: this share of each file's rows, but at most {@code PROBATION_SHARE x 5000} rows. */
    static final double PROBATION_SHARE = 0.15;
    /** The threshold NAB reports when the best is to detect nothing: above every score in [0,1]. */
    public static final double NO_DETECTION = 1.1;
    private static final double MAX_TP = scaledSigmoid(-1);

    /** An application profile: the weight of a true positive, a false positive and a false negative. */
    public record Profile(String name, double tp, double fp, double fn) {
    }

    public static final Profile STANDARD = new Profile("standard", 1.0, 0.11, 1.0);
    public static final List<Profile> PROFILES = List.of(STANDARD,
            new Profile("reward_low_FP", 1.0, 0.22, 1.0),
            new Profile("reward_low_FN", 1.0, 0.11, 2.0));

    /** A labelled window, both ends included, in epoch milliseconds. */
    public record Window(long start, long end) {
    }

    /** One file's rows (times and scores in file order, {@code rows} of them) and its windows in time order. */
    public record Series(String name, long[] ts, double[] scores, int rows, List<Window> windows) {
    }

    /** A profile's result: its threshold, raw and normalized score, and at that threshold the windows detected. */
    public record Result(Profile profile, double threshold, double raw, double normalized, int windowsFound,
                         int windows) {
    }

    /** Every scored row of the corpus: its score and what a detection there is worth before the profile's weight. */
    private final double[] score;
    private final double[] sigmoid;
    /** The row's window (index into the corpus's windows), or -1 outside every window. */
    private final int[] window;
    /** Rows sorted by score, highest first. */
    private final int[] order;
    private final int windows;

    /** Prepares {@code files} for scoring; a window that holds no row is an error naming the file and window. */
    public NabScorer(List<Series> files) {
        int total = 0;
        for (Series f : files) {
            total += f.rows() - probation(f.rows());
        }
        score = new double[total];
        sigmoid = new double[total];
        window = new int[total];
        int k = 0;
        int w = 0;
        for (Series f : files) {
            int[][] bounds = bounds(f);
            int probation = probation(f.rows());
            int skipped = skippedBefore(bounds, probation);
            int next = 0;
            int prevRight = -1;
            int prevWidth = 0;
            for (int i = probation; i < f.rows(); i++) {
                while (next < bounds.length && bounds[next][1] < i) {
                    prevRight = bounds[next][1];
                    prevWidth = bounds[next][1] - bounds[next][0] + 1;
                    next++;
                }
                score[k] = f.scores()[i];
                if (next < bounds.length && bounds[next][0] <= i) {
                    int left = bounds[next][0];
                    int right = bounds[next][1];
                    sigmoid[k] = scaledSigmoid(-(right - i + 1) / (double) (right - left + 1)) / MAX_TP;
                    // Windows are numbered over the corpus, counting only those reaching past probation.
                    window[k] = w + next - skipped;
                } else {
                    // A width-1 window divides by 0: +Infinity, the full cost, as in NAB.
                    sigmoid[k] = prevRight < 0 ? -1 : scaledSigmoid((i - prevRight) / (double) (prevWidth - 1));
                    window[k] = -1;
                }
                k++;
            }
            w += bounds.length - skipped;
        }
        windows = w;
        order = sortedByScoreDescending(score);
    }

    /** Windows of {@code bounds} that end inside probation (never scored). */
    private static int skippedBefore(int[][] bounds, int probation) {
        int s = 0;
        while (s < bounds.length && bounds[s][1] < probation) {
            s++;
        }
        return s;
    }

    /** Windows that reach past probation: what the null detector misses and the perfect one finds. */
    public int windows() {
        return windows;
    }

    /** The best threshold for {@code p} and its scores. */
    public Result score(Profile p) {
        double[] best = new double[windows];
        Arrays.fill(best, -p.fn());
        double total = -p.fn() * windows;
        double bestTotal = total;
        double threshold = NO_DETECTION;
        for (int j = 0; j < order.length; ) {
            double s = score[order[j]];
            // Every row with this score becomes a detection at once.
            for (; j < order.length && score[order[j]] == s; j++) {
                int r = order[j];
                if (window[r] < 0) {
                    total += p.fp() * sigmoid[r];
                } else {
                    double v = p.tp() * sigmoid[r];
                    if (v > best[window[r]]) {
                        total += v - best[window[r]];
                        best[window[r]] = v;
                    }
                }
            }
            if (total > bestTotal) {
                bestTotal = total;
                threshold = s;
            }
        }
        return new Result(p, threshold, bestTotal, normalize(bestTotal, p), found(threshold), windows);
    }

    /** Windows with a detection at {@code threshold}. */
    private int found(double threshold) {
        boolean[] hit = new boolean[windows];
        int n = 0;
        for (int r = 0; r < score.length; r++) {
            if (window[r] >= 0 && score[r] >= threshold && !hit[window[r]]) {
                hit[window[r]] = true;
                n++;
            }
        }
        return n;
    }

    /**
     * The share of scored rows (after probation) of the files without a window that are detections at
     * {@code threshold}; NaN when there is no such file.
     */
    public static double quietFalsePositiveRate(List<Series> files, double threshold) {
        long rows = 0;
        long hits = 0;
        for (Series f : files) {
            if (f.windows().isEmpty()) {
                for (int i = probation(f.rows()); i < f.rows(); i++) {
                    rows++;
                    if (f.scores()[i] >= threshold) {
                        hits++;
                    }
                }
            }
        }
        return rows == 0 ? Double.NaN : hits / (double) rows;
    }

    /** 100 x (raw - null) / (perfect - null); NaN when the corpus has no scored window. */
    double normalize(double raw, Profile p) {
        double nullScore = -p.fn() * windows;
        double perfect = p.tp() * windows;
        return windows == 0 ? Double.NaN : 100 * (raw - nullScore) / (perfect - nullScore);
    }

    /** NAB's scaled sigmoid: 2 / (1 + e^(5y)) - 1, and -1 from y = 3 on. */
    static double scaledSigmoid(double y) {
        return y >= 3 ? -1 : 2 / (1 + Math.exp(5 * y)) - 1;
    }

    /** Rows of a file of {@code rows} rows that are probation. */
    static int probation(int rows) {
        return (int) Math.min(Math.floor(PROBATION_SHARE * rows), PROBATION_SHARE * 5000);
    }

    /**
     * Each window's first and last row: the first and last row whose time lies in it (rows whose time repeats or
     * steps back keep their place in the file). Windows must be in time order, not overlap, and hold a row.
     */
    private static int[][] bounds(Series f) {
        int[][] b = new int[f.windows().size()][];
        for (int w = 0; w < b.length; w++) {
            Window win = f.windows().get(w);
            if (win.end() < win.start()) {
                throw new IllegalArgumentException(f.name() + ": window " + (w + 1) + " ends before it starts");
            }
            int left = -1;
            int right = -1;
            for (int i = 0; i < f.rows(); i++) {
                if (f.ts()[i] >= win.start() && f.ts()[i] <= win.end()) {
                    if (left < 0) {
                        left = i;
                    }
                    right = i;
                }
            }
            if (left < 0) {
                throw new IllegalArgumentException(f.name() + ": window " + (w + 1) + " holds no row");
            }
            if (w > 0 && left <= b[w - 1][1]) {
                throw new IllegalArgumentException(f.name() + ": window " + (w + 1)
                        + " overlaps or precedes the window before it; windows must be in time order");
            }
            b[w] = new int[] {left, right};
        }
        return b;
    }

    private static int[] sortedByScoreDescending(double[] score) {
        List<Integer> idx = new ArrayList<>(score.length);
        for (int i = 0; i < score.length; i++) {
            idx.add(i);
        }
        idx.sort((a, b) -> Double.compare(score[b], score[a]));
        return idx.stream().mapToInt(Integer::intValue).toArray();
    }
}
