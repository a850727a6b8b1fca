package dev.sightline.server.traceapi;

import com.google.protobuf.CodedOutputStream;
import dev.sightline.core.span.Attributes;
import dev.sightline.core.span.SpanKind;
import dev.sightline.core.span.SpanIds;
import dev.sightline.core.span.StatusCode;
import dev.sightline.server.BuildInfo;
import dev.sightline.server.traceapi.TraceApi.Reply;
import dev.sightline.server.traceapi.TraceParams.BadRequest;
import dev.sightline.traces.SpanCondition;
import dev.sightline.traces.SpanCondition.Op;
import dev.sightline.traces.SpanCondition.Scope;
import dev.sightline.traces.SpanCondition.Target;
import dev.sightline.traces.SpanQuerier;
import dev.sightline.traces.SpanQuerier.Operation;
import dev.sightline.traces.SpanQuery;
import dev.sightline.traces.StoredSpan;
import dev.sightline.traces.TraceId;
import dev.sightline.traces.TraceSummary;
import dev.sightline.traces.traceql.TraceQL;
import dev.sightline.traces.traceql.TraceQLEngine;
import dev.sightline.traces.traceql.TraceQLEngine.SearchResult;
import dev.sightline.traces.traceql.TraceQLEngine.Series;
import dev.sightline.traces.traceql.TraceQLEngine.SpanMatch;
import dev.sightline.traces.traceql.TraceQLEngine.SpanSetMatch;
import dev.sightline.traces.traceql.TraceQLEngine.TagValue;
import dev.sightline.traces.traceql.TraceQLEngine.TraceMatch;
import io.opentelemetry.proto.trace.v1.TracesData;
import dev.sightline.server.query.RangeLimits;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * Tempo's HTTP query API (docs/sources/tempo/api_docs) as Grafana's Tempo data source calls it: trace by id (v1
 * and v2, protobuf or JSON), search (TraceQL through {@link TraceQlBackend}, or the legacy tags/minDuration/
 * maxDuration parameters on the span store), tag names and values (v1 and v2), TraceQL metrics, echo and
 * buildinfo. Errors are plain text, as Tempo's http.Error writes them.
 */
final class TempoApi {
    /** Tempo's search limit default (querier.search.default_result_limit). */
    static final int DEFAULT_LIMIT = 20;
    /** Spans per spanset default. */
    static final int DEFAULT_SPSS = 3;
    static final int DEFAULT_TAG_VALUES_LIMIT = 10_000;
    /**
     * The Tempo release whose API this answers like: Grafana turns Tempo features on by buildinfo's version (as
     * for Prometheus, see BuildInfo), so Sightline's own version rides along as semver build metadata.
     */
    static final String TEMPO_API_VERSION = "2.8.0";
    /** What Tempo's search shows as the root of a trace whose root span is not stored (yet). */
    static final String ROOT_NOT_RECEIVED = "<root span not yet received>";
    static final String PROTOBUF = "application/protobuf";
    /** How many of the newest traces rootServiceName and rootName values are read from. */
    static final int ROOT_VALUES_TRACES = 10_000;
    /** Tempo's intrinsics that the store answers for (TraceQL names); the rest need the engine. */
    static final List<String> INTRINSICS = List.of("duration", "kind", "name", "rootName", "rootServiceName",
            "status", "statusMessage", "traceDuration");
    private static final long ALL_FROM = Long.MIN_VALUE;
    private static final long ALL_TO = Long.MAX_VALUE;

    private final TraceQlBackend traceQl;
    private final LongSupplier nowNanos;
    private final JsonObject buildInfo;
    /** limits.query_max_range and query_max_points_per_series, for metrics query_range. */
    private final RangeLimits ranges;

    TempoApi(TraceQlBackend traceQl, LongSupplier nowNanos, BuildInfo info, RangeLimits ranges) {
        this.ranges = ranges;
        this.traceQl = traceQl;
        this.nowNanos = nowNanos;
        // GET /api/status/buildinfo: Tempo's fields, no envelope.
        this.buildInfo = new JsonObject()
                .put("version", info.compatibleVersion(TEMPO_API_VERSION))
                .put("revision", info.revision()).put("branch", info.branch()).put("buildUser", info.buildUser())
                .put("buildDate", info.buildDate()).put("goVersion", info.javaVersion());
    }

    Reply buildInfo() {
        return Reply.json(200, buildInfo);
    }

    /**
     * {@code GET /api/traces/{id}} (v1: the trace itself, {@code {"batches":[...]}}) and {@code /api/v2/traces/{id}}
     * (v2: TraceByIDResponse, {@code {"trace":{"resourceSpans":[...]},"status":"COMPLETE"}}); protobuf when the
     * client accepts application/protobuf, as Grafana's data source asks. 404 "trace not found" when none stored.
     */
    Reply trace(SpanQuerier q, RoutingContext ctx, String idText, boolean v2) {
        TraceId id = TraceParams.traceId("traceID", idText);
        long[] range = seconds(ctx);
        if (v2 && !matchesAll(TraceParams.value(ctx, "q"))) {
            throw BadRequest.param("q", "filtering a trace by a TraceQL spanset is not supported; ask without q");
        }
        List<StoredSpan> spans = q.trace(id, range[0], range[1]);
        if (spans.isEmpty()) {
            return Reply.text(404, "trace not found\n");
        }
        TracesData data = OtlpTraces.tracesData(spans);
        if (acceptsProtobuf(ctx)) {
            return new Reply(200, PROTOBUF, Buffer.buffer(v2 ? traceByIdResponse(data) : data.toByteArray()));
        }
        if (!v2) {
            return Reply.json(200, OtlpTraces.json(data, "batches"));
        }
        return Reply.json(200, new JsonObject().put("trace", OtlpTraces.json(data, "resourceSpans"))
                .put("status", "COMPLETE"));
    }

    /**
     * Whether a spanset filter keeps every span: absent, {@code {}} or {@code { true }} (Grafana's editor sends
     * {@code {}} when no filter is set), so the store answers without the TraceQL engine.
     */
    static boolean matchesAll(String q) {
        String compact = q.replaceAll("\\s+", "");
        return compact.isEmpty() || compact.equals("{}") || compact.equals("{true}");
    }

    static boolean acceptsProtobuf(RoutingContext ctx) {
        String accept = ctx.request().getHeader("Accept");
        return accept != null && accept.toLowerCase(Locale.ROOT).contains(PROTOBUF);
    }

    /**
     * tempopb.TraceByIDResponse: field 1 the Trace (wire-identical to TracesData); status (field 3) COMPLETE is
     * proto3's default and so absent.
     */
    private static byte[] traceByIdResponse(TracesData data) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(data.getSerializedSize() + 8);
        try {
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            out.writeMessage(1, data);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * {@code GET /api/search}: with {@code q}, a TraceQL search by the engine; otherwise the legacy parameters
     * ({@code tags} logfmt, {@code minDuration} and {@code maxDuration} of the trace) on the store. Answers Tempo's
     * SearchResponse JSON.
     */
    Reply search(SpanQuerier q, RoutingContext ctx) {
        long[] range = seconds(ctx);
        int limit = TraceParams.positiveInt(ctx, "limit", DEFAULT_LIMIT);
        int spss = TraceParams.positiveInt(ctx, "spss", DEFAULT_SPSS);
        String traceQlQuery = TraceParams.value(ctx, "q");
        if (!traceQlQuery.isBlank()) {
            return traceQlSearch(traceQl.search(q, traceQlQuery, range[0], range[1], limit, spss));
        }
        Set<String> shownKeys = new LinkedHashSet<>();
        long min = TraceParams.durationParam(ctx, "minDuration", 0);
        long max = TraceParams.durationParam(ctx, "maxDuration", 0);
        if (min != 0 && max != 0 && max < min) {
            throw BadRequest.param("maxDuration", "maxDuration (" + TraceParams.value(ctx, "maxDuration")
                    + ") must be greater than minDuration (" + TraceParams.value(ctx, "minDuration") + ")");
        }
        List<List<SpanCondition>> tags = new ArrayList<>();
        for (String[] kv : Logfmt.parse("tags", TraceParams.value(ctx, "tags"))) {
            tags.add(tagReadings(kv[0], kv[1]));
            shownKeys.add(kv[0]);
        }
        List<TraceSummary> found = byTraceDuration(q, range, tags, min, max == 0 ? Long.MAX_VALUE : max, limit, spss);
        JsonArray traces = new JsonArray();
        for (TraceSummary t : found) {
            traces.add(searchTrace(t, shownKeys));
        }
        return Reply.json(200, new JsonObject().put("traces", traces)
                .put("metrics", new JsonObject().put("completedJobs", 1).put("totalJobs", 1)));
    }

    /**
     * A TraceQL search's SearchResponse: every spanset of each trace with its attributes (by(), count(), ...), and
     * metrics.inspectedTraces. A search the engine cut at its candidate bound is partial: it reports its one job as
     * not completed (completedJobs 0 of totalJobs 1, the progress Tempo's search metrics report for a search not
     * finished), so a client can tell more traces may match.
     */
    private static Reply traceQlSearch(SearchResult result) {
        JsonArray traces = new JsonArray();
        for (TraceMatch t : result.traces()) {
            JsonArray spanSets = new JsonArray();
            for (SpanSetMatch set : t.spanSets()) {
                JsonArray spans = new JsonArray();
                for (SpanMatch m : set.spans()) {
                    JsonArray attributes = new JsonArray();
                    for (TraceQLEngine.Attribute a : m.attributes()) {
                        // Tempo carries name and duration in the span's own fields, not among its attributes.
                        if (!a.name().equals("name") && !a.name().equals("duration")) {
                            attributes.add(keyValue(a));
                        }
                    }
                    spans.add(searchSpan(m.span(), attributes));
                }
                JsonObject spanSet = new JsonObject().put("spans", spans).put("matched", set.matched());
                if (!set.attributes().isEmpty()) {
                    JsonArray attributes = new JsonArray();
                    set.attributes().forEach(a -> attributes.add(keyValue(a)));
                    spanSet.put("attributes", attributes);
                }
                spanSets.add(spanSet);
            }
            traces.add(searchTrace(t.traceId(), t.rootServiceName(), t.rootSpanName(), t.startNanos(),
                    t.durationNanos(), spanSets));
        }
        return Reply.json(200, new JsonObject().put("traces", traces).put("metrics", new JsonObject()
                .put("inspectedTraces", result.inspectedTraces())
                .put("completedJobs", result.truncated() ? 0 : 1).put("totalJobs", 1)));
    }

    /** A TraceQL value as OTLP's AnyValue JSON, as Tempo writes it: durations and nil as Go prints them. */
    private static JsonObject keyValue(TraceQLEngine.Attribute a) {
        return new JsonObject().put("key", a.name()).put("value", anyValue(a.value()));
    }

    private static JsonObject anyValue(Object v) {
        return switch (v) {
            case Boolean b -> new JsonObject().put("boolValue", b);
            case Long n -> new JsonObject().put("intValue", Long.toString(n));
            case Double d -> new JsonObject().put("doubleValue", number(d));
            case Duration d -> new JsonObject().put("stringValue", TraceQL.formatDuration(d.toNanos()));
            case null -> new JsonObject().put("stringValue", "nil");
            default -> new JsonObject().put("stringValue", v.toString());
        };
    }

    /**
     * The newest traces with a span meeting the tags whose duration (first start to last end) is in [min, max]. The
     * store filters spans, not traces, so the search asks for more traces (four times as many each round) until
     * enough pass or the store has no more.
     */
    private static List<TraceSummary> byTraceDuration(SpanQuerier q, long[] range, List<List<SpanCondition>> tags,
                                                      long min, long max, int limit, int spss) {
        for (int fetch = limit; ; fetch = (int) Math.min(Integer.MAX_VALUE, fetch * 4L)) {
            List<TraceSummary> got = TagSearch.search(q, range[0], range[1], List.of(), tags, fetch, spss);
            List<TraceSummary> kept = new ArrayList<>();
            for (TraceSummary t : got) {
                if (t.durationNanos() >= min && t.durationNanos() <= max && kept.size() < limit) {
                    kept.add(t);
                }
            }
            if (kept.size() == limit || got.size() < fetch || fetch == Integer.MAX_VALUE
                    || (min == 0 && max == Long.MAX_VALUE)) {
                return kept;
            }
        }
    }

    /**
     * The readings of a legacy search tag: Tempo matches the value as a case-insensitive substring of string
     * attributes (api_docs, "Parameters for Tag Based Search"), and numbers and booleans by the value they spell;
     * {@code name} and {@code status.code} test the span's name and status.
     */
    static List<SpanCondition> tagReadings(String key, String value) {
        String substring = "(?i).*" + Pattern.quote(value) + ".*";
        List<SpanCondition> readings = new ArrayList<>(TagSearch.readings(key, value,
                v -> SpanCondition.attribute(Scope.ANY, key, Op.REGEX, substring)));
        if (key.equals("name")) {
            readings.add(SpanCondition.intrinsic(Target.NAME, Op.REGEX, substring));
        } else if (key.equals("status.code")) {
            for (StatusCode c : StatusCode.values()) {
                if (c.name().equalsIgnoreCase(value) || Integer.toString(c.number()).equals(value)) {
                    readings.add(SpanCondition.intrinsic(Target.STATUS, Op.EQ, c));
                }
            }
        }
        return readings;
    }

    /**
     * One trace of a search answer, with its matched spans as one spanset (spanSet and spanSets both, as Tempo).
     * Grafana's table reads spanID, name, startTimeUnixNano, durationNanos and attributes of each span
     * (datasource/tempo/resultTransformer.ts, transformSpanToTraceData).
     */
    private static JsonObject searchTrace(TraceSummary t, Set<String> shownKeys) {
        JsonArray spans = new JsonArray();
        for (StoredSpan s : t.matchedSpans()) {
            JsonArray attributes = new JsonArray();
            for (String key : shownKeys) {
                addAttribute(attributes, key, s.span().attributes());
                addAttribute(attributes, key, s.resource().attributes());
            }
            spans.add(searchSpan(s, attributes));
        }
        return searchTrace(t.traceId(), t.rootServiceName(), t.rootSpanName(), t.startNanos(), t.durationNanos(),
                new JsonArray().add(new JsonObject().put("spans", spans).put("matched", t.matchedCount())));
    }

    private static JsonObject searchSpan(StoredSpan s, JsonArray attributes) {
        JsonObject span = new JsonObject().put("spanID", SpanIds.spanIdHex(s.span().spanId()))
                .put("name", s.span().name())
                .put("startTimeUnixNano", Long.toString(s.span().startUnixNano()))
                .put("durationNanos", Long.toString(s.span().durationNanos()));
        if (!attributes.isEmpty()) {
            span.put("attributes", attributes);
        }
        return span;
    }

    /** A trace of the search answer; spanSet (deprecated in Tempo, still read by older Grafana) is the first set. */
    private static JsonObject searchTrace(TraceId id, String rootServiceName, String rootSpanName, long startNanos,
                                          long durationNanos, JsonArray spanSets) {
        JsonObject trace = new JsonObject()
                // Tempo's TraceIDToHexString trims leading zeros; span ids keep their 16 digits.
                .put("traceID", trimZeros(id.hex()))
                .put("rootServiceName", rootServiceName.isEmpty() ? ROOT_NOT_RECEIVED : rootServiceName)
                .put("rootTraceName", rootSpanName)
                .put("startTimeUnixNano", Long.toString(startNanos))
                .put("durationMs", durationNanos / 1_000_000L);
        if (!spanSets.isEmpty()) {
            trace.put("spanSet", spanSets.getJsonObject(0).copy());
        }
        return trace.put("spanSets", spanSets);
    }

    private static void addAttribute(JsonArray out, String key, Attributes a) {
        int i = a.indexOf(key);
        if (i >= 0) {
            out.add(new JsonObject().put("key", key).put("value", OtlpTraces.anyValueJson(a, i)));
        }
    }

    static String trimZeros(String hex) {
        int i = 0;
        while (i < hex.length() - 1 && hex.charAt(i) == '0') {
            i++;
        }
        return hex.substring(i);
    }

    /** {@code GET /api/search/tags?scope=}: {"tagNames":[...]}, span and resource keys by default. */
    Reply tagNames(SpanQuerier q, RoutingContext ctx) {
        long[] range = seconds(ctx);
        String scope = TraceParams.value(ctx, "scope");
        List<String> names = switch (scope) {
            case "", "all" -> q.attributeKeys(Scope.ANY, range[0], range[1]);
            case "intrinsic" -> INTRINSICS;
            default -> q.attributeKeys(scope(scope), range[0], range[1]);
        };
        int limit = TraceParams.positiveInt(ctx, "limit", Integer.MAX_VALUE);
        return Reply.json(200, new JsonObject().put("tagNames", new JsonArray(new ArrayList<>(
                names.subList(0, Math.min(limit, names.size()))))));
    }

    /** {@code GET /api/v2/search/tags?scope=&q=}: {"scopes":[{"name":"resource","tags":[..]}, ...]}. */
    Reply tagNamesV2(SpanQuerier q, RoutingContext ctx) {
        long[] range = seconds(ctx);
        String scope = TraceParams.value(ctx, "scope");
        int limit = TraceParams.positiveInt(ctx, "limit", Integer.MAX_VALUE);
        String filter = TraceParams.value(ctx, "q");
        boolean filtered = !matchesAll(filter);
        List<String> scopes = switch (scope) {
            case "", "all" -> List.of("resource", "span", "intrinsic");
            case "resource", "span", "intrinsic" -> List.of(scope);
            default -> throw unknownScope(scope);
        };
        JsonArray out = new JsonArray();
        for (String s : scopes) {
            List<String> names = s.equals("intrinsic") ? INTRINSICS
                    : filtered ? traceQl.tagNames(q, s, filter, range[0], range[1], limit)
                    : q.attributeKeys(scope(s), range[0], range[1]);
            out.add(new JsonObject().put("name", s).put("tags",
                    new JsonArray(new ArrayList<>(names.subList(0, Math.min(limit, names.size()))))));
        }
        return Reply.json(200, new JsonObject().put("scopes", out));
    }

    private static Scope scope(String scope) {
        return switch (scope) {
            case "span" -> Scope.SPAN;
            case "resource" -> Scope.RESOURCE;
            default -> throw unknownScope(scope);
        };
    }

    private static BadRequest unknownScope(String scope) {
        return BadRequest.param("scope", "unknown or unsupported scope \"" + scope
                + "\"; expected resource, span or intrinsic");
    }

    /** {@code GET /api/search/tag/{tag}/values}: the values of an attribute of span or resource, as text. */
    Reply tagValues(SpanQuerier q, RoutingContext ctx, String tag) {
        long[] range = seconds(ctx);
        int limit = TraceParams.positiveInt(ctx, "limit", DEFAULT_TAG_VALUES_LIMIT);
        List<String> values = q.attributeValues(Scope.ANY, tag, List.of(), range[0], range[1], limit);
        return Reply.json(200, new JsonObject().put("tagValues", new JsonArray(new ArrayList<>(values))));
    }

    /**
     * {@code GET /api/v2/search/tag/{tag}/values?q=}: typed values of a TraceQL identifier: {@code resource.x},
     * {@code span.x}, {@code .x}, and the intrinsics. Without a spanset filter {@code q}, name, kind, status and the
     * roots are read from the store's operations and newest traces; the rest (and all with {@code q}) by the engine.
     */
    Reply tagValuesV2(SpanQuerier q, RoutingContext ctx, String tag) {
        long[] range = seconds(ctx);
        int limit = TraceParams.positiveInt(ctx, "limit", DEFAULT_TAG_VALUES_LIMIT);
        String filter = TraceParams.value(ctx, "q");
        if (!matchesAll(filter)) {
            return tagValuesJson(traceQl.tagValues(q, tag, filter, range[0], range[1], limit));
        }
        List<TagValue> out = new ArrayList<>();
        switch (tag) {
            case "name", "span:name" -> {
                TreeSet<String> names = new TreeSet<>();
                for (Operation op : q.operations("", range[0], range[1])) {
                    names.add(op.name());
                }
                names.stream().limit(limit).forEach(n -> out.add(new TagValue("string", n)));
            }
            case "kind", "span:kind" -> {
                TreeSet<SpanKind> kinds = new TreeSet<>();
                for (Operation op : q.operations("", range[0], range[1])) {
                    kinds.add(op.kind());
                }
                kinds.stream().limit(limit).forEach(k -> out.add(new TagValue("keyword", k.name().toLowerCase(Locale.ROOT))));
            }
            case "status", "span:status" -> {
                for (StatusCode c : StatusCode.values()) {
                    SpanQuery one = new SpanQuery(range[0], range[1],
                            List.of(SpanCondition.intrinsic(Target.STATUS, Op.EQ, c)), 1, 1);
                    if (out.size() < limit && !q.search(one).isEmpty()) {
                        out.add(new TagValue("keyword", c.name().toLowerCase(Locale.ROOT)));
                    }
                }
            }
            case "rootServiceName", "trace:rootService", "rootName", "trace:rootName" -> {
                // The roots of the newest traces (as Tempo, a tag value list may stop short on a big store).
                boolean service = tag.contains("Service");
                TreeSet<String> roots = new TreeSet<>();
                for (TraceSummary t : q.search(new SpanQuery(range[0], range[1], List.of(), ROOT_VALUES_TRACES, 1))) {
                    String v = service ? t.rootServiceName() : t.rootSpanName();
                    if (!v.isEmpty()) {
                        roots.add(v);
                    }
                }
                roots.stream().limit(limit).forEach(v -> out.add(new TagValue("string", v)));
            }
            default -> out.addAll(traceQl.tagValues(q, tag, "", range[0], range[1], limit));
        }
        return tagValuesJson(out);
    }

    private static Reply tagValuesJson(List<TagValue> values) {
        JsonArray out = new JsonArray();
        for (TagValue v : values) {
            out.add(new JsonObject().put("type", v.type()).put("value", v.text()));
        }
        return Reply.json(200, new JsonObject().put("tagValues", out));
    }

    /**
     * {@code GET /api/metrics/query_range?q=&start=&end=&since=&step=}: Tempo's QueryRangeResponse,
     * {@code {"series":[{"labels":[..],"samples":[{"timestampMs":"..","value":..}],"promLabels":".."}]}}.
     */
    Reply metricsQueryRange(SpanQuerier q, RoutingContext ctx) {
        String query = requiredQuery(ctx);
        long[] range = metricsRange(ctx);
        String tooLong = ranges.rangeError(range[0], range[1]);
        if (tooLong != null) {
            throw new BadRequest(tooLong);
        }
        long step = TraceParams.durationParam(ctx, "step", defaultStep(range));
        if (step <= 0) {
            throw BadRequest.param("step", "must be positive, got " + TraceParams.value(ctx, "step"));
        }
        if (ranges.tooManyPoints(range[0], range[1], step)) {
            throw BadRequest.param("step", "too many steps: " + (range[1] - range[0]) / step + " (at most "
                    + ranges.maxPointsText() + ", limits.query_max_points_per_series); raise the step");
        }
        JsonArray series = new JsonArray();
        for (Series s : traceQl.metricsQueryRange(q, query, range[0], range[1], step)) {
            JsonArray samples = new JsonArray();
            for (int i = 0; i < s.values().length; i++) {
                samples.add(new JsonObject().put("timestampMs", Long.toString(s.timestampsNanos()[i] / 1_000_000L))
                        .put("value", number(s.values()[i])));
            }
            series.add(new JsonObject().put("labels", labels(s.labels())).put("samples", samples)
                    .put("promLabels", s.promLabels()));
        }
        return Reply.json(200, new JsonObject().put("series", series));
    }

    /** {@code GET /api/metrics/query}: Tempo's QueryInstantResponse, {@code {"series":[{"labels":..,"value":..}]}}. */
    Reply metricsQuery(SpanQuerier q, RoutingContext ctx) {
        String query = requiredQuery(ctx);
        long[] range = metricsRange(ctx);
        JsonArray series = new JsonArray();
        for (Series s : traceQl.metricsQuery(q, query, range[0], range[1])) {
            // One step over the whole range: a series has its one sample (series without data are left out).
            for (double v : s.values()) {
                series.add(new JsonObject().put("labels", labels(s.labels())).put("value", number(v))
                        .put("promLabels", s.promLabels()));
            }
        }
        return Reply.json(200, new JsonObject().put("series", series));
    }

    private static String requiredQuery(RoutingContext ctx) {
        String q = TraceParams.value(ctx, "q");
        if (q.isBlank()) {
            throw BadRequest.param("q", "a TraceQL metrics query is required");
        }
        return q;
    }

    /** Tempo's default: about 100 points over the range, at least a second. */
    private static long defaultStep(long[] range) {
        return Math.max(1_000_000_000L, (range[1] - range[0]) / 100);
    }

    /**
     * The range of a metrics query: start and end as unix seconds, unix nanoseconds or RFC 3339, or {@code since}
     * (a Go duration) back from now; the last hour by default.
     */
    private long[] metricsRange(RoutingContext ctx) {
        long now = nowNanos.getAsLong();
        long end = metricsTime(ctx, "end", now);
        long since = TraceParams.durationParam(ctx, "since", 3_600_000_000_000L);
        long start = metricsTime(ctx, "start", end - since);
        if (end <= start) {
            throw BadRequest.param("end", "end must be after start");
        }
        return new long[]{start, end};
    }

    private static long metricsTime(RoutingContext ctx, String name, long dflt) {
        String v = TraceParams.value(ctx, name);
        if (v.isEmpty()) {
            return dflt;
        }
        try {
            long n = Long.parseLong(v);
            // Nanoseconds are told from seconds by size, as Tempo does: seconds stay below 1e11 for millennia.
            return Math.abs(n) >= 100_000_000_000L ? n : Math.multiplyExact(n, 1_000_000_000L);
        } catch (NumberFormatException e) {
            try {
                java.time.Instant t = java.time.OffsetDateTime.parse(v).toInstant();
                return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
            } catch (java.time.format.DateTimeParseException | ArithmeticException bad) {
                throw BadRequest.param(name, "\"" + v + "\" is neither unix seconds, unix nanoseconds nor RFC 3339");
            }
        } catch (ArithmeticException e) {
            throw BadRequest.param(name, "out of range: " + v);
        }
    }

    /** Series labels as Tempo's KeyValue JSON (nil reads "nil", as Tempo encodes it). */
    private static JsonArray labels(List<TraceQLEngine.Label> labels) {
        JsonArray out = new JsonArray();
        for (TraceQLEngine.Label l : labels) {
            out.add(new JsonObject().put("key", l.name()).put("value", anyValue(l.value())));
        }
        return out;
    }

    /** A sample value: a JSON number, or "NaN"/"Inf"/"-Inf" as protobuf JSON writes non-finite doubles. */
    private static Object number(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "Infinity" : "-Infinity";
        }
        return v;
    }

    /**
     * The optional start and end of Tempo's trace-by-id, search and tag endpoints, in unix seconds; everything
     * stored when absent. 400 naming the parameter when it is not an integer or end is before start.
     */
    private static long[] seconds(RoutingContext ctx) {
        long start = secondsParam(ctx, "start", ALL_FROM);
        long end = secondsParam(ctx, "end", ALL_TO);
        if (end < start) {
            throw BadRequest.param("end", "end " + TraceParams.value(ctx, "end") + " is before start "
                    + TraceParams.value(ctx, "start"));
        }
        return new long[]{start, end == ALL_TO ? ALL_TO : end + 999_999_999L};
    }

    private static long secondsParam(RoutingContext ctx, String name, long dflt) {
        if (TraceParams.value(ctx, name).isEmpty()) {
            return dflt;
        }
        long s = TraceParams.longParam(ctx, name, 0);
        if (s > Long.MAX_VALUE / 2_000_000_000L || s < Long.MIN_VALUE / 2_000_000_000L) {
            throw BadRequest.param(name, "seconds out of range: " + s);
        }
        return s * 1_000_000_000L;
    }
}
