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
 * none) against a plain model of the head's rules; every range query must return exactly the model's samples.
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

    /** The model of one series: committed last sample, pending last in-order sample, stored samples. */
    static final class ModelSeries {
        boolean hasLast;
        long lastT;
        long lastBits;
        boolean hasPending;
        long pendingT;
        long pendingBits;
        /** Stored samples as "valueBits/startTimestamp". */
        final TreeMap<Long, String> stored = new TreeMap<>();
        final List<long[]> batch = new ArrayList<>();
    }

    @Property(tries = 200)
    void headAgreesWithModel(@ForAll("ops") List<Op> ops, @ForAll @IntRange(min = 0, max = 2) int windowChoice) throws Exception {
        long window = new long[]{0, 30, 1000}[windowChoice];
        // A small chunk range makes chunk cuts at range boundaries frequent.
        Head head = new Head(LabelLimits.DEFAULT, 64, window, null);
        ModelSeries[] model = {new ModelSeries(), new ModelSeries(), new ModelSeries()};
        Appender app = head.appender();
        for (Op op : ops) {
            ModelSeries m = model[op.series()];
            long bits = Double.doubleToRawLongBits(op.v());
            int c = m.hasPending
                    ? MemSeries.classify(true, m.pendingT, m.pendingBits, null, op.t(), bits, null, window)
                    : MemSeries.classify(m.hasLast, m.lastT, m.lastBits, null, op.t(), bits, null, window);
            if (m.hasPending && c != MemSeries.IN_ORDER && c != MemSeries.DUP_IGNORED) {
                int stored = MemSeries.classify(m.hasLast, m.lastT, m.lastBits, null, op.t(), bits, null, window);
                if (stored == MemSeries.REJECT_DUPLICATE || stored == MemSeries.DUP_IGNORED) {
                    c = stored;
                }
            }
            boolean refused;
            try {
                app.append(0, Labels.of("__name__", "p", "s", Integer.toString(op.series())), op.st(), op.t(), op.v());
                refused = false;
            } catch (ValidationException e) {
                refused = true;
            }
            boolean modelRefuses = c == MemSeries.REJECT_DUPLICATE || c == MemSeries.REJECT_OUT_OF_ORDER || c == MemSeries.REJECT_TOO_OLD;
            assertThat(refused).as("refusal of %s (model outcome %d)", op, c).isEqualTo(modelRefuses);
            if (c == MemSeries.IN_ORDER) {
                m.hasPending = true;
                m.pendingT = op.t();
                m.pendingBits = bits;
                m.batch.add(new long[]{op.t(), bits, 0, op.st()});
            } else if (c == MemSeries.OUT_OF_ORDER_ACCEPTED) {
                m.batch.add(new long[]{op.t(), bits, 1, op.st()});
            }
            if (op.commitAfter()) {
                app.commit();
                applyBatches(model);
            }
        }
        app.commit();
        applyBatches(model);
        for (int s = 0; s < 3; s++) {
            for (long[] range : new long[][]{{Long.MIN_VALUE, Long.MAX_VALUE}, {50, 200}, {100, 100}, {301, 350}}) {
                TreeMap<Long, String> want = new TreeMap<>(model[s].stored.subMap(range[0], true, range[1], true));
                assertThat(read(head, s, range[0], range[1])).as("series %d in %d..%d", s, range[0], range[1]).isEqualTo(want);
            }
        }
    }

    private static void applyBatches(ModelSeries[] model) {
        for (ModelSeries m : model) {
            for (long[] x : m.batch) {
                if (x[2] == 0) {
                    m.stored.put(x[0], x[1] + "/" + x[3]);
                    m.hasLast = true;
                    m.lastT = x[0];
                    m.lastBits = x[1];
                } else {
                    m.stored.putIfAbsent(x[0], x[1] + "/" + x[3]);
                }
            }
            m.batch.clear();
            m.hasPending = false;
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
