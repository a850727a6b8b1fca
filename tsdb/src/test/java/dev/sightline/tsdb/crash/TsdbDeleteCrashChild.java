package dev.sightline.tsdb.crash;

import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.metricstore.Appender;
import dev.sightline.tsdb.Tsdb;
import dev.sightline.tsdb.TsdbOptions;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Child process for {@link TsdbDeleteCrashIT}. Mode {@code fill}: writes {@link #SERIES} series (every other one
 * job="a") for two hours into one-hour blocks and half an hour more into the head, then closes cleanly (writing the
 * head snapshot). Mode {@code delete}: opens that database (from the snapshot), deletes [{@link #MINT},
 * {@link #MAXT}] of job="a" (blocks and head), prints {@code DELETED} and waits to be killed.
 */
public final class TsdbDeleteCrashChild {
    static final int SERIES = 10;
    static final long HOUR = 3600_000L;
    static final long STEP = 15_000L;
    static final long END = 2 * HOUR + HOUR / 2;
    static final long MINT = HOUR / 2;
    static final long MAXT = 2 * HOUR + 600_000;

    private TsdbDeleteCrashChild() {
    }

    static Labels labels(int i) {
        return Labels.of("__name__", "delete_crash", "i", Integer.toString(i), "job", i % 2 == 0 ? "a" : "b");
    }

    static TsdbOptions options() {
        return TsdbOptions.defaults().withBlockDurationMs(HOUR);
    }

    public static void main(String[] args) throws Exception {
        Path dataDir = Path.of(args[0]);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        if (args[1].equals("fill")) {
            try (Tsdb db = Tsdb.open(dataDir, options())) {
                append(db, 0, 2 * HOUR);
                db.flushHead();
                append(db, 2 * HOUR, END);
            }
            return;
        }
        Tsdb db = Tsdb.open(dataDir, options());
        db.deleteSeries(MINT, MAXT, LabelMatcher.eq("job", "a"));
        out.println("DELETED");
        Thread.sleep(120_000);
        db.close();
    }

    private static void append(Tsdb db, long from, long to) throws Exception {
        Appender app = db.appender();
        for (int i = 0; i < SERIES; i++) {
            for (long t = from; t < to; t += STEP) {
                app.append(0, labels(i), t, t);
            }
        }
        app.commit();
    }
}
