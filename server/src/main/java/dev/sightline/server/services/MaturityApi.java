package dev.sightline.server.services;

import dev.sightline.metricstore.Queryable;
import dev.sightline.server.query.QueryGate;
import dev.sightline.promql.engine.EngineOptions;
import dev.sightline.server.http.HttpApi;
import dev.sightline.server.tenants.Tenant;
import dev.sightline.server.tenants.Tenants;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.function.BiFunction;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * {@code GET /api/v1/maturity}: every service's maturity level with each criterion's verdict and evidence, and what
 * the next level lacks (docs/maturity.md). Prometheus's envelope, as /api/v1/services. With multitenancy on, the
 * services, rules and drill results are the requesting tenant's.
 */
public final class MaturityApi {
    private final Supplier<? extends Queryable> storage;
    private final BiFunction<Tenant, Queryable, Maturity.Holdings> holdings;
    private final Maturity maturity;
    private final LongSupplier clockMs;
    private final QueryGate gate;
    private final Tenants tenants;

    /**
     * @param storage  the metric storage, or null while it is not ready (then 503)
     * @param holdings everything else the server holds for the request's tenant, given with its share of the
     *                 metrics, read afresh for each request
     * @param gate     where the assessment's queries run, as the query API's
     */
    public MaturityApi(Supplier<? extends Queryable> storage, BiFunction<Tenant, Queryable, Maturity.Holdings> holdings,
                       EngineOptions options, LongSupplier clockMs, QueryGate gate, Tenants tenants) {
        this.gate = gate;
        this.tenants = tenants;
        this.storage = storage;
        this.holdings = holdings;
        this.maturity = new Maturity(options);
        this.clockMs = clockMs;
    }

    public void register(HttpApi api) {
        api.get("/api/v1/maturity", ctx -> ServicesApi.answer(ctx, gate, storage, tenants,
                (tenant, q) -> ServicesApi.success(json(maturity.assess(holdings.apply(tenant, q), clockMs.getAsLong())))));
    }

    /**
     * {@code {"levels": [names], "services": [{"name", "level", "level_name", "criteria": [criterion],
     * "next": null | {"level", "level_name", "missing": [criterion]}}]}}, a criterion being
     * {@code {"level", "id", "title", "met", "evidence", "found": [strings]}}.
     */
    static JsonObject json(List<Maturity.Service> services) {
        JsonArray out = new JsonArray();
        for (Maturity.Service s : services) {
            JsonObject next = s.level() == Maturity.LEVELS.size() ? null : new JsonObject()
                    .put("level", s.level() + 1)
                    .put("level_name", Maturity.LEVELS.get(s.level()))
                    .put("missing", criteria(s.next()));
            out.add(new JsonObject()
                    .put("name", s.name())
                    .put("level", s.level())
                    .put("level_name", s.levelName())
                    .put("criteria", criteria(s.criteria()))
                    .put("next", next));
        }
        return new JsonObject().put("levels", new JsonArray(Maturity.LEVELS)).put("services", out);
    }

    private static JsonArray criteria(List<Maturity.Criterion> criteria) {
        JsonArray out = new JsonArray();
        for (Maturity.Criterion c : criteria) {
            out.add(new JsonObject()
                    .put("level", c.level())
                    .put("id", c.id())
                    .put("title", c.title())
                    .put("met", c.met())
                    .put("evidence", c.evidence())
                    .put("found", new JsonArray(c.found())));
        }
        return out;
    }
}
