package dev.sightline.benchmarks;

import dev.sightline.benchmarks.remotewrite.WriteRequestEncoder;
import dev.sightline.core.FileTrees;
import dev.sightline.core.Labels;
import dev.sightline.tsdb.Tsdb;
import dev.sightline.tsdb.TsdbOptions;
import dev.sightline.tsdb.exemplar.ExemplarStore;
import dev.sightline.tsdb.head.HeadSnapshot;
import dev.sightline.tsdb.wal.FsyncPolicy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Restart time. Writes a node_exporter-shaped data set into a Sightline data directory (WAL and chunks_head, no
 * block yet, as a server that restarts within its first two hours has) and into VictoriaMetrics through
 * remote-write, the same series, timestamps and values; then, for {@code --rounds} rounds, times:
 * <ul>
 *   <li>a crash restart: Sightline {@code Tsdb.open} in this JVM without a head snapshot (the whole WAL replayed),
 *   for each {@code --workers} setting, 0 being the single-threaded replay;</li>
 *   <li>a clean shutdown (the head snapshot written by {@code close}) and the clean restart after it
 *   ({@code Tsdb.open} loading the snapshot), with the first {@code --workers} setting;</li>
 *   <li>a fresh Sightline JVM from process start until {@code Tsdb.open} has returned (JVM start included), after a
 *   clean shutdown and after a crash;</li>
 *   <li>a fresh VictoriaMetrics process from start until {@code /health} answers 200.</li>
 * </ul>
 * Each figure is printed with the load average at that moment: the machine is shared.
 *
 * <pre>
 * --series N        active series (default 100000)
 * --duration D      data span (default 2h)
 * --interval D      scrape interval (default 15s)
 * --workers LIST    replay worker counts to compare, e.g. 0,1,2 (default 0,2)
 * --rounds R        timed restarts per setting (default 3)
 * --victoria PATH   the VictoriaMetrics binary (default /usr/bin/victoria-metrics; "none" skips it)
 * --data-dir PATH   where to write (default: a fresh temporary directory, deleted afterwards unless --keep)
 * --keep            keep the data directory
 * </pre>
 */
public final class WalReplayBenchmark {
    private static final String READY = "sightline-open-done";
    private static final int VM_BATCH = 20_000;

    private WalReplayBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 4 && args[0].equals("--open-only")) {
            openOnly(Path.of(args[1]), Integer.parseInt(args[2]), Boolean.parseBoolean(args[3]));
            return;
        }
        int numSeries = 100_000;
        long durationMs = 2 * 3_600_000L;
        long intervalMs = 15_000;
        int[] workers = {0, 2};
        int rounds = 3;
        String victoria = "/usr/bin/victoria-metrics";
        Path dataDir = null;
        boolean keep = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--series" -> numSeries = Bench.positive(a, Bench.value(args, ++i, a));
                case "--duration" -> durationMs = TsdbIngestBenchmark.parseDuration(Bench.value(args, ++i, a), a);
                case "--interval" -> intervalMs = TsdbIngestBenchmark.parseDuration(Bench.value(args, ++i, a), a);
                case "--workers" -> workers = workerCounts(Bench.value(args, ++i, a), a);
                case "--rounds" -> rounds = Bench.positive(a, Bench.value(args, ++i, a));
                case "--victoria" -> victoria = Bench.value(args, ++i, a);
                case "--data-dir" -> dataDir = Path.of(Bench.value(args, ++i, a));
                case "--keep" -> keep = true;
                default -> throw new IllegalArgumentException("unknown flag " + a + " (see the class comment for flags)");
            }
        }
        if (durationMs < intervalMs || intervalMs <= 0) {
            throw new IllegalArgumentException("need --duration >= --interval > 0");
        }
        Path vm = victoria.equals("none") ? null : Path.of(victoria);
        if (vm != null && !Files.isExecutable(vm)) {
            throw new IllegalArgumentException("--victoria " + vm + " is not an executable; install it with "
                    + "`apt-get install victoria-metrics`, or pass --victoria none");
        }
        boolean tempDir = dataDir == null;
        dataDir = tempDir ? Files.createTempDirectory("sightline-replay-bench") : Files.createDirectories(dataDir);
        try {
            run(numSeries, durationMs, intervalMs, workers, rounds, vm, dataDir);
        } finally {
            if (tempDir && !keep) {
                FileTrees.deleteRecursively(dataDir);
            }
        }
    }

    private static int[] workerCounts(String list, String flag) {
        String[] parts = list.split(",");
        int[] w = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                w[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(flag + ": item " + (i + 1) + " '" + parts[i] + "' is not a number");
            }
            if (w[i] < 0) {
                throw new IllegalArgumentException(flag + ": item " + (i + 1) + " is negative: " + w[i]);
            }
        }
        return w;
    }

    /**
     * With {@code snapshot} false, open deletes a head snapshot and replays the whole WAL, as after a crash. With an
     * exemplar store as the server's (its default size), so that the snapshot written here is one a server started on
     * this data loads: it replays the whole WAL for a snapshot taken without one, to get the exemplars back.
     */
    private static Tsdb open(Path dir, int workers, boolean snapshot) throws IOException {
        return Tsdb.open(dir, TsdbOptions.defaults().withFsyncPolicy(FsyncPolicy.NEVER).withWalReplayWorkers(workers)
                .withHeadSnapshotOnShutdown(snapshot), new ExemplarStore(ExemplarStore.DEFAULT_MAX_EXEMPLARS));
    }

    /** The child JVM's part: open the database, say so on stdout, close it. */
    private static void openOnly(Path dir, int workers, boolean snapshot) throws IOException {
        try (Tsdb db = open(dir, workers, snapshot)) {
            System.out.println(READY + " " + db.headSeries());
        }
    }

    private static void run(int numSeries, long durationMs, long intervalMs, int[] workers, int rounds, Path vm,
                            Path dataDir) throws Exception {
        NodeExporterSet set = new NodeExporterSet(numSeries, 42);
        int scrapes = (int) (durationMs / intervalMs);
        long samples = (long) scrapes * numSeries;
        // Aligned and recent enough for VictoriaMetrics' default retention; old enough to be wholly in the past.
        long start = Math.floorDiv(System.currentTimeMillis() - 2 * durationMs, 7_200_000L) * 7_200_000L;
        set.printHeader(scrapes, intervalMs);

        Path sightlineDir = dataDir.resolve("sightline");
        long t0 = System.nanoTime();
        try (Tsdb db = open(sightlineDir, 0, false)) {
            TsdbIngestBenchmark.load(db, set, new long[numSeries], scrapes, start, intervalMs, 0);
        }
        System.out.printf(Locale.ROOT, "sightline: wrote %d samples in %.1f s; WAL %,d bytes, chunks_head %,d bytes%n", samples,
                (System.nanoTime() - t0) / 1e9, Bench.sizeOnDisk(sightlineDir.resolve("wal")),
                Bench.sizeOnDisk(sightlineDir.resolve("chunks_head")));

        Path vmDir = dataDir.resolve("victoria");
        if (vm != null) {
            loadVictoria(vm, vmDir, numSeries, scrapes, start, intervalMs);
        }

        double[][] inProcess = new double[workers.length][rounds];
        double[] snapshotWrite = new double[rounds];
        double[] cleanOpen = new double[rounds];
        double[] cleanProcess = new double[rounds];
        double[] crashProcess = new double[rounds];
        double[] vmStart = new double[rounds];
        int w0 = workers[0];
        for (int r = 0; r < rounds; r++) {
            for (int w = 0; w < workers.length; w++) {
                inProcess[w][r] = timedOpen(sightlineDir, numSeries, workers[w], false,
                        String.format(Locale.ROOT, "round %d  crash restart (whole WAL), Tsdb.open, %d workers:", r + 1, workers[w]));
            }
            // A clean shutdown: the head snapshot written by close, after a (full) open.
            Tsdb db = open(sightlineDir, w0, true);
            long c0 = System.nanoTime();
            db.close();
            snapshotWrite[r] = (System.nanoTime() - c0) / 1e9;
            System.out.printf(Locale.ROOT, "round %d  clean shutdown (Tsdb.close writing the head snapshot, %,d bytes): %6.2f s   (load %s)%n",
                    r + 1, Files.size(sightlineDir.resolve(HeadSnapshot.FILE)), snapshotWrite[r], Bench.loadAverage());
            cleanOpen[r] = timedOpen(sightlineDir, numSeries, w0, true,
                    String.format(Locale.ROOT, "round %d  clean restart (head snapshot), Tsdb.open, %d workers:", r + 1, w0));
            cleanProcess[r] = sightlineProcess(sightlineDir, w0, true);
            System.out.printf(Locale.ROOT, "round %d  sightline JVM start to open, clean restart (snapshot): %6.2f s   (load %s)%n",
                    r + 1, cleanProcess[r], Bench.loadAverage());
            crashProcess[r] = sightlineProcess(sightlineDir, w0, false);
            System.out.printf(Locale.ROOT, "round %d  sightline JVM start to open, crash restart (whole WAL): %6.2f s   (load %s)%n",
                    r + 1, crashProcess[r], Bench.loadAverage());
            if (vm != null) {
                vmStart[r] = victoriaRestart(vm, vmDir, numSeries);
                System.out.printf(Locale.ROOT, "round %d  victoria-metrics start to /health:    %6.2f s   (load %s)%n",
                        r + 1, vmStart[r], Bench.loadAverage());
            }
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "medians of %d rounds, %d series, %d samples:%n", rounds, numSeries, samples);
        double single = Bench.median(inProcess[0]);
        for (int w = 0; w < workers.length; w++) {
            double m = Bench.median(inProcess[w]);
            System.out.printf(Locale.ROOT, "  sightline crash restart, Tsdb.open (whole WAL), %d workers:  %6.2f s  (%.2fx the first setting's time)%n",
                    workers[w], m, m / single);
        }
        double clean = Bench.median(cleanOpen);
        System.out.printf(Locale.ROOT, "  sightline clean shutdown, Tsdb.close writing the snapshot:  %6.2f s%n", Bench.median(snapshotWrite));
        System.out.printf(Locale.ROOT, "  sightline clean restart, Tsdb.open (snapshot), %d workers:    %6.2f s  (%.2fx the crash restart)%n",
                w0, clean, clean / single);
        double vmMedian = vm == null ? Double.NaN : Bench.median(vmStart);
        System.out.printf(Locale.ROOT, "  sightline process start to open, clean restart:  %6.2f s%s%n", Bench.median(cleanProcess),
                vm == null ? "" : String.format(Locale.ROOT, "  (%.2fx victoria-metrics)", Bench.median(cleanProcess) / vmMedian));
        System.out.printf(Locale.ROOT, "  sightline process start to open, crash restart:  %6.2f s%s%n", Bench.median(crashProcess),
                vm == null ? "" : String.format(Locale.ROOT, "  (%.2fx victoria-metrics)", Bench.median(crashProcess) / vmMedian));
        if (vm != null) {
            System.out.printf(Locale.ROOT, "  victoria-metrics process start to /health:        %6.2f s%n", vmMedian);
        }
        System.out.printf(Locale.ROOT, "load average at the end: %s%n", Bench.loadAverage());
    }

    /** Times one Tsdb.open in this JVM (with or without the head snapshot), prints it, checks the series count. */
    private static double timedOpen(Path dir, int numSeries, int workers, boolean snapshot, String what) throws IOException {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        System.gc(); // the previous round's head is garbage; do not make this round collect it
        long cpu0 = os.getProcessCpuTime();
        long o0 = System.nanoTime();
        double seconds;
        long headSeries;
        try (Tsdb db = open(dir, workers, snapshot)) {
            seconds = (System.nanoTime() - o0) / 1e9;
            headSeries = db.headSeries();
        }
        System.out.printf(Locale.ROOT, "%s %6.2f s wall, %6.2f s CPU, %d series   (load %s)%n", what, seconds,
                (os.getProcessCpuTime() - cpu0) / 1e9, headSeries, Bench.loadAverage());
        check(headSeries == numSeries, "sightline restored " + headSeries + " series, wrote " + numSeries);
        return seconds;
    }

    /** Seconds from starting a JVM that opens the database until it says it has. */
    private static double sightlineProcess(Path dir, int workers, boolean snapshot) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("-X") || a.startsWith("--sun-misc")).toList());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), WalReplayBenchmark.class.getName(),
                "--open-only", dir.toString(), Integer.toString(workers), Boolean.toString(snapshot)));
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        double seconds = -1;
        StringBuilder output = new StringBuilder();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.startsWith(READY) && seconds < 0) {
                    seconds = (System.nanoTime() - t0) / 1e9;
                }
                output.append(line).append('\n');
            }
        }
        int exit = p.waitFor();
        check(exit == 0 && seconds >= 0, "the sightline child JVM exited with " + exit + ":\n" + output);
        return seconds;
    }

    private static List<String> victoriaCommand(Path vm, Path dir, int port) {
        return List.of(vm.toString(), "-storageDataPath=" + dir, "-httpListenAddr=127.0.0.1:" + port,
                "-retentionPeriod=100y", "-selfScrapeInterval=0");
    }

    /** Remote-writes the same scrapes to a fresh VictoriaMetrics, flushes, and stops it. */
    private static void loadVictoria(Path vm, Path dir, int numSeries, int scrapes, long start, long intervalMs)
            throws Exception {
        NodeExporterSet set = new NodeExporterSet(numSeries, 42);
        byte[][] labels = new byte[numSeries][];
        for (int s = 0; s < numSeries; s++) {
            Labels l = set.labels[s];
            String[] pairs = new String[2 * l.size()];
            for (int i = 0; i < l.size(); i++) {
                pairs[2 * i] = l.name(i);
                pairs[2 * i + 1] = l.value(i);
            }
            labels[s] = WriteRequestEncoder.encodeLabels(pairs);
        }
        int port = PeerProcess.freePort();
        URI base = URI.create("http://127.0.0.1:" + port);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        long t0 = System.nanoTime();
        try (PeerProcess p = PeerProcess.start("victoria-metrics", victoriaCommand(vm, dir, port), dir.resolveSibling("victoria.log"))) {
            p.awaitReady(base.resolve("/health"));
            WriteRequestEncoder enc = new WriteRequestEncoder();
            int[] inRequest = {0};
            URI write = base.resolve("/api/v1/write");
            NodeExporterSet.ScrapeSink sink = (i, t) -> {
                for (int s = set.instanceStart[i], end = set.instanceStart[i + 1]; s < end; s++) {
                    enc.series(labels[s], set.value[s], t);
                }
                inRequest[0] += set.instanceStart[i + 1] - set.instanceStart[i];
                if (inRequest[0] >= VM_BATCH) {
                    post(http, write, enc.compressed());
                    enc.reset();
                    inRequest[0] = 0;
                }
            };
            set.scrapes(scrapes, start, intervalMs, sink);
            if (inRequest[0] > 0) {
                post(http, write, enc.compressed());
            }
            get(http, base.resolve("/internal/force_flush"));
            System.out.printf(Locale.ROOT, "victoria-metrics: wrote the same samples in %.1f s (%.2f s of its CPU); %,d bytes on disk"
                    + " after force_flush%n", (System.nanoTime() - t0) / 1e9, p.cpuSeconds(), Bench.sizeOnDisk(dir));
        }
    }

    /** Seconds from starting VictoriaMetrics on its data until /health answers; checks the series are all there. */
    @SuppressWarnings("try") // the process is only started, polled over HTTP and stopped
    private static double victoriaRestart(Path vm, Path dir, int numSeries) throws Exception {
        int port = PeerProcess.freePort();
        URI base = URI.create("http://127.0.0.1:" + port);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long t0 = System.nanoTime();
        try (PeerProcess p = PeerProcess.start("victoria-metrics", victoriaCommand(vm, dir, port), dir.resolveSibling("victoria.log"))) {
            double seconds = -1;
            long deadline = t0 + TimeUnit.SECONDS.toNanos(300);
            while (seconds < 0 && System.nanoTime() < deadline) {
                try {
                    if (http.send(HttpRequest.newBuilder(base.resolve("/health")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        seconds = (System.nanoTime() - t0) / 1e9;
                    }
                } catch (IOException notYet) {
                    Thread.sleep(5);
                }
            }
            check(seconds >= 0, "victoria-metrics did not answer /health within 300 s");
            // The index's count: a query over every series' samples would time out at 1M series on a busy machine.
            String body = get(http, base.resolve("/api/v1/series/count"));
            check(body.contains("[" + numSeries + "]"), "victoria-metrics does not count " + numSeries + " series after restart: " + body);
            return seconds;
        }
    }

    private static void post(HttpClient http, URI uri, byte[] body) throws IOException {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/x-protobuf")
                    .header("Content-Encoding", "snappy").header("X-Prometheus-Remote-Write-Version", "0.1.0")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
            check(r.statusCode() / 100 == 2, "POST " + uri + " answered " + r.statusCode() + ": " + r.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static String get(HttpClient http, URI uri) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        check(r.statusCode() == 200, "GET " + uri + " answered " + r.statusCode() + ": " + r.body());
        return r.body();
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalStateException(message);
        }
    }
}
