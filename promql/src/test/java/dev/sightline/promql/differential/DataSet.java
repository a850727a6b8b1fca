package dev.sightline.promql.differential;

import dev.sightline.core.Labels;
import dev.sightline.metricstore.Appender;
import dev.sightline.metricstore.Storage;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A deterministic (seeded) metrics data set shaped like what a scraper collects: counters with resets, gauges,
 * classic histograms, series that start late and series that stop, with labels chosen so that by/without,
 * on/ignoring and group_left have something to match.
 *
 * <p>Every sample timestamp is {@code 250 ms} past a whole second ({@link #SAMPLE_PHASE_MS}), while every query
 * time, range, offset and step is a whole number of seconds. So no sample ever sits exactly on a range or lookback
 * boundary, where Prometheus 2.x (closed ranges) and 3.x (left-open ranges) legitimately disagree. 250 ms is exact
 * in binary, so the seconds-with-fraction timestamps of OpenMetrics text parse back to the same milliseconds.
 */
final class DataSet {
    /** Start of the data, a whole hour in seconds (2023-11-14T22:00:00Z). */
    static final long T0_SECONDS = 1_699_999_200L;
    static final long T0_MS = T0_SECONDS * 1000;
    static final long SAMPLE_PHASE_MS = 7_250;
    static final long INTERVAL_MS = 15_000;
    static final int SAMPLES = 720; // 3 h at 15 s
    static final long DURATION_MS = SAMPLES * INTERVAL_MS;

    static final String[] JOBS = {"api", "web", "worker"};
    static final String[] METHODS = {"GET", "POST"};
    static final String[] CODES = {"200", "500"};
    static final String[] LE = {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"};
    private static final double[] LE_VALUES = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, Double.POSITIVE_INFINITY};

    /** One series: its labels and its samples (timestamps ascending). */
    record SeriesData(Labels labels, long[] t, double[] v, int n) {
    }

    final List<SeriesData> series = new ArrayList<>();
    private final Random rnd;

    DataSet(long seed) {
        this.rnd = new Random(seed);
        generate();
    }

    static long sampleTime(int k) {
        return T0_MS + SAMPLE_PHASE_MS + k * INTERVAL_MS;
    }

    static String instance(String job, int i) {
        return "10.0." + (job.length() % 7) + "." + (i + 1) + (job.equals("node") ? ":9100" : ":8080");
    }

    long sampleCount() {
        long n = 0;
        for (SeriesData s : series) {
            n += s.n;
        }
        return n;
    }

    private void generate() {
        for (String job : JOBS) {
            for (int i = 0; i < 4; i++) {
                String inst = instance(job, i);
                int[] life = lifetime();
                for (String method : METHODS) {
                    for (String code : CODES) {
                        double rate = code.equals("200") ? 5 + rnd.nextDouble() * 20 : rnd.nextDouble() * 0.8;
                        counter(Labels.of("__name__", "http_requests_total", "job", job, "instance", inst,
                                "method", method, "code", code), life, rate);
                    }
                }
                for (String code : CODES) {
                    counter(Labels.of("__name__", "errors_total", "job", job, "instance", inst, "code", code),
                            life, rnd.nextDouble() * 2);
                }
                gauge(Labels.of("__name__", "memory_usage_bytes", "job", job, "instance", inst), life, 2e8 + rnd.nextDouble() * 1e9, 5e6, false);
                for (String q : new String[]{"high", "low"}) {
                    gauge(Labels.of("__name__", "queue_length", "job", job, "instance", inst, "queue", q), life, 20, 3, true);
                }
                gauge(Labels.of("__name__", "up", "job", job, "instance", inst), life, 1, 0, true);
                gauge(Labels.of("__name__", "build_info", "job", job, "instance", inst, "version", "1." + (i % 2) + ".0"), life, 1, 0, true);
                histogram(job, inst, life);
            }
        }
        for (int i = 0; i < 4; i++) {
            String inst = instance("node", i);
            int[] life = lifetime();
            for (int cpu = 0; cpu < 2; cpu++) {
                for (String mode : new String[]{"idle", "user", "system", "iowait"}) {
                    double r = mode.equals("idle") ? 0.7 : 0.1 * rnd.nextDouble();
                    counter(Labels.of("__name__", "node_cpu_seconds_total", "job", "node", "instance", inst,
                            "cpu", String.valueOf(cpu), "mode", mode), life, r);
                }
            }
            gauge(Labels.of("__name__", "up", "job", "node", "instance", inst), life, 1, 0, true);
            for (String zone : new String[]{"a", "b"}) {
                gauge(Labels.of("__name__", "temperature_celsius", "job", "node", "instance", inst, "zone", zone), life, -5 + rnd.nextDouble() * 30, 0.8, false);
            }
        }
        ties();
        series.sort((a, b) -> a.labels.compareTo(b.labels));
    }

    /**
     * Series made for topk/bottomk/limitk ties, with values from formulas (not the seeded generator, so the series
     * above stay as they were): {@code tie_const} is 1 everywhere; {@code tie_gauge} takes the integers 0..3 and NaN;
     * {@code tie_counter_total} counts up by 1 per sample and restarts at the same samples in every series, so
     * their rates, increases and resets are equal too.
     */
    private void ties() {
        int slot = 0;
        for (String job : new String[]{"api", "db"}) {
            for (int h = 0; h < 3; h++) {
                String inst = "host" + h;
                for (String le : new String[]{"+Inf", "1", "0.5"}) {
                    double[] v = new double[SAMPLES];
                    Arrays.fill(v, 1);
                    add(Labels.of("__name__", "tie_const", "job", job, "instance", inst, "le", le), v);
                }
                double[] g = new double[SAMPLES];
                double[] c = new double[SAMPLES];
                for (int k = 0; k < SAMPLES; k++) {
                    int phase = k / 20 + slot;
                    g[k] = phase % 5 == 4 ? Double.NaN : phase % 4;
                    c[k] = k % 200;
                }
                add(Labels.of("__name__", "tie_gauge", "job", job, "instance", inst), g);
                add(Labels.of("__name__", "tie_counter_total", "job", job, "instance", inst), c);
                slot++;
            }
        }
    }

    private void add(Labels labels, double[] v) {
        long[] t = new long[v.length];
        for (int k = 0; k < v.length; k++) {
            t[k] = sampleTime(k);
        }
        series.add(new SeriesData(labels, t, v, v.length));
    }

    /** [first, last) sample indexes: most series live throughout, some start late, some stop early. */
    private int[] lifetime() {
        int r = rnd.nextInt(10);
        if (r == 0) {
            return new int[]{0, SAMPLES / 3 + rnd.nextInt(SAMPLES / 2)};
        }
        if (r == 1) {
            return new int[]{SAMPLES / 4 + rnd.nextInt(SAMPLES / 3), SAMPLES};
        }
        return new int[]{0, SAMPLES};
    }

    private void counter(Labels labels, int[] life, double perSecond) {
        int n = life[1] - life[0];
        long[] t = new long[n];
        double[] v = new double[n];
        // Counters start high (as if the process ran before): a first value near zero lets the zero-point bound the
        // extrapolation of ranges that begin before the series does, where 2.42 and 3.x order that bound and the
        // "start gap" rule differently.
        double c = 10_000 + rnd.nextInt(10_000) + rnd.nextDouble();
        for (int k = 0; k < n; k++) {
            if (rnd.nextInt(150) == 0) {
                c = rnd.nextInt(3) == 0 ? 0 : rnd.nextDouble() * 10; // restart of the process
            } else if (k > 0) {
                c += perSecond * 15 * rnd.nextDouble() * 2;
            }
            t[k] = sampleTime(life[0] + k);
            v[k] = c;
        }
        series.add(new SeriesData(labels, t, v, n));
    }

    private void gauge(Labels labels, int[] life, double base, double noise, boolean integral) {
        int n = life[1] - life[0];
        long[] t = new long[n];
        double[] v = new double[n];
        double g = base;
        for (int k = 0; k < n; k++) {
            if (integral) {
                g = noise == 0 ? (rnd.nextInt(40) == 0 ? 0 : base) : Math.max(0, Math.round(base + rnd.nextGaussian() * noise * 3));
            } else {
                g += rnd.nextGaussian() * noise;
            }
            t[k] = sampleTime(life[0] + k);
            v[k] = g;
        }
        series.add(new SeriesData(labels, t, v, n));
    }

    private void histogram(String job, String inst, int[] life) {
        int n = life[1] - life[0];
        int nb = LE.length;
        long[][] counts = new long[nb][n];
        double[] sum = new double[n];
        long[] bucket = new long[nb];
        double s = 0;
        double scale = 0.05 + rnd.nextDouble() * 0.5;
        // Observations before the data starts, for the same reason counters start high.
        for (int o = 0; o < 5000; o++) {
            double d = -Math.log(1 - rnd.nextDouble()) * scale;
            s += d;
            for (int b = 0; b < nb; b++) {
                if (d <= LE_VALUES[b]) {
                    bucket[b]++;
                }
            }
        }
        for (int k = 0; k < n; k++) {
            if (rnd.nextInt(200) == 0) {
                Arrays.fill(bucket, 0);
                s = 0;
            }
            int obs = rnd.nextInt(30);
            for (int o = 0; o < obs; o++) {
                double d = -Math.log(1 - rnd.nextDouble()) * scale;
                s += d;
                for (int b = 0; b < nb; b++) {
                    if (d <= LE_VALUES[b]) {
                        bucket[b]++;
                    }
                }
            }
            for (int b = 0; b < nb; b++) {
                counts[b][k] = bucket[b];
            }
            sum[k] = s;
        }
        long[] t = new long[n];
        for (int k = 0; k < n; k++) {
            t[k] = sampleTime(life[0] + k);
        }
        for (int b = 0; b < nb; b++) {
            double[] v = new double[n];
            for (int k = 0; k < n; k++) {
                v[k] = counts[b][k];
            }
            series.add(new SeriesData(Labels.of("__name__", "request_duration_seconds_bucket", "job", job, "instance", inst, "le", LE[b]), t, v, n));
        }
        double[] cnt = new double[n];
        for (int k = 0; k < n; k++) {
            cnt[k] = counts[nb - 1][k];
        }
        series.add(new SeriesData(Labels.of("__name__", "request_duration_seconds_count", "job", job, "instance", inst), t, cnt, n));
        series.add(new SeriesData(Labels.of("__name__", "request_duration_seconds_sum", "job", job, "instance", inst), t, sum, n));
    }

    /**
     * Writes the data as OpenMetrics text for {@code promtool tsdb create-blocks-from openmetrics}: untyped samples
     * (no TYPE lines, so no suffix rules apply), each series' samples in time order, ending with {@code # EOF}.
     */
    void writeOpenMetrics(Path file) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            StringBuilder sb = new StringBuilder(256);
            for (SeriesData s : series) {
                String head = seriesText(s.labels);
                for (int k = 0; k < s.n; k++) {
                    sb.setLength(0);
                    sb.append(head).append(' ').append(Double.toString(s.v[k])).append(' ')
                            .append(s.t[k] / 1000).append('.').append(String.format("%03d", s.t[k] % 1000)).append('\n');
                    w.write(sb.toString());
                }
            }
            w.write("# EOF\n");
        }
    }

    private static String seriesText(Labels labels) {
        StringBuilder sb = new StringBuilder(labels.metricName()).append('{');
        Map<String, String> m = labels.toMap();
        boolean first = true;
        for (Map.Entry<String, String> e : m.entrySet()) {
            if (e.getKey().equals(Labels.METRIC_NAME)) {
                continue;
            }
            if (!first) {
                sb.append(',');
            }
            first = false;
            sb.append(e.getKey()).append("=\"").append(e.getValue()).append('"');
        }
        return sb.append('}').toString();
    }

    /** Appends every sample through the storage's appender, one batch per series. */
    void load(Storage storage) throws IOException {
        for (SeriesData s : series) {
            Appender app = storage.appender();
            long ref = 0;
            for (int k = 0; k < s.n; k++) {
                ref = app.append(ref, s.labels, s.t[k], s.v[k]);
            }
            app.commit();
        }
    }
}
