package dev.sightline.benchmarks.anomaly;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Writes a labelled anomaly corpus in NAB's layout ({@code data/CATEGORY/NAME.csv} with {@code timestamp,value}
 * rows, {@code labels/combined_windows.json}) for {@code sightline detect-eval}: series of the shapes that break
 * detectors and the seed's four incidents, each anomaly labelled with NAB's window rule (windows centred on the
 * anomaly's onset, 10% of the file's rows divided among its anomalies), and quiet series without anomaly. Every
 * series draws from its own {@code Random(seed + index)}, so a seed gives the same corpus byte for byte.
 *
 * <pre>benchmarks/anomaly-corpus.sh OUT_DIR [--seed N]</pre>
 */
public final class AnomalyCorpus {
    private static final DateTimeFormatter ROW = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final DateTimeFormatter LABEL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");
    /** A Monday, so weekly shapes start on a weekday. */
    private static final Instant START = Instant.parse("2024-03-04T00:00:00Z");
    private static final long FIVE_MIN = 300;
    /** Two weeks of 5-minute rows; anomalies start after day 4, past probation and two daily seasons. */
    private static final int ROWS = 4032;

    /** One series: values on a regular grid, rows left out (gaps), anomaly onsets (row indexes). */
    private static final class Series {
        final String name;
        final Instant start;
        final long stepSeconds;
        final double[] v;
        final boolean[] dropped;
        final List<Integer> onsets = new ArrayList<>();
        /** Timestamps written as local time in this zone (UTC: as they are). */
        ZoneId zone = ZoneOffset.UTC;

        Series(String name, int rows, long stepSeconds, Instant start) {
            this.name = name;
            this.start = start;
            this.stepSeconds = stepSeconds;
            this.v = new double[rows];
            this.dropped = new boolean[rows];
        }

        Series(String name) {
            this(name, ROWS, FIVE_MIN, START);
        }

        /** Seconds into the series of row i; hour of day and day of week follow from it. */
        double hourOfDay(int i) {
            return (i * stepSeconds % 86_400) / 3600.0;
        }
    }

    private AnomalyCorpus() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1 && !(args.length == 3 && args[1].equals("--seed"))) {
            System.err.println("usage: anomaly-corpus.sh OUT_DIR [--seed N]");
            System.exit(2);
        }
        long seed = 42;
        if (args.length == 3) {
            try {
                seed = Long.parseLong(args[2]);
            } catch (NumberFormatException e) {
                System.err.println("--seed: not an integer: " + args[2]);
                System.exit(2);
            }
        }
        int[] counts = write(Path.of(args[0]), seed);
        System.out.println("wrote " + counts[0] + " series (" + counts[1] + " windows) to " + args[0]);
    }

    /** Writes the corpus under {@code out}; returns the number of series and of windows. */
    public static int[] write(Path out, long seed) throws IOException {
        List<Series> all = generate(seed);
        Map<String, String> labels = new TreeMap<>();
        int windows = 0;
        for (Series s : all) {
            labels.put(s.name + ".csv", writeSeries(out, s));
            windows += s.onsets.size();
        }
        Path json = out.resolve("labels/combined_windows.json");
        Files.createDirectories(json.getParent());
        StringBuilder b = new StringBuilder("{\n");
        int k = 0;
        for (var e : labels.entrySet()) {
            b.append("    \"").append(e.getKey()).append("\": ").append(e.getValue())
                    .append(++k < labels.size() ? ",\n" : "\n");
        }
        Files.writeString(json, b.append("}\n").toString(), StandardCharsets.UTF_8);
        return new int[] {all.size(), windows};
    }

    /** Writes the rows of {@code s} and returns its windows as a JSON list. */
    private static String writeSeries(Path out, Series s) throws IOException {
        List<String> ts = new ArrayList<>();
        List<Integer> kept = new ArrayList<>();
        Path file = out.resolve("data/" + s.name + ".csv");
        Files.createDirectories(file.getParent());
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("timestamp,value\n");
            for (int i = 0; i < s.v.length; i++) {
                if (s.dropped[i]) {
                    continue;
                }
                LocalDateTime local = LocalDateTime.ofInstant(s.start.plusSeconds(i * s.stepSeconds), s.zone);
                String t = local.format(ROW);
                ts.add(local.format(LABEL));
                kept.add(i);
                w.write(t + "," + format(s.v[i]) + "\n");
            }
        }
        // NAB's rule: 10% of the file's rows, split among its anomalies, centred on each onset.
        List<String> windows = new ArrayList<>();
        int rows = kept.size();
        for (int onset : s.onsets) {
            int at = kept.indexOf(onset);
            if (at < 0) {
                throw new IllegalStateException(s.name + ": anomaly onset in a gap");
            }
            int half = (int) (0.10 * rows / s.onsets.size()) / 2;
            int left = Math.max(0, at - half);
            int right = Math.min(rows - 1, at + half);
            windows.add("[\"" + ts.get(left) + "\", \"" + ts.get(right) + "\"]");
        }
        return "[" + String.join(", ", windows) + "]";
    }

    private static String format(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : String.format(Locale.ROOT, "%.4f", v);
    }

    static List<Series> generate(long seed) {
        List<Series> all = new ArrayList<>();
        int[] index = {0};
        Supplier<Random> rnd = () -> new Random(seed + index[0]++);

        // Flat zero with rare single blips (normal), then bursts: any non-zero looks infinite to a flat baseline.
        Random r = rnd.get();
        Series s = new Series("bursts/flat_zero_bursts");
        for (int i = 0; i < ROWS; i++) {
            s.v[i] = r.nextDouble() < 0.003 ? 1 : 0;
        }
        burst(s, r, 2200, 6, 30);
        burst(s, r, 3400, 3, 12);
        all.add(s);

        // Quantized integers: Poisson counts, so many equal values and a MAD that is often 0.
        r = rnd.get();
        s = new Series("counts/quantized_integers");
        for (int i = 0; i < ROWS; i++) {
            s.v[i] = poisson(r, i >= 2600 && i < 2612 ? 14 : 3);
        }
        s.onsets.add(2600);
        all.add(s);

        // Local time across the end of daylight saving: 02:00-02:59 on 2024-10-27 is written twice.
        r = rnd.get();
        s = new Series("timestamps/dst_repeat", ROWS, FIVE_MIN, Instant.parse("2024-10-19T22:00:00Z"));
        s.zone = ZoneId.of("Europe/Berlin");
        daily(s, r, 100, 30, 3);
        s.v[3300] += 40;
        s.onsets.add(3300);
        all.add(s);

        // Gaps of 2 hours, 6 hours and a day without rows; the anomaly is a dip elsewhere.
        r = rnd.get();
        s = new Series("timestamps/gaps");
        noise(s, r, 50, 2);
        gap(s, 1500, 24);
        gap(s, 2000, 72);
        gap(s, 3400, 288);
        for (int i = 2900; i < 2924; i++) {
            s.v[i] -= 15;
        }
        s.onsets.add(2900);
        all.add(s);

        // Daily and weekly seasonality (weekends at 60%), 10-minute rows over 4 weeks: a night at day level and a
        // missing midday peak.
        r = rnd.get();
        s = new Series("seasonal/daily_weekly", ROWS, 600, START);
        for (int i = 0; i < ROWS; i++) {
            int day = (int) (i * 600L / 86_400);
            double week = day % 7 >= 5 ? 0.6 : 1.0;
            s.v[i] = week * (100 + 80 * dayShape(s.hourOfDay(i))) + r.nextGaussian() * 4;
        }
        int night = 17 * 144 + 18; // day 17, 03:00
        for (int i = night; i < night + 6; i++) {
            s.v[i] = 175 + r.nextGaussian() * 4;
        }
        int noon = 23 * 144 + 66; // day 23 (a Wednesday), 11:00
        for (int i = noon; i < noon + 18; i++) {
            s.v[i] = 100 + r.nextGaussian() * 4;
        }
        s.onsets.add(night);
        s.onsets.add(noon);
        all.add(s);

        // A steady trend with a sudden hour-long drop.
        r = rnd.get();
        s = new Series("trend/linear_trend");
        for (int i = 0; i < ROWS; i++) {
            s.v[i] = 100 + 0.02 * i + r.nextGaussian() * 2 + (i >= 3000 && i < 3012 ? -30 : 0);
        }
        s.onsets.add(3000);
        all.add(s);

        // A level shift that stays.
        r = rnd.get();
        s = new Series("shifts/level_shift");
        noise(s, r, 20, 1);
        for (int i = 2500; i < ROWS; i++) {
            s.v[i] += 6;
        }
        s.onsets.add(2500);
        all.add(s);

        // Isolated spikes, one up and one down.
        r = rnd.get();
        s = new Series("spikes/spikes");
        noise(s, r, 50, 3);
        s.v[1800] += 25;
        s.v[3300] -= 25;
        s.onsets.add(1800);
        s.onsets.add(3300);
        all.add(s);

        // A slow drift (a leak): +0.25 per row for 8 hours from row 2400, until a restart puts it back.
        r = rnd.get();
        s = new Series("drift/slow_drift");
        noise(s, r, 500, 5);
        for (int i = 2400; i < 2496; i++) {
            s.v[i] += 0.25 * (i - 2400);
        }
        s.onsets.add(2400);
        all.add(s);

        // Latency turning bimodal for two hours: half the requests take the slow path.
        r = rnd.get();
        s = new Series("latency/bimodal_latency");
        for (int i = 0; i < ROWS; i++) {
            boolean slow = i >= 2800 && i < 2824 && r.nextBoolean();
            s.v[i] = (slow ? 400 : 120) * Math.exp(r.nextGaussian() * 0.1);
        }
        s.onsets.add(2800);
        all.add(s);

        // Seed incident 1, runaway orders: the order rate explodes (x1.15 per row, capped at 50x) for two hours.
        r = rnd.get();
        s = new Series("incidents/runaway_orders");
        daily(s, r, 200, 50, 8);
        for (int i = 3100; i < 3124; i++) {
            s.v[i] *= Math.min(50, Math.pow(1.15, i - 3099));
        }
        s.onsets.add(3100);
        all.add(s);

        // Seed incident 2, stale cache: freshness age is a 5-minute sawtooth (minutely rows), then climbs for 4 hours.
        r = rnd.get();
        s = new Series("incidents/stale_cache", 4320, 60, START);
        sawtooth(s, r);
        for (int i = 3000; i < 3240; i++) {
            s.v[i] = (i - 3000 + 5) * 60 + r.nextGaussian() * 3;
        }
        s.onsets.add(3000);
        all.add(s);

        // Seed incident 3, hidden surge outliers: three values 10x inside a normal distribution within an hour.
        r = rnd.get();
        s = new Series("incidents/hidden_surge_outliers");
        noise(s, r, 1.3, 0.15);
        s.v[2700] *= 10;
        s.v[2706] *= 10;
        s.v[2715] *= 10;
        s.onsets.add(2700);
        all.add(s);

        // Seed incident 4, rider/driver mismatch: supply follows demand until it stops following for 3 hours.
        r = rnd.get();
        Series riders = new Series("incidents/rider_demand");
        daily(riders, r, 300, 120, 10);
        Series drivers = new Series("incidents/driver_supply");
        Series ratio = new Series("incidents/rider_driver_ratio");
        int mismatch = 3000 + 96; // 08:00 on day 10, as demand ramps up
        for (int i = 0; i < ROWS; i++) {
            double follow = i >= mismatch && i < mismatch + 36 ? riders.v[mismatch] : riders.v[i];
            drivers.v[i] = 0.8 * follow + r.nextGaussian() * 6;
            ratio.v[i] = riders.v[i] / drivers.v[i];
        }
        drivers.onsets.add(mismatch);
        ratio.onsets.add(mismatch);
        all.add(riders);
        all.add(drivers);
        all.add(ratio);

        // Quiet series: no anomaly; every score above the threshold is a false positive.
        r = rnd.get();
        s = new Series("quiet/gaussian_noise");
        noise(s, r, 10, 1);
        all.add(s);
        r = rnd.get();
        s = new Series("quiet/daily_seasonal");
        daily(s, r, 500, 200, 15);
        all.add(s);
        r = rnd.get();
        s = new Series("quiet/flat_zero_blips");
        for (int i = 0; i < ROWS; i++) {
            s.v[i] = r.nextDouble() < 0.003 ? 1 : 0;
        }
        all.add(s);
        r = rnd.get();
        s = new Series("quiet/quantized_counts");
        for (int i = 0; i < ROWS; i++) {
            s.v[i] = poisson(r, 2);
        }
        all.add(s);
        r = rnd.get();
        s = new Series("quiet/cache_sawtooth", 4320, 60, START);
        sawtooth(s, r);
        all.add(s);
        r = rnd.get();
        s = new Series("quiet/trend");
        for (int i = 0; i < ROWS; i++) {
            s.v[i] = 1000 - 0.05 * i + r.nextGaussian() * 5;
        }
        all.add(s);
        return all;
    }

    /** 0 at night, 1 at the 14:00 peak: a raised cosine over the day. */
    private static double dayShape(double hour) {
        return 0.5 - 0.5 * Math.cos(2 * Math.PI * (hour - 2) / 24);
    }

    private static void daily(Series s, Random r, double base, double amplitude, double sigma) {
        for (int i = 0; i < s.v.length; i++) {
            s.v[i] = base + amplitude * 2 * (dayShape(s.hourOfDay(i)) - 0.5) + r.nextGaussian() * sigma;
        }
    }

    private static void noise(Series s, Random r, double mean, double sigma) {
        for (int i = 0; i < s.v.length; i++) {
            s.v[i] = mean + r.nextGaussian() * sigma;
        }
    }

    private static void burst(Series s, Random r, int at, int rows, double level) {
        for (int i = at; i < at + rows; i++) {
            s.v[i] = Math.round(level + r.nextGaussian() * level / 5);
        }
        s.onsets.add(at);
    }

    private static void gap(Series s, int at, int rows) {
        for (int i = at; i < at + rows; i++) {
            s.dropped[i] = true;
        }
    }

    /** A cache refreshed every 5 minutes: the age of its data in seconds, read every minute. */
    private static void sawtooth(Series s, Random r) {
        for (int i = 0; i < s.v.length; i++) {
            s.v[i] = (i % 5) * 60 + 5 + Math.abs(r.nextGaussian() * 3);
        }
    }

    /** Knuth's method; fine for the small means used here. */
    private static int poisson(Random r, double mean) {
        double limit = Math.exp(-mean);
        double p = 1;
        int k = 0;
        do {
            k++;
            p *= r.nextDouble();
        } while (p > limit);
        return k - 1;
    }
}
