package dev.sightline.promql.engine;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class WindowAveragesTest {
    /**
     * Windows as a range query's steps make them: runs of evenly spaced starts (summed side by side) with lengths that
     * vary, empty windows, uneven stretches between runs; values plain, huge (overflowing sums), signed zeros and
     * specials. Every window answers as {@link Kernels#avg} alone, bit for bit.
     */
    @Test
    void everyWindowAnswersAsAvgOfItAlone() {
        SplittableRandom r = new SplittableRandom(44);
        double[] special = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.MAX_VALUE, -0.0, 0.0};
        double[] v = new double[6000];
        int[] from = new int[1500];
        int[] to = new int[1500];
        double[] out = new double[1500];
        WindowAverages averages = new WindowAverages();
        for (int round = 0; round < 300; round++) {
            int kind = r.nextInt(5);
            for (int i = 0; i < v.length; i++) {
                v[i] = switch (kind) {
                    case 0 -> r.nextInt(40) == 0 ? special[r.nextInt(special.length)] : 1e8 + r.nextDouble() * 1e9;
                    case 1 -> (r.nextBoolean() ? 1 : -1) * r.nextDouble() * Double.MAX_VALUE / (1 + r.nextInt(100));
                    case 2 -> r.nextBoolean() ? -0.0 : 0.0;
                    default -> (r.nextBoolean() ? 1 : -1) * r.nextDouble() * Math.pow(10, r.nextInt(30) - 15);
                };
            }
            int n = 0;
            int start = r.nextInt(20);
            while (n < from.length) {
                int d = r.nextInt(6); // 0: an uneven stretch
                int len = 1 + r.nextInt(50);
                int runLen = Math.min(from.length - n, 1 + r.nextInt(600));
                for (int k = 0; k < runLen && start < v.length; k++, n++) {
                    from[n] = start;
                    int l = r.nextInt(10) == 0 ? 0 : Math.max(0, len + r.nextInt(3) - 1);
                    to[n] = Math.min(v.length, start + l);
                    out[n] = -1;
                    start += d > 0 ? d : r.nextInt(4);
                }
                if (start >= v.length) {
                    break;
                }
            }
            averages.avgs(v, from, to, n, out);
            for (int j = 0; j < n; j++) {
                double expected = to[j] > from[j] ? Kernels.avg(v, from[j], to[j]) : -1;
                // Bit for bit, except a NaN's sign and payload: Java leaves them to the hardware and the JIT (the
                // same sum of +Inf and -Inf came out as NaN and as -NaN between runs); every NaN prints as NaN.
                assertThat(Double.doubleToLongBits(out[j])).as("round %d window %d [%d, %d)", round, j, from[j], to[j])
                        .isEqualTo(Double.doubleToLongBits(expected));
            }
        }
    }
}
