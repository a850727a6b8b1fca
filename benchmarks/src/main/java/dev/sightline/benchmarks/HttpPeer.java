package dev.sightline.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A server under benchmark (Sightline, Prometheus, VictoriaMetrics) on a free loopback port, spoken to over HTTP/1.1. */
public record HttpPeer(String name, URI base, PeerProcess process, HttpClient http) implements AutoCloseable {
    private static final Pattern SNAPSHOT_NAME = Pattern.compile("\"name\":\"([^\"]+)\"");

    public static HttpPeer start(String name, List<String> cmd, int port, String ready, Path dir) throws Exception {
        PeerProcess p = PeerProcess.start(name, cmd, dir.resolve(name + ".log"));
        URI base = URI.create("http://127.0.0.1:" + port);
        try {
            p.awaitReady(base.resolve(ready));
        } catch (Exception e) {
            p.close();
            throw e;
        }
        return new HttpPeer(name, base, p, HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build());
    }

    /** The whole answer's bytes (encoded as asked, not decoded); anything but a success fails the run. */
    public byte[] queryRange(String q, long start, long end, long step, String acceptEncoding) throws Exception {
        String form = "query=" + URLEncoder.encode(q, StandardCharsets.UTF_8) + "&start=" + start / 1000
                + "&end=" + end / 1000 + "&step=" + step / 1000;
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve("/api/v1/query_range")).timeout(Duration.ofMinutes(5))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        if (acceptEncoding != null) {
            b.header("Accept-Encoding", acceptEncoding);
        }
        HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        boolean encoded = r.headers().firstValue("Content-Encoding").isPresent();
        if (r.statusCode() != 200 || !encoded && !new String(r.body(), 0, Math.min(30, r.body().length),
                StandardCharsets.UTF_8).startsWith("{\"status\":\"success\"")) {
            throw new IOException(name + " failed on " + q + ": " + r.statusCode() + " "
                    + new String(r.body(), 0, Math.min(500, r.body().length), StandardCharsets.UTF_8));
        }
        return r.body();
    }

    /** One snappy-compressed remote-write 1.0 request; anything but 204 fails the load. */
    public void write(byte[] request) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/api/v1/write"))
                    .header("Content-Type", "application/x-protobuf").header("Content-Encoding", "snappy")
                    .header("X-Prometheus-Remote-Write-Version", "0.1.0")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(request)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 204) {
                throw new IOException(name + " refused a remote-write request: " + r.statusCode() + " " + r.body());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Snapshots Prometheus's TSDB including its head (admin API); returns the folder name under snapshots/. */
    public String snapshot() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/api/v1/admin/tsdb/snapshot"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        Matcher m = SNAPSHOT_NAME.matcher(r.body());
        if (r.statusCode() != 200 || !m.find()) {
            throw new IOException("prometheus snapshot failed: " + r.statusCode() + " " + r.body());
        }
        return m.group(1);
    }

    @Override
    public void close() {
        process.close();
    }
}
