package dev.sightline.promql.anomaly;

import java.util.Arrays;

/**
 * A seasonal profile: the season (UTC, from the epoch) cut into equal bins, each an exponentially weighted mean of
 * what its points showed over about {@code seasons} visits of the bin (the first points of a bin are averaged
 * plainly), so a rhythm is learned from a few seasons and follows a slow change of it.
 */
final class PhaseProfile {
    private final long season;
    private final long binMs;
    private final double seasons;
    private final double[] mean;
    private final long[] count;

    /** {@code bins} bins over a season of {@code seasonMs}; a bin's mean spans about {@code seasons} visits. */
    PhaseProfile(long seasonMs, int bins, double seasons) {
        this.season = seasonMs;
        this.binMs = seasonMs / bins;
        this.seasons = seasons;
        this.mean = new double[bins];
        this.count = new long[bins];
    }

    /** The bin of time {@code t}. */
    int bin(long t) {
        return (int) (Math.floorMod(t, season) / binMs);
    }

    double get(int bin) {
        return mean[bin];
    }

    /** Moves the bin's mean toward {@code x}; {@code stepMs} is the series' usual time between points. */
    void update(int bin, double x, double stepMs) {
        double perVisit = Math.max(1, binMs / Math.max(stepMs, 1));
        double weight = 1 / Math.min(++count[bin], seasons * perVisit);
        mean[bin] += weight * (x - mean[bin]);
    }

    void clear() {
        Arrays.fill(mean, 0);
        Arrays.fill(count, 0);
    }
}
