package dev.sightline.logs.store;

import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.logs.LineFilter;
import dev.sightline.logs.LogAppender;
import dev.sightline.logs.LogSelection;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The child JVM of {@link LogStoreKillIT}'s delete case: with no periodic checkpoint, commits lines of streams "a" and
 * "b" over two hourly partitions (the first half stored by a checkpoint, the second half in heads and the WAL), deletes
 * a's lines containing "secret", prints "DELETED n", commits more of a's "secret" lines (which must stay) and prints
 * "ACK", then waits to be killed.
 */
public final class LogDeleteKillChild {
    static final int LINES = 2000;
    private static final long T0 = LogStoreKillChild.T0;
    private static final long HOUR = LogStoreKillChild.HOUR;

    public static void main(String[] args) throws Exception {
        LuceneLogStore store = LuceneLogStore.open(Path.of(args[0]), LuceneLogStore.defaultOptions()
                .withCheckpoints(Duration.ofHours(1), 1L << 30).withRetention(Duration.ZERO, 0));
        for (int half = 0; half < 2; half++) {
            LogAppender a = store.appender();
            for (int i = half * LINES / 2; i < (half + 1) * LINES / 2; i++) {
                a.append(Labels.of("service", i % 2 == 0 ? "a" : "b"), T0 + (i % 3) * HOUR / 2 + i,
                        "i=" + i + (i % 4 < 2 ? " secret=s" + i : ""), Labels.EMPTY);
            }
            a.commit();
            if (half == 0) {
                store.checkpoint();
            }
        }
        long n = store.delete(LogSelection.streams(Long.MIN_VALUE, Long.MAX_VALUE, List.of(LabelMatcher.eq("service", "a")))
                .withLineFilters(List.of(LineFilter.of(LineFilter.Op.CONTAINS, "secret"))));
        System.out.println("DELETED " + n);
        LogAppender a = store.appender();
        a.append(Labels.of("service", "a"), T0 + 7, "later secret=kept", Labels.EMPTY);
        a.commit();
        System.out.println("ACK");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    private LogDeleteKillChild() {
    }
}
