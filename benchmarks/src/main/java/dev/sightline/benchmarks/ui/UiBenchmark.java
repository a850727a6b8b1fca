package dev.sightline.benchmarks.ui;

import dev.sightline.benchmarks.Bench;
import dev.sightline.benchmarks.PeerProcess;
import dev.sightline.benchmarks.remotewrite.WriteRequestEncoder;
import dev.sightline.core.FileTrees;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * UI benchmark (issue 15): a dashboard of --panels time-series panels, each --series series over 24 h at 60 s,
 * opened in Debian's headless Chromium with a fresh profile (nothing cached) --runs times. The data goes into a fresh
 * server by remote-write, the dashboard is a YAML file in the directory named by sightline.yml's
 * {@code dashboards.directory}; every panel's query runs 5 times before (a warm server). Prints, per run and as the median: the time from navigation start to the page's
 * {@code performance.mark('sightline:panels-drawn')}, and the bytes the browser downloaded (transfer sizes from the
 * Resource Timing API, compressed as sent): the UI's files (HTML, JS, CSS, libraries) and the query answers apart.
 *
 * <p>When the server has no dashboards page yet (its configuration refuses {@code dashboards:}, or the page never
 * marks), the same panels are measured the way Explore draws them: the Explore page loads, then a script in it runs
 * the panels' queries and draws each with chart.js's drawChart at the panel's size, and marks when all are drawn.
 * The output says which was measured.
 *
 * <pre>
 * --sightline-cp CP   class path of the Sightline server (jar:lib/*)
 * --panels P          panels (default 12)         --series S   series per panel (default 50)
 * --hours H           hours of data (default 24)  --runs R     page loads measured (default 5)
 * --chromium PATH     (default /usr/bin/chromium) --chromedriver PATH (default /usr/bin/chromedriver)
 * --data-dir D        the server's folder (default: a temporary one, deleted unless --keep)
 * </pre>
 */
public final class UiBenchmark {
    private static final long INTERVAL_MS = 60_000;
    private static final double TARGET_DRAWN_MS = 1500;
    private static final long TARGET_FIRST_PAGE_BYTES = 300 * 1024;
    private static final String UID = "ui-bench";
    private static final int SAMPLES_PER_REQUEST = 20_000;
    /** The OTLP listeners off: their default ports may be another server's on this machine. */
    private static final String NO_OTLP = "server:\n  otlp_grpc_port: -1\n  otlp_http_port: -1\n";

    private record Run(double drawnMs, long assetBytes, long dataBytes, int assetFiles) {
    }

    public static void main(String[] args) throws Exception {
        String cp = null;
        int panels = 12, series = 50, hours = 24, runs = 5;
        String chromium = "/usr/bin/chromium", chromedriver = "/usr/bin/chromedriver";
        Path dir = null;
        boolean keep = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--sightline-cp" -> cp = Bench.value(args, ++i, a);
                case "--panels" -> panels = Bench.positive(a, Bench.value(args, ++i, a));
                case "--series" -> series = Bench.positive(a, Bench.value(args, ++i, a));
                case "--hours" -> hours = Bench.positive(a, Bench.value(args, ++i, a));
                case "--runs" -> runs = Bench.positive(a, Bench.value(args, ++i, a));
                case "--chromium" -> chromium = Bench.value(args, ++i, a);
                case "--chromedriver" -> chromedriver = Bench.value(args, ++i, a);
                case "--data-dir" -> dir = Path.of(Bench.value(args, ++i, a));
                case "--keep" -> keep = true;
                default -> throw new IllegalArgumentException("unknown argument " + a);
            }
        }
        if (cp == null) {
            throw new IllegalArgumentException("--sightline-cp is required");
        }
        if (!Files.isExecutable(Path.of(chromium)) || !Files.isExecutable(Path.of(chromedriver))) {
            throw new IllegalStateException("peer not available: " + chromium + " and " + chromedriver
                    + " (Debian packages chromium, chromium-driver)");
        }
        boolean temporary = dir == null;
        dir = temporary ? Files.createTempDirectory("sightline-ui-bench") : Files.createDirectories(dir);
        try {
            run(cp, dir, panels, series, hours, runs, chromium, chromedriver);
        } finally {
            if (temporary && !keep) {
                FileTrees.deleteRecursively(dir);
            }
        }
    }

    private static void run(String cp, Path dir, int panels, int series, int hours, int runs, String chromium,
                            String chromedriver) throws Exception {
        Files.createDirectories(dir.resolve("dashboards"));
        Files.writeString(dir.resolve("dashboards").resolve(UID + ".yml"), dashboardYaml(panels));
        Path config = dir.resolve("sightline.yml");
        Files.writeString(config, NO_OTLP + "dashboards:\n  directory: dashboards\n");
        int port = PeerProcess.freePort();
        URI base = URI.create("http://127.0.0.1:" + port);
        List<String> cmd = PeerProcess.sightlineCommand(cp, List.of(), "--data-dir", dir.resolve("data").toString(),
                "--http-port", Integer.toString(port), "--listen-address", "127.0.0.1", "--config", config.toString());
        PeerProcess server = PeerProcess.start("sightline", cmd, dir.resolve("sightline.log"));
        boolean dashboards = true;
        try {
            server.awaitReady(base.resolve("/-/ready"));
        } catch (IOException refused) {
            if (!refused.getMessage().contains("dashboards")) {
                throw refused;
            }
            // A server without the dashboards loader refuses the section: start it without, measure Explore-style.
            System.out.println("this server does not know dashboards: (no loader yet); measuring Explore-style charts");
            dashboards = false;
            server.close();
            Files.writeString(config, NO_OTLP);
            server = PeerProcess.start("sightline", cmd, dir.resolve("sightline-2.log"));
            server.awaitReady(base.resolve("/-/ready"));
        }
        try (PeerProcess s = server) {
            long now = System.currentTimeMillis() / INTERVAL_MS * INTERVAL_MS;
            long samples = write(base, panels, series, hours, now);
            System.out.printf("wrote %,d samples (%d panels x %d series x %d h at %d s) by remote-write; load %s%n",
                    samples, panels, series, hours, INTERVAL_MS / 1000, Bench.loadAverage());
            warmUp(base, panels, hours);
            List<Run> results = new ArrayList<>();
            for (int r = 0; r < runs; r++) {
                Run run = dashboards ? openDashboard(base, chromium, chromedriver) : null;
                if (run == null) {
                    if (dashboards) {
                        System.out.println("/dashboards/" + UID + " never marked sightline:panels-drawn; measuring Explore-style charts");
                        dashboards = false;
                    }
                    run = openExploreStyle(base, chromium, chromedriver, panels, hours);
                }
                results.add(run);
                System.out.printf("run %d: panels drawn %.0f ms; first page %,d bytes in %d files (UI) + %,d bytes of query answers%n",
                        r + 1, run.drawnMs(), run.assetBytes(), run.assetFiles(), run.dataBytes());
            }
            double drawn = Bench.median(results.stream().mapToDouble(Run::drawnMs).toArray());
            double assets = Bench.median(results.stream().mapToDouble(Run::assetBytes).toArray());
            double data = Bench.median(results.stream().mapToDouble(Run::dataBytes).toArray());
            System.out.printf("%s, %d panels x %d series: all panels drawn in %.0f ms (median of %d; target <= %.0f ms: %s)%n",
                    dashboards ? "dashboard /dashboards/" + UID : "Explore-style charts in one page (fallback)",
                    panels, series, drawn, runs, TARGET_DRAWN_MS, drawn <= TARGET_DRAWN_MS ? "met" : "MISSED");
            System.out.printf("first page download: %.1f KB of UI files, compressed as sent (target <= %d KB: %s); "
                            + "query answers %.1f KB more%n", assets / 1024, TARGET_FIRST_PAGE_BYTES / 1024,
                    assets <= TARGET_FIRST_PAGE_BYTES ? "met" : "MISSED", data / 1024);
            System.out.printf("server VmRSS at the end: %,d kB%n", s.memoryKb()[0]);
        }
    }

    /** Every panel one metric of `series` series, drawn with a legend template, 24 h by default. */
    private static String dashboardYaml(int panels) {
        StringBuilder y = new StringBuilder("uid: " + UID + "\ntitle: UI benchmark\ntime:\n  range: 24h\nrows:\n"
                + "  - title: Panels\n    panels:\n");
        for (int p = 0; p < panels; p++) {
            y.append("      - title: Panel ").append(p).append('\n')
                    .append("        type: timeseries\n        span: 6\n        height: 240\n")
                    .append("        targets:\n          - expr: ").append(metric(p)).append('\n')
                    .append("            legend: \"{{instance}}\"\n");
        }
        return y.toString();
    }

    private static String metric(int panel) {
        return "ui_bench_panel_" + panel;
    }

    /** Writes every panel's series, oldest samples first, in remote-write requests of about 20,000 samples. */
    private static long write(URI base, int panels, int series, int hours, long end) throws Exception {
        byte[][] labels = new byte[panels * series][];
        for (int p = 0; p < panels; p++) {
            for (int s = 0; s < series; s++) {
                labels[p * series + s] = WriteRequestEncoder.encodeLabels(new String[]{
                        "__name__", metric(p), "instance", "host-" + s, "job", "bench"});
            }
        }
        HttpClient http = HttpClient.newHttpClient();
        WriteRequestEncoder enc = new WriteRequestEncoder();
        long samples = 0;
        int inRequest = 0;
        long points = hours * 3_600_000L / INTERVAL_MS;
        for (long i = points; i >= 0; i--) {
            long t = end - i * INTERVAL_MS;
            for (int k = 0; k < labels.length; k++) {
                // A daily wave per series with its own phase and level.
                enc.series(labels[k], 100 + k % 50 * 10 + 50 * Math.sin(2 * Math.PI * (t / 86_400_000.0 + k / 7.0)), t);
                samples++;
                if (++inRequest == SAMPLES_PER_REQUEST) {
                    send(http, base, enc);
                    inRequest = 0;
                }
            }
        }
        if (inRequest > 0) {
            send(http, base, enc);
        }
        return samples;
    }

    private static void send(HttpClient http, URI base, WriteRequestEncoder enc) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/api/v1/write"))
                .header("Content-Type", "application/x-protobuf").header("Content-Encoding", "snappy")
                .header("X-Prometheus-Remote-Write-Version", "0.1.0")
                .POST(HttpRequest.BodyPublishers.ofByteArray(enc.compressed())).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IOException("remote-write answered " + r.statusCode() + ": " + r.body());
        }
        enc.reset();
    }

    /**
     * Runs every panel's query a few times first: a server that has been up a while has compiled its query path,
     * and the page load is what is measured, not the JIT's first minutes.
     */
    private static void warmUp(URI base, int panels, int hours) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long end = System.currentTimeMillis() / 1000;
        long start = end - hours * 3600L;
        long t0 = System.nanoTime();
        for (int round = 0; round < 5; round++) {
            for (int p = 0; p < panels; p++) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/api/v1/query_range?query=" + metric(p)
                        + "&start=" + start + "&end=" + end + "&step=" + Math.max(1, (end - start + 249) / 250))).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                    throw new IOException("query of panel " + p + " answered " + r.statusCode() + ": " + r.body());
                }
            }
        }
        System.out.printf("server warmed up: every panel's query 5 times in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    /** Opens the dashboard; null when the page never marks its panels drawn (no dashboards page on this server). */
    private static Run openDashboard(URI base, String chromium, String chromedriver) throws Exception {
        return withBrowser(chromium, chromedriver, driver -> {
            driver.get(base.resolve("/dashboards/" + UID).toString());
            return awaitMark(driver) ? measure(driver) : null;
        });
    }

    /**
     * The fallback: the Explore page, then the panels' queries drawn by chart.js as a dashboard would draw them
     * (two per row, 240 px high), all fetched at once; marks when the last is drawn.
     */
    private static Run openExploreStyle(URI base, String chromium, String chromedriver, int panels, int hours) throws Exception {
        return withBrowser(chromium, chromedriver, driver -> {
            driver.get(base.resolve("/explore").toString());
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!Boolean.TRUE.equals(js(driver).executeScript("return document.body.dataset.page === 'explore'"))) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("the Explore page did not mount in 30 s");
                }
                Thread.sleep(10);
            }
            js(driver).executeScript("""
                    const [panels, hours] = [arguments[0], arguments[1]];
                    Promise.all([import('/ui/api.js'), import('/ui/chart.js')]).then(async ([api, chart]) => {
                      const grid = document.createElement('div');
                      grid.style.cssText = 'display:grid;grid-template-columns:1fr 1fr;gap:8px';
                      document.getElementById('page').append(grid);
                      const end = Math.floor(Date.now() / 1000), start = end - hours * 3600;
                      const step = Math.max(1, Math.ceil((end - start) / 250));
                      await Promise.all(Array.from({ length: panels }, async (_, p) => {
                        const box = grid.appendChild(document.createElement('div'));
                        const data = await api.queryRange('ui_bench_panel_' + p, start, end, step);
                        chart.drawChart(box, data.result, start, end, step, null, { height: 240 });
                      }));
                      performance.mark('sightline:panels-drawn');
                    });""", panels, hours);
            if (!awaitMark(driver)) {
                throw new IOException("the Explore-style panels were not drawn in 30 s");
            }
            return measure(driver);
        });
    }

    private interface BrowserTask {
        Run run(ChromeDriver driver) throws Exception;
    }

    /** A fresh headless Chromium (its own empty profile: nothing cached) for one page load. */
    private static Run withBrowser(String chromium, String chromedriver, BrowserTask task) throws Exception {
        Path profile = Files.createTempDirectory("sightline-ui-bench-chromium");
        ChromeOptions options = new ChromeOptions().setBinary(new File(chromium))
                .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1600,1000",
                        "--disable-background-networking", "--disable-component-update", "--no-first-run",
                        "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(chromedriver)).usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        try {
            return task.run(driver);
        } finally {
            driver.quit();
            FileTrees.deleteRecursively(profile);
        }
    }

    private static JavascriptExecutor js(ChromeDriver driver) {
        return driver;
    }

    private static boolean awaitMark(ChromeDriver driver) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (Boolean.TRUE.equals(js(driver).executeScript(
                    "return performance.getEntriesByName('sightline:panels-drawn').length > 0"))) {
                return true;
            }
            Thread.sleep(10);
        }
        return false;
    }

    /**
     * The mark's time since navigation start, and what was downloaded: the document and every resource's transfer
     * size (headers and body as sent, so compressed), the UI's files apart from the API's answers.
     */
    private static Run measure(ChromeDriver driver) {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) js(driver).executeScript("""
                const mark = performance.getEntriesByName('sightline:panels-drawn')[0].startTime;
                const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
                let assets = 0, data = 0, files = 0;
                for (const e of entries) {
                  const path = new URL(e.name).pathname;
                  if (path.startsWith('/api/') || path.startsWith('/loki/')) data += e.transferSize;
                  else { assets += e.transferSize; files++; }
                }
                return { mark, assets, data, files };""");
        return new Run(((Number) m.get("mark")).doubleValue(), ((Number) m.get("assets")).longValue(),
                ((Number) m.get("data")).longValue(), ((Number) m.get("files")).intValue());
    }
}
