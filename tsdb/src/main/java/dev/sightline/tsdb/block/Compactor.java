package dev.sightline.tsdb.block;

import dev.sightline.metricstore.SeriesSet;
import dev.sightline.tsdb.merge.MergeQuerier;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Leveled compaction, as Prometheus does it: overlapping blocks are merged first (vertical compaction); otherwise
 * adjacent blocks that share an aligned range of a larger level are merged once they fill it, or once a newer block
 * exists past it, so the newest, still-filling range is left alone; otherwise a block with many tombstones is
 * rewritten alone. Every block written leaves deleted samples out.
 */
public final class Compactor {
    private final Path dataDir;
    private final long[] ranges;

    public Compactor(Path dataDir, long[] ranges) {
        if (ranges.length == 0) {
            throw new IllegalArgumentException("ranges must not be empty");
        }
        for (int i = 0; i < ranges.length; i++) {
            if (ranges[i] <= 0 || (i > 0 && ranges[i] <= ranges[i - 1])) {
                throw new IllegalArgumentException("ranges[" + i + "] = " + ranges[i] + " must be positive and increasing");
            }
        }
        this.dataDir = dataDir;
        this.ranges = ranges.clone();
    }

    /** Prometheus-style levels: {@code levels} ranges, the block duration times 1, 3, 9, ... */
    public static long[] exponentialRanges(long blockDurationMs, int levels) {
        long[] r = new long[levels];
        long v = blockDurationMs;
        for (int i = 0; i < levels; i++) {
            r[i] = v;
            v *= 3;
        }
        return r;
    }

    /** Blocks to compact together next, or empty. */
    public List<Block> plan(List<Block> blocks) {
        List<Block> sorted = new ArrayList<>(blocks);
        sorted.sort(Comparator.comparingLong((Block b) -> b.meta().minTime()).thenComparingLong(b -> b.meta().maxTime()));
        List<Block> overlapping = firstOverlappingGroup(sorted);
        if (!overlapping.isEmpty()) {
            return overlapping;
        }
        if (sorted.size() >= 2) {
            long highTime = sorted.get(sorted.size() - 1).meta().minTime();
            for (int level = 1; level < ranges.length; level++) {
                long range = ranges[level];
                for (List<Block> group : splitByRange(sorted, range)) {
                    if (group.size() < 2) {
                        continue;
                    }
                    long mint = group.get(0).meta().minTime();
                    long maxt = group.get(group.size() - 1).meta().maxTime();
                    if (maxt - mint == range || maxt <= highTime) {
                        return group;
                    }
                }
            }
        }
        // As Prometheus's planner: a block (longer than half the smallest range) whose tombstones touch more than 5% of
        // its series is rewritten alone, so deleted samples leave the disk without a clean_tombstones.
        for (int i = sorted.size() - 1; i >= 0; i--) {
            Block b = sorted.get(i);
            if (b.meta().maxTime() - b.meta().minTime() > ranges[0] / 2
                    && b.tombstones().numSeries() > 0.05 * (b.meta().numSeries() + 1)) {
                return List.of(b);
            }
        }
        return List.of();
    }

    /** The first run of blocks whose time ranges overlap one another, or empty. */
    private static List<Block> firstOverlappingGroup(List<Block> sorted) {
        List<Block> group = new ArrayList<>();
        long groupMax = Long.MIN_VALUE;
        for (Block b : sorted) {
            if (!group.isEmpty() && b.meta().minTime() < groupMax) {
                group.add(b);
                groupMax = Math.max(groupMax, b.meta().maxTime());
                continue;
            }
            if (group.size() > 1) {
                return group;
            }
            group = new ArrayList<>();
            group.add(b);
            groupMax = b.meta().maxTime();
        }
        return group.size() > 1 ? group : List.of();
    }

    /** Groups consecutive blocks lying wholly inside the same aligned window of {@code range}. */
    private static List<List<Block>> splitByRange(List<Block> sorted, long range) {
        List<List<Block>> groups = new ArrayList<>();
        List<Block> cur = new ArrayList<>();
        long curStart = Long.MIN_VALUE;
        for (Block b : sorted) {
            long start = Math.floorDiv(b.meta().minTime(), range) * range;
            if (b.meta().maxTime() > start + range) {
                continue; // larger than this level's window
            }
            if (start != curStart && !cur.isEmpty()) {
                groups.add(cur);
                cur = new ArrayList<>();
            }
            curStart = start;
            cur.add(b);
        }
        if (!cur.isEmpty()) {
            groups.add(cur);
        }
        return groups;
    }

    /**
     * Writes the merged contents of {@code blocks} as one new block (level = highest source level + 1, sources the
     * union of theirs); equal timestamps are deduplicated. The caller deletes the sources. Returns null when the
     * sources hold no samples at all.
     */
    public BlockMeta compact(List<Block> blocks) throws IOException {
        if (blocks.isEmpty()) {
            throw new IllegalArgumentException("nothing to compact");
        }
        long mint = Long.MAX_VALUE;
        long maxt = Long.MIN_VALUE;
        int level = 0;
        LinkedHashSet<String> sources = new LinkedHashSet<>();
        SeriesSet[] sets = new SeriesSet[blocks.size()];
        for (int i = 0; i < sets.length; i++) {
            Block b = blocks.get(i);
            mint = Math.min(mint, b.meta().minTime());
            maxt = Math.max(maxt, b.meta().maxTime());
            level = Math.max(level, b.meta().compactionLevel());
            sources.addAll(b.meta().sources());
            sets[i] = b.allSeries();
        }
        List<String> sortedSources = new ArrayList<>(sources);
        sortedSources.sort(null);
        return BlockWriter.write(dataDir, mint, maxt, MergeQuerier.merge(sets), level + 1, sortedSources,
                ChunkSegmentWriter.DEFAULT_SEGMENT_SIZE);
    }
}
