package dev.sightline.tsdb.block;

import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.metricstore.Querier;
import dev.sightline.tsdb.merge.TestSeriesSets.ArraySeries;
import dev.sightline.tsdb.merge.TestSeriesSets.Dump;
import dev.sightline.tsdb.merge.TestSeriesSets.Sample;
import dev.sightline.tsdb.merge.TestSeriesSets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

import static dev.sightline.tsdb.merge.TestSeriesSets.dump;
import static dev.sightline.tsdb.merge.TestSeriesSets.expected;
import static org.assertj.core.api.Assertions.assertThat;

class CompactorTest {
    @TempDir
    Path dir;

    private static final long H = 3_600_000L;
    private static final long STEP = 60_000;
    private static final long[] RANGES = {2 * H, 6 * H, 18 * H};

    private final List<ArraySeries> data = BlockTestData.series(0, STEP, (int) (8 * H / STEP));

    private Block block(long from, long to) throws IOException {
        BlockMeta m = BlockWriter.write(dir, from, to, TestSeriesSets.of(data));
        return Block.open(dir.resolve(m.ulid()));
    }

    private static List<Dump> all(Block b) {
        try (Querier q = b.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
            return dump(q.select(true, Long.MIN_VALUE, Long.MAX_VALUE, LabelMatcher.re("__name__", ".+")));
        }
    }

    @Test
    void compactsThreeAdjacentTwoHourBlocksIntoOneSixHourBlock() throws IOException {
        Block a = block(0, 2 * H), b = block(2 * H, 4 * H), c = block(4 * H, 6 * H);
        Compactor compactor = new Compactor(dir, RANGES);
        List<Block> plan = compactor.plan(List.of(c, a, b));
        assertThat(plan).containsExactly(a, b, c);

        BlockMeta m = compactor.compact(plan);
        assertThat(m.minTime()).isZero();
        assertThat(m.maxTime()).isEqualTo(6 * H);
        assertThat(m.compactionLevel()).isEqualTo(2);
        assertThat(m.sources()).containsExactlyInAnyOrder(a.meta().ulid(), b.meta().ulid(), c.meta().ulid()).isSorted();
        assertThat(m.numSamples()).isEqualTo(a.meta().numSamples() + b.meta().numSamples() + c.meta().numSamples());
        try (Block merged = Block.open(dir.resolve(m.ulid()))) {
            assertThat(all(merged)).isEqualTo(expected(data, 0, 6 * H - 1));
        }

        // The sources, left behind as if the process died before deleting them, are dropped at the next start.
        List<Block> reopened = Blocks.openAll(dir);
        assertThat(reopened).extracting(x -> x.meta().ulid()).containsExactly(m.ulid());
        assertThat(dir.resolve(a.meta().ulid())).doesNotExist();
    }

    @Test
    void leavesTheNewestPartialRangeAlone() throws IOException {
        Block a = block(0, 2 * H), b = block(2 * H, 4 * H);
        Compactor compactor = new Compactor(dir, RANGES);
        assertThat(compactor.plan(List.of(a, b))).isEmpty();
        assertThat(compactor.plan(List.of(a))).isEmpty();
        // Once a block exists past the range, the range will not fill any more: compact what is there.
        Block d = block(6 * H, 8 * H);
        assertThat(compactor.plan(List.of(d, b, a))).containsExactly(a, b);
        // A higher level: three 6h blocks fill 18h.
        Block six = Block.open(dir.resolve(compactor.compact(List.of(a, b)).ulid()));
        assertThat(compactor.plan(List.of(six, d))).isEmpty();
    }

    @Test
    void mergesOverlappingBlocksFirstWithDedupe() throws IOException {
        Labels ls = Labels.of("__name__", "x");
        long[] ta = TestSeriesSets.range(0, STEP, 120);                // [0, 2h) every minute
        long[] tb = TestSeriesSets.range(H, STEP / 2, 240);            // [1h, 3h) every 30 s
        double[] va = new double[ta.length], vb = new double[tb.length];
        for (int i = 0; i < ta.length; i++) {
            va[i] = ta[i];
        }
        for (int i = 0; i < tb.length; i++) {
            vb[i] = -tb[i];
        }
        BlockMeta ma = BlockWriter.write(dir, 0, 2 * H, TestSeriesSets.of(List.of(ArraySeries.floats(ls, ta, va))));
        BlockMeta mb = BlockWriter.write(dir, H, 3 * H, TestSeriesSets.of(List.of(ArraySeries.floats(ls, tb, vb),
                data.get(0))));
        Block a = Block.open(dir.resolve(ma.ulid())), b = Block.open(dir.resolve(mb.ulid()));
        Block later = block(4 * H, 6 * H), later2 = block(6 * H, 8 * H);
        Compactor compactor = new Compactor(dir, RANGES);
        List<Block> plan = compactor.plan(List.of(later2, b, later, a));
        assertThat(plan).containsExactly(a, b);

        BlockMeta m = compactor.compact(plan);
        assertThat(m.minTime()).isZero();
        assertThat(m.maxTime()).isEqualTo(3 * H);
        TreeMap<Long, Double> want = new TreeMap<>();
        for (int i = 0; i < tb.length; i++) {
            want.put(tb[i], vb[i]);
        }
        for (int i = 0; i < ta.length; i++) {
            want.put(ta[i], va[i]); // the first block in the plan wins on equal timestamps
        }
        List<Sample> samples = new ArrayList<>();
        want.forEach((t, v) -> samples.add(new Sample(t, Double.doubleToRawLongBits(v), null)));
        List<Dump> expect = new ArrayList<>(expected(List.of(data.get(0)), H, 3 * H - 1));
        expect.add(new Dump(ls, samples));
        expect.sort((p, q) -> p.labels().compareTo(q.labels()));
        try (Block merged = Block.open(dir.resolve(m.ulid()))) {
            assertThat(all(merged)).isEqualTo(expect);
            assertThat(merged.meta().numSamples()).isEqualTo(samples.size() + expect.get(0).samples().size());
        }
    }

    @Test
    void retentionByTimeAndBySize() throws IOException {
        Block a = block(0, 2 * H), b = block(2 * H, 4 * H), c = block(4 * H, 6 * H), d = block(6 * H, 8 * H);
        List<Block> all = List.of(a, b, c, d);
        long newest = 8 * H;
        assertThat(Retention.expired(all, newest, 0, 0)).isEmpty();
        assertThat(Retention.expired(all, newest, 4 * H, 0)).containsExactly(a, b);  // b ends exactly at the cutoff
        assertThat(Retention.expired(all, newest, 4 * H + 1, 0)).containsExactly(a);
        assertThat(Retention.expired(all, newest, 100 * H, 0)).isEmpty();

        long total = a.sizeBytes() + b.sizeBytes() + c.sizeBytes() + d.sizeBytes();
        assertThat(Retention.expired(all, newest, 0, total)).isEmpty();
        assertThat(Retention.expired(all, newest, 0, total - 1)).containsExactly(a);
        assertThat(Retention.expired(all, newest, 0, c.sizeBytes() + d.sizeBytes())).containsExactly(a, b);
        assertThat(Retention.expired(all, newest, 0, 1)).containsExactly(a, b, c, d);
        // Both limits: time drops a, size then drops the oldest remaining.
        assertThat(Retention.expired(all, newest, 6 * H, c.sizeBytes() + d.sizeBytes())).containsExactly(a, b);
    }
}
