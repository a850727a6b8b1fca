package dev.sightline.server;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntPredicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * kill -9 of a {@link ChildServer} while senders write into it, each posting its requests one after another: after
 * the kill each sender knows how many of its requests were acknowledged (its first {@link Sender#acknowledged()}) and
 * whether one more was in flight, so a test can count what survived a restart on the same data directory.
 */
public final class KillMidIngest {
    private KillMidIngest() {
    }

    /** Sender {@code sender}'s request number {@code k} to the server on {@code port}. */
    @FunctionalInterface
    public interface Requests {
        HttpRequest request(int port, int sender, int k) throws Exception;
    }

    /** One sender: posts request 0, 1, ... until stopped or the server dies. */
    public static final class Sender extends Thread {
        private final int id;
        private final int port;
        private final int ackStatus;
        private final Requests requests;
        private final AtomicBoolean stop;
        private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        private volatile int started;
        private volatile int acknowledged;
        private volatile String failure;

        private Sender(int id, int port, int ackStatus, Requests requests, AtomicBoolean stop) {
            super("kill-sender-" + id);
            this.id = id;
            this.port = port;
            this.ackStatus = ackStatus;
            this.requests = requests;
            this.stop = stop;
        }

        @Override
        public void run() {
            try {
                for (int k = 0; !stop.get(); k++) {
                    HttpRequest request = requests.request(port, id, k);
                    started = k + 1;
                    HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() != ackStatus) {
                        failure = "request " + k + ": status " + r.statusCode() + ": " + r.body();
                        return;
                    }
                    acknowledged = k + 1;
                }
            } catch (Exception e) {
                // The server died under us: what was not answered is not acknowledged.
            }
        }

        public int id() {
            return id;
        }

        /** Requests answered with the acknowledging status: numbers 0 to acknowledged - 1. */
        public int acknowledged() {
            return acknowledged;
        }

        /** Requests sent, the acknowledged ones and (at most) the one in flight at the kill. */
        public int started() {
            return started;
        }
    }

    /**
     * Starts {@code senders} senders on the ready server's {@code port}, kills the server with SIGKILL (no shutdown
     * hook, no flush) once {@code killWhen} holds for the requests acknowledged between them (polled every 20 ms) or
     * {@code timeout} has passed, and returns the stopped senders, none of which got an answer other than
     * {@code ackStatus}.
     */
    public static List<Sender> run(ChildServer server, int port, int senders, int ackStatus, Requests requests,
                                   Duration timeout, IntPredicate killWhen) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        List<Sender> all = new ArrayList<>();
        try {
            for (int i = 0; i < senders; i++) {
                Sender s = new Sender(i, port, ackStatus, requests, stop);
                all.add(s);
                s.start();
            }
            long until = System.nanoTime() + timeout.toNanos();
            while (!killWhen.test(all.stream().mapToInt(Sender::acknowledged).sum()) && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            server.process().destroyForcibly();
            assertThat(server.process().waitFor(20, TimeUnit.SECONDS)).as("killed in time").isTrue();
        } finally {
            stop.set(true);
            server.process().destroyForcibly();
        }
        for (Sender s : all) {
            s.join(10_000);
            assertThat(s.isAlive()).as("sender %d stopped", s.id).isFalse();
            assertThat(s.failure).as("sender %d", s.id).isNull();
        }
        assertThat(all.stream().mapToInt(Sender::acknowledged).sum()).as("the senders got going before the kill")
                .isPositive();
        return all;
    }
}
