package dev.sightline.synthetics.canary;

import org.junit.jupiter.api.Assumptions;
import redis.clients.jedis.Jedis;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's redis-server as a primary and a replica (replicaof) on free ports of 127.0.0.1, without persistence.
 * Skips the test with "peer not available" when redis-server is not installed.
 */
public final class RedisPeers implements AutoCloseable {
    public static final Path REDIS_SERVER = Path.of("/usr/bin/redis-server");

    private final Path dir;
    private final int primaryPort;
    private final int replicaPort;
    private Process primary;
    private Process replica;

    private RedisPeers(Path dir, int primaryPort, int replicaPort) {
        this.dir = dir;
        this.primaryPort = primaryPort;
        this.replicaPort = replicaPort;
    }

    /** Starts both and waits until the replica's link to the primary is up. */
    public static RedisPeers start(Path dir) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(REDIS_SERVER), "peer not available: " + REDIS_SERVER + " (Debian package redis-server)");
        RedisPeers peers = new RedisPeers(dir, PostgresPeers.freePort(), PostgresPeers.freePort());
        try {
            peers.primary = peers.launch(peers.primaryPort, "primary");
            peers.replica = peers.launch(peers.replicaPort, "replica", "--replicaof", "127.0.0.1", Integer.toString(peers.primaryPort));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!peers.linkUp()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the Redis replica does not connect to its primary; see " + dir);
                }
                Thread.sleep(50);
            }
        } catch (Exception e) {
            peers.close();
            throw e;
        }
        return peers;
    }

    private Process launch(int port, String name, String... extra) throws IOException, InterruptedException {
        Path d = Files.createDirectories(dir.resolve(name));
        List<String> cmd = new java.util.ArrayList<>(List.of(REDIS_SERVER.toString(), "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", d.toString(), "--logfile", d.resolve("redis.log").toString()));
        cmd.addAll(List.of(extra));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(d.resolve("stdout").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try (Jedis j = new Jedis("127.0.0.1", port)) {
                if ("PONG".equals(j.ping())) {
                    return p;
                }
            } catch (RuntimeException e) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    throw new IOException("redis-server on port " + port + " did not start; see " + d, e);
                }
                Thread.sleep(50);
            }
        }
    }

    private boolean linkUp() {
        try (Jedis j = new Jedis("127.0.0.1", replicaPort)) {
            return j.info("replication").contains("master_link_status:up");
        }
    }

    public String primaryUrl() {
        return "redis://127.0.0.1:" + primaryPort;
    }

    public String replicaUrl() {
        return "redis://127.0.0.1:" + replicaPort;
    }

    /** Cuts the replica off: it becomes a primary of its own, keeping the data it had. */
    public void cutLink() {
        try (Jedis j = new Jedis("127.0.0.1", replicaPort)) {
            j.replicaofNoOne();
        }
    }

    @Override
    public void close() {
        for (Process p : new Process[]{replica, primary}) {
            if (p != null) {
                p.destroy();
                try {
                    if (!p.waitFor(10, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    p.destroyForcibly();
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
