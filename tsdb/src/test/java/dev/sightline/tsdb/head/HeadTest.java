package dev.sightline.tsdb.head;

import dev.sightline.core.Histogram;
import dev.sightline.core.LabelLimits;
import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.core.Staleness;
import dev.sightline.core.ValidationException.Reason;
import dev.sightline.core.ValidationException;
import dev.sightline.metricstore.Appender;
import dev.sightline.metricstore.SampleIterator;
import dev.sightline.metricstore.SeriesSet;
import dev.sightline.metricstore.ValueType;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HeadTest {
    static final Labels A = Labels.of("__name__", "m", "s", "a");
    static final Labels B = Labels.of("__name__", "m", "s", "b");
    static final long HOUR = 3600_000L;

    static Head head(long oooWindow) {
        return new Head(LabelLimits.DEFAULT, 2 * HOUR, oooWindow, null);
    }

    /** "t=v" for every sample of the one series selected, floats only. */
    static List<String> samples(Head head, Labels labels, long mint, long maxt) {
        SeriesSet set = head.querier(mint, maxt).select(true, mint, maxt, LabelMatcher.eq("s", labels.get("s")));
        List<String> out = new ArrayList<>();
        while (set.next()) {
            SampleIterator it = set.at().iterator(null);
            for (ValueType ty = it.next(); ty != ValueType.NONE; ty = it.next()) {
                out.add(it.timestamp() + "=" + (ty == ValueType.FLOAT ? Double.toString(it.value()) : "h" + it.histogram().count));
            }
        }
        return out;
    }

    static void commit(Head head, Labels l, long t, double v) throws Exception {
        Appender app = head.appender();
        app.append(0, l, t, v);
        app.commit();
    }

    static Reason reasonOf(Runnable r) {
        try {
            r.run();
        } catch (ValidationException e) {
            return e.reason();
        }
        return null;
    }

    @Test
    void prefetchTakesUnknownRefsAndChangesNothingTheBatchStores() throws Exception {
        Head head = head(0);
        Appender first = head.appender();
        long a = first.append(0, A, 1000, 1);
        first.commit();
        Appender app = head.appender();
        // 0 (no ref), a known ref, and refs the head never gave or cannot hold: a hint, never an error.
        app.prefetch(new long[] {0, a, a + 1000, -1, Long.MAX_VALUE, 7}, 5);
        app.append(a, null, 2000, 2);
        app.append(0, B, 2000, 3);
        app.commit();
        assertThat(samples(head, A, 0, 5000)).containsExactly("1000=1.0", "2000=2.0");
        assertThat(samples(head, B, 0, 5000)).containsExactly("2000=3.0");
    }

    @Test
    void outOfOrderSampleIsRejectedByDefault() throws Exception {
        Head head = head(0);
        commit(head, A, 2000, 1);
        Appender app = head.appender();
        assertThat(reasonOf(() -> app.append(0, A, 1000, 2))).isEqualTo(Reason.OUT_OF_ORDER_SAMPLE);
        // Within one batch, against the batch's own pending samples too.
        app.append(0, A, 5000, 5);
        assertThat(reasonOf(() -> app.append(0, A, 4000, 4))).isEqualTo(Reason.OUT_OF_ORDER_SAMPLE);
        app.commit();
        assertThat(samples(head, A, 0, 10_000)).containsExactly("2000=1.0", "5000=5.0");
        assertThat(head.stats().rejected(Reason.OUT_OF_ORDER_SAMPLE)).isEqualTo(2);
    }

    @Test
    void twoOpenBatchesOnOneSeriesEachCheckTheirOwnPendingSamples() throws Exception {
        Head head = head(0);
        Appender first = head.appender();
        Appender second = head.appender();
        // The first batch claims the series' mark; the second finds its slot through its own map.
        first.append(0, A, 1000, 1);
        long ref = second.append(0, A, 3000, 3);
        first.append(ref, null, 2000, 2);
        assertThat(reasonOf(() -> first.append(ref, null, 1500, 9))).isEqualTo(Reason.OUT_OF_ORDER_SAMPLE);
        second.append(ref, null, 4000, 4);
        assertThat(reasonOf(() -> second.append(ref, null, 3500, 9))).isEqualTo(Reason.OUT_OF_ORDER_SAMPLE);
        first.commit();
        second.commit();
        assertThat(samples(head, A, 0, 10_000)).containsExactly("1000=1.0", "2000=2.0", "3000=3.0", "4000=4.0");
        // Both marks were released: a third batch claims the series again and still checks its own order.
        Appender third = head.appender();
        third.append(ref, null, 6000, 6);
        assertThat(reasonOf(() -> third.append(ref, null, 5000, 5))).isEqualTo(Reason.OUT_OF_ORDER_SAMPLE);
        third.commit();
        assertThat(samples(head, A, 0, 10_000)).endsWith("6000=6.0");
    }

    @Test
    void aSampleAConcurrentBatchMadeInvalidIsReportedByCommitAndTheRestStored() throws Exception {
        Head head = head(0);
        Appender first = head.appender();
        Appender second = head.appender();
        // Both batches check against the stored series, which has nothing yet: each accepts its sample.
        first.append(0, A, 2000, 1);
        second.append(0, A, 2000, 2);
        second.append(0, B, 2000, 3);
        first.commit();
        assertThatThrownBy(second::commit)
                .isInstanceOfSatisfying(ValidationException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.DUPLICATE_SAMPLE_FOR_TIMESTAMP))
                .hasMessageContaining("stored 1 of 2").hasMessageContaining("at 2000").hasMessageContaining("s=\"a\"");
        assertThat(samples(head, A, 0, 10_000)).containsExactly("2000=1.0");
        assertThat(samples(head, B, 0, 10_000)).containsExactly("2000=3.0");
        // Out of order: the later batch commits first.
        Appender older = head.appender();
        Appender newer = head.appender();
        older.append(0, A, 3000, 3);
        newer.append(0, A, 4000, 4);
        newer.commit();
        assertThatThrownBy(older::commit)
                .isInstanceOfSatisfying(ValidationException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.OUT_OF_ORDER_SAMPLE))
                .hasMessageContaining("stored 0 of 1");
        // The same sample committed twice is no conflict: the second copy is ignored silently.
        Appender again1 = head.appender();
        Appender again2 = head.appender();
        again1.append(0, A, 5000, 5);
        again2.append(0, A, 5000, 5);
        again1.commit();
        again2.commit();
        assertThat(samples(head, A, 0, 10_000)).containsExactly("2000=1.0", "4000=4.0", "5000=5.0");
    }

    @Test
    void commitFailsWholeBatchWhenPersistenceRaisedMinValidTimeAfterAppend() throws Exception {
        Head head = head(0);
        Appender app = head.appender();
        app.append(0, A, 1000, 1);
        app.append(0, B, 5000, 5);
        head.raiseMinValidTime(2000);
        assertThatThrownBy(app::commit)
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TOO_OLD_SAMPLE))
                .hasMessageContaining("at 1000").hasMessageContaining("2000").hasMessageContaining("s=\"a\"");
        // Nothing of the failed batch is visible, and each of its samples is counted as refused.
        assertThat(samples(head, B, 0, 10_000)).isEmpty();
        assertThat(head.stats().samplesAppended()).isZero();
        assertThat(head.stats().rejected(Reason.TOO_OLD_SAMPLE)).isEqualTo(2);
        // The appender is clear and usable again; a batch of valid samples commits.
        app.append(0, B, 6000, 6);
        app.commit();
        assertThat(samples(head, B, 0, 10_000)).containsExactly("6000=6.0");
    }

    @Test
    void duplicateTimestampHandling() throws Exception {
        Head head = head(0);
        commit(head, A, 1000, 1.5);
        Appender app = head.appender();
        // Identical value: silently ignored, as Prometheus does.
        app.append(0, A, 1000, 1.5);
        assertThat(reasonOf(() -> app.append(0, A, 1000, 2.5))).isEqualTo(Reason.DUPLICATE_SAMPLE_FOR_TIMESTAMP);
        app.append(0, A, 2000, Double.NaN);
        // Same timestamp, staleness marker instead of NaN: different bits, so a duplicate.
        assertThat(reasonOf(() -> app.append(0, A, 2000, Staleness.STALE_NAN))).isEqualTo(Reason.DUPLICATE_SAMPLE_FOR_TIMESTAMP);
        app.append(0, A, 2000, Double.NaN);
        app.commit();
        assertThat(samples(head, A, 0, 10_000)).containsExactly("1000=1.5", "2000=NaN");
        assertThat(head.stats().samplesAppended()).isEqualTo(2);
    }

    @Test
    void outOfOrderWindowAcceptsRecentSamplesAndMergesThem() throws Exception {
        Head head = head(10_000);
        commit(head, A, 100_000, 100);
        commit(head, A, 120_000, 120);
        Appender app = head.appender();
        app.append(0, A, 115_000, 115);
        app.append(0, A, 111_000, 111);
        app.append(0, A, 111_000, 999); // equal timestamp in the buffer: the first one stays
        assertThat(reasonOf(() -> app.append(0, A, 109_999, 1))).isEqualTo(Reason.TOO_OLD_SAMPLE);
        app.append(0, A, 125_000, 125);
        app.commit();
        assertThat(samples(head, A, 0, 200_000))
                .containsExactly("100000=100.0", "111000=111.0", "115000=115.0", "120000=120.0", "125000=125.0");
        assertThat(samples(head, A, 112_000, 121_000)).containsExactly("115000=115.0", "120000=120.0");
        assertThat(head.minTime()).isEqualTo(100_000);
        assertThat(head.maxTime()).isEqualTo(125_000);
    }

    @Test
    void outOfOrderHistogramsAreMergedToo() throws Exception {
        Head head = head(60_000);
        Appender app = head.appender();
        app.appendHistogram(0, A, 100_000, hist(1));
        app.appendHistogram(0, A, 130_000, hist(3));
        app.commit();
        app = head.appender();
        app.appendHistogram(0, A, 120_000, hist(2));
        app.append(0, A, 110_000, 7);
        app.commit();
        assertThat(samples(head, A, 0, 200_000)).containsExactly("100000=h1.0", "110000=7.0", "120000=h2.0", "130000=h3.0");
    }

    static Histogram hist(int count) {
        return new Histogram(null, 0, 0, 0, count, count, new int[]{0}, new int[]{1}, new double[]{count}, null, null, null, null);
    }

    @Test
    void refusedSampleLeavesTheRestOfTheBatch() throws Exception {
        Head head = head(0);
        Appender app = head.appender();
        app.append(0, A, 1000, 1);
        assertThatThrownBy(() -> app.append(0, Labels.of("__name__", "m", "bad-name", "x"), 1000, 1))
                .isInstanceOfSatisfying(ValidationException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.INVALID_LABEL_NAME);
                    assertThat(e.field()).isEqualTo("bad-name");
                });
        app.append(0, B, 1000, 2);
        assertThat(samples(head, A, 0, 10_000)).as("nothing visible before commit").isEmpty();
        app.commit();
        assertThat(samples(head, A, 0, 10_000)).containsExactly("1000=1.0");
        assertThat(samples(head, B, 0, 10_000)).containsExactly("1000=2.0");
        assertThat(head.numSeries()).isEqualTo(2);
    }

    @Test
    void labelSetsAreValidated() {
        Head head = new Head(new LabelLimits(LabelLimits.NameScheme.LEGACY, 3, 256, 4096), 2 * HOUR, 0, null);
        Appender app = head.appender();
        assertThat(reasonOf(() -> app.append(0, Labels.of("job", "x"), 1, 1))).isEqualTo(Reason.MISSING_METRIC_NAME);
        assertThat(reasonOf(() -> app.append(0, Labels.of("__name__", "m", "a", "1", "b", "2", "c", "3"), 1, 1)))
                .isEqualTo(Reason.TOO_MANY_LABELS);
        assertThat(reasonOf(() -> app.append(0, Labels.of("__name__", "1m"), 1, 1))).isEqualTo(Reason.INVALID_METRIC_NAME);
        assertThat(reasonOf(() -> app.append(0, A, Head.MAX_TIMESTAMP + 1, 1))).isEqualTo(Reason.INVALID_TIMESTAMP);
        assertThat(head.numSeries()).as("refused samples create no series").isZero();
        assertThat(head.stats().rejected(Reason.TOO_MANY_LABELS)).isEqualTo(1);
    }

    @Test
    void rollbackDropsTheBatchAndRefsAreReusable() throws Exception {
        Head head = head(0);
        Appender app = head.appender();
        long ref = app.append(0, A, 1000, 1);
        app.rollback();
        Appender app2 = head.appender();
        assertThat(app2.append(ref, null, 2000, 2)).isEqualTo(ref);
        app2.append(ref, null, 3000, 3);
        app2.commit();
        assertThat(samples(head, A, 0, 10_000)).containsExactly("2000=2.0", "3000=3.0");
    }

    @Test
    void chunksAreCutEvery120SamplesAndAtBlockBoundaries() throws Exception {
        Head head = head(0);
        Appender app = head.appender();
        for (int i = 0; i < 250; i++) {
            app.append(0, A, i * 1000L, i);
        }
        app.commit();
        assertThat(head.stats().chunks()).isEqualTo(3);
        // Crossing the 2h boundary cuts even a nearly empty chunk, so a block window takes whole chunks.
        commit(head, A, 2 * HOUR, 1);
        assertThat(head.stats().chunks()).isEqualTo(4);
        assertThat(samples(head, A, 0, Long.MAX_VALUE)).hasSize(251);
    }

    @Test
    void aChunkSpansAtMost32BitsOfMillisecondsEvenInLongBlockWindows() throws Exception {
        Head head = new Head(LabelLimits.DEFAULT, 1000 * 24 * HOUR, 0, null);
        long far = 0xFFFF_FFFFL;
        commit(head, A, 0, 1);
        commit(head, A, far, 2);
        assertThat(head.stats().chunks()).isEqualTo(1);
        commit(head, A, far + 1, 3);
        commit(head, A, far + 2, 4);
        assertThat(head.stats().chunks()).isEqualTo(2);
        assertThat(samples(head, A, far, far)).containsExactly(far + "=2.0");
        assertThat(samples(head, A, 0, Long.MAX_VALUE)).containsExactly("0=1.0", far + "=2.0", (far + 1) + "=3.0", (far + 2) + "=4.0");
    }

    /** Closed chunks' metadata is packed in 32-bit words: times with bits in both words and a sign come back whole. */
    @Test
    void closedChunksKeepNegativeTimestampsWithHighBits() throws Exception {
        Head head = head(0);
        long base = Math.floorDiv(-(1L << 40), 2 * HOUR) * 2 * HOUR + 12_345;
        Appender app = head.appender();
        for (int i = 0; i < 130; i++) {
            app.append(0, A, base + i * 1000L, i);
        }
        app.commit();
        assertThat(head.stats().chunks()).isEqualTo(2);
        assertThat(samples(head, A, base + 119_000, base + 120_000))
                .containsExactly((base + 119_000) + "=119.0", (base + 120_000) + "=120.0");
        assertThat(samples(head, A, Long.MIN_VALUE, base)).containsExactly(base + "=0.0");
        assertThat(samples(head, A, base + 1, base + 118_000)).hasSize(118);
    }

    @Test
    void valueTypeChangeCutsAChunkAndBothTypesAreRead() throws Exception {
        Head head = head(0);
        Histogram h = new Histogram(null, 0, 0, 1, 3, 4.5, new int[]{0}, new int[]{1}, new double[]{2}, null, null, null, null);
        Appender app = head.appender();
        app.append(0, A, 1000, 1);
        app.appendHistogram(0, A, 2000, h);
        app.append(0, A, 3000, 3);
        app.commit();
        assertThat(samples(head, A, 0, 10_000)).containsExactly("1000=1.0", "2000=h3.0", "3000=3.0");
        assertThat(head.stats().chunks()).isEqualTo(3);
        Histogram bad = new Histogram(null, 0, 0, 1, 3, 4.5, new int[]{0}, new int[]{2}, new double[]{2}, null, null, null, null);
        assertThat(reasonOf(() -> head.appender().appendHistogram(0, A, 5000, bad))).isEqualTo(Reason.INVALID_HISTOGRAM);
    }

    @Test
    void closedChunksStayReadableThroughPartialTruncation() throws Exception {
        Head head = head(0);
        Appender app = head.appender();
        long w = 2 * HOUR;
        List<String> kept = new ArrayList<>();
        for (long t = w - 200_000; t < w + 250_000; t += 1000) {
            app.append(0, A, t, t / 1000.0);
            if (t >= w) {
                kept.add(t + "=" + t / 1000.0);
            }
        }
        for (int i = 1; i <= 3; i++) {
            app.appendHistogram(0, A, w + 250_000 + i * 1000L, hist(i));
            kept.add((w + 250_000 + i * 1000L) + "=h" + (double) i);
        }
        app.commit();
        // Window 1: 120 + 80 samples; window 2: 120 + 120 + 10 floats, then a histogram chunk (open).
        assertThat(head.stats().chunks()).isEqualTo(6);
        assertThat(samples(head, A, w + 130_000, w + 131_000)).containsExactly((w + 130_000) + "=" + (w + 130_000) / 1000.0,
                (w + 131_000) + "=" + (w + 131_000) / 1000.0);
        SeriesSet before = head.querier(0, Long.MAX_VALUE).select(false, 0, Long.MAX_VALUE, LabelMatcher.eq("s", "a"));
        assertThat(before.next()).isTrue();
        SampleIterator old = before.at().iterator(null);
        assertThat(head.truncateBefore(w)).isZero();
        assertThat(head.stats().chunks()).isEqualTo(4);
        assertThat(samples(head, A, 0, Long.MAX_VALUE)).containsExactlyElementsOf(kept);
        assertThat(head.minTime()).isEqualTo(w);
        // A query opened before the truncation still reads what it saw.
        int n = 0;
        for (ValueType ty = old.next(); ty != ValueType.NONE; ty = old.next()) {
            n++;
        }
        assertThat(n).isEqualTo(200 + 250 + 3);
        commit(head, A, w + 300_000, 1);
        assertThat(samples(head, A, w + 254_000, Long.MAX_VALUE)).containsExactly((w + 300_000) + "=1.0");
    }

    @Test
    void truncationDropsPersistedDataAndEmptySeries() throws Exception {
        Head head = head(0);
        Appender app = head.appender();
        for (int i = 0; i < 10; i++) {
            app.append(0, A, i * HOUR / 2, i);
        }
        app.append(0, B, 1000, 1);
        app.commit();
        assertThat(head.truncateBefore(2 * HOUR)).isEqualTo(1);
        assertThat(head.numSeries()).isEqualTo(1);
        assertThat(head.querier(0, Long.MAX_VALUE).labelValues("s")).containsExactly("a");
        assertThat(samples(head, A, 0, Long.MAX_VALUE)).extracting(s -> s.substring(0, s.indexOf('=')))
                .containsExactly("7200000", "9000000", "10800000", "12600000", "14400000", "16200000");
        assertThat(head.minTime()).isEqualTo(2 * HOUR);
        assertThat(reasonOf(() -> head.appender().append(0, B, 2 * HOUR - 1, 1))).isEqualTo(Reason.TOO_OLD_SAMPLE);
        commit(head, B, 2 * HOUR, 5);
        assertThat(samples(head, B, 0, Long.MAX_VALUE)).containsExactly("7200000=5.0");
    }

    @Test
    void appenderHoldingASeriesDroppedByTruncationsCommitsItUnderItsOwnLabels() throws Exception {
        Head head = head(0);
        Labels gone = Labels.of("__name__", "gone", "s", "p-1");
        commit(head, gone, 0, 1);
        commit(head, A, 5 * HOUR, 1);
        Appender late = head.appender();
        late.append(0, gone, 3 * HOUR, 2);
        assertThat(head.truncateBefore(2 * HOUR)).isEqualTo(1);
        // A second truncation that drops a series frees the label strings unused at both: "gone" and "p-1".
        commit(head, Labels.of("__name__", "x", "s", "p-2"), 2 * HOUR + 1, 1);
        assertThat(head.truncateBefore(3 * HOUR)).isEqualTo(1);
        Labels fresh = Labels.of("__name__", "fresh", "s", "p-9");
        commit(head, fresh, 4 * HOUR, 3); // may take the freed ids
        late.commit();
        assertThat(samples(head, gone, 0, Long.MAX_VALUE)).containsExactly("10800000=2.0");
        assertThat(samples(head, fresh, 0, Long.MAX_VALUE)).containsExactly("14400000=3.0");
        assertThat(head.querier(0, Long.MAX_VALUE).labelValues("s")).containsExactly("a", "p-1", "p-9");
    }

    @Test
    void concurrentAppendersCreateEachSeriesOnce() throws Exception {
        Head head = head(0);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CyclicBarrier barrier = new CyclicBarrier(4);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int worker = w;
                fs.add(pool.submit(() -> {
                    // All workers race to create the same series with the same first sample (ignored duplicates)...
                    Appender first = head.appender();
                    for (int s = 0; s < 200; s++) {
                        first.append(0, Labels.of("__name__", "c", "s", Integer.toString(s)), 0, 0);
                    }
                    first.commit();
                    barrier.await();
                    // ...then each appends to its own quarter of them.
                    for (int round = 1; round <= 20; round++) {
                        Appender app = head.appender();
                        for (int s = worker; s < 200; s += 4) {
                            app.append(0, Labels.of("__name__", "c", "s", Integer.toString(s)), round * 1000L, round);
                        }
                        app.commit();
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        assertThat(head.numSeries()).isEqualTo(200);
        assertThat(head.stats().samplesAppended()).isEqualTo(200 * 21);
        assertThat(samples(head, Labels.of("__name__", "c", "s", "17"), 0, Long.MAX_VALUE)).hasSize(21);
    }

    @Test
    void anAppenderPerBatchReusesPooledBatchArrays() throws Exception {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Head head = head(0);
        long[] refs = new long[200];
        for (int round = 0; round < 30; round++) {
            Appender app = head.appender();
            for (int s = 0; s < refs.length; s++) {
                refs[s] = app.append(refs[s], Labels.of("__name__", "pool", "s", Integer.toString(s)), round * 1000L, round);
            }
            app.commit();
        }
        long tid = Thread.currentThread().threadId();
        long before = mx.getThreadAllocatedBytes(tid);
        for (int round = 30; round < 40; round++) {
            Appender app = head.appender();
            for (int s = 0; s < refs.length; s++) {
                app.append(refs[s], null, round * 1000L, round);
            }
            app.rollback();
        }
        long allocated = mx.getThreadAllocatedBytes(tid) - before;
        // Only the small per-batch handle: the arrays for 200 series come back from the pool.
        assertThat(allocated).as("bytes allocated by 10 batches of 200 appends").isLessThan(10 * 200);
        // Two open batches never share pooled state, and an appender used again after commit borrows anew.
        Appender a = head.appender();
        Appender b = head.appender();
        a.append(refs[0], null, 50_000, 1);
        b.append(refs[1], null, 50_000, 2);
        a.commit();
        a.append(refs[2], null, 50_000, 3);
        b.rollback();
        a.commit();
        assertThat(samples(head, Labels.of("__name__", "pool", "s", "0"), 50_000, 50_000)).containsExactly("50000=1.0");
        assertThat(samples(head, Labels.of("__name__", "pool", "s", "1"), 50_000, 50_000)).isEmpty();
        assertThat(samples(head, Labels.of("__name__", "pool", "s", "2"), 50_000, 50_000)).containsExactly("50000=3.0");
    }

    @Test
    void floatAppendDoesNotAllocateOnceArraysHaveGrown() throws Exception {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Head head = head(0);
        long[] refs = new long[50];
        Appender app = head.appender();
        for (int s = 0; s < refs.length; s++) {
            refs[s] = app.append(0, Labels.of("__name__", "alloc", "s", Integer.toString(s)), 0, 0);
        }
        app.commit();
        // Two rounds per batch grow the batch arrays to the size measured below.
        for (int round = 1; round < 40; round++) {
            for (int s = 0; s < refs.length; s++) {
                app.append(refs[s], null, round * 1000L, round);
            }
            if (round % 2 == 0) {
                app.commit();
            }
        }
        app.commit();
        long tid = Thread.currentThread().threadId();
        long before = mx.getThreadAllocatedBytes(tid);
        for (int round = 40; round < 42; round++) {
            for (int s = 0; s < refs.length; s++) {
                app.append(refs[s], null, round * 1000L, round);
            }
        }
        long allocated = mx.getThreadAllocatedBytes(tid) - before;
        app.commit();
        assertThat(allocated).as("bytes allocated by 100 appends").isLessThan(200);
    }
}
