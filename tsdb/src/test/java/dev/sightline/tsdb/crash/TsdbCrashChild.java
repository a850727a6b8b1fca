package dev.sightline.tsdb.crash;

import dev.sightline.core.Labels;
import dev.sightline.metricstore.Appender;
import dev.sightline.tsdb.Tsdb;
import dev.sightline.tsdb.TsdbOptions;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Child process for {@link TsdbCrashIT}: opens a Tsdb and commits one batch after another, each holding one sample
 * for every one of {@link #SERIES} series at time {@code T0 + batch * stepMs}, and prints {@code ACK <batch>} after
 * each commit returns. With a positive flush interval a second thread calls {@link Tsdb#flushHead()} in a loop, so
 * the kill often lands while the head is being persisted into blocks and the WAL truncated.
 *
 * <p>Arguments: dataDir stepMs blockDurationMs (0 = default) flushEveryMs (0 = none) firstBatch [lastBatch]. With a
 * last batch the child closes the database cleanly after committing it (writing its head snapshot) and exits 0.
 */
public final class TsdbCrashChild {
    static final int SERIES = 100;
    static final long T0 = 1_700_000_000_000L;
    static final String METRIC = "crash_test";

    private TsdbCrashChild() {
    }

    static Labels labels(int series) {
        return Labels.of("__name__", METRIC, "series", Integer.toString(series), "job", "crash");
    }

    /** Exact in a double; fractional parts make a mix-up of values or timestamps visible. */
    static double value(int series, long batch) {
        return series * 1_000_000.0 + batch + (batch % 4) * 0.25;
    }

    public static void main(String[] args) throws Exception {
        Path dataDir = Path.of(args[0]);
        long stepMs = Long.parseLong(args[1]);
        long blockDurationMs = Long.parseLong(args[2]);
        long flushEveryMs = Long.parseLong(args[3]);
        long firstBatch = Long.parseLong(args[4]);
        long lastBatch = args.length > 5 ? Long.parseLong(args[5]) : Long.MAX_VALUE;
        TsdbOptions opts = TsdbOptions.defaults();
        if (blockDurationMs > 0) {
            opts = opts.withBlockDurationMs(blockDurationMs);
        }
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        Tsdb db = Tsdb.open(dataDir, opts);
        if (flushEveryMs > 0) {
            Thread flusher = new Thread(() -> {
                try {
                    while (true) {
                        Thread.sleep(flushEveryMs);
                        db.flushHead();
                    }
                } catch (Exception e) {
                    e.printStackTrace();
                    System.exit(3);
                }
            }, "crash-test-flusher");
            flusher.setDaemon(true);
            flusher.start();
        }
        Labels[] labels = new Labels[SERIES];
        long[] refs = new long[SERIES];
        for (int s = 0; s < SERIES; s++) {
            labels[s] = labels(s);
        }
        for (long batch = firstBatch; batch <= lastBatch; batch++) {
            Appender app = db.appender();
            long t = T0 + batch * stepMs;
            for (int s = 0; s < SERIES; s++) {
                refs[s] = app.append(refs[s], labels[s], t, value(s, batch));
            }
            app.commit();
            out.println("ACK " + batch);
            out.flush();
        }
        db.close();
    }
}
