package dev.sightline.server.anomalyeval;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * NAB's rules on hand-computed cases. The file: 40 rows one second apart (row i at i x 1000 ms), so probation is
 * floor(0.15 x 40) = 6 rows; one window on rows 10..13 (width 4). With S(y) = 2 / (1 + e^(5y)) - 1 = tanh(-5y/2):
 * S(-1) = tanh(2.5) = 0.98661, the maximum true positive. Standard profile unless said: null = -1, perfect = +1, so
 * normalized = 100 x (raw + 1) / 2.
 */
class NabScorerTest {
    private static final NabScorer.Window WINDOW = new NabScorer.Window(10_000, 13_000);

    /** A 40-row file with {@code score} at the given rows (pairs row, score) and 0 elsewhere. */
    private static NabScorer.Series file(List<NabScorer.Window> windows, double... rowScore) {
        long[] ts = new long[40];
        double[] s = new double[40];
        for (int i = 0; i < 40; i++) {
            ts[i] = i * 1000L;
        }
        for (int k = 0; k < rowScore.length; k += 2) {
            s[(int) rowScore[k]] = rowScore[k + 1];
        }
        return new NabScorer.Series("f.csv", ts, s, 40, windows);
    }

    private static NabScorer.Result standard(NabScorer.Series... files) {
        return new NabScorer(List.of(files)).score(NabScorer.STANDARD);
    }

    @Test
    void detectionAtTheWindowStartIsPerfect() {
        // Row 10: y = -(13 - 10 + 1) / 4 = -1, S(-1) / S(-1) = 1: raw 1, normalized 100.
        NabScorer.Result r = standard(file(List.of(WINDOW), 10, 0.9));
        assertThat(r.raw()).isCloseTo(1.0, within(1e-12));
        assertThat(r.normalized()).isCloseTo(100.0, within(1e-9));
        assertThat(r.threshold()).isEqualTo(0.9);
        assertThat(r.windowsFound()).isEqualTo(1);
    }

    @Test
    void detectionInTheMiddleAndAtTheEndEarnLess() {
        // Row 12: y = -(13 - 12 + 1) / 4 = -0.5, S = tanh(1.25) = 0.84828, / 0.98661 = 0.859793; (1.859793 / 2) = 92.99.
        NabScorer.Result mid = standard(file(List.of(WINDOW), 12, 0.9));
        assertThat(mid.raw()).isCloseTo(0.8597926, within(1e-6));
        assertThat(mid.normalized()).isCloseTo(92.98963, within(1e-4));
        // Row 13, the last: y = -1/4, S = tanh(0.625) = 0.55460, / 0.98661 = 0.562124; 78.11.
        NabScorer.Result end = standard(file(List.of(WINDOW), 13, 0.9));
        assertThat(end.raw()).isCloseTo(0.5621241, within(1e-6));
        assertThat(end.normalized()).isCloseTo(78.10621, within(1e-4));
    }

    @Test
    void onlyTheEarliestDetectionInAWindowCounts() {
        // Rows 10 (0.5) and 12 (0.9): at 0.9 only row 12 (0.8598); at 0.5 both, and the window takes row 10's 1.0,
        // row 12 adding nothing (no false positive either): 0.5 is chosen, raw 1.
        NabScorer.Result r = standard(file(List.of(WINDOW), 10, 0.5, 12, 0.9));
        assertThat(r.threshold()).isEqualTo(0.5);
        assertThat(r.raw()).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void aDetectionAfterTheWindowCostsBySigmoidAndAloneLosesToNoDetection() {
        // Row 10 found (1.0) and row 15 after it: y = (15 - 13) / (4 - 1) = 2/3, S = tanh(-5/3) = -0.931110,
        // x 0.11 = -0.102422: raw 0.897578, normalized 94.88.
        NabScorer.Result r = standard(file(List.of(WINDOW), 10, 0.9, 15, 0.9));
        assertThat(r.raw()).isCloseTo(0.8975779, within(1e-6));
        assertThat(r.normalized()).isCloseTo(94.87890, within(1e-4));
        // Row 15 alone: -1 (missed window) - 0.102422 < -1, so the best is to detect nothing: threshold "none", 0.
        NabScorer.Result alone = standard(file(List.of(WINDOW), 15, 0.9));
        assertThat(alone.threshold()).isEqualTo(NabScorer.NO_DETECTION);
        assertThat(alone.raw()).isEqualTo(-1.0);
        assertThat(alone.normalized()).isEqualTo(0.0);
        assertThat(alone.windowsFound()).isZero();
    }

    @Test
    void aFalsePositiveFarAwayCostsTheFullWeight() {
        // Row 8, before any window: -0.11. Row 30, y = (30 - 13) / 3 = 5.67 >= 3: -0.11. Raw 1 - 0.22 = 0.78, 89.
        NabScorer.Result r = standard(file(List.of(WINDOW), 8, 0.9, 10, 0.9, 30, 0.9));
        assertThat(r.raw()).isCloseTo(0.78, within(1e-12));
        assertThat(r.normalized()).isCloseTo(89.0, within(1e-9));
    }

    @Test
    void probationIsNotScored() {
        // Rows 0..5 are probation: a score of 1 at row 2 is neither a detection nor a false positive; the window is
        // missed at any threshold, so none is chosen.
        NabScorer.Result r = standard(file(List.of(WINDOW), 2, 1.0));
        assertThat(r.raw()).isEqualTo(-1.0);
        assertThat(r.threshold()).isEqualTo(NabScorer.NO_DETECTION);
        // A window on rows 1..3 lies wholly in probation: it is not counted (no window: normalization undefined).
        NabScorer s = new NabScorer(List.of(file(List.of(new NabScorer.Window(1000, 3000)), 2, 1.0)));
        assertThat(s.windows()).isZero();
        assertThat(s.score(NabScorer.STANDARD).normalized()).isNaN();
        assertThat(NabScorer.probation(40)).isEqualTo(6);
        // At most 15% of 5000 rows.
        assertThat(NabScorer.probation(100_000)).isEqualTo(750);
    }

    @Test
    void eachProfileChoosesItsOwnThreshold() {
        // Window found at its start (score 0.6) and 12 false positives before it (rows 6..9) and after it from
        // 3 widths on (rows 23..30), all at 0.6.
        //   standard (fp 0.11): detect: 1 - 12 x 0.11 = -0.32 > -1 (none): threshold 0.6, 100 x 0.68 / 2 = 34.
        //   reward_low_FP (fp 0.22): detect: 1 - 2.64 = -1.64 < -1: none, 0.
        //   reward_low_FN (fn 2): detect: -0.32 > -2: threshold 0.6, 100 x (-0.32 + 2) / (1 + 2) = 56.
        double[] rows = {10, 0.6, 6, 0.6, 7, 0.6, 8, 0.6, 9, 0.6, 23, 0.6, 24, 0.6, 25, 0.6, 26, 0.6, 27, 0.6, 28, 0.6,
            29, 0.6, 30, 0.6};
        NabScorer s = new NabScorer(List.of(file(List.of(WINDOW), rows)));
        NabScorer.Result standard = s.score(NabScorer.PROFILES.get(0));
        NabScorer.Result lowFp = s.score(NabScorer.PROFILES.get(1));
        NabScorer.Result lowFn = s.score(NabScorer.PROFILES.get(2));
        assertThat(standard.threshold()).isEqualTo(0.6);
        assertThat(standard.normalized()).isCloseTo(34.0, within(1e-9));
        assertThat(lowFp.threshold()).isEqualTo(NabScorer.NO_DETECTION);
        assertThat(lowFp.normalized()).isEqualTo(0.0);
        assertThat(lowFn.threshold()).isEqualTo(0.6);
        assertThat(lowFn.normalized()).isCloseTo(56.0, within(1e-9));
    }

    @Test
    void theThresholdIsSharedAcrossFiles() {
        // File a: window found at its start with 0.7. File b: window found at its start with 0.9, and a false
        // positive at 0.8 before it. Thresholds: 0.9 -> 1 - 1 = 0; 0.8 -> 1 - 1 - 0.11 = -0.11; 0.7 -> 2 - 0.11
        // = 1.89 (best); null -2, perfect 2: normalized 100 x 3.89 / 4 = 97.25.
        NabScorer.Result r = standard(file(List.of(WINDOW), 10, 0.7), file(List.of(WINDOW), 10, 0.9, 8, 0.8));
        assertThat(r.threshold()).isEqualTo(0.7);
        assertThat(r.raw()).isCloseTo(1.89, within(1e-12));
        assertThat(r.normalized()).isCloseTo(97.25, within(1e-9));
        assertThat(r.windows()).isEqualTo(2);
    }

    @Test
    void quietFalsePositiveRateCountsScoredRowsOfFilesWithoutWindows() {
        // 34 scored rows (after 6 of probation), 3 of them at or above 0.5; the file with a window is left out.
        NabScorer.Series quiet = file(List.of(), 2, 0.9, 10, 0.5, 20, 0.7, 30, 0.95, 31, 0.4);
        NabScorer.Series labelled = file(List.of(WINDOW), 10, 0.9);
        assertThat(NabScorer.quietFalsePositiveRate(List.of(quiet, labelled), 0.5)).isCloseTo(3 / 34.0, within(1e-12));
        assertThat(NabScorer.quietFalsePositiveRate(List.of(labelled), 0.5)).isNaN();
    }

    @Test
    void badWindowsAreErrorsNamingFileAndWindow() {
        assertThatThrownBy(() -> new NabScorer(List.of(file(List.of(new NabScorer.Window(100_000, 200_000))))))
                .hasMessage("f.csv: window 1 holds no row");
        assertThatThrownBy(() -> new NabScorer(List.of(file(List.of(WINDOW, new NabScorer.Window(12_000, 20_000))))))
                .hasMessageContaining("f.csv: window 2 overlaps");
    }
}
