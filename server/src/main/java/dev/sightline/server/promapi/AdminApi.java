package dev.sightline.server.promapi;

import dev.sightline.core.LabelMatcher;
import dev.sightline.metricstore.Deletable;
import dev.sightline.server.http.HttpApi;
import dev.sightline.server.tenants.Tenant;
import dev.sightline.server.tenants.TenantException;
import dev.sightline.server.tenants.Tenants;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Prometheus's TSDB admin API for series: {@code delete_series} (samples of the series matching any {@code match[]}
 * selector in [start, end], both optional as in Prometheus) and {@code clean_tombstones} (rewrite the blocks without
 * the deleted samples), POST or PUT, 204 when done. Each request acts for its tenant: with multitenancy on, its
 * selectors are scoped by the tenant label ({@link Tenant#deletable}), so no selector reaches another tenant's series.
 * Needs the {@code admin} scope (see the route table). The work runs on a worker thread, never the event loop.
 */
public final class AdminApi {
    private static final Logger LOG = Logger.getLogger(AdminApi.class.getName());
    private static final String JSON = "application/json";
    static final String DELETE_SERIES = "/api/v1/admin/tsdb/delete_series";
    static final String CLEAN_TOMBSTONES = "/api/v1/admin/tsdb/clean_tombstones";

    private final Supplier<? extends Deletable> storage;
    private final Tenants tenants;

    /** {@code storage} is null while it is not ready (then 503, as the query API answers). */
    public AdminApi(Supplier<? extends Deletable> storage, Tenants tenants) {
        this.storage = storage;
        this.tenants = tenants;
    }

    public void register(HttpApi api) {
        for (String path : List.of(DELETE_SERIES, CLEAN_TOMBSTONES)) {
            Handler<RoutingContext> h = path.equals(DELETE_SERIES) ? this::deleteSeries : this::cleanTombstones;
            api.post(path, HttpApi.MAX_FORM_BYTES, h);
            api.put(path, HttpApi.MAX_FORM_BYTES, h);
        }
    }

    private void deleteSeries(RoutingContext ctx) {
        Deletable d = deletable(ctx);
        if (d == null) {
            return;
        }
        Params p = Params.of(ctx.request().formAttributes(), ctx.queryParams());
        long start;
        long end;
        List<List<LabelMatcher>> sets;
        try {
            if (p.all("match[]").isEmpty()) {
                throw ApiError.badData("no match[] parameter provided");
            }
            start = p.time("start", Params.MIN_TIME_MS);
            end = p.time("end", Params.MAX_TIME_MS);
            if (end < start) {
                throw ApiError.invalidParam("end", "end timestamp must not be before start time");
            }
            sets = p.matchers();
        } catch (ApiError e) {
            error(ctx, e);
            return;
        }
        run(ctx, () -> {
            for (List<LabelMatcher> set : sets) {
                d.deleteSeries(start, end, set.toArray(LabelMatcher[]::new));
            }
            return null;
        });
    }

    private void cleanTombstones(RoutingContext ctx) {
        Deletable d = deletable(ctx);
        if (d != null) {
            run(ctx, () -> {
                d.cleanTombstones();
                return null;
            });
        }
    }

    /** The request's tenant's deletes; null when an error has been answered instead. */
    private Deletable deletable(RoutingContext ctx) {
        Deletable shared = storage.get();
        if (shared == null) {
            HttpApi.respond(ctx, 503, "text/plain; charset=utf-8", Buffer.buffer("Service Unavailable"));
            return null;
        }
        try {
            return tenants.of(ctx.request()).deletable(shared);
        } catch (TenantException e) {
            error(ctx, ApiError.of(e));
            return null;
        }
    }

    /** Runs the work on a worker thread: 204 when it completes, Prometheus's internal error (500) when it fails. */
    private static void run(RoutingContext ctx, Callable<Void> work) {
        ctx.vertx().executeBlocking(work, false).onComplete(ar -> {
            if (ar.succeeded()) {
                ctx.response().setStatusCode(204).end();
            } else {
                LOG.log(Level.WARNING, "admin request " + ctx.request().path() + " failed", ar.cause());
                error(ctx, new ApiError(ApiError.Type.INTERNAL, String.valueOf(ar.cause().getMessage())));
            }
        });
    }

    private static void error(RoutingContext ctx, ApiError e) {
        HttpApi.respond(ctx, e.httpStatus, JSON, PromApiJsonWriter.error(e));
    }
}
