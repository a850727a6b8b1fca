package dev.sightline.server;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Sightline server in a child JVM (this test run's class path), for tests that signal or kill it. Its output goes
 * to a file: reading its pipe races with the JDK draining it when the child exits.
 */
public record ChildServer(Process process, Path log) {
    private static final Pattern LISTENING = Pattern.compile("HTTP listening on 127\\.0\\.0\\.1:(\\d+)");

    /** {@code sightline server} on a free port of 127.0.0.1 with {@code options} added to its command line. */
    public static ChildServer start(Path dataDir, Path log, String... options) throws IOException {
        String java = ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "server", "--listen-address", "127.0.0.1", "--http-port", "0", "--data-dir",
                dataDir.toString()));
        command.addAll(List.of(options));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new ChildServer(p, log);
    }

    public int awaitPort() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            Matcher m = LISTENING.matcher(output());
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            assertThat(process.isAlive()).as("child alive\n" + output()).isTrue();
            Thread.sleep(20);
        }
        throw new AssertionError("child did not log its port within 60 s:\n" + output());
    }

    /** Waits for the port, then until the server is ready on it; returns the port. */
    public int awaitReady() throws Exception {
        int port = awaitPort();
        awaitReady(port);
        return port;
    }

    /** Waits until /-/ready answers 200 (503 until WAL replay is done). */
    public static void awaitReady(int port) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/-/ready"))
                .timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    assertThat(r.body()).isEqualTo("Sightline is Ready.\n");
                    return;
                }
                assertThat(r.statusCode()).isEqualTo(503);
            } catch (HttpTimeoutException e) {
                // A child still starting on a loaded machine may take longer than one request's timeout.
            }
            assertThat(System.nanoTime()).as("ready within 60 s").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    public String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "cannot read " + log + ": " + e;
        }
    }
}
