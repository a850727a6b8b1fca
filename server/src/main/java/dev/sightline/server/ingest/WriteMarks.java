package dev.sightline.server.ingest;

import dev.sightline.core.WritePriority;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.vertx.grpc.server.GrpcServerRequest;

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

    /**
     * Marks a gRPC call whose message has arrived; the returned action releases it (run it once the answer is written,
     * or failed to be), as does a reset or failure of the call's stream (client gone).
     */
    public static Runnable begin(WritePriority writes, GrpcServerRequest<?, ?> call) {
        Runnable end = begin(writes);
        call.errorHandler(e -> end.run());
        call.exceptionHandler(e -> end.run());
        return end;
    }
}
