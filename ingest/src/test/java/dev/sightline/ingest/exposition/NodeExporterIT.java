package dev.sightline.ingest.exposition;

import dev.sightline.core.Labels;
import dev.sightline.ingest.MetricType;
import dev.sightline.ingest.exposition.ExpositionParser.Entry;
import dev.sightline.ingest.exposition.ExpositionParser.Format;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Parses the real output of Debian's node_exporter. */
class NodeExporterIT {
    private static final Path NODE_EXPORTER = Path.of("/usr/bin/prometheus-node-exporter");

    record Parsed(Set<Labels> series, Map<String, MetricType> types, int samples, String contentType) {
    }

    @Test
    void parsesNodeExporterInTextAndOpenMetrics() throws Exception {
        assumeTrue(Files.isExecutable(NODE_EXPORTER), "peer not available: " + NODE_EXPORTER + " (Debian package prometheus-node-exporter)");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Process exporter = new ProcessBuilder(NODE_EXPORTER.toString(), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            Parsed text = null;
            for (int i = 0; i < 50 && text == null; i++) {
                try {
                    text = scrape(client, port, "text/plain;version=0.0.4");
                } catch (IOException e) {
                    Thread.sleep(200); // not listening yet
                }
            }
            assertThat(text).as("node_exporter answered").isNotNull();
            // Debian's node_exporter does not offer OpenMetrics (promhttp has it off by default): asked for it, it
            // answers text, which formatOf must then pick. OpenMetrics is covered by ClientJavaExpositionTest.
            Parsed negotiated = scrape(client, port, "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5");

            assertThat(text.contentType()).startsWith("text/plain");
            assertThat(text.samples()).isGreaterThan(200);
            assertThat(text.series()).anyMatch(l -> "node_exporter_build_info".equals(l.metricName()));
            assertThat(text.types()).containsEntry("node_cpu_seconds_total", MetricType.COUNTER)
                    .containsEntry("go_gc_duration_seconds", MetricType.SUMMARY)
                    .containsEntry("node_load1", MetricType.GAUGE);
            assertThat(negotiated.types()).isEqualTo(text.types());
            // Every sample belongs to a family with a TYPE line (node_exporter writes one for each).
            for (Labels l : text.series()) {
                String name = l.metricName();
                assertThat(text.types().containsKey(name) || text.types().containsKey(name.replaceAll("_(sum|count|bucket)$", "")))
                        .as("family of %s", l).isTrue();
            }
        } finally {
            exporter.destroy();
            if (!exporter.waitFor(10, TimeUnit.SECONDS)) {
                exporter.destroyForcibly();
            }
        }
    }

    private static Parsed scrape(HttpClient client, int port, String accept) throws Exception {
        HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .header("Accept", accept).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        String ct = r.headers().firstValue("content-type").orElse("");
        byte[] b = r.body();
        ExpositionParser p = new ExpositionParser(ExpositionParser.formatOf(ct), b, 0, b.length);
        Set<Labels> series = new TreeSet<>();
        Map<String, MetricType> types = new HashMap<>();
        int samples = 0;
        for (Entry e = p.next(); e != Entry.EOF; e = p.next()) {
            if (e == Entry.TYPE) {
                types.put(p.family(), p.type());
            } else if (e == Entry.SAMPLE) {
                samples++;
                series.add(p.labels());
            }
        }
        assertThat(series).as("no series twice in one scrape (%s)", ct).hasSize(samples);
        return new Parsed(series, types, samples, ct);
    }
}
