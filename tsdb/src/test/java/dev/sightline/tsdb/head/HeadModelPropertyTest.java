package dev.sightline.tsdb.head;

import dev.sightline.core.LabelLimits;
import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.core.ValidationException;
import dev.sightline.metricstore.Appender;
import dev.sightline.metricstore.SampleIterator;
import dev.sightline.metricstore.SeriesSet;
import dev.sightline.metricstore.ValueType;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random appends (in and out of order, duplicates, several series, random batch boundaries, start timestamps or
 * none) against a model of the head's documented rules, written here without calling the head's own code (so a
 * change to the head's classification cannot move the model with it); every append must be refused exactly when the
 * model refuses it, and every range query must return exactly the model's samples.
 */
class HeadModelPropertyTest {
    record Op(int series, long st, long t, double v, boolean commitAfter) {
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Op> op = Combinators.combine(
                Arbitraries.integers().between(0, 2),
                Arbitraries.of(0L, 0L, 0L, 7L, 9L, -3L, 500L),
                Arbitraries.longs().between(0, 400),
                Arbitraries.integers().between(0, 3).map(i -> i == 3 ? Double.NaN : (double) i),
                Arbitraries.integers().between(0, 4).map(i -> i == 0)).as(Op::new);
        return op.list().ofMaxSize(300);
    }

    /** A sample as the model keeps it: raw value bits and start timestamp. */
    record Kept(long bits, long st) {
        @Override
        public String toString() {
            return bits + "/" + st;
        }
    }

    /**
     * The contract for one series, written out on its own (no production code): committed samples, and the samples
     * the open batch accepted, in append order. The batch's samples count for the order and duplicate checks of later
     * appends in the same batch (as Prometheus's appender sees its own pending samples).
     */
    static final class ModelSeries {
        final TreeMap<Long, Kept> committed = new TreeMap<>();
        final List<long[]> batch = new ArrayList<>();

        /** The newest timestamp committed or accepted by the batch, or null for an empty series. */
        Long newest() {
            Long n = committed.isEmpty() ? null : committed.lastKey();
            for (long[] x : batch) {
                if (n == null || x[0] > n) {
                    n = x[0];
                }
            }
            return n;
        }

        /** The value bits of the newest sample (batch first: a batch sample can only be newest by being newer). */
        long newestBits(long newest) {
            for (long[] x : batch) {
                if (x[0] == newest) {
                    return x[1];
                }
            }
            return committed.get(newest).bits();
        }

        enum Outcome { ACCEPT, IGNORE, REFUSE }

        /**
         * In order (newer than the newest): accepted. At the newest timestamp, or at the newest committed one while
         * the batch has newer: a duplicate, ignored when its value is the same bits, refused otherwise. Older: with no
         * out-of-order window refused; within {@code window} of the newest accepted (at commit the first sample kept
         * at a timestamp stays); further back refused as too old. The start timestamp never decides.
         */
        Outcome append(long st, long t, long bits, long window) {
            Long newest = newest();
            if (newest == null || t > newest) {
                batch.add(new long[]{t, bits, st});
                return Outcome.ACCEPT;
            }
            if (t == newest) {
                return newestBits(newest) == bits ? Outcome.IGNORE : Outcome.REFUSE;
            }
            if (!committed.isEmpty() && t == committed.lastKey()) {
                return committed.lastEntry().getValue().bits() == bits ? Outcome.IGNORE : Outcome.REFUSE;
            }
            if (window == 0 || t < newest - window) {
                return Outcome.REFUSE;
            }
            batch.add(new long[]{t, bits, st});
            return Outcome.ACCEPT;
        }

        void commit() {
            for (long[] x : batch) {
                committed.putIfAbsent(x[0], new Kept(x[1], x[2]));
            }
            batch.clear();
        }
    }

    @Property(tries = 200)
    void headAgreesWithModel(@ForAll("ops") List<Op> ops, @ForAll @IntRange(min = 0, max = 2) int windowChoice) throws Exception {
        long window = new long[]{0, 30, 1000}[windowChoice];
        // A small chunk range makes chunk cuts at range boundaries frequent.
        Head head = new Head(LabelLimits.DEFAULT, 64, window, null);
        ModelSeries[] model = {new ModelSeries(), new ModelSeries(), new ModelSeries()};
        Appender app = head.appender();
        for (Op op : ops) {
            ModelSeries.Outcome want = model[op.series()].append(op.st(), op.t(), Double.doubleToRawLongBits(op.v()), window);
            boolean refused;
            try {
                app.append(0, Labels.of("__name__", "p", "s", Integer.toString(op.series())), op.st(), op.t(), op.v());
                refused = false;
            } catch (ValidationException e) {
                refused = true;
            }
            assertThat(refused).as("refusal of %s (model: %s)", op, want).isEqualTo(want == ModelSeries.Outcome.REFUSE);
            if (op.commitAfter()) {
                app.commit();
                commitAll(model);
            }
        }
        app.commit();
        commitAll(model);
        for (int s = 0; s < 3; s++) {
            for (long[] range : new long[][]{{Long.MIN_VALUE, Long.MAX_VALUE}, {50, 200}, {100, 100}, {301, 350}}) {
                TreeMap<Long, String> want = new TreeMap<>();
                model[s].committed.subMap(range[0], true, range[1], true).forEach((t, k) -> want.put(t, k.toString()));
                assertThat(read(head, s, range[0], range[1])).as("series %d in %d..%d", s, range[0], range[1]).isEqualTo(want);
            }
        }
    }

    private static void commitAll(ModelSeries[] model) {
        for (ModelSeries m : model) {
            m.commit();
        }
    }

    private static TreeMap<Long, String> read(Head head, int s, long mint, long maxt) {
        TreeMap<Long, String> out = new TreeMap<>();
        SeriesSet set = head.querier(mint, maxt).select(true, mint, maxt, LabelMatcher.eq("s", Integer.toString(s)));
        while (set.next()) {
            SampleIterator it = set.at().iterator(null);
            long prev = Long.MIN_VALUE;
            for (ValueType ty = it.next(); ty != ValueType.NONE; ty = it.next()) {
                assertThat(it.timestamp()).isGreaterThan(prev);
                prev = it.timestamp();
                out.put(it.timestamp(), Double.doubleToRawLongBits(it.value()) + "/" + it.startTimestamp());
            }
        }
        return out;
    }
}
