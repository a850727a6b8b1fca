package dev.sightline.timeindex;

import dev.sightline.core.FileTrees;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Time partitions on disk: {@code root/partitions/p_START_END/} (unix nanoseconds, end exclusive), each opened into a
 * {@code P} by the owner's {@link Opener}, which decides what a partition holds (a Lucene index of spans, of log
 * lines). A time's partition is aligned to the duration ({@code floor(t / d) * d}) and clipped to its neighbours, so
 * changing the duration leaves older partitions as they are. Retention removes whole partitions, oldest first; a
 * partition that fails to open or read is quarantined: closed and moved to {@code root/quarantine/} with a warning,
 * and everything else keeps serving.
 *
 * <p>Thread-safe for its own map; the owner makes sure no partition is in use while it removes one
 * ({@link #retain}, {@link #quarantine}), for instance by a read-write lock around uses and removals.
 */
public final class TimePartitions<P extends Closeable> implements Closeable {
    private static final System.Logger LOG = System.getLogger(TimePartitions.class.getName());
    private static final String PREFIX = "p_";

    /** Opens (creating when empty) the partition for {@code [start, end)} in {@code dir}. */
    @FunctionalInterface
    public interface Opener<P> {
        P open(Path dir, long start, long end) throws IOException;
    }

    /** One partition: its bounds (end exclusive), folder and what the opener made of it. */
    public record Slot<P>(long start, long end, Path dir, P partition) {
        public boolean overlaps(long from, long to) {
            return start <= to && (end > from || end == Long.MAX_VALUE);
        }

        /** True when time {@code t} is in this partition: [start, end), and the last one holds Long.MAX_VALUE too. */
        public boolean holds(long t) {
            return start <= t && (t < end || end == Long.MAX_VALUE);
        }
    }

    private final Path partitionsDir;
    private final Path quarantineDir;
    private final long duration;
    private final Opener<P> opener;
    private final TreeMap<Long, Slot<P>> byStart = new TreeMap<>();

    private TimePartitions(Path root, long duration, Opener<P> opener) {
        this.partitionsDir = root.resolve("partitions");
        this.quarantineDir = root.resolve("quarantine");
        this.duration = duration;
        this.opener = opener;
    }

    /** Opens every partition under {@code root}; one that fails to open is quarantined. */
    public static <P extends Closeable> TimePartitions<P> open(Path root, long durationNanos, Opener<P> opener)
            throws IOException {
        if (durationNanos <= 0) {
            throw new IllegalArgumentException("partition duration must be positive, got " + durationNanos + "ns");
        }
        TimePartitions<P> t = new TimePartitions<>(root, durationNanos, opener);
        Files.createDirectories(t.partitionsDir);
        List<Path> dirs;
        try (Stream<Path> s = Files.list(t.partitionsDir)) {
            dirs = s.filter(Files::isDirectory).sorted().toList();
        }
        for (Path dir : dirs) {
            long[] bounds = parse(dir.getFileName().toString());
            if (bounds == null) {
                LOG.log(System.Logger.Level.WARNING, "{0}: not a partition name, ignored", dir);
                continue;
            }
            try {
                t.byStart.put(bounds[0], new Slot<>(bounds[0], bounds[1], dir, opener.open(dir, bounds[0], bounds[1])));
            } catch (IOException | RuntimeException e) {
                t.moveToQuarantine(dir, e);
            }
        }
        return t;
    }

    private static long[] parse(String name) {
        if (!name.startsWith(PREFIX)) {
            return null;
        }
        int sep = name.indexOf('_', PREFIX.length() + 1);
        try {
            long start = Long.parseLong(name.substring(PREFIX.length(), sep));
            long end = Long.parseLong(name.substring(sep + 1));
            return start < end ? new long[] {start, end} : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The partition holding time {@code t}, created (aligned, clipped to its neighbours) when there is none. */
    public synchronized Slot<P> forTime(long t) throws IOException {
        Map.Entry<Long, Slot<P>> below = byStart.floorEntry(t);
        if (below != null && below.getValue().holds(t)) {
            return below.getValue();
        }
        long q = Math.floorDiv(t, duration);
        // The first partition starts at Long.MIN_VALUE: q * duration would wrap to a start after its end.
        long start = q < Long.MIN_VALUE / duration ? Long.MIN_VALUE : q * duration;
        long end = start > Long.MAX_VALUE - duration ? Long.MAX_VALUE : start + duration;
        if (below != null) {
            start = Math.max(start, below.getValue().end());
        }
        Long above = byStart.higherKey(t);
        if (above != null) {
            end = Math.min(end, above);
        }
        Path dir = partitionsDir.resolve(PREFIX + start + "_" + end);
        Files.createDirectories(dir);
        Wal.syncDirectory(partitionsDir);
        Slot<P> slot = new Slot<>(start, end, dir, opener.open(dir, start, end));
        byStart.put(start, slot);
        return slot;
    }

    /** The partitions that overlap {@code [from, to]}, newest first. */
    public synchronized List<Slot<P>> overlapping(long from, long to) {
        List<Slot<P>> out = new ArrayList<>();
        for (Slot<P> s : byStart.descendingMap().values()) {
            if (s.overlaps(from, to)) {
                out.add(s);
            }
        }
        return out;
    }

    /** Every partition, newest first. */
    public List<Slot<P>> all() {
        return overlapping(Long.MIN_VALUE, Long.MAX_VALUE);
    }

    /**
     * Removes (closes and deletes) whole partitions: those that end at or before {@code minTime}, then the oldest
     * while all of them together take more than {@code maxBytes} (0: no size limit), never the newest one. Returns
     * what it removed.
     */
    public List<Slot<P>> retain(long minTime, long maxBytes) throws IOException {
        List<Slot<P>> doomed = new ArrayList<>();
        synchronized (this) {
            long total = 0;
            List<Long> sizes = new ArrayList<>();
            for (Slot<P> s : byStart.values()) {
                long size = FileTrees.sizeOf(s.dir());
                sizes.add(size);
                total += size;
            }
            int i = 0;
            for (Slot<P> s : byStart.values()) {
                boolean newest = i == byStart.size() - 1;
                if (!newest && (s.end() <= minTime || maxBytes > 0 && total > maxBytes)) {
                    doomed.add(s);
                    total -= sizes.get(i);
                }
                i++;
            }
            for (Slot<P> s : doomed) {
                byStart.remove(s.start());
            }
        }
        for (Slot<P> s : doomed) {
            s.partition().close();
            FileTrees.deleteRecursively(s.dir());
            LOG.log(System.Logger.Level.INFO, "retention: removed partition {0}", s.dir());
        }
        return doomed;
    }

    /** Whether {@code slot} is still one of the partitions (not removed or quarantined since it was handed out). */
    public synchronized boolean contains(Slot<P> slot) {
        return byStart.get(slot.start()) == slot;
    }

    /** Closes a partition found broken and moves its folder aside, so the others keep serving. */
    public void quarantine(Slot<P> slot, Throwable cause) {
        synchronized (this) {
            if (!contains(slot)) {
                return; // already removed
            }
            byStart.remove(slot.start());
        }
        try {
            slot.partition().close();
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
        }
        moveToQuarantine(slot.dir(), cause);
    }

    private void moveToQuarantine(Path dir, Throwable cause) {
        Path target = quarantineDir.resolve(dir.getFileName() + "." + System.currentTimeMillis());
        try {
            Files.createDirectories(quarantineDir);
            Files.move(dir, target, StandardCopyOption.ATOMIC_MOVE);
            LOG.log(System.Logger.Level.WARNING, "partition " + dir + " is unreadable and was quarantined to " + target
                    + "; the other partitions keep serving: " + cause, cause);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "partition " + dir + " is unreadable (" + cause
                    + ") and could not be moved to " + target + ": " + e, e);
        }
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        synchronized (this) {
            for (Slot<P> s : byStart.values()) {
                try {
                    s.partition().close();
                } catch (IOException e) {
                    if (first == null) {
                        first = e;
                    } else {
                        first.addSuppressed(e);
                    }
                }
            }
            byStart.clear();
        }
        if (first != null) {
            throw first;
        }
    }
}
