package dev.sightline.server.services;

import dev.sightline.metricstore.Queryable;
import dev.sightline.promql.engine.EngineOptions;
import dev.sightline.server.http.HttpApi;
import dev.sightline.server.query.QueryGate;
import dev.sightline.server.tenants.Tenant;
import dev.sightline.server.tenants.TenantException;
import dev.sightline.server.tenants.Tenants;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.function.BiFunction;
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
    private final QueryGate gate;
    private final Tenants tenants;

    /**
     * @param storage the metric storage, or null while it is not ready (then 503)
     * @param gate    where the queries run, as the query API's
     */
    public ServicesApi(Supplier<? extends Queryable> storage, EngineOptions options, LongSupplier clockMs, QueryGate gate) {
        this(storage, options, clockMs, gate, null);
    }

    /** As above, each request reading the series of the tenant its X-Scope-OrgID names ({@code tenants} null: all). */
    public ServicesApi(Supplier<? extends Queryable> storage, EngineOptions options, LongSupplier clockMs, QueryGate gate,
                       Tenants tenants) {
        this.storage = storage;
        this.gate = gate;
        this.signals = new GoldenSignals(options);
        this.clockMs = clockMs;
        this.tenants = tenants;
    }

    public void register(HttpApi api) {
        api.get("/api/v1/services", ctx -> answer(ctx, gate, storage, tenants, q -> list(q, clockMs.getAsLong())));
        api.get("/api/v1/services/:name/dashboard", ctx -> answer(ctx, gate, storage, tenants,
                q -> dashboard(q, clockMs.getAsLong(), ctx.pathParam("name"))));
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
     * Runs the queries through the query gate over the share of the request's tenant ({@code tenants} null: all the
     * storage); 503 while the storage is not ready, a not-found error is a 404, a failure a 500 naming it, a query the
     * gate refuses its status (429, 503) naming the limit, a refused tenant 401, 400 or 429 in the same envelope.
     */
    static void answer(RoutingContext ctx, QueryGate gate, Supplier<? extends Queryable> storage, Tenants tenants,
                       Function<Queryable, JsonObject> serve) {
        answer(ctx, gate, storage, tenants, (tenant, q) -> serve.apply(q));
    }

    /** As above, {@code serve} also given the request's tenant (null when {@code tenants} is null). */
    static void answer(RoutingContext ctx, QueryGate gate, Supplier<? extends Queryable> storage, Tenants tenants,
                       BiFunction<Tenant, Queryable, JsonObject> serve) {
        Queryable shared = storage.get();
        if (shared == null) {
            HttpApi.respond(ctx, 503, "text/plain; charset=utf-8", Buffer.buffer("Service Unavailable"));
            return;
        }
        Tenant tenant;
        try {
            tenant = tenants == null ? null : tenants.of(ctx.request());
        } catch (TenantException e) {
            refuse(ctx, e);
            return;
        }
        Queryable q = tenant == null ? shared : tenant.queryable(shared);
        QueryGate.answer(ctx, gate, true, leftMs -> {
            try {
                JsonObject body = serve.apply(tenant, q);
                return new Reply("error".equals(body.getString("status")) ? 404 : 200, body);
            } catch (RuntimeException e) {
                return new Reply(500, error("internal", String.valueOf(e.getMessage())));
            }
        }, r -> new Reply(r.httpStatus(), error(r.errorType(), r.getMessage())),
                r -> HttpApi.respond(ctx, r.status(), JSON, r.body().toBuffer()));
    }

    /** A refused tenant: its status (401, 400, 429) in Prometheus's envelope. */
    static void refuse(RoutingContext ctx, TenantException e) {
        String type = e.status() == 401 ? "unauthorized" : e.status() == 429 ? "too_many_requests" : "bad_data";
        HttpApi.respond(ctx, e.status(), JSON, error(type, e.getMessage()).toBuffer());
    }

    private record Reply(int status, JsonObject body) {
    }

    private static JsonObject error(String type, String message) {
        return new JsonObject().put("status", "error").put("errorType", type).put("error", message);
    }
}
