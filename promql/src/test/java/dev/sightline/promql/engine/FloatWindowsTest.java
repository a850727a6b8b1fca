package dev.sightline.promql.engine;

import dev.sightline.core.Labels;
import dev.sightline.promql.ast.MatrixSelector;
import dev.sightline.promql.parser.PromQLParser;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class FloatWindowsTest {
    /**
     * RangeData.floatWindows, by arithmetic over evenly spaced points or by walking the others, gives every step the
     * window that {@code window}'s binary searches give: points evenly spaced at spacings that divide the step or do
     * not, starting before, inside or after the query, on windows' edges or not, windows shorter and longer than the
     * step, with offsets and @, and points with one gap or one shifted point.
     */
    @Test
    void everyStepGetsTheWindowOfItsSearch() throws Exception {
        SplittableRandom r = new SplittableRandom(19);
        long[] spacings = {1_000, 5_000, 15_000, 20_000, 60_000, 7_000, 45_000};
        String[] modifiers = {"", " offset 1m", " offset 17s", " offset -30s", " @ 1000", " @ start()"};
        for (int round = 0; round < 2_000; round++) {
            long step = 60_000;
            long start = 3_600_000 + r.nextInt(60) * 1_000L;
            long end = start + r.nextInt(300) * step;
            String range = (1 + r.nextInt(20)) + "m";
            String modifier = modifiers[r.nextInt(modifiers.length)];
            MatrixSelector ms = (MatrixSelector) PromQLParser.parseExpr("m[" + range + "]" + modifier);
            Evaluator ev = new Evaluator(EngineOptions.defaults(), null, start, end, step, start, end, new Annotations(),
                    Long.MAX_VALUE, step);
            Evaluator.RangeData rd = ev.rangeOf(ms, List.of());

            long spacing = spacings[r.nextInt(spacings.length)];
            // On whole seconds half the time, so that points fall on windows' edges.
            long first = start - 1_800_000 + r.nextInt(3_600) * 1_000L + (r.nextBoolean() ? 0 : r.nextInt(1_000));
            int n = r.nextInt(1 + (int) ((end - start + 3_600_000) / spacing));
            int flaw = r.nextInt(4) == 0 && n > 2 ? 1 + r.nextInt(n - 2) : -1;
            boolean gap = r.nextBoolean();
            MatrixSeries s = new MatrixSeries(Labels.EMPTY);
            for (int i = 0; i < n; i++) {
                long t = first + i * spacing;
                if (i == flaw && gap) {
                    continue;
                }
                s.addFloat(i == flaw ? t - 1 - r.nextInt((int) spacing - 1) : t, i);
            }
            int[] from = new int[ev.numSteps];
            int[] to = new int[ev.numSteps];
            rd.floatWindows(s, from, to);
            for (int k = 0; k < ev.numSteps; k++) {
                int[] w = rd.window(s, rd.refTime(ev.stepTime(k)));
                assertThat(new int[]{from[k], to[k]}).as("round %d step %d: m[%s]%s, %d points from %d every %d, flaw at %d",
                        round, k, range, modifier, n, first, spacing, flaw).containsExactly(w[0], w[1]);
            }
        }
    }
}
