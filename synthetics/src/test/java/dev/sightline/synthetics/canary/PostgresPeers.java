package dev.sightline.synthetics.canary;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Debian's PostgreSQL 15 as a primary and a streaming replica made with {@code pg_basebackup -R}, both on free
 * ports of 127.0.0.1 with trust authentication, run as the user postgres (the server refuses root) through runuser
 * as root or {@code sudo -n -u postgres} otherwise. Skips the test with "peer not available" when the binaries, or
 * the rights to become postgres, are missing.
 */
public final class PostgresPeers implements AutoCloseable {
    /** Debian's PostgreSQL 15, or the newest major version installed (Debian's postgresql package follows releases). */
    public static final Path BIN = findBin();

    /** The prefix that runs a command as root (empty when this is root), or null when this user cannot. */
    private static final List<String> AS_ROOT = rootPrefix();

    private final Path dir;
    private final int primaryPort;
    private final int replicaPort;
    /** Data folders of the running servers, the newest first (the replica stops before its primary). */
    private final List<Path> started = new ArrayList<>();

    private static Path findBin() {
        Path root = Path.of("/usr/lib/postgresql");
        if (Files.isExecutable(root.resolve("15/bin/postgres")) || !Files.isDirectory(root)) {
            return root.resolve("15/bin");
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.filter(v -> v.getFileName().toString().matches("\\d+") && Files.isExecutable(v.resolve("bin/postgres")))
                    .max(Comparator.comparingInt(v -> Integer.parseInt(v.getFileName().toString())))
                    .orElse(root.resolve("15")).resolve("bin");
        } catch (IOException e) {
            return root.resolve("15/bin");
        }
    }

    private PostgresPeers(Path dir, int primaryPort, int replicaPort) {
        this.dir = dir;
        this.primaryPort = primaryPort;
        this.replicaPort = replicaPort;
    }

    /** Starts both servers and waits until the replica streams from the primary. */
    public static PostgresPeers start() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(BIN.resolve("postgres")) && Files.isExecutable(BIN.resolve("pg_basebackup")),
                "peer not available: " + BIN + "/postgres (Debian package postgresql)");
        Assumptions.assumeTrue(AS_ROOT != null,
                "peer not available: PostgreSQL runs as user postgres, which needs root or password-less sudo");
        // Not a JUnit temporary folder: those are private to this user, and the servers run as postgres.
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "sightline-pg-");
        asRoot("chown", "postgres:postgres", dir.toString());
        PostgresPeers peers = new PostgresPeers(dir, freePort(), freePort());
        try {
            peers.startPrimary();
            peers.startReplica();
        } catch (Exception e) {
            peers.close();
            throw e;
        }
        return peers;
    }

    private void startPrimary() throws Exception {
        Path data = dir.resolve("primary");
        asPostgres(BIN.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync");
        // Settings on the command line: the data folder belongs to postgres, this user may not write into it.
        startNode(data, primaryPort, "-c wal_level=replica -c max_wal_senders=4");
    }

    private void startReplica() throws Exception {
        Path data = dir.resolve("replica");
        asPostgres(BIN.resolve("pg_basebackup").toString(), "-h", "127.0.0.1", "-p", Integer.toString(primaryPort),
                "-U", "postgres", "-D", data.toString(), "-R", "-X", "stream");
        startNode(data, replicaPort, "-c hot_standby=on");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!"streaming".equals(query(replicaUrl(), "SELECT status FROM pg_stat_wal_receiver"))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the replica does not stream; see " + dir.resolve(data.getFileName() + ".log"));
            }
            Thread.sleep(100);
        }
    }

    private void startNode(Path data, int port, String settings) throws Exception {
        asPostgres(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", dir.resolve(data.getFileName() + ".log").toString(),
                "-w", "-t", "60", "-o", "-c listen_addresses=127.0.0.1 -c port=" + port + " -c unix_socket_directories=" + dir
                        + " -c fsync=off " + settings, "start");
        started.add(0, data);
    }

    public String primaryUrl() {
        return "jdbc:postgresql://127.0.0.1:" + primaryPort + "/postgres";
    }

    public String replicaUrl() {
        return "jdbc:postgresql://127.0.0.1:" + replicaPort + "/postgres";
    }

    /** Stops applying WAL on the replica: it keeps answering, from an ever older state. */
    public void pauseReplay() throws SQLException {
        query(replicaUrl(), "SELECT pg_wal_replay_pause()");
    }

    public void resumeReplay() throws SQLException {
        query(replicaUrl(), "SELECT pg_wal_replay_resume()");
    }

    /** The first column of the first row, as text (null when there is no row). */
    public static String query(String url, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    @Override
    public void close() throws IOException {
        try {
            for (Path data : started) {
                asPostgres(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop");
            }
            asRoot("rm", "-rf", dir.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stopping PostgreSQL", e);
        }
    }

    /**
     * How this user runs a command as root: directly when it is root, else through password-less sudo (as .ci/run
     * does); null when it cannot.
     */
    private static List<String> rootPrefix() {
        if ("root".equals(System.getProperty("user.name"))) {
            return List.of();
        }
        try {
            Process p = new ProcessBuilder("sudo", "-n", "true").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 ? List.of("sudo", "-n") : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static void asRoot(String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(AS_ROOT);
        cmd.addAll(List.of(command));
        run(cmd);
    }

    private static void asPostgres(String... command) throws IOException, InterruptedException {
        // runuser needs root; as a sudoer, sudo switches to postgres itself.
        List<String> cmd = new ArrayList<>(AS_ROOT.isEmpty() ? List.of("runuser", "-u", "postgres", "--")
                : List.of("sudo", "-n", "-u", "postgres", "--"));
        cmd.addAll(List.of(command));
        run(cmd);
    }

    private static void run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed:\n" + out);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
