package dev.sightline.server.services;

import dev.sightline.metricstore.Queryable;
import dev.sightline.promql.engine.EngineOptions;
import dev.sightline.server.http.HttpApi;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * {@code GET /api/v1/services}: every service seen in span metrics or HTTP server metrics with its golden signals
 * and health; {@code GET /api/v1/services/<name>/dashboard}: that service's generated dashboard (docs/services.md).
 * Answers in Prometheus's envelope ({@code status}, {@code data} or {@code errorType}/{@code error}).
 */
public final class ServicesApi {
    private static final String JSON = "application/json";

    private final Supplier<? extends Queryable> storage;
    private final GoldenSignals signals;
    private final LongSupplier clockMs;

    /** @param storage the metric storage, or null while it is not ready (then 503) */
    public ServicesApi(Supplier<? extends Queryable> storage, EngineOptions options, LongSupplier clockMs) {
        this.storage = storage;
        this.signals = new GoldenSignals(options);
        this.clockMs = clockMs;
    }

    public void register(HttpApi api) {
        api.get("/api/v1/services", ctx -> answer(ctx, storage, q -> list(q, clockMs.getAsLong())));
        api.get("/api/v1/services/:name/dashboard", ctx -> answer(ctx, storage, q -> dashboard(q, clockMs.getAsLong(), ctx.pathParam("name"))));
    }

    private JsonObject list(Queryable q, long nowMs) {
        JsonArray data = new JsonArray();
        for (GoldenSignals.Service s : signals.services(q, nowMs)) {
            data.add(new JsonObject()
                    .put("name", s.name())
                    .put("source", s.source().id())
                    .put("rate", s.rate())
                    .put("error_ratio", s.errorRatio())
                    .put("p99_seconds", Double.isNaN(s.p99Seconds()) ? null : s.p99Seconds())
                    .put("health", s.health().name()));
        }
        return success(data);
    }

    private JsonObject dashboard(Queryable q, long nowMs, String name) {
        return signals.services(q, nowMs).stream().filter(s -> s.name().equals(name)).findFirst()
                .map(s -> success(ServiceDashboard.model(signals, q, nowMs, s)))
                .orElseGet(() -> new JsonObject().put("status", "error").put("errorType", "not_found")
                        .put("error", "no service " + PromQl.string(name) + " in span metrics or HTTP server metrics"));
    }

    static JsonObject success(Object data) {
        return new JsonObject().put("status", "success").put("data", data);
    }

    /**
     * Runs the queries off the event loop; 503 while the storage is not ready, a not-found error is a 404, a
     * failure a 500 naming it.
     */
    static void answer(RoutingContext ctx, Supplier<? extends Queryable> storage, Function<Queryable, JsonObject> serve) {
        Queryable q = storage.get();
        if (q == null) {
            HttpApi.respond(ctx, 503, "text/plain; charset=utf-8", Buffer.buffer("Service Unavailable"));
            return;
        }
        ctx.vertx().executeBlocking(() -> serve.apply(q), false).onComplete(ar -> {
            if (ar.failed()) {
                JsonObject err = new JsonObject().put("status", "error").put("errorType", "internal")
                        .put("error", String.valueOf(ar.cause().getMessage()));
                HttpApi.respond(ctx, 500, JSON, err.toBuffer());
            } else {
                JsonObject body = ar.result();
                HttpApi.respond(ctx, "error".equals(body.getString("status")) ? 404 : 200, JSON, body.toBuffer());
            }
        });
    }
}
