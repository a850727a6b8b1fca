package dev.sightline.promql.engine;

/** Computes one range-vector function over the window of one series at one step, appending to the output series. */
interface WindowKernel {
    /**
     * @param w       index windows {floatFrom, floatTo, histFrom, histTo} into the series' points
     * @param scalars the call's scalar arguments evaluated per step (null for non-scalar arguments)
     */
    void apply(MatrixSeries s, int[] w, long ref, long t, int step, double[][] scalars, MatrixSeries out);
}
