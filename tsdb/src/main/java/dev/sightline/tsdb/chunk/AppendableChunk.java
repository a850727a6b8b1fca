package dev.sightline.tsdb.chunk;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * What the in-memory chunks share: the bit stream after a 2-byte big-endian sample-count header, and the publication
 * of (bit length, sample count) as one long written with release semantics after the sample's bits and read with
 * acquire semantics, so a reader that starts any time sees a prefix of whole samples and exactly the bits that
 * encode them. (Release/acquire is all the publication needs; a full volatile store would add a fence per sample.)
 *
 * <p>Start timestamps go to a {@link StartColumn} created at the first non-zero one. Its codes for a sample are
 * written before the sample is published, and the column itself is published with a release store before that, so
 * a reader that acquires the count and then the column finds a code for every sample it counts.
 */
abstract sealed class AppendableChunk extends BitWriter implements Chunk, ChunkAppender permits XorChunk, HistogramChunk {
    static final int HEADER_BITS = 16;
    /** The count's top header bit flags a start-timestamp column (see {@link StartColumn}). */
    static final int MAX_SAMPLES = 0x7FFF;
    /** The head cuts chunks at this many samples; growth aims at it and trims there so a full chunk has no slack. */
    static final int EXPECTED_SAMPLES = 120;

    private static final VarHandle PUBLISHED;
    private static final VarHandle START_COLUMN;

    static {
        try {
            PUBLISHED = MethodHandles.lookup().findVarHandle(AppendableChunk.class, "published", long.class);
            START_COLUMN = MethodHandles.lookup().findVarHandle(AppendableChunk.class, "startColumn", StartColumn.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * tag << 48 | bitLength << 16 | sampleCount; written once per appended sample, last. Access only through
     * PUBLISHED. The tag is the writer's own 16 bits (see {@link #tag()}), kept here rather than in a field of its own:
     * the head keeps a million open chunks.
     */
    @SuppressWarnings("unused")
    private long published;

    /** Null until a sample has a start timestamp; the writer reads it plainly, readers through START_COLUMN. */
    private StartColumn startColumn;

    AppendableChunk(int initialBytes) {
        super(initialBytes, HEADER_BITS);
        PUBLISHED.setRelease(this, (long) HEADER_BITS << 16);
    }

    /**
     * Records the start timestamp of sample {@code n} (at {@code t}, after one at {@code prevT}); call before
     * publishing it. A chunk whose samples all have none never gets a column.
     */
    final void appendStart(long st, long t, long prevT, int n) {
        StartColumn c = startColumn;
        if (c == null) {
            if (st == 0) {
                return;
            }
            c = new StartColumn(n);
            START_COLUMN.setRelease(this, c);
        }
        c.append(st, t, prevT, n);
    }

    final void publish(int count) {
        publish(count, tag());
    }

    /** Publishes {@code count} samples and sets the tag to the low 16 bits of {@code tag}. */
    final void publish(int count, int tag) {
        if (count == EXPECTED_SAMPLES) {
            // The head cuts here and keeps this chunk for hours: give back the growth slack.
            trimToSize();
            if (startColumn != null) {
                startColumn.trimToSize();
            }
        }
        PUBLISHED.setRelease(this, (long) (tag & 0xFFFF) << 48 | (bitLength() << 16) | count);
    }

    /** The tag last published, for the writer only. */
    final int tag() {
        return (int) ((long) PUBLISHED.get(this) >>> 48);
    }

    /** Where the first sample's bits end: growth estimates the later samples' size from the bits after it. */
    abstract int firstSampleEndBit();

    /** The published state; read it before {@link #buffer()} so the buffer holds every published bit. */
    final long snapshot() {
        return (long) PUBLISHED.getAcquire(this);
    }

    /** Points the iterator at the column's codes, if there is a column; call after {@link #snapshot()}. */
    final void attachStart(DodIterator it) {
        StartColumn c = (StartColumn) START_COLUMN.getAcquire(this);
        if (c != null) {
            byte[] b = c.buffer();
            it.resetStart(b, 0, 0, (long) b.length * 8);
        }
    }

    /** The bytes of the chunk's own stream alone, as {@link #bytes()} would give them without a column. */
    final int mainByteLength() {
        return (int) ((bits(snapshot()) + 7) >>> 3);
    }

    /**
     * {@code main} (encoded bytes of {@code count} samples, count header first) with this chunk's start-timestamp
     * column joined to it when it has one; {@code main} itself when not.
     */
    final byte[] withStartColumn(byte[] main, int count) {
        StartColumn c = (StartColumn) START_COLUMN.getAcquire(this);
        return c == null ? main : StartColumn.attach(main, c.buffer(), count);
    }

    /**
     * Sizes the array for a full head chunk, extrapolated from the bits per sample after the first one (which carries
     * the full timestamp and value), instead of growing by half: a head holds four 120-sample chunks per series, and
     * 1.5x growth would leave up to a third of each array unused.
     */
    @Override
    final long grownLength(long needed, int current) {
        int n = count(snapshot());
        if (n >= 8 && n < EXPECTED_SAMPLES) {
            long bits = bitLength();
            long perSample = (bits - firstSampleEndBit()) / (n - 1);
            long predicted = ((bits + perSample * (EXPECTED_SAMPLES - n) + 7) >>> 3) + 8;
            return Math.max(needed + 8, predicted);
        }
        return super.grownLength(needed, current);
    }

    static int count(long snapshot) {
        return (int) (snapshot & 0xFFFF);
    }

    static long bits(long snapshot) {
        return (snapshot >>> 16) & 0xFFFF_FFFFL;
    }

    @Override
    public final int touch() {
        byte[] b = buffer();
        return (int) snapshot() + (b == null ? 0 : b[0]);
    }

    @Override
    public final int numSamples() {
        return count(snapshot());
    }

    @Override
    public final int byteLength() {
        long snap = snapshot();
        int main = (int) ((bits(snap) + 7) >>> 3);
        StartColumn c = (StartColumn) START_COLUMN.getAcquire(this);
        return c == null ? main : StartColumn.attachedLength(main, c.buffer(), count(snap));
    }

    @Override
    public final ChunkAppender appender() {
        return this;
    }

    /** A copy of the published samples with the header filled in; bits of a sample being appended are cleared. */
    @Override
    public final byte[] bytes() {
        long snap = snapshot();
        byte[] buf = buffer();
        long bits = bits(snap);
        int count = count(snap);
        byte[] out = Arrays.copyOf(buf, (int) ((bits + 7) >>> 3));
        out[0] = (byte) (count >>> 8);
        out[1] = (byte) count;
        int partial = (int) (bits & 7);
        if (partial != 0) {
            out[out.length - 1] &= (byte) (0xFF << (8 - partial));
        }
        return withStartColumn(out, count);
    }
}
