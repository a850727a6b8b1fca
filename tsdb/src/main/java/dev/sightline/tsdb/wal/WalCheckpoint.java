package dev.sightline.tsdb.wal;

import dev.sightline.core.Histogram;
import dev.sightline.core.Labels;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongPredicate;

/**
 * The WAL checkpoint file ({@code checkpoint.N}): writing one from the previous checkpoint and the segments it
 * replaces, keeping only what the keep predicate and {@code mint} let through, and reading one back. Which segments
 * a checkpoint covers and when old files are deleted is {@link SegmentedWal}'s business.
 */
final class WalCheckpoint {
    private static final System.Logger LOG = System.getLogger(WalCheckpoint.class.getName());
    private static final String PREFIX = "checkpoint.";
    private static final String TMP_SUFFIX = ".tmp";
    /** Samples and histograms per record when rewriting a checkpoint, to keep its records (and buffers) small. */
    private static final int BATCH = 8192;

    private WalCheckpoint() {
    }

    static Path path(Path dir, long seq) {
        return dir.resolve(PREFIX + SegmentedWal.segmentName(seq));
    }

    /** Whether {@code name} is a checkpoint left half-written by an interrupted {@link #write}. */
    static boolean isTemporary(String name) {
        return name.startsWith(PREFIX) && name.endsWith(TMP_SUFFIX);
    }

    /** The sequence number of the checkpoint file {@code name}, or -1 if it is not a (complete) checkpoint. */
    static long seqOf(String name) {
        if (name.startsWith(PREFIX) && SegmentedWal.isNumber(name.substring(PREFIX.length()))) {
            return Long.parseLong(name.substring(PREFIX.length()));
        }
        return -1;
    }

    /** Replays checkpoint {@code seq} of {@code dir} into {@code handler}. */
    static WalFileReader.Result read(WalFileReader reader, Path dir, long seq, WalReplayHandler handler) throws IOException {
        return reader.read(path(dir, seq), handler);
    }

    /**
     * Writes checkpoint {@code seq} in {@code dir} holding the items of {@code inputs} (the previous checkpoint, then
     * the covered segments), in their order, minus series that {@code keep} rejects and minus samples older than
     * {@code mint} or belonging to such series. Written under a temporary name, fsynced, then renamed and the
     * directory fsynced, so a crash leaves either no checkpoint or a complete one.
     */
    static void write(Path dir, long seq, List<Path> inputs, long mint, LongPredicate keep) throws IOException {
        Path tmp = dir.resolve(PREFIX + SegmentedWal.segmentName(seq) + TMP_SUFFIX);
        Files.deleteIfExists(tmp);
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            Filter w = new Filter(out, mint, keep);
            WalFileReader reader = new WalFileReader();
            try {
                for (Path in : inputs) {
                    WalFileReader.Result r = reader.read(in, w);
                    if (!r.clean()) {
                        LOG.log(System.Logger.Level.WARNING, "WAL file {0}: bad record at offset {1} ({2}); the checkpoint "
                                + "being written keeps only the records before it", in, String.valueOf(r.goodEnd()), r.problem());
                    }
                }
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            w.flush();
            out.force(true);
        }
        Files.move(tmp, path(dir, seq), StandardCopyOption.ATOMIC_MOVE);
        SegmentedWal.fsyncDir(dir);
    }

    /** Filters replayed records into the checkpoint file, preserving their order. */
    private static final class Filter implements WalReplayHandler {
        private final FileChannel out;
        private final long mint;
        private final LongPredicate keep;
        private final Set<Long> seen = new HashSet<>();
        private final WalBatch batch = new WalBatch();
        private final WalRecordEncoder enc = new WalRecordEncoder();

        Filter(FileChannel out, long mint, LongPredicate keep) {
            this.out = out;
            this.mint = mint;
            this.keep = keep;
        }

        @Override
        public void series(long ref, Labels labels) {
            if (keep.test(ref) && seen.add(ref)) {
                // A batch's series records are written first; flush so a series never jumps ahead of earlier samples.
                if (batch.sampleCount() > 0 || batch.histogramCount() > 0 || batch.exemplarCount() > 0) {
                    flushUnchecked();
                }
                batch.addSeries(ref, labels);
            }
        }

        @Override
        public void sample(long ref, long st, long t, double v) {
            if (t >= mint && keep.test(ref)) {
                // A batch's records are written samples-then-histograms; flush so a float never jumps ahead of an
                // earlier histogram of the same series.
                if (batch.histogramCount() > 0) {
                    flushUnchecked();
                }
                batch.addSample(ref, st, t, v);
                if (batch.sampleCount() >= BATCH) {
                    flushUnchecked();
                }
            }
        }

        @Override
        public void histogram(long ref, long st, long t, Histogram h) {
            if (t >= mint && keep.test(ref)) {
                batch.addHistogram(ref, st, t, h);
                if (batch.histogramCount() >= BATCH) {
                    flushUnchecked();
                }
            }
        }

        /**
         * Kept like samples, as Prometheus's checkpoint keeps exemplars of kept series from mint on. Exemplars go to
         * their own store on replay, so their order relative to samples does not matter, only among themselves.
         */
        @Override
        public void exemplar(long ref, long t, double v, Labels labels) {
            if (t >= mint && keep.test(ref)) {
                batch.addExemplar(ref, t, v, labels);
                if (batch.exemplarCount() >= BATCH) {
                    flushUnchecked();
                }
            }
        }

        /**
         * Kept for kept series while the interval reaches mint, as Prometheus's checkpoint keeps tombstones: a deleted
         * interval hides samples whatever their order, so it may follow them.
         */
        @Override
        public void tombstone(long ref, long min, long max) {
            if (max >= mint && keep.test(ref)) {
                batch.addTombstone(ref, min, max);
                if (batch.tombstoneCount() >= BATCH) {
                    flushUnchecked();
                }
            }
        }

        private void flushUnchecked() {
            try {
                flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void flush() throws IOException {
            if (batch.isEmpty()) {
                return;
            }
            ByteBuffer data = enc.encode(batch);
            while (data.hasRemaining()) {
                out.write(data);
            }
            batch.clear();
        }
    }
}
