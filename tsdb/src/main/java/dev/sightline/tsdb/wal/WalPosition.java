package dev.sightline.tsdb.wal;

/**
 * A point in a {@link SegmentedWal}: segment number and byte offset (a record boundary), with the CRC32C of up to
 * {@link SegmentedWal#TAIL_CHECK_BYTES} bytes before it, so a later check can tell the same log from a different one
 * that happens to reach as far.
 */
public record WalPosition(long segment, long offset, int tailCrc) {
    public WalPosition {
        if (segment < 0 || offset < 0) {
            throw new IllegalArgumentException("WAL position must not be negative, got segment " + segment + " offset " + offset);
        }
    }
}
