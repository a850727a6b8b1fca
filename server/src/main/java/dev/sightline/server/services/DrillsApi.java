package dev.sightline.server.services;

import dev.sightline.server.http.HttpApi;
import dev.sightline.server.tenants.Tenant;
import dev.sightline.server.tenants.TenantException;
import dev.sightline.server.tenants.Tenants;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * The drill record over HTTP, so a drill run or the demo elsewhere records where this server's maturity reads it:
 * {@code GET /api/v1/drills/results} answers the record, {@code POST /api/v1/drills/results} with
 * {@code {"results": [...]}} (the file's shape, {@link Drills}) merges the results into it and answers the whole
 * record. Prometheus's envelope; a bad body is a 400 naming the entry and field, a record on disk that does not read
 * a 500 naming it (it is left as it is). With multitenancy on, each tenant reads and adds to its own record.
 */
public final class DrillsApi {
    /** A drill run sends a handful of results; this bounds what one request may hold. */
    static final long MAX_BODY_BYTES = 1 << 20;
    private final Path dataDir;
    private final Tenants tenants;

    public DrillsApi(Path dataDir, Tenants tenants) {
        this.dataDir = dataDir;
        this.tenants = tenants;
    }

    public void register(HttpApi api) {
        api.get("/api/v1/drills/results", this::list);
        api.post("/api/v1/drills/results", MAX_BODY_BYTES, this::add);
    }

    /** The request's tenant (its id null with multitenancy off), or null when refused: then answered here. */
    private Tenant tenant(RoutingContext ctx) {
        try {
            return tenants.of(ctx.request());
        } catch (TenantException e) {
            ServicesApi.refuse(ctx, e);
            return null;
        }
    }

    private void list(RoutingContext ctx) {
        Tenant tenant = tenant(ctx);
        if (tenant == null) {
            return;
        }
        // Reads a file: a worker thread, not the event loop.
        ctx.vertx().executeBlocking(() -> Drills.read(dataDir, tenant.id()), false).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(ar.cause());
            } else if (ar.result().error() != null) {
                error(ctx, 500, "internal", ar.result().error());
            } else {
                ok(ctx, ar.result().results());
            }
        });
    }

    private void add(RoutingContext ctx) {
        Tenant tenant = tenant(ctx);
        if (tenant == null) {
            return;
        }
        List<Drills.Result> added;
        try {
            added = Drills.parse("body", new String(HttpApi.bodyBytes(ctx), StandardCharsets.UTF_8));
        } catch (Drills.InvalidResults e) {
            error(ctx, 400, "bad_data", e.getMessage());
            return;
        }
        ctx.vertx().executeBlocking(() -> Drills.record(dataDir, tenant.id(), added), false).onComplete(ar -> {
            if (ar.succeeded()) {
                ok(ctx, ar.result());
            } else if (ar.cause() instanceof Drills.InvalidResults e) {
                error(ctx, 500, "internal", "the record was left as it is: " + e.getMessage());
            } else if (ar.cause() instanceof IOException e) {
                error(ctx, 500, "internal", "cannot write " + Drills.file(tenant.id()) + ": " + e.getMessage());
            } else {
                ctx.fail(ar.cause());
            }
        });
    }

    private static void ok(RoutingContext ctx, List<Drills.Result> results) {
        HttpApi.respond(ctx, 200, "application/json", ServicesApi.success(new JsonObject(Drills.json(results))).toBuffer());
    }

    private static void error(RoutingContext ctx, int status, String type, String message) {
        HttpApi.respond(ctx, status, "application/json", Buffer.buffer(new JsonObject().put("status", "error")
                .put("errorType", type).put("error", message).encode()));
    }
}
