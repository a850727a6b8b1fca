package dev.sightline.metricstore;

import java.util.List;

/** The result of a select: series one at a time, sorted by labels when asked for. */
public interface SeriesSet {
    boolean next();

    Series at();

    /** Warnings to pass on to the user (for example a block that could not be read). */
    default List<String> warnings() {
        return List.of();
    }

    /** The series of {@code series}, in list order. */
    static SeriesSet of(List<? extends Series> series) {
        return new SeriesSet() {
            private int i = -1;

            @Override
            public boolean next() {
                return ++i < series.size();
            }

            @Override
            public Series at() {
                return series.get(i);
            }
        };
    }

    SeriesSet EMPTY = new SeriesSet() {
        @Override
        public boolean next() {
            return false;
        }

        @Override
        public Series at() {
            throw new IllegalStateException("empty series set");
        }
    };
}
