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
}
