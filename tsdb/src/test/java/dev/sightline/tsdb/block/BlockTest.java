package dev.sightline.tsdb.block;

import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.metricstore.Querier;
import dev.sightline.metricstore.SampleIterator;
import dev.sightline.metricstore.SeriesSet;
import dev.sightline.metricstore.ValueType;
import dev.sightline.tsdb.merge.TestSeriesSets.ArraySeries;
import dev.sightline.tsdb.merge.TestSeriesSets.Dump;
import dev.sightline.tsdb.merge.TestSeriesSets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;

import static dev.sightline.tsdb.merge.TestSeriesSets.dump;
import static dev.sightline.tsdb.merge.TestSeriesSets.expected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BlockTest {
    @TempDir
    Path dir;

    private static final long START = 1_700_000_000_000L;
    private static final long STEP = 15_000;
    private static final int N = 300;

    private final List<ArraySeries> data = BlockTestData.series(START, STEP, N);

    private Block writeAndOpen() throws IOException {
        BlockMeta meta = BlockWriter.write(dir, START, START + N * STEP, TestSeriesSets.of(data));
        assertThat(meta).isNotNull();
        return Block.open(dir.resolve(meta.ulid()));
    }

    @Test
    void writesMetaAndLayout() throws IOException {
        BlockMeta meta = BlockWriter.write(dir, START, START + N * STEP, TestSeriesSets.of(data));
        assertThat(Ulid.isValid(meta.ulid())).isTrue();
        assertThat(meta.numSeries()).isEqualTo(data.size());
        assertThat(meta.numSamples()).isEqualTo((long) data.size() * N);
        assertThat(meta.compactionLevel()).isEqualTo(1);
        assertThat(meta.sources()).containsExactly(meta.ulid());
        // 4 float series of 300 samples = one chunk each (up to 480 samples); the histogram series cuts at the
        // counter reset (100), the schema change (150) and the switch to floats (225).
        assertThat(meta.numChunks()).isEqualTo(4 + 4);
        Path b = dir.resolve(meta.ulid());
        assertThat(b.resolve("meta.json")).isRegularFile();
        assertThat(b.resolve("index")).isRegularFile();
        assertThat(b.resolve("chunks/000001")).isRegularFile();
        assertThat(Files.list(dir).map(p -> p.getFileName().toString())).containsExactly(meta.ulid());
        try (Block block = Block.open(b)) {
            assertThat(block.meta()).isEqualTo(meta);
            assertThat(block.sizeBytes()).isPositive();
        }
    }

    @Test
    void roundTripsEverySampleBitExact() throws IOException {
        try (Block block = writeAndOpen(); Querier q = block.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
            List<Dump> got = dump(q.select(true, Long.MIN_VALUE, Long.MAX_VALUE, LabelMatcher.re("__name__", ".+")));
            assertThat(got).isEqualTo(expected(data, Long.MIN_VALUE, Long.MAX_VALUE));
        }
    }

    @Test
    void restrictsToTheBlockRangeWhenWriting() throws IOException {
        long lo = START + 50 * STEP, hi = START + 200 * STEP;
        BlockMeta meta = BlockWriter.write(dir, lo, hi, TestSeriesSets.of(data));
        try (Block block = Block.open(dir.resolve(meta.ulid())); Querier q = block.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
            assertThat(dump(q.select(true, Long.MIN_VALUE, Long.MAX_VALUE, LabelMatcher.re("job", ".*."))))
                    .isEqualTo(expected(data, lo, hi - 1));
        }
    }

    @Test
    void noSamplesInRangeWritesNothing() throws IOException {
        assertThat(BlockWriter.write(dir, 0, 1000, TestSeriesSets.of(data))).isNull();
        assertThat(Files.list(dir)).isEmpty();
    }

    @Test
    void rejectsUnsortedSeries() {
        List<ArraySeries> two = List.of(data.get(1), data.get(0));
        SeriesSet unsorted = new SeriesSet() {
            int i = -1;

            @Override
            public boolean next() {
                return ++i < two.size();
            }

            @Override
            public dev.sightline.metricstore.Series at() {
                return two.get(i);
            }
        };
        assertThatThrownBy(() -> BlockWriter.write(dir, START, START + N * STEP, unsorted))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sorted");
        assertThat(dir.toFile().list()).isEmpty();
    }

    @Test
    void selectsWithEveryMatcherTypeAsPrometheusDoes() throws IOException {
        LabelMatcher[][] cases = {
                {LabelMatcher.eq("__name__", "up")},
                {LabelMatcher.eq("__name__", "up"), LabelMatcher.neq("instance", "a")},
                {LabelMatcher.eq("__name__", "up"), LabelMatcher.eq("instance", "")},      // lacks the label
                {LabelMatcher.re("job", "a.*|d.")},
                {LabelMatcher.re("__name__", ".+"), LabelMatcher.nre("instance", "a|c")},   // includes series without it
                {LabelMatcher.re("__name__", ".+"), LabelMatcher.re("instance", ".*")},
                {LabelMatcher.re("__name__", ".+"), LabelMatcher.nre("path", "")},          // has the label
                {LabelMatcher.eq("job", "api"), LabelMatcher.eq("__name__", "latency")},
                {LabelMatcher.eq("job", "nope")},
                {LabelMatcher.eq("nope", "x")},
                {LabelMatcher.neq("job", "api"), LabelMatcher.re("instance", "b|c")},
        };
        long lo = START + 100 * STEP, hi = START + 130 * STEP + 7;
        try (Block block = writeAndOpen(); Querier q = block.querier(START, START + N * STEP)) {
            for (LabelMatcher[] ms : cases) {
                List<ArraySeries> want = data.stream().filter(s -> matchesAll(s.labels(), ms)).toList();
                assertThat(dump(q.select(true, lo, hi, ms))).as(List.of(ms).toString()).isEqualTo(expected(want, lo, hi));

                TreeSet<String> names = new TreeSet<>();
                TreeSet<String> jobs = new TreeSet<>();
                want.forEach(s -> s.labels().forEach((n, v) -> names.add(n)));
                want.forEach(s -> jobs.add(s.labels().get("job")));
                assertThat(q.labelNames(ms)).as(List.of(ms).toString()).containsExactlyElementsOf(names);
                assertThat(q.labelValues("job", ms)).as(List.of(ms).toString()).containsExactlyElementsOf(jobs);
            }
            assertThat(q.labelNames()).containsExactly("__name__", "instance", "job", "path");
            assertThat(q.labelValues("instance")).containsExactly("a", "b", "c");
            assertThat(q.labelValues("missing")).isEmpty();
        }
    }

    private static boolean matchesAll(Labels labels, LabelMatcher[] ms) {
        for (LabelMatcher m : ms) {
            if (!m.matches(labels.get(m.name()))) {
                return false;
            }
        }
        return true;
    }

    @Test
    void querierRangeClampsSamplesAndSkipsSeriesWithoutChunksInRange() throws IOException {
        long qlo = START + 119 * STEP, qhi = START + 241 * STEP;
        try (Block block = writeAndOpen(); Querier q = block.querier(qlo, qhi)) {
            assertThat(dump(q.select(true, Long.MIN_VALUE, Long.MAX_VALUE, LabelMatcher.re("__name__", ".+"))))
                    .isEqualTo(expected(data, qlo, qhi));
            assertThat(dump(q.select(true, qhi + 1, Long.MAX_VALUE, LabelMatcher.re("__name__", ".+")))).isEmpty();
        }
    }

    @Test
    void seekSkipsChunksAndNeverMovesBackwards() throws IOException {
        try (Block block = writeAndOpen(); Querier q = block.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
            SeriesSet set = q.select(true, START + 10 * STEP, Long.MAX_VALUE, LabelMatcher.eq("job", "db"), LabelMatcher.eq("instance", ""));
            assertThat(set.next()).isTrue();
            ArraySeries src = data.get(2);
            SampleIterator it = set.at().iterator(null);
            assertThat(it.seek(START)).isEqualTo(ValueType.FLOAT);                 // clamped to the select's mint
            assertThat(it.timestamp()).isEqualTo(src.ts()[10]);
            assertThat(it.seek(src.ts()[250])).isEqualTo(ValueType.FLOAT);        // jumps two chunks
            assertThat(it.timestamp()).isEqualTo(src.ts()[250]);
            assertThat(it.seek(src.ts()[3])).isEqualTo(ValueType.FLOAT);
            assertThat(it.timestamp()).isEqualTo(src.ts()[250]);
            assertThat(it.next()).isEqualTo(ValueType.FLOAT);
            assertThat(it.timestamp()).isEqualTo(src.ts()[251]);
            assertThat(it.seek(Long.MAX_VALUE)).isEqualTo(ValueType.NONE);
            assertThat(it.next()).isEqualTo(ValueType.NONE);
            assertThat(set.next()).isFalse();
        }
    }

    @Test
    void splitsChunksAcrossSegments() throws IOException {
        BlockMeta meta = BlockWriter.write(dir, START, START + N * STEP, TestSeriesSets.of(data), 1, null, 600);
        Path chunks = dir.resolve(meta.ulid()).resolve("chunks");
        assertThat(chunks.toFile().list()).hasSizeGreaterThan(2);
        try (Block block = Block.open(dir.resolve(meta.ulid())); Querier q = block.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
            assertThat(dump(q.select(true, Long.MIN_VALUE, Long.MAX_VALUE, LabelMatcher.re("__name__", ".+"))))
                    .isEqualTo(expected(data, Long.MIN_VALUE, Long.MAX_VALUE));
        }
    }
}
