package dev.sightline.metricstore;

import dev.sightline.core.Histogram;

/**
 * Walks one series' samples in timestamp order without allocating per float sample. Call {@link #next()} or
 * {@link #seek(long)}; then read {@link #timestamp()} and {@link #value()} or {@link #histogram()} according to the
 * returned type. Once NONE is returned the iterator is exhausted.
 */
public interface SampleIterator {
    /** Advances to the next sample. */
    ValueType next();

    /** Advances to the first sample at or after {@code t}; stays put if already there. Never moves backwards. */
    ValueType seek(long t);

    long timestamp();

    double value();

    Histogram histogram();

    /**
     * The start timestamp of the current sample (ms): when the counter it belongs to started counting (cumulative) or
     * the start of the interval it covers (delta), as OpenTelemetry's start_time_unix_nano and remote-write 2.0's
     * start timestamp carry it. 0 when the sample has none.
     */
    default long startTimestamp() {
        return 0;
    }

    /**
     * Bulk read for query loading: appends the current sample and then, moving on as {@link #next()} does, every
     * following sample while it is a float at or before {@code maxt}. Returns the type of the first sample not
     * appended (NONE when exhausted); the iterator stands on it, so {@link #timestamp()} and the value accessors
     * refer to it. The iterator must stand on a float sample at or before {@code maxt}. Implementations override this
     * to decode without a call chain per sample.
     */
    default ValueType appendFloats(long maxt, FloatSamples out) {
        ValueType vt;
        do {
            out.add(timestamp(), value(), startTimestamp());
            vt = next();
        } while (vt == ValueType.FLOAT && timestamp() <= maxt);
        return vt;
    }

    SampleIterator EMPTY = new SampleIterator() {
        @Override
        public ValueType next() {
            return ValueType.NONE;
        }

        @Override
        public ValueType seek(long t) {
            return ValueType.NONE;
        }

        @Override
        public long timestamp() {
            throw new IllegalStateException("empty iterator");
        }

        @Override
        public double value() {
            throw new IllegalStateException("empty iterator");
        }

        @Override
        public Histogram histogram() {
            throw new IllegalStateException("empty iterator");
        }
    };
}
