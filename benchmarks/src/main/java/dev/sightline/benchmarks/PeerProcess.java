package dev.sightline.benchmarks;

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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server under benchmark (Sightline or a peer) as a child process on 127.0.0.1, with what the side-by-side
 * benchmarks read from /proc about it. Closing stops it (SIGTERM, then SIGKILL
 * after 30 s), so its own shutdown flushes what it keeps on disk.
 */
public final class PeerProcess implements AutoCloseable {
    private final String name;
    private final Process process;
    private final Path log;
    private final Thread killer;

    private PeerProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.killer = new Thread(process::destroyForcibly);
        Runtime.getRuntime().addShutdownHook(killer);
    }

    /** Starts {@code cmd} with output to {@code log} and extra environment {@code env} (name, value, ...). */
    public static PeerProcess start(String name, List<String> cmd, Path log, String... env) throws IOException {
        ProcessBuilder b = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        for (int i = 0; i < env.length; i += 2) {
            b.environment().put(env[i], env[i + 1]);
        }
        return new PeerProcess(name, b.start(), log);
    }

    public long pid() {
        return process.pid();
    }

    /** Waits (at most 180 s) until {@code ready} answers 200; fails with the server's log if it exits meanwhile. */
    public void awaitReady(URI ready) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException(name + " exited:\n" + Files.readString(log));
            }
            try {
                if (http.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IOException(name + " not ready after 180 s:\n" + Files.readString(log));
    }

    /**
     * User plus system CPU time of the process so far, in seconds, from /proc/pid/stat (fields 14 and 15, in clock
     * ticks of 1/100 s, which Linux fixes for this interface on every common architecture).
     */
    public double cpuSeconds() throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid()), "stat"));
        // The command name (field 2) may hold spaces: fields are counted after its closing parenthesis.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
    }

    /** VmRSS and VmHWM of the process, in kB, from /proc/pid/status. */
    public long[] memoryKb() throws IOException {
        long rss = -1, hwm = -1;
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = Long.parseLong(line.replaceAll("[^0-9]", ""));
            } else if (line.startsWith("VmHWM:")) {
                hwm = Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return new long[]{rss, hwm};
    }

    /** Stops the server: SIGTERM and up to 30 s for its own shutdown, then SIGKILL. Closing twice does no harm. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                System.out.println(name + " did not stop within 30 s of SIGTERM; killed");
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        Runtime.getRuntime().removeShutdownHook(killer);
    }

    /**
     * The command that runs the Sightline server from class path {@code cp} under this JVM's java: {@code jvmFlags},
     * then the flags of SIGHTLINE_JAVA_OPTS (as the ./sightline launcher takes them), then {@code server serverArgs}.
     */
    public static List<String> sightlineCommand(String cp, List<String> jvmFlags, String... serverArgs) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmFlags);
        String opts = System.getenv("SIGHTLINE_JAVA_OPTS");
        if (opts != null && !opts.isBlank()) {
            cmd.addAll(List.of(opts.trim().split("\\s+")));
        }
        cmd.addAll(List.of("-cp", cp, "dev.sightline.server.Main", "server"));
        cmd.addAll(List.of(serverArgs));
        return cmd;
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
