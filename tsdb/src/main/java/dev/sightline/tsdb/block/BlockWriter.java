package dev.sightline.tsdb.block;

import dev.sightline.core.FileTrees;
import dev.sightline.core.Histogram;
import dev.sightline.core.Labels;
import dev.sightline.metricstore.SampleIterator;
import dev.sightline.metricstore.Series;
import dev.sightline.metricstore.SeriesSet;
import dev.sightline.metricstore.ValueType;
import dev.sightline.tsdb.chunk.Chunk;
import dev.sightline.tsdb.chunk.ChunkAppender;
import dev.sightline.tsdb.chunk.ChunkEncoding;
import dev.sightline.tsdb.chunk.Chunks;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Writes immutable blocks: meta.json, chunks/ segments and the index, made visible by one atomic rename. */
public final class BlockWriter {
    static final String TMP_SUFFIX = ".tmp";
    static final String CHUNKS_DIR = "chunks";
    /**
     * Samples per chunk in a block cut from the head: four times the head's 120, so a 2 h block at 15 s holds one
     * chunk per series. Each chunk costs ~35 bytes beyond its samples (first timestamp and value, column headers,
     * record framing and CRC, index entry): ~0.07 bytes per sample at 480. A query decodes at most this many samples
     * to reach its start in a chunk.
     */
    static final int SAMPLES_PER_CHUNK = 480;
    /**
     * Samples per chunk in compacted blocks (6 h at 15 s): they hold older data, read mostly over longer ranges, and a
     * third of the chunks saves ~0.045 bytes per sample; PACKED decodes the 1,440 samples of a chunk in ~10 us.
     */
    static final int COMPACTED_SAMPLES_PER_CHUNK = 1440;

    /** Samples per chunk for a block of this compaction level. */
    static int samplesPerChunk(int level) {
        return level <= 1 ? SAMPLES_PER_CHUNK : COMPACTED_SAMPLES_PER_CHUNK;
    }

    private BlockWriter() {
    }

    /**
     * Writes the series (must be sorted by labels) restricted to [minTime, maxTime) as a new block under parentDir
     * (written to a temp dir, fsynced, then renamed atomically). Returns null when there were no samples.
     */
    public static BlockMeta write(Path parentDir, long minTime, long maxTime, SeriesSet sortedSeries) throws IOException {
        return write(parentDir, minTime, maxTime, sortedSeries, 1, null, ChunkSegmentWriter.DEFAULT_SEGMENT_SIZE);
    }

    /**
     * As {@link #write(Path, long, long, SeriesSet)} with a compaction level and the source ULIDs (null: the new
     * block is its own source), and the chunk segment size (tests use small ones).
     */
    static BlockMeta write(Path parentDir, long minTime, long maxTime, SeriesSet sortedSeries, int level,
                           List<String> sources, long segmentSize) throws IOException {
        if (minTime >= maxTime) {
            throw new IllegalArgumentException("block range [" + minTime + ", " + maxTime + ") is empty");
        }
        String ulid = Ulid.generate();
        Path tmp = parentDir.resolve(ulid + TMP_SUFFIX);
        Files.createDirectories(tmp.resolve(CHUNKS_DIR));
        boolean done = false;
        try {
            List<IndexWriter.SeriesEntry> entries = new ArrayList<>();
            long samples;
            long chunks;
            try (ChunkSegmentWriter segments = new ChunkSegmentWriter(tmp.resolve(CHUNKS_DIR), segmentSize)) {
                samples = writeChunks(sortedSeries, minTime, maxTime, samplesPerChunk(level), segments, entries);
                chunks = segments.chunksWritten();
            }
            if (samples == 0) {
                return null;
            }
            IndexWriter.write(tmp.resolve(IndexFormat.NAME), entries);
            BlockMeta meta = new BlockMeta(ulid, minTime, maxTime, entries.size(), samples, chunks, level,
                    sources == null ? List.of(ulid) : sources);
            MetaFile.write(tmp, meta);
            fsync(tmp.resolve(MetaFile.NAME), false);
            fsync(tmp.resolve(CHUNKS_DIR), true);
            fsync(tmp, true);
            Files.move(tmp, parentDir.resolve(ulid), StandardCopyOption.ATOMIC_MOVE);
            fsync(parentDir, true);
            done = true;
            return meta;
        } finally {
            if (!done) {
                FileTrees.deleteRecursively(tmp);
            }
        }
    }

    /**
     * Re-chunks every series into the segment writer; returns the number of samples written. Float runs are
     * collected and written whole as PACKED chunks; histograms are appended to chunks.
     */
    private static long writeChunks(SeriesSet set, long minTime, long maxTime, int perChunk, ChunkSegmentWriter segments,
                                    List<IndexWriter.SeriesEntry> entries) throws IOException {
        long samples = 0;
        Labels prev = null;
        SampleIterator it = null;
        ChunkMetas metas = new ChunkMetas();
        FloatRun floats = new FloatRun(perChunk);
        while (set.next()) {
            Series s = set.at();
            Labels labels = s.labels();
            if (prev != null && prev.compareTo(labels) >= 0) {
                throw new IllegalArgumentException("series must be sorted and unique: " + labels + " came after " + prev);
            }
            prev = labels;
            it = s.iterator(it);
            metas.n = 0;
            Chunk hchunk = null;
            ChunkAppender happ = null;
            long chunkMin = 0;
            long lastT = Long.MIN_VALUE;
            for (ValueType vt = it.seek(minTime); vt != ValueType.NONE; vt = it.next()) {
                long t = it.timestamp();
                if (t >= maxTime) {
                    break;
                }
                if (t <= lastT) {
                    throw new IllegalArgumentException("series " + labels + ": timestamp " + t + " does not increase (previous " + lastT + ")");
                }
                if (vt == ValueType.FLOAT) {
                    if (hchunk != null) {
                        metas.add(chunkMin, lastT, segments.write(hchunk));
                        hchunk = null;
                    }
                    if (floats.n == perChunk) {
                        floats.flush(metas, segments);
                    }
                    floats.add(it.startTimestamp(), t, it.value());
                } else {
                    floats.flush(metas, segments);
                    if (hchunk != null && hchunk.numSamples() >= perChunk) {
                        metas.add(chunkMin, lastT, segments.write(hchunk));
                        hchunk = null;
                    }
                    Histogram h = it.histogram();
                    long st = it.startTimestamp();
                    if (hchunk != null && !happ.appendHistogram(st, t, h)) {
                        // The chunk cannot take this histogram (layout change, counter reset): cut and retry once.
                        metas.add(chunkMin, lastT, segments.write(hchunk));
                        hchunk = null;
                    }
                    if (hchunk == null) {
                        hchunk = Chunks.newChunk(ChunkEncoding.FLOAT_HISTOGRAM);
                        happ = hchunk.appender();
                        chunkMin = t;
                        if (!happ.appendHistogram(st, t, h)) {
                            throw new IllegalStateException("series " + labels + ": a fresh chunk refused the histogram at " + t);
                        }
                    }
                }
                lastT = t;
                samples++;
            }
            floats.flush(metas, segments);
            if (hchunk != null) {
                metas.add(chunkMin, lastT, segments.write(hchunk));
            }
            if (metas.n > 0) {
                entries.add(new IndexWriter.SeriesEntry(labels, Arrays.copyOf(metas.mins, metas.n),
                        Arrays.copyOf(metas.maxs, metas.n), Arrays.copyOf(metas.refs, metas.n), metas.n));
            }
        }
        return samples;
    }

    /** The float samples of the chunk being collected, reused across chunks and series. */
    private static final class FloatRun {
        final long[] ts;
        final double[] vs;
        final long[] sts;
        /** Whether a sample of the run has a start timestamp. */
        boolean withStart;
        int n;

        FloatRun(int capacity) {
            ts = new long[capacity];
            vs = new double[capacity];
            sts = new long[capacity];
        }

        void add(long st, long t, double v) {
            sts[n] = st;
            withStart |= st != 0;
            ts[n] = t;
            vs[n++] = v;
        }

        void flush(ChunkMetas metas, ChunkSegmentWriter segments) throws IOException {
            if (n > 0) {
                metas.add(ts[0], ts[n - 1], segments.write(Chunks.encodeFloats(ts, vs, withStart ? sts : null, n)));
                n = 0;
                withStart = false;
            }
        }
    }

    /** Chunk metas of the series being written, reused across series. */
    private static final class ChunkMetas {
        long[] mins = new long[8];
        long[] maxs = new long[8];
        long[] refs = new long[8];
        int n;

        void add(long min, long max, long ref) {
            if (n == refs.length) {
                mins = Arrays.copyOf(mins, n * 2);
                maxs = Arrays.copyOf(maxs, n * 2);
                refs = Arrays.copyOf(refs, n * 2);
            }
            mins[n] = min;
            maxs[n] = max;
            refs[n++] = ref;
        }
    }

    static void fsync(Path p, boolean directory) throws IOException {
        try (FileChannel ch = FileChannel.open(p, directory ? StandardOpenOption.READ : StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }
}
