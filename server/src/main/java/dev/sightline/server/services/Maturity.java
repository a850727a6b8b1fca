package dev.sightline.server.services;

import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.core.span.Span;
import dev.sightline.logs.LogEntry;
import dev.sightline.logs.LogQuerier;
import dev.sightline.logs.LogSelection;
import dev.sightline.logs.LogStore;
import dev.sightline.logs.patterns.PatternMiner;
import dev.sightline.metricstore.Querier;
import dev.sightline.metricstore.Queryable;
import dev.sightline.promql.ast.AggregateExpr;
import dev.sightline.promql.ast.BinaryExpr;
import dev.sightline.promql.ast.Call;
import dev.sightline.promql.ast.Expr;
import dev.sightline.promql.ast.MatrixSelector;
import dev.sightline.promql.ast.ParenExpr;
import dev.sightline.promql.ast.StepInvariantExpr;
import dev.sightline.promql.ast.SubqueryExpr;
import dev.sightline.promql.ast.UnaryExpr;
import dev.sightline.promql.ast.VectorSelector;
import dev.sightline.promql.engine.EngineOptions;
import dev.sightline.rules.RuleConfig;
import dev.sightline.rules.RuleExpr;
import dev.sightline.server.synthetics.SyntheticsTelemetry;
import dev.sightline.synthetics.canary.CanaryStatus;
import dev.sightline.synthetics.journey.Journey;
import dev.sightline.traces.SpanCondition;
import dev.sightline.traces.SpanQuerier;
import dev.sightline.traces.SpanQuery;
import dev.sightline.traces.SpanStore;
import dev.sightline.traces.StoredSpan;
import dev.sightline.traces.TraceSummary;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiConsumer;

/**
 * Which level of the maturity model (1 blind, 2 reactive, 3 proactive, 4 insightful, 5 predictive) each service's
 * signals reach, from what the server holds now: its metrics, golden signals, alerting rules, traces, logs,
 * canaries, journeys and drill results (docs/maturity.md). A level is reached when every criterion of it and of
 * the levels below is met; {@link Service#next()} names what the next level still lacks.
 */
public final class Maturity {
    public static final List<String> LEVELS = List.of("blind", "reactive", "proactive", "insightful", "predictive");
    /** The labels naming a metric's service: Prometheus's job, OTLP's service_name, span metrics' service. */
    static final List<String> SERVICE_LABELS = List.of("job", "service_name", "service");
    private static final String SPAN_METRICS = "traces_spanmetrics_.+";
    private static final String SERVICE_GRAPH = "traces_service_graph_request_total";
    /** How many of a service's recent traces are read to find context crossing services. */
    static final int TRACES_SAMPLED = 20;
    /** How many of a service's log lines are read at most to count those carrying a trace id. */
    static final int LOG_LINES_READ = 10_000;
    private static final long SEEN_MS = 3_600_000;

    /** One criterion: its level, id, whether it is met and what was found (or what was looked for). */
    public record Criterion(int level, String id, String title, boolean met, String evidence, List<String> found) {
    }

    /** One service's level (1-5), its criteria in level order, and the unmet criteria of the next level. */
    public record Service(String name, int level, List<Criterion> criteria, List<Criterion> next) {
        public String levelName() {
            return LEVELS.get(level - 1);
        }
    }

    /** What the server holds; every store may be null (not open), then its criteria are unmet. */
    public record Holdings(Queryable metrics, List<RuleConfig> alertingRules, SpanStore spans, LogStore logs,
                           List<CanaryStatus> canaries, List<Journey> journeys, Drills drills) {
    }

    private final GoldenSignals signals;

    public Maturity(EngineOptions options) {
        this.signals = new GoldenSignals(options);
    }

    /** Every service the server knows (in metrics, span metrics, traces or logs of the last hour), by name. */
    public List<Service> assess(Holdings h, long nowMs) {
        long from = nowMs - SEEN_MS;
        Map<String, Set<String>> metricNames = new TreeMap<>();
        Map<String, GoldenSignals.Service> golden = new HashMap<>();
        if (h.metrics() != null) {
            try (Querier q = h.metrics().querier(from, nowMs)) {
                for (String label : SERVICE_LABELS) {
                    LabelMatcher[] scope = scope(label);
                    for (String svc : q.labelValues(label, scope)) {
                        metricNames.computeIfAbsent(svc, s -> new TreeSet<>())
                                .addAll(q.labelValues(Labels.METRIC_NAME, with(scope, LabelMatcher.eq(label, svc))));
                    }
                }
            }
            for (GoldenSignals.Service s : signals.services(h.metrics(), nowMs)) {
                golden.put(s.name(), s);
                metricNames.computeIfAbsent(s.name(), n -> new TreeSet<>());
            }
        }
        Set<String> names = new TreeSet<>(metricNames.keySet());
        if (h.spans() != null) {
            names.addAll(h.spans().querier().serviceNames(from * 1_000_000L, nowMs * 1_000_000L));
        }
        if (h.logs() != null) {
            for (Labels stream : h.logs().querier().series(from * 1_000_000L, nowMs * 1_000_000L, List.of())) {
                String svc = PatternMiner.service(stream);
                if (!svc.equals(PatternMiner.UNKNOWN_SERVICE)) {
                    names.add(svc);
                }
            }
        }
        // The spans and lines of Sightline's own checks are evidence for the services they check, not a service.
        names.removeAll(SyntheticsTelemetry.SERVICES);
        List<Service> out = new ArrayList<>();
        for (String name : names) {
            out.add(assess(h, name, metricNames.getOrDefault(name, Set.of()), golden.get(name), from, nowMs));
        }
        return out;
    }

    /** Span metrics name their service in {@code service}; other labels name it in any metric. */
    private static LabelMatcher[] scope(String label) {
        return label.equals("service") ? new LabelMatcher[] {LabelMatcher.re(Labels.METRIC_NAME, SPAN_METRICS)}
                : new LabelMatcher[0];
    }

    private static LabelMatcher[] with(LabelMatcher[] scope, LabelMatcher m) {
        LabelMatcher[] out = java.util.Arrays.copyOf(scope, scope.length + 1);
        out[scope.length] = m;
        return out;
    }

    private Service assess(Holdings h, String name, Set<String> metrics, GoldenSignals.Service golden, long from, long nowMs) {
        List<Criterion> c = new ArrayList<>();
        c.add(new Criterion(2, "metrics", "metrics", !metrics.isEmpty(),
                metrics.isEmpty() ? "no series with job, service_name or span metrics' service = " + name
                        : metrics.size() + " metric name(s)", List.copyOf(metrics)));

        c.add(new Criterion(3, "golden_signals", "golden signals (rate, errors, duration)", golden != null,
                golden == null ? "no span metrics (traces_spanmetrics_*) or HTTP server metrics for it"
                        : "from " + golden.source().id() + " (" + golden.source().histogram() + ")", List.of()));
        Set<String> goldenMetrics = new TreeSet<>();
        for (String m : metrics) {
            if (m.startsWith(SignalSource.SPANS.metricPrefix()) || m.startsWith(SignalSource.HTTP.metricPrefix())) {
                goldenMetrics.add(m);
            }
        }
        List<String> covering = rules(h.alertingRules(), name, goldenMetrics, false);
        c.add(new Criterion(3, "golden_alerts", "alert rules covering the golden signals", !covering.isEmpty(),
                covering.isEmpty() ? "no alerting rule selects its golden-signal metrics"
                        : covering.size() + " alerting rule(s)", covering));

        c.add(crossingTraces(h, name, from, nowMs));
        c.add(linkedLogs(h.logs(), name, from, nowMs));

        List<String> anomaly = rules(h.alertingRules(), name, metrics, true);
        c.add(new Criterion(5, "anomaly_rules", "business KPIs with anomaly rules", !anomaly.isEmpty(),
                anomaly.isEmpty() ? "no alerting rule applies an anomaly function to its metrics"
                        : anomaly.size() + " anomaly rule(s)", anomaly));
        c.add(synthetics(h, name));
        c.add(h.drills().criterion(name, nowMs));

        int level = 1;
        while (level < 5 && allMet(c, level + 1)) {
            level++;
        }
        List<Criterion> next = new ArrayList<>();
        for (Criterion k : c) {
            if (k.level() == level + 1 && !k.met()) {
                next.add(k);
            }
        }
        return new Service(name, level, List.copyOf(c), List.copyOf(next));
    }

    private static boolean allMet(List<Criterion> c, int level) {
        return c.stream().filter(k -> k.level() == level).allMatch(Criterion::met);
    }

    /**
     * The alerting rules with a selector of one of {@code metrics} that selects this service or every service
     * (each matcher on a service label matches it); with {@code anomaly}, only selectors inside an anomaly function.
     */
    static List<String> rules(List<RuleConfig> alerting, String service, Set<String> metrics, boolean anomaly) {
        Set<String> out = new LinkedHashSet<>();
        for (RuleConfig r : alerting) {
            if (r.expr() instanceof RuleExpr.PromQl p) {
                selectors(p.expr(), false, (vs, inAnomaly) -> {
                    if ((!anomaly || inAnomaly) && selects(vs, service, metrics)) {
                        out.add(r.name());
                    }
                });
            }
        }
        return List.copyOf(out);
    }

    private static boolean selects(VectorSelector vs, String service, Set<String> metrics) {
        for (LabelMatcher m : vs.matchers()) {
            if (SERVICE_LABELS.contains(m.name()) && !m.matches(service)) {
                return false;
            }
        }
        for (String metric : metrics) {
            if ((vs.name() == null || vs.name().isEmpty() || vs.name().equals(metric)) && vs.matchers().stream()
                    .filter(m -> m.name().equals(Labels.METRIC_NAME)).allMatch(m -> m.matches(metric))) {
                return true;
            }
        }
        return false;
    }

    /** Sightline's anomaly functions (docs/anomaly.md): seasonal_*, *zscore_over_time, anomaly_score_over_time. */
    static boolean isAnomalyFunction(String name) {
        return name.startsWith("seasonal_") || name.endsWith("zscore_over_time") || name.equals("anomaly_score_over_time");
    }

    /** Every vector selector of the expression, and whether it is inside an anomaly function's arguments. */
    private static void selectors(Expr e, boolean inAnomaly, BiConsumer<VectorSelector, Boolean> each) {
        switch (e) {
            case VectorSelector vs -> each.accept(vs, inAnomaly);
            case MatrixSelector ms -> each.accept(ms.vectorSelector(), inAnomaly);
            case SubqueryExpr sq -> selectors(sq.expr(), inAnomaly, each);
            case ParenExpr pe -> selectors(pe.expr(), inAnomaly, each);
            case UnaryExpr u -> selectors(u.expr(), inAnomaly, each);
            case StepInvariantExpr s -> selectors(s.expr(), inAnomaly, each);
            case BinaryExpr b -> b.operands().forEach(o -> selectors(o, inAnomaly, each));
            case AggregateExpr a -> {
                selectors(a.expr(), inAnomaly, each);
                if (a.param() != null) {
                    selectors(a.param(), inAnomaly, each);
                }
            }
            case Call c -> {
                boolean anomaly = inAnomaly || isAnomalyFunction(c.function().name());
                c.args().forEach(arg -> selectors(arg, anomaly, each));
            }
            default -> {
            }
        }
    }

    /**
     * Level 4, traces: among the service's recent traces, spans whose parent is another service's span (either
     * way), or service graph edges with the service as client or server.
     */
    private static Criterion crossingTraces(Holdings h, String name, long from, long nowMs) {
        Set<String> peers = new TreeSet<>();
        int crossing = 0;
        if (h.spans() != null) {
            SpanQuerier q = h.spans().querier();
            long f = from * 1_000_000L, t = nowMs * 1_000_000L;
            for (TraceSummary ts : q.search(new SpanQuery(f, t, List.of(SpanCondition.service(name)), TRACES_SAMPLED, 1))) {
                List<StoredSpan> trace = q.trace(ts.traceId(), f, t);
                Map<Long, String> serviceOf = new HashMap<>();
                trace.forEach(s -> serviceOf.put(s.span().spanId(), s.serviceName()));
                boolean crossed = false;
                for (StoredSpan s : trace) {
                    Span span = s.span();
                    String parent = span.parentSpanId() == 0 ? null : serviceOf.get(span.parentSpanId());
                    if (parent != null && !parent.equals(s.serviceName())
                            && (parent.equals(name) || s.serviceName().equals(name))) {
                        peers.add(parent.equals(name) ? s.serviceName() : parent);
                        crossed = true;
                    }
                }
                if (crossed) {
                    crossing++;
                }
            }
        }
        Set<String> edges = new TreeSet<>();
        if (h.metrics() != null) {
            try (Querier q = h.metrics().querier(from, nowMs)) {
                LabelMatcher graph = LabelMatcher.eq(Labels.METRIC_NAME, SERVICE_GRAPH);
                q.labelValues("server", graph, LabelMatcher.eq("client", name)).forEach(s -> edges.add(name + " -> " + s));
                q.labelValues("client", graph, LabelMatcher.eq("server", name)).forEach(c -> edges.add(c + " -> " + name));
            }
        }
        List<String> found = new ArrayList<>();
        peers.forEach(p -> found.add("span context with " + p));
        edges.forEach(e -> found.add("service graph edge " + e));
        String evidence = crossing == 0 && edges.isEmpty()
                ? "no span with a parent in another service (of " + TRACES_SAMPLED + " recent traces read) and no " + SERVICE_GRAPH + " edge"
                : crossing + " recent trace(s) crossing services, " + edges.size() + " service graph edge(s)";
        return new Criterion(4, "cross_service_traces", "traces with context crossing services",
                crossing > 0 || !edges.isEmpty(), evidence, found);
    }

    /** Level 4, logs: lines of the service's streams carrying {@code trace_id} metadata. */
    private static Criterion linkedLogs(LogStore logs, String name, long from, long nowMs) {
        long[] counts = new long[2];
        Set<String> streams = new TreeSet<>();
        if (logs != null) {
            LogQuerier q = logs.querier();
            long f = from * 1_000_000L, t = nowMs * 1_000_000L;
            // One read per label naming this service (service_name, normally); a line counts in the read of the
            // label its stream is named by, so a stream with two such labels is read once.
            Set<String> labels = new TreeSet<>();
            for (Labels stream : q.series(f, t, List.of())) {
                if (PatternMiner.service(stream).equals(name)) {
                    labels.add(namedBy(stream));
                }
            }
            for (String label : labels) {
                q.samples(LogSelection.streams(f, t, List.of(LabelMatcher.eq(label, name))), (s, metadata, time, bytes) -> {
                    if (!namedBy(s).equals(label)) {
                        return true;
                    }
                    counts[0]++;
                    String id = metadata.get(LogEntry.TRACE_ID);
                    if (id != null && !id.isEmpty()) {
                        counts[1]++;
                        streams.add(s.toString());
                    }
                    return counts[0] < LOG_LINES_READ;
                });
            }
        }
        String evidence = counts[0] == 0 ? "no log lines of this service in the last hour"
                : counts[1] + " of " + counts[0] + " log line(s) read carry trace_id";
        return new Criterion(4, "trace_linked_logs", "structured logs carrying trace ids", counts[1] > 0, evidence,
                List.copyOf(streams));
    }

    /** The label {@link PatternMiner#service} takes a stream's service from ("" when none). */
    private static String namedBy(Labels stream) {
        for (String label : PatternMiner.SERVICE_LABELS) {
            String v = stream.get(label);
            if (v != null && !v.isEmpty()) {
                return label;
            }
        }
        return "";
    }

    /**
     * Level 5: a freshness canary reading this service's metrics (a reader's labels name it), or a journey naming
     * it in its {@code services} or naming none (a journey of the whole product counts for every service).
     */
    private static Criterion synthetics(Holdings h, String name) {
        List<String> found = new ArrayList<>();
        for (CanaryStatus c : h.canaries()) {
            for (CanaryStatus.ReaderStatus r : c.readers()) {
                if (SERVICE_LABELS.stream().anyMatch(l -> name.equals(r.labels().get(l)))) {
                    found.add("canary " + c.name() + " (reader " + r.name() + ")");
                    break;
                }
            }
        }
        int canaries = found.size();
        for (Journey j : h.journeys()) {
            if (j.services().isEmpty()) {
                found.add("journey " + j.name() + " (the whole product)");
            } else if (j.services().contains(name)) {
                found.add("journey " + j.name());
            }
        }
        String evidence = found.isEmpty() ? "no canary reads its metrics and no journey names it or the whole product"
                : canaries + " canary(ies), " + (found.size() - canaries) + " journey(s) on it";
        return new Criterion(5, "synthetics", "freshness canaries or journeys", !found.isEmpty(), evidence, found);
    }
}
