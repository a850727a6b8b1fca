package dev.sightline.promql.anomaly;

/** A streaming detector that judges the latest point of its window against a baseline, with a z and a tail. */
abstract class LatestPointStream extends WindowedStream {
    LatestPointStream(PointWindow window) {
        super(window);
    }

    /** Judges the latest point of the window against its baseline, as the window form would. */
    abstract Tail judgeLatest();

    @Override
    public double logP() {
        return judgeLatest().logP();
    }

    /** The signed z of the latest point in the window, as the window form gives it; NaN with too little history. */
    public double z() {
        return judgeLatest().z();
    }
}
