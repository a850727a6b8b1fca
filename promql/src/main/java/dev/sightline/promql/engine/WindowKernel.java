package dev.sightline.promql.engine;

/** Computes one range-vector function over the window of one series at one step, appending to the output series. */
interface WindowKernel {
    /**
     * @param w       index windows {floatFrom, floatTo, histFrom, histTo} into the series' points
     * @param scalars the call's scalar arguments evaluated per step (null for non-scalar arguments)
     */
    void apply(MatrixSeries s, int[] w, long ref, long t, int step, double[][] scalars, MatrixSeries out);

    /**
     * The function over every step's window of {@code s} at once, where that is faster than window by window and the
     * same; false, having done nothing, where it is not ({@link #apply} is then called per step).
     */
    default boolean applySteps(Evaluator ev, Evaluator.RangeData rd, MatrixSeries s, MatrixSeries out) {
        return false;
    }
}
