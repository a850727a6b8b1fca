package dev.sightline.ingest.scrape;

import dev.sightline.core.Labels;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static dev.sightline.ingest.scrape.RecordingStorage.value;
import static org.assertj.core.api.Assertions.assertThat;

class ScrapeLoopTest {
    private final ExporterStub stub = newStub();
    private final RecordingStorage storage = new RecordingStorage();

    private static ExporterStub newStub() {
        try {
            return new ExporterStub();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @AfterEach
    void close() {
        stub.close();
    }

    static ScrapeConfig job(String name) {
        return ScrapeConfig.ofStatic(name, Duration.ofSeconds(15), Duration.ofSeconds(2), List.of());
    }

    static ScrapeConfig with(ScrapeConfig c, boolean honorLabels, Boolean honorTimestamps, BasicAuth basic, String bearer,
                             long sampleLimit, List<RelabelConfig> metricRelabel) {
        return new ScrapeConfig(c.jobName(), c.scrapeInterval(), c.scrapeTimeout(), c.metricsPath(), c.scheme(), c.params(),
                honorLabels, honorTimestamps, c.staticConfigs(), c.fileSdConfigs(), c.relabelConfigs(), metricRelabel,
                basic, null, bearer, null, null, sampleLimit, 0L, 0L, 0L, null);
    }

    private ScrapeLoop loop(ScrapeConfig cfg, String address) throws Exception {
        TargetBuilder.Result r = TargetBuilder.build(cfg, Map.of("__address__", address), Map.of());
        return new ScrapeLoop(r.target(), cfg, HttpClients.forConfig(cfg), storage, null);
    }

    private static List<RecordingStorage.Sample> stale(List<RecordingStorage.Sample> batch) {
        return batch.stream().filter(RecordingStorage.Sample::stale).toList();
    }

    @Test
    void seriesThatDisappearGetStaleMarkersAndReportSeriesAreWritten() throws Exception {
        ScrapeLoop l = loop(job("node"), stub.address());
        stub.body = "# TYPE a gauge\na 1\nb{x=\"1\"} 2\nb{x=\"2\"} 3\n";
        ScrapeLoop.Result r1 = l.scrapeOnce();
        assertThat(r1.error()).isNull();
        List<RecordingStorage.Sample> first = storage.last();
        assertThat(first).contains(new RecordingStorage.Sample(
                Labels.of("__name__", "b", "x", "1", "job", "node", "instance", stub.address()), first.get(0).t(), 2));
        assertThat(value(first, "up")).isEqualTo(1);
        assertThat(value(first, "scrape_samples_scraped")).isEqualTo(3);
        assertThat(value(first, "scrape_samples_post_metric_relabeling")).isEqualTo(3);
        assertThat(value(first, "scrape_series_added")).isEqualTo(3);
        assertThat(value(first, "scrape_duration_seconds")).isGreaterThan(0).isLessThan(2);
        assertThat(stale(first)).isEmpty();

        stub.body = "a 5\nb{x=\"2\"} 4\nc 1\n";
        l.scrapeOnce();
        List<RecordingStorage.Sample> second = storage.last();
        assertThat(stale(second)).extracting(RecordingStorage.Sample::labels)
                .containsExactly(Labels.of("__name__", "b", "x", "1", "job", "node", "instance", stub.address()));
        assertThat(value(second, "scrape_series_added")).isEqualTo(1);
        long ts = second.get(0).t();
        assertThat(second).allMatch(s -> s.t() == ts); // one scrape, one timestamp, one commit

        stub.body = "a 6\nb{x=\"2\"} 4\nc 1\n";
        l.scrapeOnce();
        assertThat(stale(storage.last())).isEmpty();
        assertThat(storage.commits).hasSize(3);
    }

    @Test
    void deadTargetIsDownAndItsSeriesGoStale() throws Exception {
        stub.body = "a 1\n";
        ScrapeLoop l = loop(job("j"), stub.address());
        l.scrapeOnce();
        stub.close();
        ScrapeLoop.Result r = l.scrapeOnce();
        assertThat(r.error()).startsWith("Get \"http://" + stub.address() + "/metrics\": ");
        assertThat(l.target().health()).isEqualTo(Target.Health.DOWN);
        assertThat(l.target().lastError()).isEqualTo(r.error());
        List<RecordingStorage.Sample> batch = storage.last();
        assertThat(value(batch, "up")).isEqualTo(0);
        assertThat(stale(batch)).extracting(s -> s.labels().metricName()).containsExactly("a");
    }

    @Test
    void neverReachableTargetReportsUpZero() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        ScrapeLoop l = loop(job("j"), "127.0.0.1:" + port);
        assertThat(l.scrapeOnce().error()).contains("connection refused");
        assertThat(value(storage.last(), "up")).isEqualTo(0);
        assertThat(value(storage.last(), "scrape_samples_scraped")).isEqualTo(0);
    }

    @Test
    void httpErrorStatusFailsTheScrape() throws Exception {
        stub.status = 503;
        stub.body = "a 1\n";
        assertThat(loop(job("j"), stub.address()).scrapeOnce().error()).isEqualTo("server returned HTTP status 503 Service Unavailable");
    }

    @Test
    void conflictingLabelsArePrefixedWithExportedUnlessHonored() throws Exception {
        stub.body = "m{job=\"exp\",instance=\"i\",exported_job=\"taken\"} 1\n";
        loop(job("j"), stub.address()).scrapeOnce();
        assertThat(storage.last().get(0).labels()).isEqualTo(Labels.of("__name__", "m", "job", "j", "instance", stub.address(),
                "exported_job", "taken", "exported_exported_job", "exp", "exported_instance", "i"));

        loop(with(job("j"), true, null, null, null, 0, List.of()), stub.address()).scrapeOnce();
        assertThat(storage.last().get(0).labels())
                .isEqualTo(Labels.of("__name__", "m", "job", "exp", "instance", "i", "exported_job", "taken"));
    }

    @Test
    void credentialsAndAcceptHeaderAreSent(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        stub.body = "a 1\n";
        Path pw = Files.writeString(dir.resolve("pw"), "s3cret\n");
        loop(with(job("j"), false, null, new BasicAuth("alice", null, pw.toString()), null, 0, List.of()), stub.address()).scrapeOnce();
        assertThat(stub.requests.get(0).getFirst("Authorization"))
                .isEqualTo("Basic " + Base64.getEncoder().encodeToString("alice:s3cret".getBytes()));
        assertThat(stub.requests.get(0).getFirst("Accept")).startsWith("application/openmetrics-text;version=1.0.0")
                .contains("text/plain;version=0.0.4;q=0.5");
        assertThat(stub.requests.get(0).getFirst("X-Prometheus-Scrape-Timeout-Seconds")).isEqualTo("2.00000");

        loop(with(job("j"), false, null, null, "tok", 0, List.of()), stub.address()).scrapeOnce();
        assertThat(stub.requests.get(1).getFirst("Authorization")).isEqualTo("Bearer tok");
    }

    @Test
    void sampleLimitFailsTheWholeScrape() throws Exception {
        stub.body = "a 1\nb 2\nc 3\n";
        ScrapeLoop l = loop(with(job("j"), false, null, null, null, 2, List.of()), stub.address());
        assertThat(l.scrapeOnce().error()).isEqualTo("sample limit exceeded");
        assertThat(storage.last()).extracting(s -> s.labels().metricName())
                .containsExactlyInAnyOrder("up", "scrape_duration_seconds", "scrape_samples_scraped",
                        "scrape_samples_post_metric_relabeling", "scrape_series_added");
        assertThat(value(storage.last(), "up")).isEqualTo(0);
    }

    @Test
    void metricRelabelingDropsAndIsCounted() throws Exception {
        stub.body = "keep_me 1\ndrop_me 2\n";
        RelabelConfig drop = new RelabelConfig(List.of("__name__"), null, "drop_.*", null, null, null, "drop");
        loop(with(job("j"), false, null, null, null, 0, List.of(drop)), stub.address()).scrapeOnce();
        assertThat(value(storage.last(), "scrape_samples_scraped")).isEqualTo(2);
        assertThat(value(storage.last(), "scrape_samples_post_metric_relabeling")).isEqualTo(1);
        assertThat(storage.last()).noneMatch(s -> s.labels().metricName().equals("drop_me"));
    }

    @Test
    void openMetricsIsParsedByContentTypeAndExplicitTimestampsAreHonored() throws Exception {
        stub.contentType = "application/openmetrics-text; version=1.0.0; charset=utf-8";
        stub.body = "# TYPE t gauge\nt 7 1700000000.5\nu 1\n# EOF\n";
        ScrapeLoop l = loop(job("j"), stub.address());
        assertThat(l.scrapeOnce().error()).isNull();
        assertThat(storage.last()).anyMatch(s -> s.labels().metricName().equals("t") && s.t() == 1_700_000_000_500L && s.v() == 7);
        // A series with its own timestamp is not tracked for staleness, as in Prometheus.
        stub.body = "# EOF\n";
        l.scrapeOnce();
        assertThat(stale(storage.last())).extracting(s -> s.labels().metricName()).containsExactly("u");
    }

    private static final String CREATED = """
            # TYPE req counter
            req_total{code="200"} 7
            req_created{code="200"} 1.7e9
            req_total{code="500"} 1 1600000000
            req_created{code="500"} 1700000000
            # TYPE lat histogram
            lat_bucket{le="+Inf"} 2
            lat_count 2
            lat_sum 0.5
            lat_created 1700000000.5
            # EOF
            """;

    private static long start(List<RecordingStorage.Sample> batch, String name, String code) {
        return batch.stream().filter(s -> s.labels().metricName().equals(name) && (code == null || code.equals(s.labels().get("code"))))
                .findFirst().orElseThrow(() -> new AssertionError("no " + name + " in " + batch)).st();
    }

    @Test
    void openMetricsCreatedLinesGiveStartTimestampsAlsoToCachedSeries() throws Exception {
        stub.contentType = "application/openmetrics-text; version=1.0.0; charset=utf-8";
        stub.body = CREATED;
        ScrapeLoop l = loop(job("j"), stub.address());
        for (int scrape = 0; scrape < 2; scrape++) { // the second scrape appends by cached refs
            assertThat(l.scrapeOnce().error()).isNull();
            List<RecordingStorage.Sample> batch = storage.last();
            assertThat(start(batch, "req_total", "200")).isEqualTo(1_700_000_000_000L);
            // A start after the sample's own (honored) timestamp is none.
            assertThat(start(batch, "req_total", "500")).isZero();
            assertThat(start(batch, "lat_bucket", null)).isEqualTo(1_700_000_000_500L);
            assertThat(start(batch, "lat_count", null)).isEqualTo(1_700_000_000_500L);
            assertThat(start(batch, "lat_sum", null)).isEqualTo(1_700_000_000_500L);
            // The _created series itself is still stored, as Prometheus does without its created-timestamp flag.
            assertThat(value(batch, "req_created")).isEqualTo(1.7e9);
            assertThat(start(batch, "req_created", "200")).isZero();
        }
    }

    @Test
    void theTextFormatGivesNoStartTimestamps() throws Exception {
        stub.body = CREATED.replace("# EOF\n", "");
        assertThat(loop(job("j"), stub.address()).scrapeOnce().error()).isNull();
        assertThat(storage.last()).isNotEmpty().allMatch(s -> s.st() == 0);
    }

    @Test
    void parseErrorFailsTheScrapeWithLineAndColumn() throws Exception {
        stub.body = "a 1\nb{x=1} 2\n";
        assertThat(loop(job("j"), stub.address()).scrapeOnce().error()).startsWith("line 2, column 5: ");
        assertThat(storage.last()).noneMatch(s -> s.labels().metricName().equals("a"));
    }

    @Test
    void stoppingMarksEverySeriesStaleIncludingReportSeries() throws Exception {
        stub.body = "a 1\n";
        ScrapeLoop l = loop(job("j"), stub.address());
        l.scrapeOnce();
        l.stop(true);
        assertThat(storage.last()).allMatch(RecordingStorage.Sample::stale).extracting(s -> s.labels().metricName())
                .containsExactlyInAnyOrder("a", "up", "scrape_duration_seconds", "scrape_samples_scraped",
                        "scrape_samples_post_metric_relabeling", "scrape_series_added");
    }

    @Test
    void startOffsetIsWithinTheIntervalAndStablePerTarget() {
        for (long now = 0; now < 100_000; now += 7_919) {
            long off = ScrapeLoop.offsetMillis(now, 15_000, 0x1234_5678_9abcL, 42);
            assertThat(off).isBetween(0L, 15_000L);
            // The scrape lands at the same phase of the interval whenever the loop starts.
            assertThat(Math.floorMod(now + off, 15_000)).isEqualTo(Long.remainderUnsigned(0x1234_5678_9abcL ^ 42, 15_000));
        }
    }
}
