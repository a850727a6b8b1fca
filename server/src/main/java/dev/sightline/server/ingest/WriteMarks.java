package dev.sightline.server.ingest;

import dev.sightline.core.WritePriority;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How every telemetry write path marks its requests on the server's {@link WritePriority}, which API queries give way
 * to: an HTTP request from its whole body to its answer sent or its connection gone, a gRPC call from its message to
 * its answer. One place, so that each mark is released exactly once whatever ends the request (errors included): a
 * leaked mark would pause queries at every deadline check from then on.
 */
public final class WriteMarks {
    private WriteMarks() {
    }

    /**
     * {@code handler} (registered after the body handler) with its request marked as a write until the routing
     * context ends: answer sent, failure answered or connection closed.
     */
    public static Handler<RoutingContext> marked(WritePriority writes, Handler<RoutingContext> handler) {
        return ctx -> {
            Runnable end = begin(writes);
            ctx.addEndHandler(ar -> end.run());
            handler.handle(ctx);
        };
    }

    /**
     * Marks a write now; the returned action releases it, the first time it runs only, so it may be hooked to every
     * way a request can end (answer written, stream reset) without counting one twice.
     */
    public static Runnable begin(WritePriority writes) {
        writes.beginWrite();
        AtomicBoolean ended = new AtomicBoolean();
        return () -> {
            if (ended.compareAndSet(false, true)) {
                writes.endWrite();
            }
        };
    }
}
