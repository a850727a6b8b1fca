package dev.sightline.server.services;

import dev.sightline.metricstore.Queryable;
import dev.sightline.promql.ast.Expr;
import dev.sightline.promql.engine.Engine;
import dev.sightline.promql.engine.EngineOptions;
import dev.sightline.promql.engine.Sample;
import dev.sightline.promql.engine.Vector;
import dev.sightline.promql.parser.ParseException;
import dev.sightline.promql.parser.PromQLParser;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * Every service seen in span metrics or HTTP server metrics with its golden signals now: request rate, error ratio
 * and p99 duration over the last 5 minutes, and a health verdict from fixed thresholds (docs/services.md). A
 * service found in both sources is reported from span metrics, which see every operation.
 */
public final class GoldenSignals {
    /** The rate window of the signals now and of the generated dashboards. */
    static final String WINDOW = "5m";
    /** How far back a service still counts as seen (listed, with rate 0). */
    static final String SEEN = "1h";
    static final double WARN_ERROR_RATIO = 0.01, BAD_ERROR_RATIO = 0.05;
    static final double WARN_P99_SECONDS = 1, BAD_P99_SECONDS = 5;
    private static final List<SignalSource> SOURCES = List.of(SignalSource.SPANS, SignalSource.HTTP);

    public enum Health { ok, warn, bad }

    /**
     * One service's signals.
     *
     * @param entryPoints whether the source has entry-point series for it (requests are those, else all series)
     * @param p99Seconds  NaN when no request was timed in the window
     */
    public record Service(String name, SignalSource source, boolean entryPoints, double rate, double errorRatio,
                          double p99Seconds, Health health) {
        /** The matchers selecting this service's requests. */
        String selector() {
            String own = source.serviceLabel() + "=" + PromQl.string(name);
            return entryPoints && source.entryMatcher() != null ? own + ", " + source.entryMatcher() : own;
        }
    }

    private final EngineOptions options;

    public GoldenSignals(EngineOptions options) {
        this.options = options;
    }

    /** Every service, sorted by name. */
    public List<Service> services(Queryable storage, long nowMs) {
        Map<String, Service> byName = new TreeMap<>();
        for (SignalSource source : SOURCES) {
            for (Service s : services(storage, nowMs, source)) {
                byName.putIfAbsent(s.name(), s);
            }
        }
        return List.copyOf(byName.values());
    }

    private List<Service> services(Queryable storage, long nowMs, SignalSource source) {
        String svc = source.serviceLabel();
        // Which services exist, and which of them have entry points.
        Set<String> names = new HashSet<>();
        Set<String> withEntries = new HashSet<>();
        each(storage, nowMs, source.seen(source.serviceAndEntry(), SEEN), (s, v) -> {
            String name = s.labels().get(svc);
            if (name.isEmpty()) {
                return;
            }
            names.add(name);
            if (source.entryLabel() != null && source.isEntry(s.labels().get(source.entryLabel()))) {
                withEntries.add(name);
            }
        });
        // name -> {requests, failed requests}: of the entry points where a service has any, else of all its series.
        Map<String, double[]> counts = new HashMap<>();
        String[] selectors = {"", source.errors()};
        for (int k = 0; k < selectors.length; k++) {
            int slot = k;
            each(storage, nowMs, source.rate(selectors[slot], source.serviceAndEntry(), WINDOW), (s, v) -> {
                String name = s.labels().get(svc);
                boolean entry = source.entryLabel() == null || source.isEntry(s.labels().get(source.entryLabel()));
                if (names.contains(name) && (entry || !withEntries.contains(name))) {
                    counts.computeIfAbsent(name, n -> new double[2])[slot] += v;
                }
            });
        }
        Map<String, Double> p99 = new HashMap<>();
        each(storage, nowMs, source.quantile(0.99, "", svc, WINDOW), (s, v) -> {
            if (!withEntries.contains(s.labels().get(svc))) {
                p99.put(s.labels().get(svc), v);
            }
        });
        if (source.entryMatcher() != null) {
            each(storage, nowMs, source.quantile(0.99, source.entryMatcher(), svc, WINDOW), (s, v) -> {
                if (withEntries.contains(s.labels().get(svc))) {
                    p99.put(s.labels().get(svc), v);
                }
            });
        }
        List<Service> out = new ArrayList<>();
        for (String name : names) {
            double[] c = counts.getOrDefault(name, new double[2]);
            double errorRatio = c[0] > 0 ? c[1] / c[0] : 0;
            double q = p99.getOrDefault(name, Double.NaN);
            out.add(new Service(name, source, withEntries.contains(name), c[0], errorRatio, q, health(errorRatio, q)));
        }
        return out;
    }

    /** bad: errors >= 5% or p99 >= 5 s; warn: errors >= 1% or p99 >= 1 s; ok otherwise (no traffic is ok). */
    static Health health(double errorRatio, double p99Seconds) {
        if (errorRatio >= BAD_ERROR_RATIO || p99Seconds >= BAD_P99_SECONDS) {
            return Health.bad;
        }
        if (errorRatio >= WARN_ERROR_RATIO || p99Seconds >= WARN_P99_SECONDS) {
            return Health.warn;
        }
        return Health.ok;
    }

    /** The instant vector's samples with their float values (NaN and histogram samples are skipped). */
    void each(Queryable storage, long nowMs, String query, BiConsumer<Sample, Double> each) {
        Expr expr;
        try {
            expr = PromQLParser.parseExpr(query);
        } catch (ParseException e) {
            throw new IllegalStateException("generated query does not parse: " + query, e);
        }
        if (!(new Engine(options).instant(storage, expr, nowMs, query).value() instanceof Vector v)) {
            throw new IllegalStateException("not an instant vector: " + query);
        }
        for (Sample s : v.samples()) {
            if (!s.isHistogram() && !Double.isNaN(s.f())) {
                each.accept(s, s.f());
            }
        }
    }
}
