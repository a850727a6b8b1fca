package dev.sightline.benchmarks.remotewrite;

import dev.sightline.benchmarks.HttpPeer;
import dev.sightline.core.Labels;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.IntToDoubleFunction;

/**
 * Loads a data set into servers through their remote-write receivers in time order, one sample per TimeSeries as
 * Prometheus's queue manager sends them, {@value #WINDOW} samples per series and {@value #BATCH} series per request,
 * every request to every server. Every append is in order, so Prometheus cuts and compacts head blocks as it does
 * live. The next window's requests are built while the current ones are sent.
 */
public final class TimeOrderedWriter {
    /** Samples per series in one round of requests (a minute at 15 s). */
    private static final int WINDOW = 4;
    private static final int BATCH = 2500;

    private TimeOrderedWriter() {
    }

    /**
     * Writes {@code samples} samples of every series, {@code intervalMs} apart from {@code t0Ms}; {@code next} gives
     * series s's next value and is called time-major (every series once per timestamp), as a scrape would.
     */
    public static void write(List<HttpPeer> servers, Labels[] labels, int samples, long t0Ms, long intervalMs,
                             IntToDoubleFunction next) {
        byte[][] encoded = new byte[labels.length][];
        for (int s = 0; s < labels.length; s++) {
            String[] pairs = new String[labels[s].size() * 2];
            for (int i = 0; i < labels[s].size(); i++) {
                pairs[2 * i] = labels[s].name(i);
                pairs[2 * i + 1] = labels[s].value(i);
            }
            encoded[s] = WriteRequestEncoder.encodeLabels(pairs);
        }
        WriteRequestEncoder enc = new WriteRequestEncoder();
        double[][] values = new double[WINDOW][labels.length];
        CompletableFuture<Void> sending = CompletableFuture.completedFuture(null);
        // A thread per server: the common pool has one thread on a 2-core machine, which would send to one at a time.
        try (ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int k0 = 0; k0 < samples; k0 += WINDOW) {
                int window = Math.min(WINDOW, samples - k0);
                for (int k = 0; k < window; k++) {
                    for (int s = 0; s < labels.length; s++) {
                        values[k][s] = next.applyAsDouble(s);
                    }
                }
                List<byte[]> requests = new ArrayList<>();
                for (int from = 0; from < labels.length; from += BATCH) {
                    enc.reset();
                    for (int s = from; s < Math.min(labels.length, from + BATCH); s++) {
                        for (int k = 0; k < window; k++) {
                            enc.series(encoded[s], values[k][s], t0Ms + (k0 + k) * intervalMs);
                        }
                    }
                    requests.add(enc.compressed());
                }
                sending.join();
                sending = CompletableFuture.allOf(servers.stream()
                        .map(srv -> CompletableFuture.runAsync(() -> requests.forEach(srv::write), senders))
                        .toArray(CompletableFuture[]::new));
            }
            sending.join();
        }
    }
}
