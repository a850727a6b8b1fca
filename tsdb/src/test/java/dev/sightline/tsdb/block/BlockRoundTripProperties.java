package dev.sightline.tsdb.block;

import dev.sightline.core.FileTrees;
import dev.sightline.core.Histogram;
import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.metricstore.Querier;
import dev.sightline.metricstore.SampleIterator;
import dev.sightline.metricstore.SeriesSet;
import dev.sightline.metricstore.ValueType;
import dev.sightline.tsdb.merge.TestSeriesSets.ArraySeries;
import dev.sightline.tsdb.merge.TestSeriesSets.Dump;
import dev.sightline.tsdb.merge.TestSeriesSets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.sightline.tsdb.merge.TestSeriesSets.dump;
import static dev.sightline.tsdb.merge.TestSeriesSets.expected;
import static org.assertj.core.api.Assertions.assertThat;

/** Random series, written as a block and read back through random queries, come back exactly. */
class BlockRoundTripProperties {
    private static final String[] VALUES = {"a", "b", "c", "ü", "a b"};

    private static List<ArraySeries> randomSeries(Random r) {
        Map<Labels, ArraySeries> out = new HashMap<>();
        int n = 1 + r.nextInt(20);
        long base = r.nextBoolean() ? -r.nextInt(1_000_000) : (long) r.nextInt(1 << 30) << 10;
        for (int s = 0; s < n; s++) {
            Labels.Builder b = Labels.builder().set("__name__", "m" + r.nextInt(3));
            for (String name : new String[]{"job", "instance", "zone"}) {
                if (r.nextInt(3) > 0) {
                    b.set(name, VALUES[r.nextInt(VALUES.length)]);
                }
            }
            Labels ls = b.build();
            int len = 1 + r.nextInt(400);
            long[] ts = new long[len];
            double[] vs = new double[len];
            Histogram[] hs = new Histogram[len];
            long t = base + r.nextInt(10_000);
            boolean hist = r.nextInt(4) == 0;
            for (int i = 0; i < len; i++) {
                t += 1 + (r.nextInt(50) == 0 ? r.nextInt(1 << 20) : r.nextInt(30_000));
                ts[i] = t;
                vs[i] = switch (r.nextInt(6)) {
                    case 0 -> Double.longBitsToDouble(r.nextLong());
                    case 1 -> i;
                    default -> r.nextGaussian() * 1e6;
                };
                if (hist && r.nextInt(10) > 0) {
                    hs[i] = BlockTestData.hist(i + 1, r.nextInt(20) == 0 ? 1 : 0, Histogram.CounterResetHint.NOT_COUNTER_RESET);
                }
            }
            out.put(ls, new ArraySeries(ls, ts, vs, hs));
        }
        return new ArrayList<>(out.values());
    }

    private static LabelMatcher randomMatcher(Random r) {
        String name = new String[]{"__name__", "job", "instance", "zone", "nope"}[r.nextInt(5)];
        String value = r.nextInt(5) == 0 ? "" : (name.equals("__name__") ? "m" + r.nextInt(3) : VALUES[r.nextInt(VALUES.length)]);
        return switch (r.nextInt(4)) {
            case 0 -> LabelMatcher.eq(name, value);
            case 1 -> LabelMatcher.neq(name, value);
            case 2 -> LabelMatcher.re(name, value + "|c.*");
            default -> LabelMatcher.nre(name, value + "|b");
        };
    }

    /** The matchers, plus {@code __name__=~".+"} when all match the empty value: the contract refuses those alone. */
    private static LabelMatcher[] restricting(LabelMatcher[] ms) {
        if (!Arrays.stream(ms).allMatch(LabelMatcher::matchesEmpty)) {
            return ms;
        }
        LabelMatcher[] out = Arrays.copyOf(ms, ms.length + 1);
        out[ms.length] = LabelMatcher.re("__name__", ".+");
        return out;
    }

    private static boolean matchesAll(Labels ls, LabelMatcher[] ms) {
        return Arrays.stream(ms).allMatch(m -> m.matches(ls.get(m.name())));
    }

    @Property(tries = 25)
    void writtenBlocksReadBackExactly(@ForAll long seed) throws IOException {
        Random r = new Random(seed);
        List<ArraySeries> data = randomSeries(r);
        long lo = data.stream().mapToLong(s -> s.ts()[0]).min().orElseThrow();
        long hi = data.stream().mapToLong(s -> s.ts()[s.ts().length - 1]).max().orElseThrow() + 1;
        long from = lo + (r.nextBoolean() ? 0 : (hi - lo) / 4), to = hi - (r.nextBoolean() ? 0 : (hi - lo) / 4);
        Path dir = Files.createTempDirectory("block-prop");
        try {
            BlockMeta m = BlockWriter.write(dir, from, to, TestSeriesSets.of(data), 1, null, 16_384 + r.nextInt(200_000));
            List<ArraySeries> within = data.stream().filter(s -> !expected(List.of(s), from, to - 1).isEmpty()).toList();
            if (within.isEmpty()) {
                assertThat(m).isNull();
                return;
            }
            assertThat(m.numSeries()).isEqualTo(within.size());
            try (Block block = Block.open(dir.resolve(m.ulid())); Querier q = block.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
                for (int k = 0; k < 10; k++) {
                    LabelMatcher[] ms = restricting(r.nextBoolean() ? new LabelMatcher[]{randomMatcher(r)}
                            : new LabelMatcher[]{randomMatcher(r), randomMatcher(r)});
                    long qlo = from + (long) (r.nextDouble() * (to - from)), qhi = qlo + (long) (r.nextDouble() * (to - qlo));
                    List<ArraySeries> want = within.stream().filter(s -> matchesAll(s.labels(), ms)).toList();
                    // Series are selected by chunk overlap, as in Prometheus: one whose chunk spans the range
                    // without a sample inside it comes back with no samples.
                    List<Dump> got = dump(q.select(true, qlo, qhi, ms));
                    assertThat(got).extracting(Dump::labels).isSubsetOf(want.stream().map(ArraySeries::labels).toList());
                    assertThat(got.stream().filter(d -> !d.samples().isEmpty()).toList()).as(Arrays.toString(ms))
                            .isEqualTo(expected(want, Math.max(qlo, from), Math.min(qhi, to - 1)));
                }
                // Random seeks agree with a scan.
                SeriesSet set = q.select(true, from, to, LabelMatcher.re("__name__", ".+"));
                SampleIterator it = null;
                while (set.next()) {
                    ArraySeries src = data.stream().filter(s -> s.labels().equals(set.at().labels())).findFirst().orElseThrow();
                    it = set.at().iterator(it);
                    long t = from;
                    for (ValueType vt = it.seek(t); vt != ValueType.NONE; vt = it.seek(t)) {
                        long got = it.timestamp();
                        int i = 0;
                        while (src.ts()[i] < t) {
                            i++;
                        }
                        assertThat(got).isEqualTo(src.ts()[i]);
                        t = got + 1 + r.nextInt(200_000);
                    }
                }
            }
        } finally {
            FileTrees.deleteRecursively(dir);
        }
    }
}
