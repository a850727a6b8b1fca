package dev.sightline.benchmarks;

import io.airlift.compress.snappy.SnappyCompressor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;

/** What the benchmark mains share: argument parsing, the machine's load, sizes on disk. */
public final class Bench {
    private Bench() {
    }

    /** The 1, 5 and 15 minute load averages from /proc/loadavg, or "unknown". */
    public static String loadAverage() {
        try {
            return String.join(" ", Arrays.copyOf(Files.readString(Path.of("/proc/loadavg")).split(" "), 3));
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** Bytes of the regular files under {@code p} (0 when it does not exist). */
    public static long sizeOnDisk(Path p) throws IOException {
        if (!Files.exists(p)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(p)) {
            return s.filter(Files::isRegularFile).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sum();
        }
    }

    /** The first {@code len} bytes of {@code src} snappy block-compressed (remote-write's and Loki push's framing). */
    public static byte[] snappy(SnappyCompressor snappy, byte[] src, int len) {
        byte[] out = new byte[snappy.maxCompressedLength(len)];
        return Arrays.copyOf(out, snappy.compress(src, 0, len, out, 0, out.length));
    }

    /** The median of the values (the mean of the middle two for an even count). */
    public static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
    }

    public static int positive(String flag, String v) {
        int n;
        try {
            n = Integer.parseInt(v.replace("_", "").replace(",", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " needs a positive integer, got " + v);
        }
        if (n <= 0) {
            throw new IllegalArgumentException(flag + " needs a positive integer, got " + v);
        }
        return n;
    }

    public static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return args[i];
    }

    /** Persisted blocks (directories with a meta.json) directly under a Sightline or Prometheus data directory. */
    public static int countBlocks(Path dataDir) throws IOException {
        try (Stream<Path> s = Files.list(dataDir)) {
            return (int) s.filter(p -> Files.exists(p.resolve("meta.json"))).count();
        }
    }

    /**
     * Waits until Sightline's background compaction (a round every 30 s) leaves the block count under
     * {@code dataDir} alone for 40 s; returns that count.
     */
    public static int settledBlocks(Path dataDir) throws IOException, InterruptedException {
        int last = countBlocks(dataDir);
        long since = System.nanoTime();
        while (System.nanoTime() - since < 40_000_000_000L) {
            Thread.sleep(500);
            int now = countBlocks(dataDir);
            if (now != last) {
                last = now;
                since = System.nanoTime();
            }
        }
        return last;
    }

    /** Bytes of a Sightline data directory's blocks: everything but the WAL, head chunks and unfinished work. */
    public static long blockBytes(Path dataDir) throws IOException {
        long total = 0;
        try (Stream<Path> children = Files.list(dataDir)) {
            for (Path p : children.toList()) {
                String name = p.getFileName().toString();
                if (Files.isDirectory(p) && !name.equals("wal") && !name.equals("chunks_head") && !name.equals("corrupted")
                        && !name.endsWith(".tmp")) {
                    total += sizeOnDisk(p);
                }
            }
        }
        return total;
    }
}
