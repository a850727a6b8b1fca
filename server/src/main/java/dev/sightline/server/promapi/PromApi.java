package dev.sightline.server.promapi;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.metricstore.Exemplar;
import dev.sightline.metricstore.ExemplarSeries;
import dev.sightline.metricstore.ExemplarStorage;
import dev.sightline.metricstore.Querier;
import dev.sightline.metricstore.Queryable;
import dev.sightline.metricstore.SeriesSet;
import dev.sightline.promql.ast.AggregateExpr;
import dev.sightline.promql.ast.BinaryExpr;
import dev.sightline.promql.ast.Call;
import dev.sightline.promql.ast.Expr;
import dev.sightline.promql.ast.Function;
import dev.sightline.promql.ast.FunctionTable;
import dev.sightline.promql.ast.MatrixSelector;
import dev.sightline.promql.ast.ParenExpr;
import dev.sightline.promql.ast.Prettier;
import dev.sightline.promql.ast.StepInvariantExpr;
import dev.sightline.promql.ast.SubqueryExpr;
import dev.sightline.promql.ast.UnaryExpr;
import dev.sightline.promql.ast.VectorSelector;
import dev.sightline.promql.engine.Engine;
import dev.sightline.promql.engine.EngineOptions;
import dev.sightline.promql.engine.Matrix;
import dev.sightline.promql.engine.PromQLException;
import dev.sightline.promql.engine.QueryResult;
import dev.sightline.promql.engine.Value;
import dev.sightline.promql.engine.Vector;
import dev.sightline.promql.parser.ParseException;
import dev.sightline.promql.parser.PromQLParser;
import dev.sightline.server.http.BodyBuffers;
import dev.sightline.server.http.ContentCoding;
import dev.sightline.server.http.HttpApi;
import dev.sightline.server.config.LimitsConfig;
import dev.sightline.server.ingest.IngestGuards;
import dev.sightline.server.metadata.MetadataStore;
import dev.sightline.server.query.QueryGate;
import dev.sightline.server.query.RangeLimits;
import dev.sightline.server.tenants.Tenant;
import dev.sightline.server.tenants.TenantException;
import dev.sightline.server.tenants.Tenants;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Prometheus's HTTP query API (web/api/v1): query, query_range, series, labels, label values, metadata,
 * format_query and query_exemplars, with Prometheus's parameters, JSON shapes, error types and status codes.
 * Requests run through the {@link QueryGate} (query threads, never the event loop, at most so many at once); a
 * client that disconnects cancels its query.
 */
public final class PromApi {
    private static final Logger LOG = Logger.getLogger(PromApi.class.getName());
    private static final String JSON = "application/json";
    private static final String TRUNCATED = "results truncated due to limit";
    /** /api/v1/status/functions: the parser's function table never changes while the server runs. */
    private static final Buffer FUNCTIONS = PromApiJsonWriter.success(PromApi::functions, List.of(), List.of());

    private final Supplier<? extends Queryable> storage;
    private final EngineOptions engineOptions;
    private final LongSupplier clockMs;
    private final QueryGate gate;
    private final RangeLimits ranges;
    private final Tenants tenants;

    /** A request's answer: the data and the annotations to list with it. */
    private record Result(PromApiJsonWriter.Body data, List<String> warnings, List<String> infos) {
        Result(PromApiJsonWriter.Body data) {
            this(data, List.of(), List.of());
        }
    }

    @FunctionalInterface
    private interface Endpoint {
        /** {@code timeLeftMs}: what the query gate left of the timeout after the wait in line. */
        Result serve(Tenant tenant, Queryable storage, Params params, RoutingContext ctx, long timeLeftMs) throws ApiError;
    }

    /**
     * @param storage the storage to query, or null while it is not ready (then every endpoint answers 503 as
     *                Prometheus does before its TSDB has started)
     */
    public PromApi(Supplier<? extends Queryable> storage, EngineOptions engineOptions, LongSupplier clockMs) {
        this(storage, engineOptions, clockMs, new MetadataStore());
    }

    /** {@code metadataStore} answers /api/v1/metadata. */
    public PromApi(Supplier<? extends Queryable> storage, EngineOptions engineOptions, LongSupplier clockMs,
                   MetadataStore metadataStore) {
        this(storage, engineOptions, clockMs, metadataStore, ExemplarStorage.NONE);
    }

    /** {@code metadataStore} answers /api/v1/metadata, {@code exemplarStore} /api/v1/query_exemplars. */
    public PromApi(Supplier<? extends Queryable> storage, EngineOptions engineOptions, LongSupplier clockMs,
                   MetadataStore metadataStore, ExemplarStorage exemplarStore) {
        this(storage, engineOptions, clockMs, Tenants.disabled(IngestGuards.over(metadataStore, exemplarStore)));
    }

    /**
     * Each request reads what its tenant ({@code tenants}) may see: its view of the storage, its metadata and
     * exemplars, within its query limits.
     */
    public PromApi(Supplier<? extends Queryable> storage, EngineOptions engineOptions, LongSupplier clockMs,
                   Tenants tenants) {
        this(storage, engineOptions, clockMs, tenants, LimitsConfig.defaults().newQueryGate(), RangeLimits.DEFAULT);
    }

    /** Every request runs through {@code gate}; range queries are bound by {@code ranges}. */
    public PromApi(Supplier<? extends Queryable> storage, EngineOptions engineOptions, LongSupplier clockMs,
                   Tenants tenants, QueryGate gate, RangeLimits ranges) {
        this.gate = gate;
        this.ranges = ranges;
        this.tenants = tenants;
        this.storage = storage;
        this.engineOptions = engineOptions;
        this.clockMs = clockMs;
    }

    public PromApi(Supplier<? extends Queryable> storage) {
        this(storage, EngineOptions.defaults(), System::currentTimeMillis);
    }

    /** Registers the endpoints; GET and POST where Prometheus accepts both. */
    public void register(HttpApi api) {
        both(api, "/api/v1/query", this::query);
        both(api, "/api/v1/query_range", this::queryRange);
        both(api, "/api/v1/series", this::series);
        both(api, "/api/v1/labels", this::labels);
        api.get("/api/v1/label/:name/values", handler(this::labelValues));
        api.get("/api/v1/metadata", handler(this::metadata));
        both(api, "/api/v1/format_query", this::formatQuery);
        both(api, "/api/v1/query_exemplars", this::queryExemplars);
        // Needs no storage: answers while the database is still opening.
        api.get("/api/v1/status/functions", ctx -> HttpApi.respond(ctx, 200, JSON, FUNCTIONS.copy()));
    }

    /**
     * Every function the parser accepts, by name, for query editors: {@code [{"name":"round","signature":
     * "round(v instant-vector[, to_nearest scalar]) instant-vector","args":[{"name":"v","type":"instant-vector"},...],
     * "variadic":1,"returns":"instant-vector","experimental":false,"description":"..."}]} (variadic as in
     * {@link Function}).
     */
    private static void functions(JsonGenerator g) throws IOException {
        g.writeStartArray();
        for (Function f : FunctionTable.all()) {
            FunctionTable.Doc doc = FunctionTable.doc(f.name());
            g.writeStartObject();
            g.writeStringField("name", f.name());
            g.writeStringField("signature", FunctionTable.signature(f));
            g.writeArrayFieldStart("args");
            for (int i = 0; i < f.argTypes().size(); i++) {
                g.writeStartObject();
                g.writeStringField("name", doc.argNames().get(i));
                g.writeStringField("type", FunctionTable.typeName(f.argTypes().get(i)));
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeNumberField("variadic", f.variadic());
            g.writeStringField("returns", FunctionTable.typeName(f.returnType()));
            g.writeBooleanField("experimental", f.experimental());
            g.writeStringField("description", doc.description());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private void both(HttpApi api, String pattern, Endpoint e) {
        Handler<RoutingContext> h = handler(e);
        api.get(pattern, h);
        api.post(pattern, HttpApi.MAX_FORM_BYTES, h).failureHandler(PromApi::formTooLarge);
    }

    /** A form body over the limit: Prometheus's JSON error naming the limit, not the body handler's bare 413. */
    private static void formTooLarge(RoutingContext ctx) {
        if (ctx.statusCode() != 413) {
            ctx.next();
            return;
        }
        HttpApi.respond(ctx, 400, JSON, PromApiJsonWriter.error(ApiError.badData(
                "http: POST too large: form bodies are limited to " + HttpApi.MAX_FORM_BYTES + " bytes")));
    }

    private Handler<RoutingContext> handler(Endpoint e) {
        return ctx -> {
            Queryable shared = storage.get();
            if (shared == null) {
                HttpApi.respond(ctx, 503, "text/plain; charset=utf-8", Buffer.buffer("Service Unavailable"));
                return;
            }
            Tenant tenant;
            try {
                tenant = tenants.of(ctx.request());
            } catch (TenantException err) {
                ApiError api = ApiError.of(err);
                HttpApi.respond(ctx, api.type.httpStatus, JSON, PromApiJsonWriter.error(api));
                return;
            }
            Queryable q = tenant.queryable(shared);
            Params params = Params.of(ctx.request().formAttributes(), ctx.queryParams());
            ContentCoding coding = ContentCoding.negotiate(ctx.request().getHeader(HttpHeaders.ACCEPT_ENCODING));
            // A client that goes away interrupts its query, which the engine reports as canceled. The request's
            // timeout parameter bounds its wait in line too, as in Prometheus; a bad one is reported by the endpoint.
            RequestTimeout timeout = RequestTimeout.of(params);
            ctx.put(RequestTimeout.KEY, timeout);
            QueryGate.answer(ctx, gate, timeout.gateMs(), true, leftMs -> {
                try {
                    Result r = e.serve(tenant, q, params, ctx, leftMs);
                    Buffer body = PromApiJsonWriter.success(r.data(), r.warnings(), r.infos());
                    // Encoded here on the query thread: a large answer would hold the event loop for tens of ms.
                    int rawLength = body.length();
                    Buffer sent = coding.encode(body);
                    if (sent != body) {
                        BodyBuffers.recycle(body);
                    }
                    return new Reply(200, sent, rawLength, sent == body);
                } catch (ApiError err) {
                    return Reply.of(err);
                } catch (TenantException err) {
                    return Reply.of(ApiError.of(err));
                } catch (RuntimeException err) {
                    LOG.log(Level.WARNING, "query API request " + ctx.request().path() + " failed", err);
                    return Reply.of(new ApiError(ApiError.Type.INTERNAL, String.valueOf(err.getMessage())));
                }
            }, r -> Reply.of(ApiError.refused(r)), r -> {
                coding.headers(ctx.response(), r.rawLength());
                HttpApi.respond(ctx, r.status(), JSON, r.body()).onComplete(done -> {
                    if (r.rendered()) {
                        BodyBuffers.recycle(r.body());
                    }
                });
            });
        };
    }

    /**
     * The {@code timeout} parameter, read once per request: {@code ms} (-1 when absent) bounds the wait in line and
     * the run; a bad value ({@code error}) is reported by the endpoints that run the engine, as bad_data.
     */
    private record RequestTimeout(long ms, String error) {
        static final String KEY = "sightline.promapi.timeout";

        static RequestTimeout of(Params p) {
            String to = p.get("timeout");
            if (to.isEmpty()) {
                return new RequestTimeout(-1, null);
            }
            try {
                return new RequestTimeout(Math.max(0, Params.parseDurationNanos(to) / 1_000_000), null);
            } catch (IllegalArgumentException e) {
                return new RequestTimeout(-1, e.getMessage());
            }
        }

        /** The gate's bound on the wait: at least 1 ms, 0 (the gate's own) when absent or bad. */
        long gateMs() {
            return ms < 0 ? 0 : Math.max(1, ms);
        }
    }

    /**
     * A status and JSON body, made (and encoded) on a query thread and written on the event loop; {@code rawLength}
     * is the body's length before encoding, 0 for a body sent as it is; a {@code rendered} body is the writer's own,
     * whose array goes back to {@link BodyBuffers} once sent.
     */
    private record Reply(int status, Buffer body, int rawLength, boolean rendered) {
        static Reply of(ApiError err) {
            return new Reply(err.httpStatus, PromApiJsonWriter.error(err), 0, false);
        }
    }

    // ------------------------------------------------------------------ queries

    private Result query(Tenant t, Queryable q, Params p, RoutingContext ctx, long timeLeftMs) throws ApiError {
        long limit = p.limit();
        long time = p.time("time", clockMs.getAsLong());
        Engine engine = engine(t, ctx, p, timeLeftMs);
        String query = p.get("query");
        Expr expr = parseQuery(query);
        t.queried();
        QueryResult r = run(t, engine, () -> engine.instant(q, expr, time, query));
        return queryResult(r, limit);
    }

    private Result queryRange(Tenant t, Queryable q, Params p, RoutingContext ctx, long timeLeftMs) throws ApiError {
        long limit = p.limit();
        long start = p.requiredTime("start");
        long end = p.requiredTime("end");
        if (end < start) {
            throw ApiError.badData("end timestamp must not be before start time");
        }
        long stepNs;
        try {
            stepNs = Params.parseDurationNanos(p.get("step"));
        } catch (IllegalArgumentException e) {
            throw ApiError.invalidParam("step", e.getMessage());
        }
        if (stepNs <= 0) {
            throw ApiError.badData("zero or negative query resolution step widths are not accepted. Try a positive integer");
        }
        String tooLong = ranges.rangeError(nanos(start), nanos(end));
        if (tooLong != null) {
            throw ApiError.badData(tooLong);
        }
        if (ranges.tooManyPoints(nanos(start), nanos(end), stepNs)) {
            // Prometheus's text, with the limit of limits.query_max_points_per_series.
            throw ApiError.badData("exceeded maximum resolution of " + ranges.maxPointsText()
                    + " points per timeseries. Try decreasing the query resolution (?step=XX)");
        }
        Engine engine = engine(t, ctx, p, timeLeftMs);
        String query = p.get("query");
        Expr expr = parseQuery(query);
        t.checkQueryLength(start, end);
        t.queried();
        long stepMs = stepNs / 1_000_000;
        QueryResult r = run(t, engine, () -> engine.range(q, expr, start, end, stepMs, query));
        return queryResult(r, limit);
    }

    /** Milliseconds as nanoseconds, saturating as Go's time arithmetic. */
    private static long nanos(long ms) {
        try {
            return Math.multiplyExact(ms, 1_000_000L);
        } catch (ArithmeticException e) {
            return ms < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    /**
     * An engine with this request's timeout (the smallest of the parameter, the configured one and what the wait in
     * the query gate left), lookback, and the tenant's sample limit.
     */
    private Engine engine(Tenant t, RoutingContext ctx, Params p, long timeLeftMs) throws ApiError {
        EngineOptions tenantOpts = t.engineOptions(engineOptions);
        EngineOptions opts = tenantOpts.withTimeoutMs(Math.min(tenantOpts.timeoutMs(), timeLeftMs));
        RequestTimeout timeout = ctx.get(RequestTimeout.KEY);
        if (timeout.error() != null) {
            throw ApiError.invalidParam("timeout", timeout.error());
        }
        if (timeout.ms() >= 0) {
            // timeout=0 gives the engine no time at all (the gate's wait had at least 1 ms).
            opts = opts.withTimeoutMs(Math.min(opts.timeoutMs(), timeout.ms()));
        }
        String lookback = p.get("lookback_delta");
        if (!lookback.isEmpty()) {
            long ns;
            try {
                ns = Params.parseDurationNanos(lookback);
            } catch (IllegalArgumentException e) {
                throw ApiError.badData("error parsing lookback delta duration: " + e.getMessage());
            }
            // As Prometheus, zero or less means the engine's default.
            if (ns / 1_000_000 > 0) {
                opts = opts.withLookbackDeltaMs(ns / 1_000_000);
            }
        }
        return new Engine(opts);
    }

    private static Expr parseQuery(String query) throws ApiError {
        try {
            return PromQLParser.parseExpr(query);
        } catch (ParseException e) {
            throw ApiError.invalidParam("query", e.getMessage());
        }
    }

    /** Runs a query; the tenant's own sample limit, when it is the one reached, answers 429 naming it. */
    private static QueryResult run(Tenant t, Engine engine, Supplier<QueryResult> exec) throws ApiError {
        try {
            return exec.get();
        } catch (PromQLException e) {
            if (PromQLException.TOO_MANY_SAMPLES.equals(e.getMessage()) && t.boundsQuerySamples(engine.options())) {
                throw ApiError.of(t.querySamplesReached());
            }
            throw switch (e.kind()) {
                // The engine checks the expression type before evaluating, where Prometheus's NewRangeQuery does.
                case BAD_DATA -> ApiError.invalidParam("query", e.getMessage());
                case EXECUTION -> new ApiError(ApiError.Type.EXECUTION, e.getMessage());
                case TIMEOUT -> new ApiError(ApiError.Type.TIMEOUT, e.getMessage());
                case CANCELED -> new ApiError(ApiError.Type.CANCELED, e.getMessage());
            };
        }
    }

    private static Result queryResult(QueryResult r, long limit) {
        Value v = r.value();
        List<String> warnings = r.warnings();
        if (limit > 0) {
            Value truncated = switch (v) {
                case Vector vec when vec.samples().size() > limit -> new Vector(vec.samples().subList(0, (int) limit));
                case Matrix m when m.series().size() > limit -> new Matrix(m.series().subList(0, (int) limit));
                default -> v;
            };
            if (truncated != v) {
                v = truncated;
                warnings = new ArrayList<>(warnings);
                warnings.add(TRUNCATED);
            }
        }
        Value out = v;
        return new Result(g -> PromApiJsonWriter.queryData(g, out), warnings, r.infos());
    }

    // ------------------------------------------------------------------ metadata queries

    private Result series(Tenant t, Queryable q, Params p, RoutingContext ctx, long timeLeftMs) throws ApiError {
        if (p.all("match[]").isEmpty()) {
            throw ApiError.badData("no match[] parameter provided");
        }
        long limit = p.limit();
        long start = p.time("start", Params.MIN_TIME_MS);
        long end = p.time("end", Params.MAX_TIME_MS);
        List<List<LabelMatcher>> sets = p.matchers();
        t.queried();
        List<Labels> series = new ArrayList<>();
        try (Querier querier = q.querier(start, end)) {
            if (sets.size() == 1) {
                SeriesSet ss = querier.select(true, start, end, sets.get(0).toArray(LabelMatcher[]::new));
                // One more than the limit tells whether anything was cut.
                while (ss.next() && (limit == 0 || series.size() <= limit)) {
                    series.add(ss.at().labels());
                }
            } else {
                TreeSet<Labels> merged = new TreeSet<>();
                for (List<LabelMatcher> set : sets) {
                    SeriesSet ss = querier.select(true, start, end, set.toArray(LabelMatcher[]::new));
                    while (ss.next()) {
                        merged.add(ss.at().labels());
                    }
                }
                series.addAll(merged);
            }
        }
        List<String> warnings = List.of();
        if (limit > 0 && series.size() > limit) {
            series = series.subList(0, (int) limit);
            warnings = List.of(TRUNCATED);
        }
        List<Labels> out = series;
        return new Result(g -> {
            g.writeStartArray();
            for (Labels l : out) {
                PromApiJsonWriter.labels(g, l);
            }
            g.writeEndArray();
        }, warnings, List.of());
    }

    private Result labels(Tenant t, Queryable q, Params p, RoutingContext ctx, long timeLeftMs) throws ApiError {
        long limit = p.limit();
        long start = p.time("start", Params.MIN_TIME_MS);
        long end = p.time("end", Params.MAX_TIME_MS);
        List<List<LabelMatcher>> sets = p.matchers();
        t.queried();
        TreeSet<String> names = new TreeSet<>();
        try (Querier querier = q.querier(start, end)) {
            if (sets.isEmpty()) {
                names.addAll(querier.labelNames());
            }
            for (List<LabelMatcher> set : sets) {
                names.addAll(querier.labelNames(set.toArray(LabelMatcher[]::new)));
            }
        }
        return stringList(new ArrayList<>(names), limit);
    }

    private Result labelValues(Tenant t, Queryable q, Params p, RoutingContext ctx, long timeLeftMs) throws ApiError {
        String name = ctx.pathParam("name");
        if (name.startsWith("U__")) {
            name = unescapeName(name);
        }
        long limit = p.limit();
        long start = p.time("start", Params.MIN_TIME_MS);
        long end = p.time("end", Params.MAX_TIME_MS);
        List<List<LabelMatcher>> sets = p.matchers();
        t.queried();
        TreeSet<String> values = new TreeSet<>();
        try (Querier querier = q.querier(start, end)) {
            if (sets.isEmpty()) {
                values.addAll(querier.labelValues(name));
            }
            for (List<LabelMatcher> set : sets) {
                values.addAll(querier.labelValues(name, set.toArray(LabelMatcher[]::new)));
            }
        }
        return stringList(new ArrayList<>(values), limit);
    }

    private static Result stringList(List<String> list, long limit) {
        List<String> warnings = List.of();
        if (limit > 0 && list.size() > limit) {
            list = list.subList(0, (int) limit);
            warnings = List.of(TRUNCATED);
        }
        List<String> out = list;
        return new Result(g -> {
            g.writeStartArray();
            for (String s : out) {
                g.writeString(s);
            }
            g.writeEndArray();
        }, warnings, List.of());
    }

    /**
     * Prometheus's model.UnescapeName for U__-escaped label names (ValueEncodingEscaping): "__" is "_", "_HEX_" a
     * code point, anything else leaves the name as it was.
     */
    static String unescapeName(String escaped) {
        String s = escaped.substring(3);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '_') {
                sb.append(c);
                continue;
            }
            int close = s.indexOf('_', i + 1);
            if (close == i + 1) {
                sb.append('_');
                i++;
                continue;
            }
            if (close < 0) {
                return escaped;
            }
            try {
                int cp = Integer.parseInt(s.substring(i + 1, close), 16);
                if (!Character.isValidCodePoint(cp)) {
                    return escaped;
                }
                sb.appendCodePoint(cp);
            } catch (NumberFormatException e) {
                return escaped;
            }
            i = close;
        }
        return sb.toString();
    }

    /**
     * Metric family metadata from the store, in Prometheus's shape: {"family": [{"type", "help", "unit"}, ...]}.
     * As Prometheus: {@code metric} selects one family, {@code limit} (>= 0) caps the families, {@code limit_per_metric}
     * (> 0) the descriptions of each; absent means all.
     */
    private Result metadata(Tenant t, Queryable q, Params p, RoutingContext ctx, long timeLeftMs) throws ApiError {
        int limit = intParam(p, "limit");
        int limitPerMetric = intParam(p, "limit_per_metric");
        var families = t.metadata().query(p.get("metric"), limit, limitPerMetric);
        return new Result(g -> {
            g.writeStartObject();
            for (var f : families.entrySet()) {
                g.writeArrayFieldStart(f.getKey());
                for (MetadataStore.Entry e : f.getValue()) {
                    g.writeStartObject();
                    g.writeStringField("type", e.type());
                    g.writeStringField("help", e.help());
                    g.writeStringField("unit", e.unit());
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        });
    }

    /** An integer parameter, -1 when absent. */
    private static int intParam(Params p, String name) throws ApiError {
        String s = p.get(name);
        if (s.isEmpty()) {
            return -1;
        }
        long v;
        try {
            v = Params.parseGoInt(s);
        } catch (IllegalArgumentException e) {
            throw ApiError.badData(name + " must be a number");
        }
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, v));
    }

    private Result formatQuery(Tenant t, Queryable q, Params p, RoutingContext ctx, long timeLeftMs) throws ApiError {
        String pretty = Prettier.pretty(parseQuery(p.get("query")));
        return new Result(g -> g.writeString(pretty));
    }

    /**
     * The exemplars of the series any selector of the query selects, in [start, end], as Prometheus answers:
     * {@code [{"seriesLabels":{...},"exemplars":[{"labels":{...},"value":"1.5","timestamp":1600096945.479}]}]},
     * series sorted by labels; {@code null} data for a query without selectors.
     */
    private Result queryExemplars(Tenant t, Queryable q, Params p, RoutingContext ctx, long timeLeftMs) throws ApiError {
        long start = p.time("start", Params.MIN_TIME_MS);
        long end = p.time("end", Params.MAX_TIME_MS);
        if (end < start) {
            throw ApiError.badData("end timestamp must not be before start time");
        }
        List<List<LabelMatcher>> selectors = new ArrayList<>();
        selectors(parseQuery(p.get("query")), selectors);
        if (selectors.isEmpty()) {
            // Prometheus returns no data at all for a query without selectors.
            return new Result(g -> g.writeNull());
        }
        t.queried();
        List<ExemplarSeries> found = t.exemplars().select(start, end, selectors);
        return new Result(g -> {
            g.writeStartArray();
            for (ExemplarSeries s : found) {
                g.writeStartObject();
                g.writeFieldName("seriesLabels");
                PromApiJsonWriter.labels(g, s.seriesLabels());
                g.writeArrayFieldStart("exemplars");
                for (Exemplar e : s.exemplars()) {
                    g.writeStartObject();
                    g.writeFieldName("labels");
                    PromApiJsonWriter.labels(g, e.labels());
                    g.writeFieldName("value");
                    PromApiJsonWriter.value(g, e.value());
                    g.writeFieldName("timestamp");
                    PromApiJsonWriter.timestamp(g, e.timestampMs());
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
        });
    }

    /** The matchers of every vector selector in the expression, as Prometheus's parser.ExtractSelectors. */
    private static void selectors(Expr e, List<List<LabelMatcher>> out) {
        switch (e) {
            case VectorSelector vs -> out.add(vs.matchers());
            case MatrixSelector ms -> out.add(ms.vectorSelector().matchers());
            case SubqueryExpr sq -> selectors(sq.expr(), out);
            case ParenExpr pe -> selectors(pe.expr(), out);
            case UnaryExpr u -> selectors(u.expr(), out);
            case StepInvariantExpr s -> selectors(s.expr(), out);
            case BinaryExpr b -> b.operands().forEach(operand -> selectors(operand, out));
            case AggregateExpr a -> {
                selectors(a.expr(), out);
                if (a.param() != null) {
                    selectors(a.param(), out);
                }
            }
            case Call c -> c.args().forEach(arg -> selectors(arg, out));
            default -> {
            }
        }
    }
}
