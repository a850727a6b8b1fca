package dev.sightline.traces.store;

import dev.sightline.core.span.InstrumentationScope;
import dev.sightline.core.span.SpanKind;
import dev.sightline.core.span.StatusCode;
import dev.sightline.traces.SpanAppender;
import dev.sightline.traces.SpanCondition;
import dev.sightline.traces.conformance.SpanData;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The child JVM of {@link SpanStoreKillIT}'s delete case: with no periodic checkpoint, commits {@link #SPANS} spans of
 * services "a" and "b" over two hourly partitions (the first half committed by a checkpoint, the second half only in
 * the WAL, a's and b's in records of their own), deletes a's spans, prints "DELETED n", commits one more span of a's (which must stay) and prints "ACK",
 * then waits to be killed.
 */
public final class SpanDeleteKillChild {
    static final int SPANS = 400;

    public static void main(String[] args) throws Exception {
        LuceneSpanStore store = LuceneSpanStore.open(Path.of(args[0]), LuceneSpanStore.defaultOptions()
                .withCheckpoints(Duration.ofHours(1), 1L << 30));
        // Record 1: the first half, a's and b's, checkpointed; records 2 and 3: the second half's a's, then its b's,
        // in the WAL only (after the delete none of record 2's spans is left in the index to tell replay to skip it).
        for (int record = 1; record <= 3; record++) {
            SpanAppender a = store.appender();
            for (int i = record == 1 ? 0 : SPANS / 2; i < (record == 1 ? SPANS / 2 : SPANS); i++) {
                boolean ofA = i % 2 == 0;
                if (record == 1 || ofA == (record == 2)) {
                    a.append(SpanData.resource(ofA ? "a" : "b"), InstrumentationScope.EMPTY, SpanData.span(i / 10 + 1,
                            i + 1, 0, "op", SpanKind.SERVER, SpanData.T0 + (i % 3) * SpanData.HOUR / 2 + i, 1000,
                            StatusCode.OK, SpanData.attrs()));
                }
            }
            a.commit();
            if (record == 1) {
                store.checkpoint();
            }
        }
        long n = store.delete(List.of(SpanCondition.service("a")), Long.MIN_VALUE, Long.MAX_VALUE);
        System.out.println("DELETED " + n);
        SpanAppender a = store.appender();
        a.append(SpanData.resource("a"), InstrumentationScope.EMPTY, SpanData.span(999, 9999, 0, "later",
                SpanKind.SERVER, SpanData.T0 + 7, 1000, StatusCode.OK, SpanData.attrs()));
        a.commit();
        System.out.println("ACK");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    private SpanDeleteKillChild() {
    }
}
