package dev.sightline.promql.anomaly;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The columns of a sample answer as separate one-column samples of their own values would (their NaN left out). */
class RollingSampleTest {
    @Property(tries = 100)
    void aColumnAnswersAsASampleOfItsOwnValues(@ForAll long seed) {
        Random r = new Random(seed);
        RollingSample both = new RollingSample(2, 5_000, 0);
        RollingSample[] alone = {new RollingSample(5_000, 0), new RollingSample(5_000, 0)};
        double[] row = new double[2];
        long t = 0;
        for (int i = 0; i < 600; i++) {
            t += 1_000;
            // Column 1 is NaN now and then; both are in rows where column 0 has a value, so maturity agrees.
            row[0] = Math.rint(r.nextGaussian() * 4);
            row[1] = r.nextDouble() < 0.2 ? Double.NaN : r.nextGaussian();
            both.add(t, row);
            for (int c = 0; c < 2; c++) {
                alone[c].add(t, row[c]);
            }
            if (r.nextDouble() < 0.7) {
                long through = t - 40_000 - r.nextInt(20_000);
                both.evictThrough(through);
                for (RollingSample a : alone) {
                    a.evictThrough(through);
                }
            }
            if (r.nextDouble() < 0.05) {
                both.trim();
            }
            // Read now and then only, so merges come in runs of several rows.
            if (r.nextDouble() < 0.3) {
                for (int c = 0; c < 2; c++) {
                    RollingSample.Column col = both.column(c);
                    String at = "seed " + seed + " point " + i + " column " + c;
                    assertThat(col.size()).as(at).isEqualTo(alone[c].size());
                    same(col.median(), alone[c].median(), at);
                    same(col.sigma(), alone[c].sigma(), at);
                    same(col.logP(row[0], 1, false), alone[c].logP(row[0], 1, false), at);
                    same(col.upperRankLogP(3, 0.5, 1), alone[c].upperRankLogP(3, 0.5, 1), at);
                }
            }
        }
    }

    /** The same double, NaN (a column with too few values) included. */
    private static void same(double a, double b, String at) {
        assertThat(Double.compare(a, b)).as(at + ": " + a + " vs " + b).isZero();
    }
}
