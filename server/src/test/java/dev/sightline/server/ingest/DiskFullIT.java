package dev.sightline.server.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sightline.server.ChildServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.sightline.server.remotewrite.RemoteWriteEndpointTest.request;
import static dev.sightline.server.remotewrite.RemoteWriteEndpointTest.series;
import static dev.sightline.server.remotewrite.RemoteWriteEndpointTest.snappy;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real full disk: the data directory on a small tmpfs, remote-write until the disk is full. The server answers
 * with an error naming the cause instead of acknowledging, stays up and keeps answering queries with everything it
 * acknowledged; once the disk has room again writes are accepted again; and after kill -9 and a restart every
 * acknowledged sample is there. Needs root or password-less sudo for mount, as CI has.
 */
class DiskFullIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SERIES = 500;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<ChildServer> children = new ArrayList<>();
    private Path mount;

    @TempDir
    Path tmp;

    @AfterEach
    void cleanUp() throws Exception {
        for (ChildServer c : children) {
            c.process().destroyForcibly();
            c.process().waitFor(20, TimeUnit.SECONDS);
        }
        if (mount != null) {
            run("umount", mount.toString());
        }
    }

    /** Runs a command as root: directly when we are root, else through password-less sudo (as .ci/run does). */
    private static int run(String... cmd) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>();
        if (!"root".equals(System.getProperty("user.name"))) {
            argv.addAll(List.of("sudo", "-n"));
        }
        argv.addAll(List.of(cmd));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor();
    }

    private ChildServer start(String log) throws Exception {
        ChildServer c = ChildServer.start(mount.resolve("data"), tmp.resolve(log));
        children.add(c);
        return c;
    }

    /** Request k: one sample at base + k for each of the series, value k. */
    private HttpResponse<String> write(int port, long base, int k) throws Exception {
        List<byte[]> all = new ArrayList<>();
        for (int s = 0; s < SERIES; s++) {
            all.add(series(List.of("__name__", "disk_full_test", "series", "s" + s, "pad",
                    "a label value long enough to make the write-ahead log grow quickly " + s), new double[]{k},
                    new long[]{base + k}));
        }
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/write"))
                .header("Content-Encoding", "snappy").header("Content-Type", "application/x-protobuf")
                .POST(HttpRequest.BodyPublishers.ofByteArray(snappy(request(all.toArray(new byte[0][]))))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private double count(int port) throws Exception {
        String q = URLEncoder.encode("count_over_time(disk_full_test{series=\"s0\"}[1h])", StandardCharsets.UTF_8);
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/api/v1/query?query=" + q + "&time=" + System.currentTimeMillis() / 1000.0)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        var result = JSON.readTree(r.body()).path("data").path("result");
        return result.isEmpty() ? 0 : result.get(0).path("value").get(1).asDouble();
    }

    @Test
    void fullDiskRefusesWritesClearlyKeepsWhatWasAcknowledgedAndRecovers() throws Exception {
        mount = tmp.resolve("mnt");
        Files.createDirectories(mount);
        boolean mounted = run("mount", "-t", "tmpfs", "-o", "size=12m", "tmpfs", mount.toString()) == 0;
        if (!mounted) {
            mount = null;
        }
        // Not a peer that .ci/run installs: a machine that forbids mounts skips this test with the reason printed.
        Assumptions.assumeTrue(mounted, "cannot mount a tmpfs here (needs root or sudo -n and mount rights)");

        ChildServer server = start("run1.log");
        int port = server.awaitPort();
        ChildServer.awaitReady(port);
        long base = System.currentTimeMillis() - 3_600_000 + 60_000;
        int acked = 0;
        HttpResponse<String> refused = null;
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < until) {
            HttpResponse<String> r = write(port, base, acked);
            if (r.statusCode() != 204) {
                refused = r;
                break;
            }
            acked++;
        }
        System.out.printf("disk full after %d acknowledged requests (%d samples); answer %d: %s%n", acked,
                acked * SERIES, refused == null ? 0 : refused.statusCode(), refused == null ? "" : refused.body());
        assertThat(refused).as("the 12 MB disk filled up within 120 s").isNotNull();
        assertThat(refused.statusCode()).as(refused.body()).isBetween(500, 599);
        assertThat(refused.body()).containsIgnoringCase("space");
        assertThat(server.process().isAlive()).as(server.output()).isTrue();
        assertThat(client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/-/healthy")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        assertThat(count(port)).as("everything acknowledged is queryable").isEqualTo(acked);

        // Room again: writes are taken again, without a restart.
        assertThat(run("mount", "-o", "remount,size=256m", mount.toString())).isZero();
        int resumed = acked;
        HttpResponse<String> again = null;
        for (int i = 0; i < 50; i++) {
            again = write(port, base, resumed);
            if (again.statusCode() == 204) {
                break;
            }
            Thread.sleep(100);
        }
        assertThat(again.statusCode()).as("accepted again once there is room: " + again.body()).isEqualTo(204);
        resumed++;
        for (int i = 0; i < 5; i++, resumed++) {
            assertThat(write(port, base, resumed).statusCode()).isEqualTo(204);
        }

        server.process().destroyForcibly();
        assertThat(server.process().waitFor(20, TimeUnit.SECONDS)).isTrue();
        ChildServer restarted = start("run2.log");
        int port2 = restarted.awaitPort();
        ChildServer.awaitReady(port2);
        double back = count(port2);
        System.out.printf("after kill -9 and restart: %.0f of %d acknowledged requests' samples for series s0%n", back,
                resumed);
        assertThat(back).as(restarted.output()).isGreaterThanOrEqualTo(resumed);
    }
}
