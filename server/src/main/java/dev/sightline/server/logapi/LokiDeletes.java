package dev.sightline.server.logapi;

import dev.sightline.core.LabelMatcher;
import dev.sightline.logs.LineFilter;
import dev.sightline.logs.LogSelection;
import dev.sightline.logs.LogStore;
import dev.sightline.server.http.HttpApi;
import dev.sightline.server.query.RangeLimits;
import dev.sightline.server.tenants.Tenant;
import dev.sightline.server.tenants.TenantException;
import dev.sightline.server.tenants.Tenants;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.math.BigDecimal;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Loki's log deletion API (its compactor's): {@code POST /loki/api/v1/delete?query=<stream selector with optional
 * line filters>&start=&end=} deletes the request tenant's matching lines in {@code [start, end]} (end defaults to now)
 * and answers 204; {@code GET /loki/api/v1/delete} lists the tenant's requests. Unlike Loki, a delete is done before
 * the answer (the store deletes durably at once), so there is no cancellation period and no cancel endpoint: a
 * request is listed with status {@code processed}. The list lives in memory (the newest {@link #KEPT} per tenant) and
 * starts empty after a restart. Both need the {@code admin} scope (RouteScopes). With multitenancy on the tenant label
 * is forced by the tenant's view of the store: a matcher of the caller's on it cannot reach another tenant's lines.
 */
public final class LokiDeletes {
    static final int KEPT = 1000;
    private static final String SINGLE = "";

    private final Supplier<? extends LogStore> store;
    private final Tenants tenants;
    private final LongSupplier nowNanos;
    private final ConcurrentHashMap<String, Deque<JsonObject>> requests = new ConcurrentHashMap<>();

    /**
     * @param store    the log store, or null while it is not open (requests then answer 503)
     * @param tenants  the request's tenant; null: none (the store as it is)
     * @param nowNanos the clock of the default end and of {@code created_at}
     */
    public LokiDeletes(Supplier<? extends LogStore> store, Tenants tenants, LongSupplier nowNanos) {
        this.store = store;
        this.tenants = tenants;
        this.nowNanos = nowNanos;
    }

    public void register(HttpApi api) {
        api.post("/loki/api/v1/delete", HttpApi.MAX_FORM_BYTES, this::delete);
        api.get("/loki/api/v1/delete", this::list);
    }

    /** The request's tenant, or null after answering its refusal. */
    private Tenant tenant(RoutingContext ctx) {
        try {
            return tenants == null ? null : tenants.of(ctx.request());
        } catch (TenantException e) {
            HttpApi.respond(ctx, e.status(), LokiApi.TEXT, Buffer.buffer(e.getMessage() + "\n"));
            return null;
        }
    }

    private static String key(Tenant t) {
        return t == null || t.id() == null ? SINGLE : t.id();
    }

    private void delete(RoutingContext ctx) {
        Tenant tenant = tenant(ctx);
        if (tenants != null && tenant == null) {
            return;
        }
        LogSelection selection;
        String query;
        try {
            LokiParams p = new LokiParams(ctx, nowNanos.getAsLong(), RangeLimits.DEFAULT);
            query = p.required("query");
            selection = selection(query, p);
        } catch (LokiParams.BadRequest e) {
            HttpApi.respond(ctx, 400, LokiApi.TEXT, Buffer.buffer(e.getMessage() + "\n"));
            return;
        }
        LogStore shared = store.get();
        if (shared == null) {
            HttpApi.respond(ctx, 503, LokiApi.TEXT, Buffer.buffer("the log store is not open yet\n"));
            return;
        }
        LogStore s = tenant == null ? shared : tenant.logs(shared);
        ctx.vertx().executeBlocking(() -> s.delete(selection), false).onComplete(ar -> {
            if (ar.failed()) {
                HttpApi.respond(ctx, 500, LokiApi.TEXT, Buffer.buffer("delete failed: " + ar.cause().getMessage() + "\n"));
                return;
            }
            long now = nowNanos.getAsLong();
            JsonObject r = new JsonObject().put("request_id", UUID.randomUUID().toString().substring(0, 8))
                    .put("start_time", seconds(selection.fromNanos())).put("end_time", seconds(selection.toNanos()))
                    .put("query", query).put("status", "processed").put("created_at", seconds(now))
                    .put("deleted_lines", ar.result());
            Deque<JsonObject> kept = requests.computeIfAbsent(key(tenant), k -> new ArrayDeque<>());
            synchronized (kept) {
                kept.addLast(r);
                if (kept.size() > KEPT) {
                    kept.removeFirst();
                }
            }
            HttpApi.respond(ctx, 204, LokiApi.TEXT, Buffer.buffer());
        });
    }

    /**
     * The selection a delete request names: its query's stream selector (at least one matcher, so an empty selector
     * cannot wipe every stream) and line filters, over {@code [start, end]}.
     */
    static LogSelection selection(String query, LokiParams p) {
        LogSelector selector = LogSelector.parse("query", query);
        if (selector.matchers().isEmpty()) {
            throw new LokiParams.BadRequest("query: a delete needs a stream selector with at least one matcher, got "
                    + query.strip());
        }
        List<LineFilter> filters = selector.lineFiltersOrNull();
        if (filters == null) {
            throw new LokiParams.BadRequest("query: a delete takes only line filters (|= != |~ !~) after the stream"
                    + " selector; the pipeline at position " + (query.indexOf(selector.pipeline()) + 1) + " is: "
                    + selector.pipeline());
        }
        long start = LokiParams.timestamp("start", p.required("start"));
        long end = p.time("end", p.now());
        if (end < start) {
            throw new LokiParams.BadRequest("end: " + end + "ns is before start " + start + "ns");
        }
        List<LabelMatcher> matchers = selector.matchers();
        return LogSelection.streams(start, end, matchers).withLineFilters(filters);
    }

    /** Seconds with at most millisecond decimals, written plain ("1796602748.5") as Loki's model.Time is, not 1.7E9. */
    private static BigDecimal seconds(long nanos) {
        BigDecimal s = BigDecimal.valueOf(Math.floorDiv(nanos, 1_000_000L), 3).stripTrailingZeros();
        return s.scale() < 0 ? s.setScale(0) : s;
    }

    private void list(RoutingContext ctx) {
        Tenant tenant = tenant(ctx);
        if (tenants != null && tenant == null) {
            return;
        }
        JsonArray out = new JsonArray();
        Deque<JsonObject> kept = requests.get(key(tenant));
        if (kept != null) {
            synchronized (kept) {
                kept.forEach(out::add);
            }
        }
        HttpApi.respond(ctx, 200, LokiApi.JSON, out.toBuffer());
    }
}
