package dev.sightline.tsdb.block;

import dev.sightline.core.Histogram;
import dev.sightline.core.LabelLimits;
import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.metricstore.Appender;
import dev.sightline.metricstore.Querier;
import dev.sightline.metricstore.SampleIterator;
import dev.sightline.metricstore.SeriesSet;
import dev.sightline.metricstore.ValueType;
import dev.sightline.metricstore.conformance.StartPatterns;
import dev.sightline.tsdb.head.Head;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** Start timestamps through persistence: head to 2-hour blocks, then compaction of those into one. */
class BlockStartTimestampTest {
    private static final long H = 3_600_000L;
    private static final long STEP = 60_000;

    @TempDir
    Path dir;

    private static Histogram hist(int k) {
        return new Histogram(Histogram.CounterResetHint.NOT_COUNTER_RESET, 1, 0.001, k, 3 * k + 1, k * 0.5,
                new int[]{0}, new int[]{2}, new double[]{k, 2 * k + 1}, null, null, null, null);
    }

    /** "t/st=value" per sample, per series. */
    private static Map<String, List<String>> dump(Querier q) {
        Map<String, List<String>> out = new TreeMap<>();
        SeriesSet set = q.select(true, Long.MIN_VALUE, Long.MAX_VALUE, LabelMatcher.re("__name__", ".+"));
        while (set.next()) {
            List<String> samples = new ArrayList<>();
            SampleIterator it = set.at().iterator(null);
            for (ValueType ty = it.next(); ty != ValueType.NONE; ty = it.next()) {
                samples.add(it.timestamp() + "/" + it.startTimestamp() + "="
                        + (ty == ValueType.FLOAT ? Double.toString(it.value()) : "h" + it.histogram().count));
            }
            out.put(set.at().labels().toString(), samples);
        }
        return out;
    }

    @Test
    void blocksAndTheirCompactionKeepStartTimestamps() throws Exception {
        Head head = new Head(LabelLimits.DEFAULT, 2 * H, 0, null);
        int n = (int) (6 * H / STEP);
        long[] ts = new long[n];
        for (int i = 0; i < n; i++) {
            ts[i] = i * STEP;
        }
        Appender app = head.appender();
        for (StartPatterns p : StartPatterns.values()) {
            long[] sts = p.starts(ts, n);
            Labels decimals = Labels.of("__name__", "decimals", "shape", p.name());
            Labels xor = Labels.of("__name__", "xor", "shape", p.name());
            Labels hists = Labels.of("__name__", "hists", "shape", p.name());
            for (int i = 0; i < n; i++) {
                // Quarter steps are short decimals (DECIMAL chunks); square roots are not (XOR chunks).
                app.append(0, decimals, sts[i], ts[i], i * 0.25);
                app.append(0, xor, sts[i], ts[i], Math.sqrt(i));
                app.appendHistogram(0, hists, sts[i], ts[i], hist(i));
            }
        }
        app.commit();
        Map<String, List<String>> want = dump(head.querier(Long.MIN_VALUE, Long.MAX_VALUE));
        assertThat(want).hasSize(3 * StartPatterns.values().length);

        List<Block> blocks = new ArrayList<>();
        for (long from = 0; from < 6 * H; from += 2 * H) {
            BlockMeta m = BlockWriter.write(dir, from, from + 2 * H, head.querier(from, from + 2 * H - 1)
                    .select(true, from, from + 2 * H - 1, LabelMatcher.re("__name__", ".+")));
            blocks.add(Block.open(dir.resolve(m.ulid())));
        }
        Compactor compactor = new Compactor(dir, new long[]{2 * H, 6 * H});
        BlockMeta merged = compactor.compact(blocks);
        try (Block b = Block.open(dir.resolve(merged.ulid())); Querier q = b.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
            assertThat(dump(q)).isEqualTo(want);
        }
        for (Block b : blocks) {
            b.close();
        }
    }
}
