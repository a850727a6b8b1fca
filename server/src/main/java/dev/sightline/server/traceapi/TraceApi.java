package dev.sightline.server.traceapi;

import dev.sightline.core.Deadline;
import dev.sightline.logs.LogStore;
import dev.sightline.server.BuildInfo;
import dev.sightline.server.config.LimitsConfig;
import dev.sightline.server.http.HttpApi;
import dev.sightline.server.query.QueryGate;
import dev.sightline.server.query.RangeLimits;
import dev.sightline.server.traceapi.TraceParams.BadRequest;
import dev.sightline.traces.DeadlineSpanQuerier;
import dev.sightline.traces.SpanQuerier;
import dev.sightline.traces.SpanStore;
import dev.sightline.traces.traceql.TraceQLException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import dev.sightline.server.tenants.Tenant;
import dev.sightline.server.tenants.TenantException;
import dev.sightline.server.tenants.Tenants;

/**
 * The trace query APIs on the main HTTP port: Jaeger's ({@link JaegerApi}) and Tempo's ({@link TempoApi}) at the
 * root, where each client calls them, and again under {@code /jaeger} and {@code /tempo} (a data source URL may carry
 * a path). The one path both peers have, {@code /api/traces/{id}}, is Tempo's when the client accepts protobuf (as
 * Grafana's Tempo data source asks, pkg/tsdb/tempo/trace.go) and Jaeger's otherwise; {@code /tempo/api/traces/{id}}
 * is Tempo's JSON. Requests run through the {@link QueryGate}: off the event loop and off the worker pool ingestion uses.
 */
public final class TraceApi {
    private final Supplier<? extends SpanStore> store;
    private final Supplier<? extends LogStore> logs;
    private final Tenants tenants;
    private final JaegerApi jaeger;
    private final TempoApi tempo;
    private final QueryGate gate;

    /**
     * @param store   the span store, or null while it is not open (requests then answer 503)
     * @param logs    the log store a trace's lines are found in ({@link TraceLogs}), null while it is not open
     * @param traceQl the TraceQL engine behind Tempo's {@code q} parameters and metrics endpoints, run over the
     *                querier of each request
     * @param nowNanos the clock of default time ranges, unix nanoseconds
     */
    public TraceApi(Supplier<? extends SpanStore> store, Supplier<? extends LogStore> logs, TraceQlBackend traceQl,
                    LongSupplier nowNanos, BuildInfo info) {
        this(store, logs, traceQl, nowNanos, info, null);
    }

    /** As above, each request reading the share of the tenant its X-Scope-OrgID names ({@code tenants}, null: none). */
    public TraceApi(Supplier<? extends SpanStore> store, Supplier<? extends LogStore> logs, TraceQlBackend traceQl,
                    LongSupplier nowNanos, BuildInfo info, Tenants tenants) {
        this(store, logs, traceQl, nowNanos, info, tenants, LimitsConfig.defaults().newQueryGate(), RangeLimits.DEFAULT);
    }

    /** Every request runs through {@code gate}; metrics range queries are bound by {@code ranges}. */
    public TraceApi(Supplier<? extends SpanStore> store, Supplier<? extends LogStore> logs, TraceQlBackend traceQl,
                    LongSupplier nowNanos, BuildInfo info, QueryGate gate, RangeLimits ranges) {
        this(store, logs, traceQl, nowNanos, info, null, gate, ranges);
    }

    /** The tenant's share per request ({@code tenants}, null: none), through {@code gate}, within {@code ranges}. */
    public TraceApi(Supplier<? extends SpanStore> store, Supplier<? extends LogStore> logs, TraceQlBackend traceQl,
                    LongSupplier nowNanos, BuildInfo info, Tenants tenants, QueryGate gate, RangeLimits ranges) {
        this.tenants = tenants;
        this.store = store;
        this.logs = logs;
        this.gate = gate;
        this.jaeger = new JaegerApi(nowNanos);
        this.tempo = new TempoApi(traceQl, nowNanos, info, ranges);
    }

    /** A status, content type and body, made on a worker thread and written on the event loop. */
    record Reply(int status, String contentType, Buffer body) {
        static Reply json(int status, JsonObject body) {
            return new Reply(status, "application/json", body.toBuffer());
        }

        static Reply text(int status, String body) {
            return new Reply(status, "text/plain; charset=utf-8", Buffer.buffer(body));
        }
    }

    public void register(HttpApi api) {
        for (String prefix : new String[]{"", "/jaeger"}) {
            jaegerRoute(api, prefix + "/api/services", (q, ctx) -> jaeger.services(q));
            jaegerRoute(api, prefix + "/api/services/:service/operations",
                    (q, ctx) -> jaeger.operationsLegacy(q, ctx.pathParam("service")));
            jaegerRoute(api, prefix + "/api/operations", jaeger::operations);
            jaegerRoute(api, prefix + "/api/traces", jaeger::search);
            jaegerRoute(api, prefix + "/api/dependencies", jaeger::dependencies);
        }
        jaegerRoute(api, "/jaeger/api/traces/:traceID", (q, ctx) -> jaeger.trace(q, ctx, ctx.pathParam("traceID")));
        // The shared path: Tempo's for protobuf clients, Jaeger's JSON otherwise.
        api.get("/api/traces/:traceID", ctx -> {
            if (TempoApi.acceptsProtobuf(ctx)) {
                answer(ctx, TraceApi::tempoError, q -> tempo.trace(q, ctx, ctx.pathParam("traceID"), false));
            } else {
                answer(ctx, TraceApi::jaegerError, q -> jaeger.trace(q, ctx, ctx.pathParam("traceID")));
            }
        });
        // Sightline's own: the trace's log lines, in Jaeger's error shape as the path's other answers.
        jaegerRoute(api, "/api/traces/:traceID/logs", (q, ctx) -> {
            LogStore l = logs.get();
            return l == null ? jaegerError(503, "the log store is not open yet")
                    : TraceLogs.logs(q, (tenants == null ? l : tenants.of(ctx.request()).logs(l)).querier(), ctx,
                    ctx.pathParam("traceID"));
        });
        tempoRoute(api, "/tempo/api/traces/:traceID", (q, ctx) -> tempo.trace(q, ctx, ctx.pathParam("traceID"), false));
        for (String prefix : new String[]{"", "/tempo"}) {
            tempoRoute(api, prefix + "/api/v2/traces/:traceID",
                    (q, ctx) -> tempo.trace(q, ctx, ctx.pathParam("traceID"), true));
            tempoRoute(api, prefix + "/api/search", tempo::search);
            tempoRoute(api, prefix + "/api/search/tags", tempo::tagNames);
            tempoRoute(api, prefix + "/api/v2/search/tags", tempo::tagNamesV2);
            tempoRoute(api, prefix + "/api/search/tag/:tag/values",
                    (q, ctx) -> tempo.tagValues(q, ctx, ctx.pathParam("tag")));
            tempoRoute(api, prefix + "/api/v2/search/tag/:tag/values",
                    (q, ctx) -> tempo.tagValuesV2(q, ctx, ctx.pathParam("tag")));
            tempoRoute(api, prefix + "/api/metrics/query_range", tempo::metricsQueryRange);
            tempoRoute(api, prefix + "/api/metrics/query", tempo::metricsQuery);
            api.get(prefix + "/api/echo", ctx -> HttpApi.respond(ctx, 200, "text/plain; charset=utf-8", Buffer.buffer("echo")));
            api.get(prefix + "/api/status/buildinfo", ctx -> {
                Reply r = tempo.buildInfo();
                HttpApi.respond(ctx, r.status(), r.contentType(), r.body());
            });
        }
    }

    private void jaegerRoute(HttpApi api, String pattern, BiFunction<SpanQuerier, RoutingContext, Reply> endpoint) {
        api.get(pattern, ctx -> answer(ctx, TraceApi::jaegerError, q -> endpoint.apply(q, ctx)));
    }

    private void tempoRoute(HttpApi api, String pattern, BiFunction<SpanQuerier, RoutingContext, Reply> endpoint) {
        api.get(pattern, ctx -> answer(ctx, TraceApi::tempoError, q -> endpoint.apply(q, ctx)));
    }

    private static Reply jaegerError(int status, String msg) {
        return Reply.json(status, JaegerJson.error(status, msg));
    }

    private static Reply tempoError(int status, String msg) {
        return Reply.text(status, msg + "\n");
    }

    private interface ErrorShape {
        Reply reply(int status, String msg);
    }

    /**
     * Runs an endpoint through the query gate with a querier that stops at the query's deadline; bad requests answer
     * 400 in the peer's error shape, as does a query the gate refuses (429), and one that ran out of time, waiting
     * or running, with 504 (499 when its client went away).
     */
    private void answer(RoutingContext ctx, ErrorShape errors, Function<SpanQuerier, Reply> endpoint) {
        Tenant tenant;
        try {
            tenant = tenants == null ? null : tenants.of(ctx.request());
        } catch (TenantException e) {
            Reply r = errors.reply(e.status(), e.getMessage());
            HttpApi.respond(ctx, r.status(), r.contentType(), r.body());
            return;
        }
        QueryGate.answerWithin(ctx, gate, deadline -> {
            SpanStore shared = store.get();
            if (shared == null) {
                return errors.reply(503, "the span store is not open yet");
            }
            SpanStore s = tenant == null ? shared : tenant.spans(shared);
            try {
                return endpoint.apply(new DeadlineSpanQuerier(s.querier(), deadline));
            } catch (BadRequest | TraceQLException e) {
                return errors.reply(400, e.getMessage());
            } catch (Deadline.Exceeded e) {
                return errors.reply(e.canceled() ? 499 : 504, e.getMessage());
            }
        }, r -> errors.reply(r.timedOut() ? 504 : r.httpStatus(), r.getMessage()), r -> HttpApi.respond(ctx, r.status(), r.contentType(), r.body()));
    }
}
