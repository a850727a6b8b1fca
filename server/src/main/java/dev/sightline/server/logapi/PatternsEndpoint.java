package dev.sightline.server.logapi;

import dev.sightline.core.LabelMatcher;
import dev.sightline.core.TenantScope;
import dev.sightline.core.text.GoQuote;
import dev.sightline.core.text.PromDurations;
import dev.sightline.logs.patterns.Pattern;
import dev.sightline.logs.patterns.PatternMiner;
import dev.sightline.promql.parser.ParseException;
import dev.sightline.promql.parser.PromQLParser;
import dev.sightline.server.config.LimitsConfig;
import dev.sightline.server.http.HttpApi;
import dev.sightline.server.tenants.TenantException;
import dev.sightline.server.tenants.Tenants;
import dev.sightline.server.query.QueryGate;
import dev.sightline.server.query.RangeLimits;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.DateTimeException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * Loki's {@code /loki/api/v1/patterns} over the pattern miner, as Grafana's Logs Drilldown reads it:
 * {@code query} a stream selector, {@code start}/{@code end} (unix nanoseconds or seconds, float seconds, or RFC 3339;
 * default the last hour), {@code step} (float seconds or a duration; default the range / 250, at least 1 s, rounded
 * up to the miner's bucket). Answers {@code {"status":"success","data":[{"pattern":"<_> level=info msg=<_>",
 * "level":"info","samples":[[unix s, count],...]}]}}, one entry per pattern text and level (services with the same
 * text summed), steps without lines left out, most lines first. Bad parameters get a 400 in plain text naming the
 * parameter, as Loki answers. Requests run through the {@link QueryGate}, off the worker pool ingestion uses, and the
 * range is bound by the query APIs' {@link RangeLimits} (limits.query_max_range, query_max_points_per_series).
 */
public final class PatternsEndpoint {
    private static final String PATH = "/loki/api/v1/patterns";
    private static final long SECOND = 1_000_000_000L;

    private final PatternMiners miners;
    private final LongSupplier nowNanos;
    private final Tenants tenants;
    private final QueryGate gate;
    private final RangeLimits ranges;

    /** Patterns of every line, as with multitenancy off. */
    public PatternsEndpoint(PatternMiner miner, LongSupplier nowNanos) {
        this(new PatternMiners(miner), nowNanos, null, LimitsConfig.defaults().newQueryGate(), RangeLimits.DEFAULT);
    }

    /** As above with the gate and limits every query runs under. */
    public PatternsEndpoint(PatternMiner miner, LongSupplier nowNanos, QueryGate gate, RangeLimits ranges) {
        this(new PatternMiners(miner), nowNanos, null, gate, ranges);
    }

    /** Each request gets the patterns of its tenant's lines ({@code tenants} null: of every line). */
    public PatternsEndpoint(PatternMiners miners, LongSupplier nowNanos, Tenants tenants, QueryGate gate,
                            RangeLimits ranges) {
        this.miners = miners;
        this.nowNanos = nowNanos;
        this.tenants = tenants;
        this.gate = gate;
        this.ranges = ranges;
    }

    public void register(HttpApi api) {
        api.get(PATH, this::handle);
        api.post(PATH, HttpApi.MAX_FORM_BYTES, this::handle);
    }

    /** A status, content type and body, made on a query thread and written on the event loop. */
    private record Reply(int status, String contentType, Buffer body) {
        static Reply text(int status, String message) {
            return new Reply(status, "text/plain; charset=utf-8", Buffer.buffer(message + "\n"));
        }
    }

    private void handle(RoutingContext ctx) {
        String tenant;
        try {
            tenant = tenants == null ? null : tenants.of(ctx.request()).id();
        } catch (TenantException e) {
            HttpApi.respond(ctx, e.status(), "text/plain; charset=utf-8", Buffer.buffer(e.getMessage() + "\n"));
            return;
        }
        QueryGate.answerWithin(ctx, gate, deadline -> {
            try {
                return new Reply(200, "application/json; charset=utf-8", answer(ctx, tenant));
            } catch (BadRequest b) {
                return Reply.text(400, b.getMessage());
            }
        }, r -> r.timedOut() ? Reply.text(504, LokiApi.TIMED_OUT + " (" + r.getMessage() + ")")
                : Reply.text(r.httpStatus(), r.getMessage()), r -> HttpApi.respond(ctx, r.status(), r.contentType(), r.body()));
    }

    private Buffer answer(RoutingContext ctx, String tenant) {
        String query = param(ctx, "query");
        if (query.isEmpty()) {
            throw new BadRequest("query: a stream selector is required, for example query={service_name=\"api\"}");
        }
        List<LabelMatcher> selector = selector(query);
        long end = time(ctx, "end", nowNanos.getAsLong());
        long start = time(ctx, "start", end - 3600 * SECOND);
        if (end < start) {
            throw new BadRequest("end: the end timestamp must not be before the start time");
        }
        String tooLong = ranges.rangeError(start, end);
        if (tooLong != null) {
            throw new BadRequest(tooLong);
        }
        long step = step(ctx, start, end);
        // A tenant's miner holds its streams as stored, tagged: its selector is scoped as every read of its lines is.
        PatternMiner miner = miners.of(tenant);
        List<LabelMatcher> scoped = tenant == null ? selector : new TenantScope(tenant).matchers(selector);
        List<Pattern> patterns = miner == null || scoped == null ? List.of() : miner.query(scoped, start, end, step);
        // Loki answers one entry per pattern text and level; the same text mined in several services is summed.
        Map<String, TreeMap<Long, Long>> merged = new LinkedHashMap<>();
        Map<String, Pattern> first = new LinkedHashMap<>();
        for (Pattern p : patterns) {
            String key = p.level() + "\n" + p.text();
            first.putIfAbsent(key, p);
            TreeMap<Long, Long> samples = merged.computeIfAbsent(key, k -> new TreeMap<>());
            for (int i = 0; i < p.counts().length; i++) {
                samples.merge(p.timesNanos()[i] / SECOND, p.counts()[i], Long::sum);
            }
        }
        JsonArray data = new JsonArray();
        for (Map.Entry<String, TreeMap<Long, Long>> e : merged.entrySet()) {
            Pattern p = first.get(e.getKey());
            JsonArray samples = new JsonArray();
            e.getValue().forEach((t, c) -> samples.add(new JsonArray().add(t).add(c)));
            data.add(new JsonObject().put("pattern", p.text()).put("level", p.level()).put("samples", samples));
        }
        return new JsonObject().put("status", "success").put("data", data).toBuffer();
    }

    /** The form body's value first, then the query string's, as Go's r.FormValue reads them. */
    private static String param(RoutingContext ctx, String name) {
        String v = ctx.request().formAttributes().get(name);
        if (v == null) {
            v = ctx.request().getParam(name);
        }
        return v == null ? "" : v.trim();
    }

    static List<LabelMatcher> selector(String query) {
        if (!query.startsWith("{")) {
            throw new BadRequest("query: a stream selector such as {service_name=\"api\"} is expected, got " + GoQuote.quote(query));
        }
        List<LabelMatcher> matchers;
        try {
            matchers = PromQLParser.parseMetricSelector(query);
        } catch (ParseException e) {
            throw new BadRequest("query: " + e.getMessage());
        }
        if (matchers.stream().allMatch(LabelMatcher::matchesEmpty)) {
            throw new BadRequest("query: queries require at least one regexp or equality matcher that does not have an "
                    + "empty-compatible value. For instance, app=~\".*\" does not meet this requirement, but app=~\".+\" will");
        }
        return matchers;
    }

    private static long time(RoutingContext ctx, String name, long dflt) {
        String v = param(ctx, name);
        if (v.isEmpty()) {
            return dflt;
        }
        try {
            return parseTimeNanos(v);
        } catch (IllegalArgumentException e) {
            throw new BadRequest(name + ": cannot parse " + GoQuote.quote(v)
                    + " as unix nanoseconds, unix seconds or an RFC 3339 time");
        }
    }

    /**
     * Loki's timestamp reading: with a dot, float unix seconds; an integer of at most 10 digits, unix seconds; a
     * longer one, unix nanoseconds; else RFC 3339 with an optional fraction.
     */
    static long parseTimeNanos(String v) {
        if (v.indexOf('.') >= 0 && !v.contains("T")) {
            double s = Double.parseDouble(v);
            if (!Double.isFinite(s) || Math.abs(s) > 9.2e9) {
                throw new IllegalArgumentException("out of range");
            }
            double whole = Math.floor(s);
            return (long) whole * SECOND + Math.round((s - whole) * 1e9);
        }
        if (isInteger(v)) {
            long n = Long.parseLong(v);
            return v.length() <= 10 ? Math.multiplyExact(n, SECOND) : n;
        }
        try {
            OffsetDateTime t = OffsetDateTime.parse(v, DateTimeFormatter.ISO_OFFSET_DATE_TIME);
            return Math.addExact(Math.multiplyExact(t.toEpochSecond(), SECOND), t.getNano());
        } catch (DateTimeException | ArithmeticException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static boolean isInteger(String v) {
        int i = v.startsWith("-") ? 1 : 0;
        if (i == v.length() || v.length() > 19 + i) {
            return false;
        }
        for (; i < v.length(); i++) {
            if (v.charAt(i) < '0' || v.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private long step(RoutingContext ctx, long start, long end) {
        String v = param(ctx, "step");
        long step;
        if (v.isEmpty()) {
            // Loki's default range step: the range in 250 points, at least one second.
            step = Math.max(1, (end - start) / SECOND / 250) * SECOND;
        } else {
            step = parseStepNanos(v);
        }
        if (step <= 0) {
            throw new BadRequest("step: zero or negative query resolution step widths are not accepted. Try a positive integer");
        }
        if (ranges.tooManyPoints(start, end, step)) {
            throw new BadRequest("step: exceeded maximum resolution of " + ranges.maxPointsText() + " points per "
                    + "timeseries. Try decreasing the query resolution (?step=XX)");
        }
        return step;
    }

    /** Float seconds or a Prometheus duration ({@code 30s}, {@code 1m}), as Loki's parseSecondsOrDuration. */
    static long parseStepNanos(String v) {
        try {
            double s = Double.parseDouble(v);
            if (Double.isFinite(s) && Math.abs(s) < 9e9) {
                return Math.round(s * 1e9);
            }
        } catch (NumberFormatException e) {
            // not a number: a duration
        }
        try {
            return Math.multiplyExact(PromDurations.parseMillis(v), 1_000_000L);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new BadRequest("step: cannot parse " + GoQuote.quote(v) + " as seconds or a duration");
        }
    }

    /** A 400 answer; the message names the parameter at fault. */
    static final class BadRequest extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadRequest(String message) {
            super(message, null, false, false);
        }
    }
}
