package dev.sightline.tsdb.conformance;

import dev.sightline.core.Histogram;
import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.tsdb.Querier;
import dev.sightline.tsdb.SampleIterator;
import dev.sightline.tsdb.Series;
import dev.sightline.tsdb.SeriesSet;
import dev.sightline.tsdb.ValueType;
import dev.sightline.tsdb.block.Block;
import dev.sightline.tsdb.block.BlockMeta;
import dev.sightline.tsdb.block.BlockWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The conformance suite against one persisted block, written by BlockWriter straight from the test data. */
class BlockConformanceTest extends QuerierConformanceTest {
    @TempDir
    Path dir;

    @Override
    protected Querier createQuerier(List<SeriesData> data, long mint, long maxt) throws Exception {
        long lo = Long.MAX_VALUE;
        long hi = Long.MIN_VALUE;
        for (SeriesData s : data) {
            for (Sample x : s.samples()) {
                lo = Math.min(lo, x.t());
                hi = Math.max(hi, x.t());
            }
        }
        List<SeriesData> sorted = new ArrayList<>(data);
        sorted.sort(Comparator.comparing(SeriesData::labels));
        BlockMeta meta = BlockWriter.write(dir, lo, hi + 1, new ListSeriesSet(sorted));
        Block block = Block.open(dir.resolve(meta.ulid()));
        closeAfterTest(block);
        return block.querier(mint, maxt);
    }

    /**
     * Block's documented exception to the Querier contract: a selector with no restricting matcher selects every
     * series (compaction reads whole blocks that way). The database's querier still refuses such a selector, since
     * it always includes the head, which checks (see TsdbConformanceTest).
     */
    @Override
    @Test
    void selectorMatchingOnlyEmptyIsAnError() throws Exception {
        Querier q = createQuerier(fixture(), 0, 10_000);
        assertThat(collect(q.select(true, 0, 10_000, LabelMatcher.eq("env", "")))).hasSize(3);
        assertThat(collect(q.select(true, 0, 10_000))).hasSize(6);
    }

    /** Test data as a SeriesSet, independent of the head. */
    private static final class ListSeriesSet implements SeriesSet {
        private final List<SeriesData> series;
        private int i = -1;

        ListSeriesSet(List<SeriesData> series) {
            this.series = series;
        }

        @Override
        public boolean next() {
            return ++i < series.size();
        }

        @Override
        public Series at() {
            SeriesData s = series.get(i);
            return new Series() {
                @Override
                public Labels labels() {
                    return s.labels();
                }

                @Override
                public SampleIterator iterator(SampleIterator reuse) {
                    return new ListIterator(s.samples());
                }
            };
        }
    }

    private static final class ListIterator implements SampleIterator {
        private final List<Sample> samples;
        private int i = -1;

        ListIterator(List<Sample> samples) {
            this.samples = samples;
        }

        private ValueType at() {
            if (i >= samples.size()) {
                return ValueType.NONE;
            }
            return samples.get(i).h() == null ? ValueType.FLOAT : ValueType.HISTOGRAM;
        }

        @Override
        public ValueType next() {
            if (i < samples.size()) {
                i++;
            }
            return at();
        }

        @Override
        public ValueType seek(long t) {
            if (i < 0) {
                i = 0;
            }
            while (i < samples.size() && samples.get(i).t() < t) {
                i++;
            }
            return at();
        }

        @Override
        public long timestamp() {
            return samples.get(i).t();
        }

        @Override
        public double value() {
            return samples.get(i).v();
        }

        @Override
        public Histogram histogram() {
            return samples.get(i).h();
        }

        @Override
        public long startTimestamp() {
            return samples.get(i).st();
        }
    }
}
