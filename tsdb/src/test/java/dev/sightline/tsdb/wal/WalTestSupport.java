package dev.sightline.tsdb.wal;

import dev.sightline.core.Histogram;
import dev.sightline.core.Labels;
import dev.sightline.core.Staleness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.stream.Stream;

/** Random batches, a handler that records what replay delivers, and a capture of the WAL's warnings. */
final class WalTestSupport {
    private WalTestSupport() {
    }

    /** One replayed record item; floats are compared by raw bits so NaN payloads count. */
    record Event(char kind, long ref, long st, long t, long valueBits, Labels labels, Histogram histogram) {
        static Event series(long ref, Labels l) {
            return new Event('S', ref, 0, 0, 0, l, null);
        }

        static Event sample(long ref, long t, double v) {
            return sample(ref, 0, t, v);
        }

        static Event sample(long ref, long st, long t, double v) {
            return new Event('F', ref, st, t, Double.doubleToRawLongBits(v), null, null);
        }

        static Event histogram(long ref, long st, long t, Histogram h) {
            return new Event('H', ref, st, t, 0, null, h);
        }

        static Event exemplar(long ref, long t, double v, Labels l) {
            return new Event('E', ref, 0, t, Double.doubleToRawLongBits(v), l, null);
        }

        /** A deleted interval: its min in the start field, its max in the time field. */
        static Event tombstone(long ref, long mint, long maxt) {
            return new Event('T', ref, mint, maxt, 0, null, null);
        }
    }

    static final class Recorder implements WalReplayHandler {
        final List<Event> events = new ArrayList<>();

        @Override
        public void series(long ref, Labels labels) {
            events.add(Event.series(ref, labels));
        }

        @Override
        public void sample(long ref, long st, long t, double v) {
            events.add(Event.sample(ref, st, t, v));
        }

        @Override
        public void histogram(long ref, long st, long t, Histogram h) {
            events.add(Event.histogram(ref, st, t, h));
        }

        @Override
        public void exemplar(long ref, long t, double v, Labels labels) {
            events.add(Event.exemplar(ref, t, v, labels));
        }

        @Override
        public void tombstone(long ref, long mint, long maxt) {
            events.add(Event.tombstone(ref, mint, maxt));
        }
    }

    static List<Event> replay(WriteAheadLog wal) throws IOException {
        Recorder r = new Recorder();
        wal.replay(r);
        return r.events;
    }

    /** The events a batch replays as: its series, then its float samples, its histograms, exemplars, then tombstones. */
    static List<Event> eventsOf(WalBatch b) {
        List<Event> out = new ArrayList<>();
        for (int i = 0; i < b.seriesCount(); i++) {
            out.add(Event.series(b.seriesRef(i), b.seriesLabels(i)));
        }
        for (int i = 0; i < b.sampleCount(); i++) {
            out.add(Event.sample(b.sampleRef(i), b.sampleStart(i), b.sampleTime(i), b.sampleValue(i)));
        }
        for (int i = 0; i < b.histogramCount(); i++) {
            out.add(Event.histogram(b.histogramRef(i), b.histogramStart(i), b.histogramTime(i), b.histogram(i)));
        }
        for (int i = 0; i < b.exemplarCount(); i++) {
            out.add(Event.exemplar(b.exemplarRef(i), b.exemplarTime(i), b.exemplarValue(i), b.exemplarLabels(i)));
        }
        for (int i = 0; i < b.tombstoneCount(); i++) {
            out.add(Event.tombstone(b.tombstoneRef(i), b.tombstoneMin(i), b.tombstoneMax(i)));
        }
        return out;
    }

    private static final double[] SPECIAL = {Double.NaN, Staleness.STALE_NAN, Double.longBitsToDouble(0x7ff8dead00000001L),
            -0.0, 0.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.MIN_VALUE, Double.MAX_VALUE, -1.5e300};

    static double randomValue(Random rnd) {
        return switch (rnd.nextInt(4)) {
            case 0 -> SPECIAL[rnd.nextInt(SPECIAL.length)];
            case 1 -> rnd.nextInt(1000);
            case 2 -> Double.longBitsToDouble(rnd.nextLong());
            default -> rnd.nextGaussian() * 1e6;
        };
    }

    static String randomString(Random rnd, int maxLen) {
        int n = 1 + rnd.nextInt(maxLen);
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append(switch (rnd.nextInt(6)) {
                case 0 -> 'é';
                case 1 -> '"';
                case 2 -> "😀";
                default -> (char) ('a' + rnd.nextInt(26));
            });
        }
        return sb.toString();
    }

    static Labels randomLabels(Random rnd) {
        Labels.Builder b = Labels.builder().set(Labels.METRIC_NAME, "m_" + randomString(rnd, 8));
        int n = rnd.nextInt(6);
        for (int i = 0; i < n; i++) {
            b.set("l" + i + randomString(rnd, 4), randomString(rnd, 20));
        }
        return b.build();
    }

    static Histogram randomHistogram(Random rnd) {
        Histogram.CounterResetHint hint = Histogram.CounterResetHint.values()[rnd.nextInt(4)];
        if (rnd.nextInt(4) == 0) {
            int n = 1 + rnd.nextInt(6);
            double[] bounds = new double[n];
            double b = rnd.nextDouble();
            for (int i = 0; i < n; i++) {
                bounds[i] = b;
                b += 1 + rnd.nextDouble();
            }
            return new Histogram(hint, Histogram.CUSTOM_BUCKETS_SCHEMA, 0, 0, rnd.nextInt(100), rnd.nextDouble(),
                    new int[]{0}, new int[]{n}, buckets(rnd, n), null, null, null, bounds);
        }
        int[][] pos = spans(rnd);
        int[][] neg = spans(rnd);
        return new Histogram(hint, Histogram.MIN_SCHEMA + rnd.nextInt(Histogram.MAX_SCHEMA - Histogram.MIN_SCHEMA + 1),
                rnd.nextBoolean() ? 0 : 1e-128, rnd.nextInt(5), rnd.nextInt(1000), randomValue(rnd),
                pos[0], pos[1], buckets(rnd, total(pos[1])), neg[0], neg[1], buckets(rnd, total(neg[1])), null);
    }

    private static int[][] spans(Random rnd) {
        int n = rnd.nextInt(4);
        int[] off = new int[n];
        int[] len = new int[n];
        for (int i = 0; i < n; i++) {
            off[i] = i == 0 ? rnd.nextInt(200) - 100 : rnd.nextInt(10);
            len[i] = 1 + rnd.nextInt(5);
        }
        return new int[][]{off, len};
    }

    private static int total(int[] a) {
        int t = 0;
        for (int x : a) {
            t += x;
        }
        return t;
    }

    private static double[] buckets(Random rnd, int n) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = rnd.nextInt(50);
        }
        return d;
    }

    /**
     * A batch with a few new series, float samples (special values included) and sometimes histograms; in about a
     * third of the batches some samples have start timestamps (before, at or after t, or 0).
     */
    static WalBatch randomBatch(Random rnd, long firstRef, long t0) {
        WalBatch b = new WalBatch();
        int newSeries = rnd.nextInt(4);
        for (int i = 0; i < newSeries; i++) {
            b.addSeries(firstRef + i, randomLabels(rnd));
        }
        boolean starts = rnd.nextInt(3) == 0;
        int samples = rnd.nextInt(40);
        for (int i = 0; i < samples; i++) {
            long t = t0 + rnd.nextInt(100_000) - 50_000;
            b.addSample(firstRef + rnd.nextInt(1000) - 500, starts ? randomStart(rnd, t) : 0, t, randomValue(rnd));
        }
        if (rnd.nextInt(3) == 0) {
            int n = 1 + rnd.nextInt(4);
            for (int i = 0; i < n; i++) {
                b.addHistogram(firstRef + rnd.nextInt(10), starts ? randomStart(rnd, t0 + i) : 0, t0 + i, randomHistogram(rnd));
            }
        }
        if (b.isEmpty()) {
            b.addSample(firstRef, 0, t0, 1);
        }
        return b;
    }

    static long randomStart(Random rnd, long t) {
        return switch (rnd.nextInt(5)) {
            case 0 -> 0;
            case 1 -> t;
            case 2 -> t + 1 + rnd.nextInt(1000);
            case 3 -> t - 15_000;
            default -> t - rnd.nextInt(1_000_000_000);
        };
    }

    static WalOptions fastOptions() {
        return WalOptions.defaults().withFsyncPolicy(FsyncPolicy.NEVER);
    }

    static List<Path> segmentFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().matches("\\d{8,}")).sorted(Comparator.naturalOrder()).toList();
        }
    }

    /** Captures the WAL's log records (System.Logger routes to java.util.logging by default). */
    static final class LogCapture implements AutoCloseable {
        private final Logger logger = Logger.getLogger(SegmentedWal.class.getName());
        final List<String> warnings = new ArrayList<>();
        private final Handler handler = new Handler() {
            private final SimpleFormatter formatter = new SimpleFormatter();

            @Override
            public void publish(LogRecord r) {
                if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
                    synchronized (warnings) {
                        warnings.add(formatter.formatMessage(r));
                    }
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };

        LogCapture() {
            logger.addHandler(handler);
        }

        @Override
        public void close() {
            logger.removeHandler(handler);
        }
    }
}
