package dev.sightline.logs.store;

import dev.sightline.core.Labels;
import dev.sightline.logs.LogAppender;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The child JVM of {@link LogStoreKillIT}: two threads commit batches of {@link #LINES} lines (batch b, counted from
 * the second argument, writes "batch=b i=i" over two hourly partitions and enough bytes that blocks are stored
 * between checkpoints) and print "ACK b" after each commit returns, with checkpoints every 50 ms so the kill can land
 * in the middle of one. Runs until killed.
 */
public final class LogStoreKillChild {
    static final int LINES = 50;
    static final long T0 = 1_700_000_000_000_000_000L;
    static final long HOUR = 3_600_000_000_000L;

    public static void main(String[] args) throws Exception {
        LuceneLogStore store = LuceneLogStore.open(Path.of(args[0]), LuceneLogStore.defaultOptions()
                .withCheckpoints(Duration.ofMillis(50), 1 << 20).withRetention(Duration.ZERO, 0)); // lines of 2023
        long base = Long.parseLong(args[1]);
        String padding = " pad=" + "x".repeat(400);
        for (int t = 0; t < 2; t++) {
            int thread = t;
            Labels stream = Labels.of("service", "killed", "thread", Integer.toString(t));
            Labels metadata = Labels.of("trace_id", "0af7651916cd43dd8448eb211c80319c");
            Thread.ofPlatform().start(() -> {
                LogAppender a = store.appender();
                try {
                    for (long b = base + thread; ; b += 2) {
                        for (int i = 0; i < LINES; i++) {
                            a.append(stream, T0 + (i % 2) * HOUR + b * 100 + i, "batch=" + b + " i=" + i + padding,
                                    metadata);
                        }
                        a.commit();
                        synchronized (System.out) {
                            System.out.println("ACK " + b);
                            System.out.flush();
                        }
                    }
                } catch (Exception e) {
                    e.printStackTrace();
                    System.exit(1);
                }
            });
        }
        Thread.sleep(Long.MAX_VALUE);
    }

    private LogStoreKillChild() {
    }
}
