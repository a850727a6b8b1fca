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
 * ports of 127.0.0.1 with trust authentication, run as the user postgres (the server refuses root). Skips the test
 * with "peer not available" when the binaries (or root, for runuser) are missing.
 */
public final class PostgresPeers implements AutoCloseable {
    /** Debian's PostgreSQL 15, or the newest major version installed (Debian's postgresql package follows releases). */
    public static final Path BIN = findBin();

    private final Path dir;
    private final int primaryPort;
    private final int replicaPort;

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
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/sbin/runuser")) && "root".equals(System.getProperty("user.name")),
                "peer not available: PostgreSQL runs as user postgres through runuser, which needs root");
        // Not a JUnit temporary folder: those are private to root, and the servers run as postgres.
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "sightline-pg-");
        run(List.of("chown", "postgres:postgres", dir.toString()));
        run(List.of("chmod", "700", dir.toString()));
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
        asPostgres(BIN.resolve("initdb") + " -D " + data + " -U postgres --auth=trust -E UTF8 --no-sync");
        Files.writeString(data.resolve("postgresql.conf"), """
                listen_addresses = '127.0.0.1'
                port = %d
                unix_socket_directories = '%s'
                wal_level = replica
                max_wal_senders = 4
                hot_standby = on
                fsync = off
                """.formatted(primaryPort, dir), java.nio.file.StandardOpenOption.APPEND);
        asPostgres(BIN.resolve("pg_ctl") + " -D " + data + " -l " + dir.resolve("primary.log") + " -w -t 60 start");
    }

    private void startReplica() throws Exception {
        Path data = dir.resolve("replica");
        asPostgres(BIN.resolve("pg_basebackup") + " -h 127.0.0.1 -p " + primaryPort + " -U postgres -D " + data + " -R -X stream");
        Files.writeString(data.resolve("postgresql.conf"), "port = " + replicaPort + "\n", java.nio.file.StandardOpenOption.APPEND);
        asPostgres(BIN.resolve("pg_ctl") + " -D " + data + " -l " + dir.resolve("replica.log") + " -w -t 60 start");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!"streaming".equals(query(replicaUrl(), "SELECT status FROM pg_stat_wal_receiver"))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the replica does not stream; see " + dir.resolve("replica.log"));
            }
            Thread.sleep(100);
        }
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
        for (String node : List.of("replica", "primary")) {
            if (Files.exists(dir.resolve(node).resolve("postmaster.pid"))) {
                try {
                    asPostgres(BIN.resolve("pg_ctl") + " -D " + dir.resolve(node) + " -m immediate -w stop");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while stopping PostgreSQL", e);
                }
            }
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static void asPostgres(String command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        cmd.addAll(List.of(command.split(" ")));
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
