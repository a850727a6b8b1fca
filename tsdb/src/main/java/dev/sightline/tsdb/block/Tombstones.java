package dev.sightline.tsdb.block;

import dev.sightline.tsdb.tombstone.Intervals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * A block's deleted intervals by series id, as Prometheus keeps them in a block's {@code tombstones} file: written
 * by a delete, honoured by every read of the block, and gone when the block is rewritten (compaction, clean_tombstones)
 * without the deleted samples. Immutable; {@link #with} returns a new value.
 *
 * <p>File layout (integers as uvarints, times as zigzag varints): magic "SLTB" (fixed32), version; the number of
 * series; per series, its id, its number of intervals and each interval's min and max; then a fixed32 CRC32C of
 * everything before it. Written as {@code tombstones.tmp}, fsynced, renamed over the old file and the directory
 * fsynced, so a crash leaves the old set or the new one.
 */
public final class Tombstones {
    static final String NAME = "tombstones";
    private static final int MAGIC = 0x534C_5442; // "SLTB"
    private static final int VERSION = 1;
    public static final Tombstones NONE = new Tombstones(new int[0], new Intervals[0]);

    /** Series ids, ascending, and their intervals. */
    private final int[] ids;
    private final Intervals[] intervals;

    private Tombstones(int[] ids, Intervals[] intervals) {
        this.ids = ids;
        this.intervals = intervals;
    }

    public boolean isEmpty() {
        return ids.length == 0;
    }

    /** Series with deleted intervals. */
    public int numSeries() {
        return ids.length;
    }

    /** The deleted intervals of series {@code id}, null when none. */
    Intervals get(int id) {
        int i = Arrays.binarySearch(ids, id);
        return i < 0 ? null : intervals[i];
    }

    /** These tombstones with [mint, maxt] deleted from series {@code id} too. */
    Tombstones with(int id, long mint, long maxt) {
        int i = Arrays.binarySearch(ids, id);
        if (i >= 0) {
            Intervals[] iv = intervals.clone();
            iv[i] = iv[i].add(mint, maxt);
            return new Tombstones(ids, iv);
        }
        int at = -i - 1;
        int[] newIds = new int[ids.length + 1];
        Intervals[] iv = new Intervals[ids.length + 1];
        System.arraycopy(ids, 0, newIds, 0, at);
        System.arraycopy(intervals, 0, iv, 0, at);
        newIds[at] = id;
        iv[at] = Intervals.of(mint, maxt);
        System.arraycopy(ids, at, newIds, at + 1, ids.length - at);
        System.arraycopy(intervals, at, iv, at + 1, ids.length - at);
        return new Tombstones(newIds, iv);
    }

    /** Reads the block's tombstones; none when it has no file. */
    static Tombstones read(Path blockDir) throws IOException {
        Path file = blockDir.resolve(NAME);
        if (!Files.exists(file)) {
            return NONE;
        }
        byte[] b = Files.readAllBytes(file);
        if (b.length < 9) {
            throw new CorruptBlockException(file, 0, "tombstones file of " + b.length + " bytes is torn");
        }
        ByteBuffer all = ByteBuffer.wrap(b);
        CRC32C crc = new CRC32C();
        crc.update(b, 0, b.length - 4);
        if ((int) crc.getValue() != all.getInt(b.length - 4)) {
            throw new CorruptBlockException(file, b.length - 4, "tombstones checksum mismatch");
        }
        if (all.getInt(0) != MAGIC) {
            throw new CorruptBlockException(file, 0, "not a tombstones file (bad magic number)");
        }
        Decbuf d = new Decbuf(all, 4, b.length - 4);
        try {
            long version = d.getUvarint();
            if (version != VERSION) {
                throw new CorruptBlockException(file, 4, "tombstones version " + version + ", this build reads " + VERSION);
            }
            int n = d.getUvarintInt();
            if (n > d.remaining() / 4) {
                throw new CorruptBlockException(file, d.position(), n + " series cannot fit in " + d.remaining() + " bytes");
            }
            int[] ids = new int[n];
            Intervals[] iv = new Intervals[n];
            for (int i = 0; i < n; i++) {
                ids[i] = d.getUvarintInt();
                if (i > 0 && ids[i] <= ids[i - 1]) {
                    throw new CorruptBlockException(file, d.position(), "series id " + ids[i] + " after " + ids[i - 1]);
                }
                int k = d.getUvarintInt();
                if (k == 0) {
                    throw new CorruptBlockException(file, d.position(), "series " + ids[i] + " has no intervals");
                }
                for (int j = 0; j < k; j++) {
                    long min = d.getVarint();
                    long max = d.getVarint();
                    if (min > max) {
                        throw new CorruptBlockException(file, d.position(), "interval [" + min + ", " + max + "] of series "
                                + ids[i] + " is reversed");
                    }
                    iv[i] = iv[i] == null ? Intervals.of(min, max) : iv[i].add(min, max);
                }
            }
            if (d.remaining() != 0) {
                throw new CorruptBlockException(file, d.position(), d.remaining() + " bytes left over");
            }
            return new Tombstones(ids, iv);
        } catch (IndexOutOfBoundsException e) {
            throw new CorruptBlockException(file, "tombstones file does not decode", e);
        }
    }

    /** Writes these tombstones as the block's file, durably (see the class comment). */
    void write(Path blockDir) throws IOException {
        Encbuf e = new Encbuf(64 + ids.length * 24);
        e.putU32(MAGIC);
        e.putUvarint(VERSION);
        e.putUvarint(ids.length);
        for (int i = 0; i < ids.length; i++) {
            e.putUvarint(ids[i]);
            e.putUvarint(intervals[i].size());
            for (int j = 0; j < intervals[i].size(); j++) {
                e.putVarint(intervals[i].min(j));
                e.putVarint(intervals[i].max(j));
            }
        }
        CRC32C crc = new CRC32C();
        crc.update(e.array(), 0, e.length());
        e.putU32((int) crc.getValue());
        Path tmp = blockDir.resolve(NAME + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(e.array(), 0, e.length());
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        Files.move(tmp, blockDir.resolve(NAME), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        BlockWriter.fsync(blockDir, true);
    }
}
