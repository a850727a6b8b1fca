package dev.sightline.traces.store;

import dev.sightline.core.span.InstrumentationScope;
import dev.sightline.core.span.SpanKind;
import dev.sightline.core.span.SpanResource;
import dev.sightline.core.span.StatusCode;
import dev.sightline.traces.SpanAppender;
import dev.sightline.traces.conformance.SpanData;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The child JVM of {@link SpanStoreKillIT}: two threads commit batches of {@link #SPANS} spans (batch b, counted from the second argument, is trace b + 1,
 * its spans over two hourly partitions) and print "ACK b" after each commit returns, with checkpoints every 50 ms so
 * the kill can land in the middle of one. Runs until killed.
 */
public final class SpanStoreKillChild {
    static final int SPANS = 50;

    public static void main(String[] args) throws Exception {
        LuceneSpanStore store = LuceneSpanStore.open(Path.of(args[0]), LuceneSpanStore.defaultOptions()
                .withCheckpoints(Duration.ofMillis(50), 1 << 20));
        long base = Long.parseLong(args[1]);
        SpanResource resource = SpanData.resource("killed", "host", "h1");
        for (int t = 0; t < 2; t++) {
            int thread = t;
            Thread.ofPlatform().start(() -> {
                SpanAppender a = store.appender();
                try {
                    for (long b = base + thread; ; b += 2) {
                        for (int i = 0; i < SPANS; i++) {
                            a.append(resource, InstrumentationScope.EMPTY, SpanData.span(b + 1, i + 1, i == 0 ? 0 : 1,
                                    "op" + i, SpanKind.SERVER, SpanData.T0 + (i % 2) * SpanData.HOUR + b, 1000,
                                    StatusCode.OK, SpanData.attrs("batch", b, "i", (long) i)));
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

    private SpanStoreKillChild() {
    }

}
