package dev.sightline.benchmarks;

import dev.sightline.benchmarks.remotewrite.TimeOrderedWriter;
import dev.sightline.core.FileTrees;
import dev.sightline.metricstore.Appender;
import dev.sightline.tsdb.Tsdb;
import dev.sightline.tsdb.TsdbOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Bytes per sample on disk: the same node_exporter-shaped data (every series scraped at the same 15 s timestamps)
 * for each span (2 h and 24 h by default) into Sightline (Tsdb API, head persisted to blocks, then left open until
 * its background compaction has nothing left to do), Prometheus (remote-write in time order, blocks cut and
 * compacted as it does live, then a snapshot with its head) and VictoriaMetrics (remote-write, then
 * /internal/force_flush and /internal/force_merge). What is counted: Sightline's block directories (index,
 * chunks, meta; no WAL), the Prometheus snapshot's blocks, VictoriaMetrics' data and indexdb directories; bytes of
 * the files, divided by the samples written.
 *
 * <pre>
 * --series N       series (default 2000: 4 node_exporter instances' worth)
 * --spans S,...    spans in hours (default 2,24)
 * --peers P,...    prometheus, victoria-metrics (default both)
 * --prometheus P   Prometheus binary (default /usr/bin/prometheus)
 * --victoria-metrics V   VictoriaMetrics binary (default /usr/bin/victoria-metrics)
 * --data-dir D     work directory (default: a temporary one, deleted afterwards)
 * --keep           keep the work directory
 * </pre>
 */
public final class DiskBenchmark {
    private static final long INTERVAL_MS = 15_000;
    /** 2023-11-14T00:00Z, aligned to 2h blocks; a fresh Prometheus head accepts any start. */
    private static final long T0_MS = 1_699_920_000_000L;
    private static final long SEED = 42;
    private static final long VALUE_SEED = 7;

    private DiskBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int series = 2000;
        List<Integer> spans = List.of(2, 24);
        List<String> peers = List.of("prometheus", "victoria-metrics");
        Path prometheus = Path.of("/usr/bin/prometheus");
        Path victoria = Path.of("/usr/bin/victoria-metrics");
        Path dir = null;
        boolean keep = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--series" -> series = Bench.positive(a, Bench.value(args, ++i, a));
                case "--spans" -> spans = List.of(Bench.value(args, ++i, a).split(",")).stream().map(h -> Bench.positive(a, h)).toList();
                case "--peers" -> peers = List.of(Bench.value(args, ++i, a).split(","));
                case "--prometheus" -> prometheus = Path.of(Bench.value(args, ++i, a));
                case "--victoria-metrics" -> victoria = Path.of(Bench.value(args, ++i, a));
                case "--data-dir" -> dir = Path.of(Bench.value(args, ++i, a));
                case "--keep" -> keep = true;
                default -> throw new IllegalArgumentException("unknown flag " + a + " (see the class comment for flags)");
            }
        }
        PeerProcess.requirePeers(peers, prometheus, victoria);
        boolean tempDir = dir == null;
        dir = tempDir ? Files.createTempDirectory("sightline-disk-bench") : Files.createDirectories(dir);
        try {
            System.out.printf(Locale.ROOT, "data: %d node_exporter series (%d per instance) at 15 s; load average at start %s%n", series,
                    NodeExporterSet.seriesPerInstance(), Bench.loadAverage());
            for (int hours : spans) {
                Path spanDir = Files.createDirectories(dir.resolve(hours + "h"));
                int scrapes = (int) (hours * 3_600_000L / INTERVAL_MS);
                long samples = (long) scrapes * series;
                Map<String, Long> bytes = new LinkedHashMap<>();
                bytes.put("sightline", sightline(spanDir.resolve("sightline"), series, scrapes));
                bytes.putAll(remoteWritePeers(spanDir, series, scrapes, peers.contains("prometheus") ? prometheus : null,
                        peers.contains("victoria-metrics") ? victoria : null));
                System.out.printf(Locale.ROOT, "%d h: %,d samples (load average %s)%n", hours, samples, Bench.loadAverage());
                long ours = bytes.get("sightline");
                bytes.forEach((peer, b) -> System.out.printf(Locale.ROOT, "  %-17s %,14d bytes  %6.3f bytes/sample%s%n", peer, b,
                        b / (double) samples, peer.equals("sightline") ? "" : String.format(Locale.ROOT,
                                "  sightline/%s %.2fx", peer, ours / (double) b)));
            }
        } finally {
            if (tempDir && !keep) {
                FileTrees.deleteRecursively(dir);
            } else {
                System.out.println("data and server logs kept in " + dir);
            }
        }
    }

    /** Loads Sightline through the Tsdb API, persists the head, waits out compaction; returns the blocks' bytes. */
    private static long sightline(Path data, int series, int scrapes) throws IOException, InterruptedException {
        NodeExporterSet set = new NodeExporterSet(series, SEED);
        SplittableRandom rnd = new SplittableRandom(VALUE_SEED);
        try (Tsdb db = Tsdb.open(Files.createDirectories(data), TsdbOptions.defaults().withWalEnabled(false))) {
            long[] refs = new long[series];
            for (int k = 0; k < scrapes; k++) {
                Appender app = db.appender();
                for (int s = 0; s < series; s++) {
                    refs[s] = app.append(refs[s], set.labels[s], 0, T0_MS + k * INTERVAL_MS, set.next(s, rnd));
                }
                app.commit();
            }
            db.flushHead();
            Bench.settledBlocks(data);
        }
        return Bench.blockBytes(data);
    }

    /** Remote-writes the same data into Prometheus and VictoriaMetrics at once; returns each one's bytes on disk. */
    private static Map<String, Long> remoteWritePeers(Path dir, int series, int scrapes, Path prometheus, Path victoria)
            throws Exception {
        Map<String, Long> out = new LinkedHashMap<>();
        List<HttpPeer> live = new ArrayList<>();
        try {
            if (prometheus != null) {
                Path config = Files.writeString(dir.resolve("prometheus.yml"), "global:\n  scrape_interval: 15s\n");
                int port = PeerProcess.freePort();
                live.add(HttpPeer.start("prometheus", List.of(prometheus.toString(), "--config.file=" + config,
                        "--storage.tsdb.path=" + Files.createDirectories(dir.resolve("prometheus")),
                        "--web.listen-address=127.0.0.1:" + port, "--storage.tsdb.retention.time=100y",
                        "--web.enable-remote-write-receiver", "--web.enable-admin-api"), port, "/-/ready", dir));
            }
            if (victoria != null) {
                int port = PeerProcess.freePort();
                live.add(HttpPeer.start("victoria-metrics", PeerProcess.victoriaMetricsCommand(victoria,
                        Files.createDirectories(dir.resolve("victoria-metrics")), port), port, "/health", dir));
            }
            NodeExporterSet set = new NodeExporterSet(series, SEED);
            SplittableRandom rnd = new SplittableRandom(VALUE_SEED);
            TimeOrderedWriter.write(live, set.labels, scrapes, T0_MS, INTERVAL_MS, s -> set.next(s, rnd));
            for (HttpPeer p : live) {
                if (p.name().equals("prometheus")) {
                    Path snapshot = dir.resolve("prometheus").resolve("snapshots").resolve(p.snapshot());
                    out.put("prometheus", Bench.sizeOnDisk(snapshot));
                } else {
                    Path data = dir.resolve("victoria-metrics");
                    PeerProcess.victoriaMetricsFlushAndMerge(p.base(), data);
                    out.put("victoria-metrics", Bench.sizeOnDisk(data.resolve("data")) + Bench.sizeOnDisk(data.resolve("indexdb")));
                }
            }
        } finally {
            live.forEach(HttpPeer::close);
        }
        return out;
    }
}
