package dev.sightline.tsdb.block;

import dev.sightline.core.LabelMatcher;
import dev.sightline.metricstore.Querier;
import dev.sightline.metricstore.SeriesSet;
import dev.sightline.tsdb.tombstone.Intervals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * A persisted block: its index and chunks memory-mapped and immutable, every checksum verified on open. Only its
 * {@link Tombstones} change (by {@link #delete}); a querier reads the set in force when it was opened.
 */
public final class Block implements java.io.Closeable {
    private final Path dir;
    private final BlockMeta meta;
    private final IndexReader index;
    private final ChunkSegments chunks;
    private final long sizeBytes;
    /** Replaced whole under this block's monitor, after the file is durable. */
    private volatile Tombstones tombstones;

    private Block(Path dir, BlockMeta meta, IndexReader index, ChunkSegments chunks, long sizeBytes, Tombstones tombstones) {
        this.dir = dir;
        this.meta = meta;
        this.index = index;
        this.chunks = chunks;
        this.sizeBytes = sizeBytes;
        this.tombstones = tombstones;
    }

    public static Block open(Path blockDir) throws CorruptBlockException, IOException {
        BlockMeta meta = MetaFile.read(blockDir);
        String name = blockDir.getFileName().toString();
        if (!meta.ulid().equals(name)) {
            throw new CorruptBlockException(blockDir.resolve(MetaFile.NAME), -1,
                    "ulid " + meta.ulid() + " does not match the directory name " + name);
        }
        if (meta.minTime() >= meta.maxTime()) {
            throw new CorruptBlockException(blockDir.resolve(MetaFile.NAME), -1,
                    "empty time range [" + meta.minTime() + ", " + meta.maxTime() + ")");
        }
        IndexReader index = IndexReader.open(blockDir.resolve(IndexFormat.NAME));
        if (index.numSeries() != meta.numSeries()) {
            throw new CorruptBlockException(blockDir.resolve(IndexFormat.NAME), -1,
                    "index has " + index.numSeries() + " series, meta.json says " + meta.numSeries());
        }
        ChunkSegments chunks = ChunkSegments.open(blockDir.resolve(BlockWriter.CHUNKS_DIR));
        if (chunks.numChunks() != meta.numChunks()) {
            throw new CorruptBlockException(blockDir.resolve(BlockWriter.CHUNKS_DIR), -1,
                    "segments hold " + chunks.numChunks() + " chunks, meta.json says " + meta.numChunks());
        }
        Tombstones tombstones = Tombstones.read(blockDir);
        long size;
        try (Stream<Path> files = Files.walk(blockDir)) {
            size = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
        return new Block(blockDir, meta, index, chunks, size, tombstones);
    }

    public BlockMeta meta() {
        return meta;
    }

    public Path dir() {
        return dir;
    }

    /** Bytes on disk of all the block's files. */
    public long sizeBytes() {
        return sizeBytes;
    }

    /** A querier over [mint, maxt] (inclusive), without the samples deleted when it is opened. */
    public Querier querier(long mint, long maxt) {
        return new BlockQuerier(index, chunks, tombstones, Math.max(mint, meta.minTime()), Math.min(maxt, meta.maxTime() - 1));
    }

    /** Every series of the block with its samples, sorted by labels, deleted samples left out: what compaction reads. */
    SeriesSet allSeries() {
        return new BlockQuerier(index, chunks, tombstones, meta.minTime(), meta.maxTime() - 1)
                .all(meta.minTime(), meta.maxTime() - 1);
    }

    /** The block's deleted intervals now. */
    public Tombstones tombstones() {
        return tombstones;
    }

    /**
     * Deletes the samples in [mint, maxt] of the series matching all {@code matchers}: adds the interval to the
     * tombstones of each such series with a chunk there not yet wholly deleted, and writes the tombstones file
     * durably before the new set is read. Returns the number of series given an interval (0 leaves the file alone).
     */
    public synchronized int delete(long mint, long maxt, LabelMatcher... matchers) throws IOException {
        long lo = Math.max(mint, meta.minTime());
        long hi = Math.min(maxt, meta.maxTime() - 1);
        if (lo > hi) {
            return 0;
        }
        Tombstones next = tombstones;
        int n = 0;
        for (int id : new BlockQuerier(index, chunks, next, lo, hi).postings(matchers)) {
            IndexReader.ChunkMetas metas = new IndexReader.ChunkMetas(lo, hi);
            index.readSeries(id, metas);
            Intervals deleted = next.get(id);
            for (int c = 0; c < metas.n; c++) {
                if (deleted == null || !deleted.covers(Math.max(lo, metas.mins[c]), Math.min(hi, metas.maxs[c]))) {
                    next = next.with(id, lo, hi);
                    n++;
                    break;
                }
            }
        }
        if (n > 0) {
            next.write(dir);
            tombstones = next;
        }
        return n;
    }

    /**
     * Nothing to release eagerly: the mappings are unmapped by the garbage collector once no querier uses them, so
     * queriers still open keep working.
     */
    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return "Block[" + meta.ulid() + " " + meta.minTime() + ".." + meta.maxTime() + " level " + meta.compactionLevel() + "]";
    }
}
