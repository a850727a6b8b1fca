package dev.sightline.demo.sim;

/**
 * Deterministic randomness: every draw is a hash of (seed, stream, index), so a value depends only on the seed, the
 * signal it belongs to and the time step it is for, never on what was drawn before. The backfill and the live run
 * therefore agree, and a replay with the same seed gives the same company.
 */
public final class Noise {
    private final long seed;

    public Noise(long seed) {
        this.seed = seed;
    }

    /** SplitMix64's finalizer: a well-mixed 64-bit hash. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** A stream id for a name, so each signal draws its own numbers. */
    public static long stream(String name) {
        return mix(name.hashCode() * 0x9e3779b97f4a7c15L + name.length());
    }

    /** Uniform in [0, 1). */
    public double uniform(long stream, long index) {
        long h = mix(seed ^ mix(stream + mix(index)));
        return (h >>> 11) * 0x1.0p-53;
    }

    /** Standard normal (Box-Muller over two uniforms of the same index). */
    public double gaussian(long stream, long index) {
        double u1 = Math.max(uniform(stream, index), 1e-300);
        double u2 = uniform(stream ^ 0x5DEECE66DL, index);
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    /** A Poisson count with the given mean: exact below 30, the normal approximation above. */
    public long poisson(double mean, long stream, long index) {
        if (mean <= 0) {
            return 0;
        }
        if (mean >= 30) {
            return Math.max(0, Math.round(mean + Math.sqrt(mean) * gaussian(stream, index)));
        }
        double limit = Math.exp(-mean);
        double p = 1;
        long k = 0;
        long sub = index * 64;
        do {
            p *= uniform(stream, sub + k);
            k++;
        } while (p > limit && k < 64);
        return k - 1;
    }

    /**
     * Smooth noise in about [-1, 1]: normal values at knots {@code periodMillis} apart, cosine-interpolated, so a
     * signal wanders slowly instead of jumping every step.
     */
    public double smooth(long stream, long millis, long periodMillis) {
        long knot = Math.floorDiv(millis, periodMillis);
        double f = (double) (millis - knot * periodMillis) / periodMillis;
        double w = (1 - Math.cos(Math.PI * f)) / 2;
        double a = gaussian(stream, knot);
        double b = gaussian(stream, knot + 1);
        return (a * (1 - w) + b * w) / 2;
    }
}
