package dev.sightline.tsdb.block;

import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.metricstore.Querier;
import dev.sightline.metricstore.SeriesSet;
import dev.sightline.tsdb.merge.TestSeriesSets.ArraySeries;
import dev.sightline.tsdb.merge.TestSeriesSets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Writes a realistic counter workload (seeded, so the block is the same every run) and bounds the block's bytes per
 * sample and its index bytes per series: well above today's figures (1.852 bytes/sample, 37 index bytes/series),
 * low enough that losing a compression step (zero delta-of-delta timestamps as one bit, say) breaks it.
 */
class BlockSizeTest {
    @TempDir
    Path dir;

    @Test
    void bytesPerSampleOfACounterBlock() throws IOException {
        int seriesCount = 1000, samples = 480;
        long step = 15_000, start = 1_700_000_000_000L;
        Random r = new Random(42);
        List<ArraySeries> series = new ArrayList<>();
        String[] methods = {"GET", "POST", "PUT", "DELETE"};
        String[] codes = {"200", "404", "500", "503", "301"};
        for (int s = 0; s < seriesCount; s++) {
            Labels ls = Labels.of("__name__", "http_requests_total", "job", "api", "instance", "host-" + (s / 20) + ":9100",
                    "method", methods[s % 4], "code", codes[(s / 4) % 5]);
            long[] ts = new long[samples];
            double[] vs = new double[samples];
            double v = r.nextInt(100_000);
            int rate = 1 + r.nextInt(200);
            for (int i = 0; i < samples; i++) {
                // Scrapes land on the 15 s grid give or take a few milliseconds, as real scrapers do.
                ts[i] = start + i * step + (r.nextInt(10) == 0 ? r.nextInt(5) - 2 : 0);
                v += r.nextInt(rate + 1);
                vs[i] = v;
            }
            series.add(ArraySeries.floats(ls, ts, vs));
        }
        BlockMeta m = BlockWriter.write(dir, start - 10, start + samples * step, TestSeriesSets.of(series));
        Path b = dir.resolve(m.ulid());
        long total, chunkBytes;
        try (Block block = Block.open(b)) {
            total = block.sizeBytes();
            chunkBytes = Files.size(b.resolve("chunks/000001"));
            try (Querier q = block.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
                SeriesSet set = q.select(true, Long.MIN_VALUE, Long.MAX_VALUE, LabelMatcher.eq("job", "api"));
                assertThat(TestSeriesSets.dump(set)).hasSize(seriesCount);
            }
        }
        long n = (long) seriesCount * samples;
        assertThat(m.numSamples()).isEqualTo(n);
        long indexBytes = Files.size(b.resolve("index"));
        System.out.printf("block of %d series x %d samples: %d bytes total = %.3f bytes/sample (chunks %.3f, index %d bytes)%n",
                seriesCount, samples, total, (double) total / n, (double) chunkBytes / n, indexBytes);
        assertThat((double) total / n).as("block bytes per sample").isLessThanOrEqualTo(2.5);
        assertThat((double) indexBytes / seriesCount).as("index bytes per series").isLessThanOrEqualTo(60);
    }
}
