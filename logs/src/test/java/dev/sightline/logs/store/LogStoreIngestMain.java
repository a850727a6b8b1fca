package dev.sightline.logs.store;

import dev.sightline.core.FileTrees;
import dev.sightline.core.Labels;
import dev.sightline.logs.LogAppender;
import dev.sightline.logs.LogLines;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A quick measurement, not a test: appends {@code args[0]} realistic lines ({@link LogLines}; default 1,000,000) in
 * commits of 1,000 from {@code args[1]} threads (default 1), then prints the ingest rate in MB/s of line bytes and,
 * after close, the raw line bytes over the bytes on disk ({@code -Dkeep=1} keeps the folder). Run it on the logs
 * module's test class path: {@code java -cp logs/target/test-classes:logs/target/classes:<dependencies>
 * dev.sightline.logs.store.LogStoreIngestMain 1000000 1}.
 */
public final class LogStoreIngestMain {
    public static void main(String[] args) throws Exception {
        int lines = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        Path dir = Files.createTempDirectory("log-ingest");
        // Pre-generate, so the measurement is the store's time, not the generator's.
        LogLines gen = new LogLines(42);
        String[] text = new String[lines];
        int[] stream = new int[lines];
        long rawBytes = 0;
        long t0 = 1_790_000_000_000L;
        for (int i = 0; i < lines; i++) {
            stream[i] = i % gen.streamCount();
            text[i] = gen.line(stream[i], t0 + i / 3);
            rawBytes += text[i].getBytes(StandardCharsets.UTF_8).length;
        }
        LuceneLogStore store = LuceneLogStore.open(dir, LuceneLogStore.defaultOptions());
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long start = System.nanoTime();
        Thread[] workers = new Thread[threads];
        for (int w = 0; w < threads; w++) {
            int first = w;
            workers[w] = Thread.ofPlatform().start(() -> {
                LogAppender a = store.appender();
                try {
                    int n = 0;
                    for (int i = first; i < lines; i += threads) {
                        a.append(gen.stream(stream[i]), (t0 + i / 3) * 1_000_000L, text[i], Labels.EMPTY);
                        if (++n % 1000 == 0) {
                            a.commit();
                        }
                    }
                    a.commit();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
        }
        for (Thread t : workers) {
            t.join();
        }
        double secs = (System.nanoTime() - start) / 1e9;
        store.close();
        double closeSecs = (System.nanoTime() - start) / 1e9;
        // CPU seconds of the whole process (every thread, GC included): on a shared machine the wall clock says
        // more about the neighbours than about the store.
        double cpuSecs = (os.getProcessCpuTime() - cpu0) / 1e9;
        long disk = FileTrees.sizeOf(dir);
        System.out.printf("%d lines, %.1f MB of lines, %d thread(s): %.1f s to commit (%.1f MB/s, %.0f lines/s), "
                        + "%.1f s with close, %.1f CPU s (%.1f MB per CPU second); %d bytes on disk: %.2fx smaller than "
                        + "the lines, %.1f bytes/line%n",
                lines, rawBytes / 1e6, threads, secs, rawBytes / 1e6 / secs, lines / secs, closeSecs, cpuSecs,
                rawBytes / 1e6 / cpuSecs, disk,
                (double) rawBytes / disk, (double) disk / lines);
        if (System.getProperty("keep") == null) {
            FileTrees.deleteRecursively(dir);
        } else {
            System.out.println("kept " + dir);
        }
    }

    private LogStoreIngestMain() {
    }
}
