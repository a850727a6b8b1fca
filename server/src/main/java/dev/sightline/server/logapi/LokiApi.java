package dev.sightline.server.logapi;

import dev.sightline.server.tenants.Tenant;
import dev.sightline.server.tenants.TenantException;
import dev.sightline.server.tenants.Tenants;
import dev.sightline.core.Deadline;
import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.logs.LineFilter;
import dev.sightline.logs.LogFields;
import dev.sightline.logs.LogQuerier;
import dev.sightline.logs.LogSelection;
import dev.sightline.logs.LogSelection.Direction;
import dev.sightline.logs.LogStore;
import dev.sightline.logs.logql.LogQlEngine;
import dev.sightline.logs.logql.LogQlException;
import dev.sightline.logs.logql.LogQlResult;
import dev.sightline.server.BuildInfo;
import dev.sightline.server.config.LimitsConfig;
import dev.sightline.server.http.HttpApi;
import dev.sightline.server.query.QueryGate;
import dev.sightline.server.query.RangeLimits;
import dev.sightline.server.logapi.LokiParams.BadRequest;
import dev.sightline.server.promapi.PromApiJsonWriter;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Loki's HTTP query API on the main port, so Grafana's Loki data source and {@code logcli} work unchanged: LogQL
 * queries ({@code query}, {@code query_range}) through a {@link LogQlEngine}; labels, label values, series, index
 * stats, volume, detected labels and fields from the store's {@link LogQuerier} directly; live tail
 * ({@link LiveTail}) from {@link LiveLines}. GET and form-encoded POST as Loki takes them. Errors are 400 with
 * Loki's plain-text message (bad parameters, LogQL that does not parse or is not implemented). Requests run through
 * the {@link QueryGate}: off the event loop and off the worker pool ingestion uses.
 */
public final class LokiApi {
    /** The Loki release whose API this answers like (buildinfo's version, with Sightline's as build metadata). */
    static final String LOKI_API_VERSION = "3.5.0";
    static final String JSON = "application/json";
    static final String TEXT = "text/plain; charset=utf-8";
    private static final long SIX_HOURS = 6 * LokiParams.HOUR;
    /** Label names detected_labels keeps even when their values look like ids (Loki's static labels). */
    private static final Set<String> STATIC_LABELS = Set.of("cluster", "namespace", "instance", "pod");
    /** Loki's answers to a query past its timeout (504) and one whose client went away (499). */
    static final String TIMED_OUT = "request timed out, decrease the duration of the request or add more label "
            + "matchers (prefer exact match over regex match) to reduce the amount of data processed";
    static final String CANCELED = "the request was cancelled by the client\n";

    private final Supplier<? extends LogStore> store;
    private final Function<? super LogQuerier, ? extends LogQlEngine> engines;
    private final LongSupplier nowNanos;
    private final LiveTail tail;
    private final Tenants tenants;
    private final JsonObject buildInfo;
    private final QueryGate gate;
    private final RangeLimits ranges;

    /**
     * @param store    the log store, or null while it is not open (requests then answer 503)
     * @param engines  the LogQL engine over one request's querier
     * @param live     committed lines for live tail
     * @param nowNanos the clock of default times, unix nanoseconds
     */
    public LokiApi(Supplier<? extends LogStore> store, Function<? super LogQuerier, ? extends LogQlEngine> engines,
                   LiveLines live, LongSupplier nowNanos, BuildInfo info) {
        this(store, engines, live, nowNanos, info, null);
    }

    /** As above, each request reading the share of the tenant its X-Scope-OrgID names ({@code tenants}, null: none). */
    public LokiApi(Supplier<? extends LogStore> store, Function<? super LogQuerier, ? extends LogQlEngine> engines,
                   LiveLines live, LongSupplier nowNanos, BuildInfo info, Tenants tenants) {
        this(store, engines, live, nowNanos, info, tenants, LimitsConfig.defaults().newQueryGate(), RangeLimits.DEFAULT);
    }

    /** Every request runs through {@code gate}; range queries are bound by {@code ranges}. */
    public LokiApi(Supplier<? extends LogStore> store, Function<? super LogQuerier, ? extends LogQlEngine> engines,
                   LiveLines live, LongSupplier nowNanos, BuildInfo info, QueryGate gate, RangeLimits ranges) {
        this(store, engines, live, nowNanos, info, null, gate, ranges);
    }

    /** The tenant's share per request ({@code tenants}, null: none), through {@code gate}, within {@code ranges}. */
    public LokiApi(Supplier<? extends LogStore> store, Function<? super LogQuerier, ? extends LogQlEngine> engines,
                   LiveLines live, LongSupplier nowNanos, BuildInfo info, Tenants tenants, QueryGate gate,
                   RangeLimits ranges) {
        this.tenants = tenants;
        this.gate = gate;
        this.ranges = ranges;
        this.store = store;
        this.engines = engines;
        this.nowNanos = nowNanos;
        this.tail = new LiveTail(store, live, nowNanos, tenants);
        this.buildInfo = new JsonObject()
                .put("version", info.compatibleVersion(LOKI_API_VERSION))
                .put("revision", info.revision()).put("branch", info.branch()).put("buildUser", info.buildUser())
                .put("buildDate", info.buildDate()).put("goVersion", info.javaVersion());
    }

    /** A status, content type and body, made on a worker thread and written on the event loop. */
    private record Reply(int status, String contentType, Buffer body) {
        static Reply json(Buffer body) {
            return new Reply(200, JSON, body);
        }
    }

    @FunctionalInterface
    private interface Endpoint {
        Reply serve(LogQuerier q, LokiParams p, RoutingContext ctx);
    }

    public void register(HttpApi api) {
        both(api, "/loki/api/v1/query", (q, p, ctx) -> query(q, p));
        both(api, "/loki/api/v1/query_range", (q, p, ctx) -> queryRange(q, p));
        both(api, "/loki/api/v1/labels", (q, p, ctx) -> labels(q, p));
        both(api, "/loki/api/v1/label/:name/values", (q, p, ctx) -> labelValues(q, p, ctx.pathParam("name")));
        both(api, "/loki/api/v1/series", (q, p, ctx) -> series(q, p));
        both(api, "/loki/api/v1/index/stats", (q, p, ctx) -> stats(q, p));
        both(api, "/loki/api/v1/index/volume", (q, p, ctx) -> volume(q, p, false));
        both(api, "/loki/api/v1/index/volume_range", (q, p, ctx) -> volume(q, p, true));
        both(api, "/loki/api/v1/detected_labels", (q, p, ctx) -> detectedLabels(q, p));
        both(api, "/loki/api/v1/detected_fields", (q, p, ctx) -> detectedFields(q, p));
        both(api, "/loki/api/v1/detected_field/:name/values",
                (q, p, ctx) -> detectedFieldValues(q, p, ctx.pathParam("name")));
        api.get("/loki/api/v1/tail", tail::handle);
        api.get("/loki/api/v1/status/buildinfo", ctx -> HttpApi.respond(ctx, 200, JSON, buildInfo.toBuffer()));
        api.get("/ready", ctx -> {
            boolean ready = store.get() != null;
            HttpApi.respond(ctx, ready ? 200 : 503, TEXT, Buffer.buffer(ready ? "ready\n" : "log store not ready\n"));
        });
    }

    private void both(HttpApi api, String pattern, Endpoint e) {
        api.get(pattern, ctx -> answer(ctx, e));
        api.post(pattern, HttpApi.MAX_FORM_BYTES, ctx -> answer(ctx, e)).failureHandler(ctx -> {
            if (ctx.statusCode() != 413) {
                ctx.next();
                return;
            }
            HttpApi.respond(ctx, 400, TEXT, Buffer.buffer("http: POST too large: form bodies are limited to "
                    + HttpApi.MAX_FORM_BYTES + " bytes\n"));
        });
    }

    /**
     * Runs an endpoint through the query gate over a querier that stops at the query's deadline; bad requests and
     * LogQL errors answer 400 with the message, a query the gate refuses 429 with the message naming the limit, one
     * that ran out of time, waiting or running, Loki's 504 (499 when its client went away, though none is left to
     * read it).
     */
    private void answer(RoutingContext ctx, Endpoint e) {
        Tenant tenant;
        try {
            tenant = tenants == null ? null : tenants.of(ctx.request());
        } catch (TenantException err) {
            HttpApi.respond(ctx, err.status(), TEXT, Buffer.buffer(err.getMessage() + "\n"));
            return;
        }
        QueryGate.answerWithin(ctx, gate, deadline -> {
            LogStore shared = store.get();
            if (shared == null) {
                return new Reply(503, TEXT, Buffer.buffer("the log store is not open yet\n"));
            }
            LogStore s = tenant == null ? shared : tenant.logs(shared);
            try {
                return e.serve(s.querier(deadline),
                        new LokiParams(ctx, nowNanos.getAsLong(), ranges), ctx);
            } catch (BadRequest | LogQlException err) {
                return new Reply(400, TEXT, Buffer.buffer(err.getMessage() + "\n"));
            } catch (Deadline.Exceeded err) {
                return err.canceled() ? new Reply(499, TEXT, Buffer.buffer(CANCELED)) : timedOut(err.getMessage());
            }
        }, r -> r.timedOut() ? timedOut(r.getMessage()) : new Reply(r.httpStatus(), TEXT, Buffer.buffer(r.getMessage() + "\n")),
                r -> HttpApi.respond(ctx, r.status(), r.contentType(), r.body()));
    }

    /** Loki's 504 for a query out of time, in line or running, with what ran out ({@code why}). */
    private static Reply timedOut(String why) {
        return new Reply(504, TEXT, Buffer.buffer(TIMED_OUT + " (" + why + ")\n"));
    }

    // ------------------------------------------------------------------ LogQL

    private Reply query(LogQuerier q, LokiParams p) {
        String query = p.required("query");
        int limit = p.limit();
        long time = p.time("time", p.now());
        Direction direction = p.direction();
        long t0 = System.nanoTime();
        LogQlResult r = engines.apply(q).instant(query, time, direction, limit);
        return Reply.json(LokiJson.query(r, (System.nanoTime() - t0) / 1e9));
    }

    private Reply queryRange(LogQuerier q, LokiParams p) {
        String query = p.required("query");
        long[] range = p.queryBounds(LokiParams.HOUR);
        int limit = p.limit();
        Direction direction = p.direction();
        long step = p.step(range[0], range[1]);
        long interval = p.interval();
        long t0 = System.nanoTime();
        LogQlResult r = engines.apply(q).range(query, range[0], range[1], step, direction, limit);
        if (interval > 0 && r instanceof LogQlResult.Streams s) {
            r = everyInterval(s, interval, direction);
        }
        return Reply.json(LokiJson.query(r, (System.nanoTime() - t0) / 1e9));
    }

    /**
     * Loki's {@code interval}: over all streams in the direction's order, a line is kept when it is at least
     * {@code interval} after (forward) or before (backward) the last line kept. Applied to the lines the engine
     * returned, that is after the limit (Loki applies it before).
     */
    static LogQlResult.Streams everyInterval(LogQlResult.Streams s, long interval, Direction direction) {
        record At(int stream, LogQlResult.Line line) {
        }
        List<At> all = new ArrayList<>();
        for (int i = 0; i < s.streams().size(); i++) {
            for (LogQlResult.Line l : s.streams().get(i).lines()) {
                all.add(new At(i, l));
            }
        }
        Comparator<At> byTime = Comparator.comparingLong(a -> a.line().timeNanos());
        all.sort(direction == Direction.FORWARD ? byTime : byTime.reversed());
        List<List<LogQlResult.Line>> kept = new ArrayList<>();
        s.streams().forEach(st -> kept.add(new ArrayList<>()));
        boolean first = true;
        long last = 0;
        for (At a : all) {
            long t = a.line().timeNanos();
            if (first || (direction == Direction.FORWARD ? t >= last + interval : t <= last - interval)) {
                kept.get(a.stream()).add(a.line());
                last = t;
                first = false;
            }
        }
        List<LogQlResult.Stream> out = new ArrayList<>();
        for (int i = 0; i < kept.size(); i++) {
            if (!kept.get(i).isEmpty()) {
                out.add(new LogQlResult.Stream(s.streams().get(i).labels(), kept.get(i)));
            }
        }
        return new LogQlResult.Streams(out);
    }

    // ------------------------------------------------------------------ the index

    private static Reply labels(LogQuerier q, LokiParams p) {
        long[] range = p.bounds(SIX_HOURS);
        List<LabelMatcher> m = LogSelector.parse("query", p.get("query")).matchers();
        return Reply.json(LokiJson.strings(q.labelNames(range[0], range[1], m)));
    }

    private static Reply labelValues(LogQuerier q, LokiParams p, String name) {
        long[] range = p.bounds(SIX_HOURS);
        List<LabelMatcher> m = LogSelector.parse("query", p.get("query")).matchers();
        return Reply.json(LokiJson.strings(q.labelValues(name, range[0], range[1], m)));
    }

    /** The streams meeting any {@code match[]} selector (every stream when none is given), sorted. */
    private static Reply series(LogQuerier q, LokiParams p) {
        long[] range = p.bounds(SIX_HOURS);
        List<String> selectors = p.all("match[]");
        Set<Labels> streams = new TreeSet<>();
        if (selectors.isEmpty()) {
            streams.addAll(q.series(range[0], range[1], List.of()));
        }
        for (String s : selectors) {
            LogSelector sel = LogSelector.parse("match[]", s);
            if (sel.matchers().isEmpty()) {
                throw new BadRequest("0 matchers in group: " + s);
            }
            streams.addAll(q.series(range[0], range[1], sel.matchers()));
        }
        return Reply.json(LokiJson.success(g -> {
            g.writeStartArray();
            for (Labels l : streams) {
                PromApiJsonWriter.labels(g, l);
            }
            g.writeEndArray();
        }));
    }

    /** {@code {"streams":..,"chunks":..,"entries":..,"bytes":..}}, without the envelope as Loki answers. */
    private static Reply stats(LogQuerier q, LokiParams p) {
        long[] range = p.bounds(LokiParams.HOUR);
        List<LabelMatcher> m = LogSelector.parse("query", p.get("query")).matchers();
        LogQuerier.Stats s = q.stats(range[0], range[1], m);
        return Reply.json(new JsonObject().put("streams", s.streams()).put("chunks", s.chunks())
                .put("entries", s.entries()).put("bytes", s.bytes()).toBuffer());
    }

    /** {@code index/volume} (a vector at the end time) and {@code index/volume_range} (a matrix by step). */
    private static Reply volume(LogQuerier q, LokiParams p, boolean range) {
        int limit = p.positive("limit", Volume.DEFAULT_LIMIT);
        List<LabelMatcher> m = LogSelector.parse("query", p.required("query")).matchers();
        long[] b = range ? p.queryBounds(LokiParams.HOUR) : p.bounds(LokiParams.HOUR);
        long step = range ? p.step(b[0], b[1]) : 0;
        String aggregateBy = p.get("aggregateBy");
        if (!aggregateBy.isEmpty() && !aggregateBy.equals("series") && !aggregateBy.equals("labels")) {
            throw new BadRequest("invalid aggregation option");
        }
        List<String> targets = new ArrayList<>();
        for (String t : p.get("targetLabels").split(",")) {
            if (!t.isBlank()) {
                targets.add(t.strip());
            }
        }
        List<Volume.Series> series = Volume.compute(q, m, b[0], b[1], step, targets, aggregateBy.equals("labels"), limit);
        return Reply.json(LokiJson.success(g -> {
            g.writeStartObject();
            g.writeStringField("resultType", range ? "matrix" : "vector");
            g.writeArrayFieldStart("result");
            for (Volume.Series s : series) {
                if (!range) {
                    LokiJson.sample(g, s::writeMetric, Math.floorDiv(b[1], 1_000_000L), s.total());
                    continue;
                }
                long[] times = new long[s.bytes().length];
                double[] values = new double[times.length];
                int n = 0;
                for (int i = 0; i < times.length; i++) {
                    if (s.bytes()[i] > 0) {
                        times[n] = Math.floorDiv(b[0] + i * step, 1_000_000L);
                        values[n++] = s.bytes()[i];
                    }
                }
                LokiJson.series(g, s::writeMetric, times, values, n);
            }
            g.writeEndArray();
            g.writeEndObject();
        }));
    }

    /**
     * {@code {"detectedLabels":[{"label":..,"cardinality":..}]}}: the stream labels of the selected streams with
     * their number of distinct values, less those whose values all look like ids (numbers or UUIDs, 0 and 1 alone
     * excepted), as Loki leaves them out; Loki's static labels (cluster, namespace, instance, pod) always stay.
     */
    private static Reply detectedLabels(LogQuerier q, LokiParams p) {
        long[] range = p.bounds(LokiParams.HOUR);
        List<LabelMatcher> m = LogSelector.parse("query", p.get("query")).matchers();
        TreeMap<String, Integer> kept = new TreeMap<>();
        for (String name : q.labelNames(range[0], range[1], m)) {
            List<String> values = q.labelValues(name, range[0], range[1], m);
            if (STATIC_LABELS.contains(name) || !allIds(values)) {
                kept.put(name, values.size());
            }
        }
        JsonObject body = new JsonObject();
        List<JsonObject> list = new ArrayList<>();
        kept.forEach((name, n) -> list.add(new JsonObject().put("label", name).put("cardinality", n)));
        body.put("detectedLabels", list);
        return Reply.json(body.toBuffer());
    }

    static boolean allIds(List<String> values) {
        if (values.isEmpty()) {
            return true;
        }
        if (values.size() <= 2 && values.stream().allMatch(v -> v.equals("0") || v.equals("1"))) {
            return false;
        }
        for (String v : values) {
            if (!isNumber(v) && !isUuid(v)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isNumber(String v) {
        return !Double.isNaN(LogFields.number(v)) || v.equalsIgnoreCase("nan");
    }

    private static boolean isUuid(String v) {
        try {
            UUID.fromString(v.length() == 38 && v.startsWith("{") ? v.substring(1, 37) : v);
            return v.length() == 36 || v.length() == 38;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * {@code detected_fields}: the fields of the newest {@code line_limit} lines (default 1000) of the query, at most
     * {@code limit} fields (default 1000).
     */
    private Reply detectedFields(LogQuerier q, LokiParams p) {
        return Reply.json(scanFields(q, p, p.positive("limit", DetectedFields.DEFAULT_FIELD_LIMIT)).json());
    }

    /**
     * {@code detected_field/<name>/values}: {@code {"values":[...]}}, the distinct values of one detected field in
     * the same lines, sorted, at most {@code limit} (default 1000).
     */
    private Reply detectedFieldValues(LogQuerier q, LokiParams p, String name) {
        int limit = p.positive("limit", DetectedFields.DEFAULT_FIELD_LIMIT);
        return Reply.json(scanFields(q, p, Integer.MAX_VALUE).values(name, limit));
    }

    /**
     * Reads the fields of the lines of {@code query}: a selector with line filters is read from the store with the
     * lines' metadata; a query with other stages runs through the LogQL engine and its result lines are read.
     */
    private DetectedFields scanFields(LogQuerier q, LokiParams p, int fieldLimit) {
        String query = p.required("query");
        long[] range = p.queryBounds(LokiParams.HOUR);
        int lineLimit = p.positive("line_limit", DetectedFields.DEFAULT_LINE_LIMIT);
        long step = p.step(range[0], range[1]);
        DetectedFields fields = new DetectedFields(fieldLimit);
        LogSelector selector = LogSelector.parse("query", query);
        List<LineFilter> filters = selector.lineFiltersOrNull();
        if (filters != null) {
            LogSelection s = new LogSelection(range[0], range[1], selector.matchers(), filters, List.of(),
                    Direction.BACKWARD, lineLimit);
            q.select(s, e -> {
                fields.add(e.stream(), e.metadata(), e.line());
                return true;
            });
        } else {
            LogQlResult r = engines.apply(q).range(query, range[0], range[1], step, Direction.BACKWARD, lineLimit);
            if (!(r instanceof LogQlResult.Streams streams)) {
                throw new BadRequest("detected_fields needs a log query, not a metric query: " + query);
            }
            for (LogQlResult.Stream st : streams.streams()) {
                for (LogQlResult.Line l : st.lines()) {
                    fields.add(Labels.EMPTY, Labels.EMPTY, l.text());
                }
            }
        }
        return fields;
    }
}
