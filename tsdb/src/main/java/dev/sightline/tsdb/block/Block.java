package dev.sightline.tsdb.block;

import dev.sightline.metricstore.Querier;
import dev.sightline.metricstore.SeriesSet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** An immutable, persisted block: its index and chunks memory-mapped, every checksum verified on open. */
public final class Block implements java.io.Closeable {
    private final Path dir;
    private final BlockMeta meta;
    private final IndexReader index;
    private final ChunkSegments chunks;
    private final long sizeBytes;

    private Block(Path dir, BlockMeta meta, IndexReader index, ChunkSegments chunks, long sizeBytes) {
        this.dir = dir;
        this.meta = meta;
        this.index = index;
        this.chunks = chunks;
        this.sizeBytes = sizeBytes;
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
        long size;
        try (Stream<Path> files = Files.walk(blockDir)) {
            size = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
        return new Block(blockDir, meta, index, chunks, size);
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

    /** A querier over [mint, maxt] (inclusive). */
    public Querier querier(long mint, long maxt) {
        return new BlockQuerier(index, chunks, Math.max(mint, meta.minTime()), Math.min(maxt, meta.maxTime() - 1));
    }

    /** Every series of the block with its samples, sorted by labels: what compaction reads. */
    SeriesSet allSeries() {
        return new BlockQuerier(index, chunks, meta.minTime(), meta.maxTime() - 1).all(meta.minTime(), meta.maxTime() - 1);
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
