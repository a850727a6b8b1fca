package dev.sightline.promql.engine;

/**
 * avg_over_time of all steps' windows of one series: {@link Kernels#avg} of each, bit for bit, with buffers reused
 * across series (one instance per thread).
 *
 * <p>Windows whose starts advance by a constant stride d (a range query's steps over regularly scraped points: at
 * 60 s steps over 15 s points, d = 4) are summed side by side, a block of them at a time: the points are first laid
 * out as d planes, plane r holding points r, r + d, r + 2d, ..., so that the i-th points of consecutive windows sit
 * next to each other, and each of a window's additions becomes one pass over a row of the block, which the JIT turns
 * into vector instructions (2.5x faster than {@link Kernels#avgs}, whose four scalar chains it replaces there). Each
 * window still adds its own points in its own order. The compensation uses Knuth's branch-free TwoSum instead of
 * Neumaier's comparison: both give the addition's exact rounding error, so the compensations are the same values.
 * Other windows go to {@link Kernels#avgs}.
 */
final class WindowAverages {
    /** Windows summed side by side: their sums, compensations and a row of points stay in the L1 cache. */
    private static final int BLOCK = 256;
    /** Shorter runs of evenly spaced windows go to {@link Kernels#avgs}: laying out their points would cost more. */
    private static final int MIN_RUN = 16;
    private double[] planes = new double[0];
    private final double[] row = new double[BLOCK];
    private final double[] row2 = new double[BLOCK];
    private final double[] sums = new double[BLOCK];
    private final double[] comps = new double[BLOCK];

    /** {@link Kernels#avg} of the windows {@code v[from[j], to[j])} into {@code out[j]}, j < n; empty ones left alone. */
    void avgs(double[] v, int[] from, int[] to, int n, double[] out) {
        int done = 0;
        int j = 0;
        while (j < n) {
            int d = j + 1 < n ? from[j + 1] - from[j] : 0;
            int k = j + 1;
            if (d > 0) {
                while (k < n && from[k] - from[k - 1] == d) {
                    k++;
                }
            }
            if (k - j < MIN_RUN) {
                // The run's last window may begin the next one.
                j = Math.max(j + 1, k - 1);
                continue;
            }
            Kernels.avgs(v, from, to, done, j, out);
            strided(v, from, to, j, k, d, out);
            done = k;
            j = k;
        }
        Kernels.avgs(v, from, to, done, n, out);
    }

    /** The windows lo <= j < hi, whose starts advance by {@code d}. */
    private void strided(double[] v, int[] from, int[] to, int lo, int hi, int d, double[] out) {
        int base = from[lo];
        int end = base;
        for (int j = lo; j < hi; j++) {
            end = Math.max(end, to[j]);
        }
        int m = (end - base + d - 1) / d;
        if (planes.length < d * m) {
            planes = new double[d * m];
        }
        double[] p = planes;
        for (int r = 0; r < d; r++) {
            int o = r * m;
            for (int k = 0, i = base + r; k < m; k++, i += d) {
                p[o + k] = i < end ? v[i] : 0;
            }
        }
        double[] row = this.row;
        double[] row2 = this.row2;
        double[] s = sums;
        double[] c = comps;
        for (int b = lo; b < hi; b += BLOCK) {
            int bw = Math.min(BLOCK, hi - b);
            int common = Integer.MAX_VALUE;
            for (int j = b; j < b + bw; j++) {
                common = Math.min(common, to[j] - from[j]);
            }
            java.util.Arrays.fill(s, 0, bw, 0);
            java.util.Arrays.fill(c, 0, bw, 0);
            int q0 = from[b] - base;
            int k = 0;
            for (; k + 1 < common; k += 2) {
                // The k-th points of windows b.. b + bw - 1: consecutive in plane q % d. Copied to a row of their
                // own, as the loop below vectorises only over arrays read and written at the same index. Two
                // points a pass: a window's sum and compensation are loaded and stored once for both.
                int q = q0 + k;
                System.arraycopy(p, (q % d) * m + q / d, row, 0, bw);
                System.arraycopy(p, ((q + 1) % d) * m + (q + 1) / d, row2, 0, bw);
                for (int w = 0; w < bw; w++) {
                    double x = row[w];
                    double sw = s[w];
                    double t = sw + x;
                    double bp = t - sw;
                    double cw = c[w] + ((sw - (t - bp)) + (x - bp));
                    double y = row2[w];
                    double u = t + y;
                    double bq = u - t;
                    c[w] = cw + ((t - (u - bq)) + (y - bq));
                    s[w] = u;
                }
            }
            if (k < common) {
                int q = q0 + k;
                System.arraycopy(p, (q % d) * m + q / d, row, 0, bw);
                for (int w = 0; w < bw; w++) {
                    double x = row[w];
                    double sw = s[w];
                    double t = sw + x;
                    double bp = t - sw;
                    c[w] += (sw - (t - bp)) + (x - bp);
                    s[w] = t;
                }
            }
            for (int w = 0; w < bw; w++) {
                int j = b + w;
                int f = from[j];
                int len = to[j] - f;
                if (len <= 0) {
                    continue;
                }
                double sw = s[w];
                double cw = c[w];
                for (int i = f + common; i < f + len; i++) {
                    double x = v[i];
                    double t = sw + x;
                    double bp = t - sw;
                    cw += (sw - (t - bp)) + (x - bp);
                    sw = t;
                }
                // As Kernels.avg: a finite sum means no partial sum overflowed. Starting from 0 rather than the
                // first point changes at most the sign of a zero sum, which the added compensation (+0 or not
                // zero) hides. A compensation that overflowed where Neumaier's would not is answered the slow way.
                out[j] = Double.isFinite(sw) && Double.isFinite(cw) ? sw / len + cw / len : Kernels.avgChecked(v, f, f + len);
            }
        }
    }
}
