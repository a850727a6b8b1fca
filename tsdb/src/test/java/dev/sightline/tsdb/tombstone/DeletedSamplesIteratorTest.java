package dev.sightline.tsdb.tombstone;

import dev.sightline.core.Histogram;
import dev.sightline.metricstore.FloatSamples;
import dev.sightline.metricstore.SampleIterator;
import dev.sightline.metricstore.ValueType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class DeletedSamplesIteratorTest {
    /** Floats at the given times, value = time. */
    private static SampleIterator floats(long... ts) {
        return new SampleIterator() {
            int i = -1;

            @Override
            public ValueType next() {
                return ++i < ts.length ? ValueType.FLOAT : ValueType.NONE;
            }

            @Override
            public ValueType seek(long t) {
                if (i < 0) {
                    i = 0;
                }
                while (i < ts.length && ts[i] < t) {
                    i++;
                }
                return i < ts.length ? ValueType.FLOAT : ValueType.NONE;
            }

            @Override
            public long timestamp() {
                return ts[i];
            }

            @Override
            public double value() {
                return ts[i];
            }

            @Override
            public Histogram histogram() {
                throw new UnsupportedOperationException();
            }
        };
    }

    private static List<Long> drain(SampleIterator it) {
        List<Long> out = new ArrayList<>();
        while (it.next() != ValueType.NONE) {
            assertThat(it.value()).isEqualTo(it.timestamp());
            out.add(it.timestamp());
        }
        return out;
    }

    @Test
    void skipsDeletedSamplesOnNextAndSeek() {
        Intervals del = Intervals.of(2, 3).add(6, 6).add(9, Long.MAX_VALUE);
        DeletedSamplesIterator it = new DeletedSamplesIterator().reset(floats(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), del);
        assertThat(drain(it)).containsExactly(1L, 4L, 5L, 7L, 8L);
        it = new DeletedSamplesIterator().reset(floats(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), del);
        assertThat(it.seek(2)).isEqualTo(ValueType.FLOAT);
        assertThat(it.timestamp()).isEqualTo(4);
        assertThat(it.seek(3)).isEqualTo(ValueType.FLOAT);
        assertThat(it.timestamp()).as("stays put").isEqualTo(4);
        assertThat(it.seek(6)).isEqualTo(ValueType.FLOAT);
        assertThat(it.timestamp()).isEqualTo(7);
        assertThat(it.seek(9)).isEqualTo(ValueType.NONE);
        assertThat(it.next()).isEqualTo(ValueType.NONE);
    }

    @Test
    void everySampleDeletedYieldsNothing() {
        assertThat(drain(new DeletedSamplesIterator().reset(floats(5, 6, 7), Intervals.of(0, 10)))).isEmpty();
        assertThat(drain(new DeletedSamplesIterator().reset(floats(5, 6, 7), Intervals.of(5, 5).add(6, 6).add(7, 7))))
                .isEmpty();
    }

    @Test
    void bulkReadsStopBeforeEachDeletedIntervalAndAgreeWithNext() {
        Random rnd = new Random(7);
        for (int round = 0; round < 300; round++) {
            long[] ts = new long[1 + rnd.nextInt(60)];
            long t = rnd.nextInt(5);
            for (int i = 0; i < ts.length; i++) {
                ts[i] = t;
                t += 1 + rnd.nextInt(3);
            }
            Intervals del = null;
            for (int k = 0; k < 1 + rnd.nextInt(4); k++) {
                long a = rnd.nextInt((int) t + 2);
                long b = a + rnd.nextInt(8);
                del = del == null ? Intervals.of(a, b) : del.add(a, b);
            }
            List<Long> expected = drain(new DeletedSamplesIterator().reset(floats(ts), del));
            long maxt = rnd.nextInt((int) t + 2);
            DeletedSamplesIterator it = new DeletedSamplesIterator().reset(floats(ts), del);
            FloatSamples out = new FloatSamples(4);
            ValueType vt = it.next();
            while (vt == ValueType.FLOAT && it.timestamp() <= maxt) {
                vt = it.appendFloats(maxt, out);
            }
            List<Long> got = new ArrayList<>();
            for (int i = 0; i < out.n; i++) {
                got.add(out.t[i]);
            }
            assertThat(got).as("ts %s del %s maxt %d", java.util.Arrays.toString(ts), del, maxt)
                    .isEqualTo(expected.stream().filter(x -> x <= maxt).toList());
            if (vt != ValueType.NONE) {
                assertThat(it.timestamp()).isGreaterThan(maxt);
                assertThat(expected).contains(it.timestamp());
            }
        }
    }
}
