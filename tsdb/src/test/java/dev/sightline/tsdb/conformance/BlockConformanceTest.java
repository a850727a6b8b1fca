package dev.sightline.tsdb.conformance;

import dev.sightline.metricstore.Querier;
import dev.sightline.metricstore.conformance.ConformanceData;
import dev.sightline.metricstore.conformance.ConformanceData.Sample;
import dev.sightline.metricstore.conformance.ConformanceData.SeriesData;
import dev.sightline.metricstore.conformance.QuerierConformanceTest;
import dev.sightline.tsdb.block.Block;
import dev.sightline.tsdb.block.BlockMeta;
import dev.sightline.tsdb.block.BlockWriter;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The read conformance suite against one persisted block, written by BlockWriter straight from the test data. */
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
        BlockMeta meta = BlockWriter.write(dir, lo, hi + 1, ConformanceData.seriesSet(sorted));
        Block block = Block.open(dir.resolve(meta.ulid()));
        closeAfterTest(block);
        return block.querier(mint, maxt);
    }
}
