package dev.sightline.promql.engine;

import dev.sightline.core.Histogram;
import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.core.Staleness;
import dev.sightline.core.WritePriority;
import dev.sightline.metricstore.FloatSamples;
import dev.sightline.metricstore.Querier;
import dev.sightline.metricstore.Queryable;
import dev.sightline.metricstore.SampleIterator;
import dev.sightline.metricstore.Series;
import dev.sightline.metricstore.SeriesSet;
import dev.sightline.metricstore.ValueType;
import dev.sightline.promql.ast.AggregateExpr;
import dev.sightline.promql.ast.AtModifier;
import dev.sightline.promql.ast.BinaryExpr;
import dev.sightline.promql.ast.Call;
import dev.sightline.promql.ast.DurationExpr;
import dev.sightline.promql.ast.Expr;
import dev.sightline.promql.ast.ExprType;
import dev.sightline.promql.ast.MatrixSelector;
import dev.sightline.promql.ast.NumberLiteral;
import dev.sightline.promql.ast.ParenExpr;
import dev.sightline.promql.ast.StepInvariantExpr;
import dev.sightline.promql.ast.StringLiteral;
import dev.sightline.promql.ast.SubqueryExpr;
import dev.sightline.promql.ast.UnaryExpr;
import dev.sightline.promql.ast.VectorSelector;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluates one query over the steps start, start+interval, ..., end. Vector-typed nodes produce a {@link Matrix}
 * holding each output series' values at the steps where it exists; scalar nodes a {@code double[]} per step;
 * range-typed nodes (selectors, subqueries) are consumed by functions directly from the raw points.
 */
final class Evaluator {
    final EngineOptions opts;
    final Querier querier;
    final long start;
    final long end;
    final long interval;
    final long qStart;
    final long qEnd;
    final Annotations annos;
    final long deadlineNanos;
    final long queryStep;
    final int numSteps;
    private final long[] sampleCount;
    /**
     * Set while evaluating the argument of histogram_count/sum/avg: like Prometheus's HistogramStatsIterator, the
     * selected histograms then get counter-reset hints from comparing each with its predecessor.
     */
    boolean statsMode;
    /** Detector state kept between evaluations (a rule's); null for stateless queries and subqueries. */
    DetectorCache cache;
    /** What the querier came from, for the cache's narrower reads (set with the cache). */
    Queryable queryable;
    /** Reused by {@link #select} for every series it loads. */
    private final FloatSamples floatBuffer = new FloatSamples(1024);

    Evaluator(EngineOptions opts, Querier querier, long start, long end, long interval, long qStart, long qEnd,
              Annotations annos, long deadlineNanos, long queryStep) {
        this(opts, querier, start, end, interval, qStart, qEnd, annos, deadlineNanos, queryStep, new long[1]);
    }

    private Evaluator(EngineOptions opts, Querier querier, long start, long end, long interval, long qStart, long qEnd,
                      Annotations annos, long deadlineNanos, long queryStep, long[] sampleCount) {
        this.opts = opts;
        this.querier = querier;
        this.start = start;
        this.end = end;
        this.interval = interval;
        this.qStart = qStart;
        this.qEnd = qEnd;
        this.annos = annos;
        this.deadlineNanos = deadlineNanos;
        this.queryStep = queryStep;
        this.sampleCount = sampleCount;
        // Every node's output has a slot per step for each series it yields, and a series of one sample per step
        // (vector(1) in a subquery) is the least a non-empty result holds: more steps than the sample limit cannot
        // be answered, and refusing here, before anything is allocated, saves a [10000d:1ms] from running for
        // minutes (the step count of which does not even fit an int).
        long steps = (end - start) / interval + 1;
        if (steps > opts.maxSamples()) {
            throw PromQLException.execution(PromQLException.TOO_MANY_SAMPLES);
        }
        this.numSteps = (int) steps;
    }

    /**
     * Initial capacity for a step-aligned output series: its step count, as Prometheus sizes its point slices, so
     * that filling a series does not copy (growing by doubling cost ~10% of a 24 h range query); bounded so many
     * sparse series of a very long query stay small.
     */
    int outputCapacity() {
        return Math.min(numSteps, 4096);
    }

    long stepTime(int i) {
        return start + i * interval;
    }

    // ---------------------------------------------------------------- durations, offsets, @

    /** A duration as written, or its duration expression evaluated for a query with this step and range. */
    static long durMs(long ms, DurationExpr expr, long queryStepMs, long queryRangeMs) {
        if (expr == null) {
            return ms;
        }
        try {
            return expr.evaluateMs(queryStepMs, queryRangeMs);
        } catch (ArithmeticException e) {
            throw PromQLException.execution(e.getMessage());
        }
    }

    long durationMs(long ms, DurationExpr expr) {
        return durMs(ms, expr, queryStep, qEnd - qStart);
    }

    long refTime(AtModifier at, long t) {
        return switch (at.kind()) {
            case NONE -> t;
            case TIMESTAMP -> at.timestampMs();
            case START -> qStart;
            case END -> qEnd;
        };
    }

    /**
     * {@link #checkDeadline} every 256th step of a loop over steps, whose single steps are cheap; every 16th, only the
     * pause for ingestion (a field read when none is in progress), whose steps can be costly (a sort per window).
     */
    void checkDeadline(int step) {
        if ((step & 0xFF) == 0) {
            checkDeadline();
        } else if ((step & 0xF) == 0) {
            WritePriority.yieldToWrites(deadlineNanos);
        }
    }

    /** Also where a query on a query thread gives way to ingestion in progress (WritePriority), up to its deadline. */
    void checkDeadline() {
        WritePriority.yieldToWrites(deadlineNanos);
        if (System.nanoTime() > deadlineNanos) {
            throw new PromQLException(PromQLException.Kind.TIMEOUT, PromQLException.TIMED_OUT);
        }
        if (Thread.currentThread().isInterrupted()) {
            throw new PromQLException(PromQLException.Kind.CANCELED, PromQLException.CANCELED);
        }
    }

    /**
     * Accounts for points held in memory: raw points of selectors and every node's output. The query keeps them
     * until it ends, so the running total bounds its memory; beyond the limit it fails with Prometheus's error.
     */
    void countSamples(long n) {
        sampleCount[0] += n;
        checkSampleLimit(sampleCount[0]);
    }

    /** Fails the query when {@code held} points, all accounted for or not yet, are past the limit. */
    void checkSampleLimit(long held) {
        if (held > opts.maxSamples()) {
            throw PromQLException.execution(PromQLException.TOO_MANY_SAMPLES);
        }
    }

    /** The points accounted for so far, for {@link #releaseSamples}. */
    long samplesHeld() {
        return sampleCount[0];
    }

    /** Forgets the points accounted for since {@link #samplesHeld} said {@code held}: work dropped to be redone. */
    void releaseSamples(long held) {
        sampleCount[0] = held;
    }

    // ---------------------------------------------------------------- top level

    Value evalTop(Expr e, boolean instant) {
        Expr inner = unparen(e);
        if (e.type() == ExprType.MATRIX) {
            RangeData rd = loadRange(inner);
            List<MatrixSeries> out = new ArrayList<>();
            long ref = rd.refTime(start);
            for (MatrixSeries s : rd.series) {
                MatrixSeries o = new MatrixSeries(s.labels);
                int[] w = rd.window(s, ref);
                for (int i = w[0]; i < w[1]; i++) {
                    o.addFloat(s.ft[i], s.fv[i]);
                }
                for (int i = w[2]; i < w[3]; i++) {
                    o.addHistogram(s.ht[i], s.hv[i]);
                }
                if (o.size() > 0) {
                    out.add(o);
                }
            }
            out.sort(Comparator.comparing(s -> s.labels));
            return new Matrix(out);
        }
        Object v = eval(e);
        if (v instanceof StringValue sv) {
            return new StringValue(start, sv.s());
        }
        if (v instanceof double[] sc) {
            if (instant) {
                return new Scalar(start, sc[0]);
            }
            MatrixSeries s = new MatrixSeries(Labels.EMPTY);
            for (int i = 0; i < numSteps; i++) {
                s.addFloat(stepTime(i), sc[i]);
            }
            return new Matrix(List.of(s));
        }
        Matrix m = (Matrix) v;
        List<MatrixSeries> out = cleanup(m.series());
        if (instant) {
            List<Sample> samples = new ArrayList<>(out.size());
            for (MatrixSeries s : out) {
                if (s.fn > 0) {
                    samples.add(new Sample(s.labels, s.ft[0], s.fv[0]));
                } else if (s.hn > 0) {
                    samples.add(new Sample(s.labels, s.ht[0], 0, s.hv[0], false));
                }
            }
            return new Vector(samples);
        }
        out.sort(Comparator.comparing(s -> s.labels));
        return new Matrix(out);
    }

    /** Delayed name removal: drops {@code __name__} where marked and rejects resulting duplicates. */
    private List<MatrixSeries> cleanup(List<MatrixSeries> series) {
        List<MatrixSeries> out = new ArrayList<>(series.size());
        Map<Labels, MatrixSeries> seen = new HashMap<>();
        for (MatrixSeries s : series) {
            if (s.dropName) {
                s.labels = dropMetricName(s.labels);
                s.dropName = false;
            }
            MatrixSeries prev = seen.putIfAbsent(s.labels, s);
            if (prev != null) {
                if (overlaps(prev, s)) {
                    throw PromQLException.execution("vector cannot contain metrics with the same labelset");
                }
                merge(prev, s);
                continue;
            }
            out.add(s);
        }
        return out;
    }

    private static boolean overlaps(MatrixSeries a, MatrixSeries b) {
        java.util.Set<Long> ts = new java.util.HashSet<>();
        for (int i = 0; i < a.fn; i++) {
            ts.add(a.ft[i]);
        }
        for (int i = 0; i < a.hn; i++) {
            ts.add(a.ht[i]);
        }
        for (int i = 0; i < b.fn; i++) {
            if (ts.contains(b.ft[i])) {
                return true;
            }
        }
        for (int i = 0; i < b.hn; i++) {
            if (ts.contains(b.ht[i])) {
                return true;
            }
        }
        return false;
    }

    private static void merge(MatrixSeries into, MatrixSeries from) {
        MatrixSeries tmp = new MatrixSeries(into.labels);
        int i = 0, j = 0;
        while (i < into.fn || j < from.fn) {
            if (j >= from.fn || (i < into.fn && into.ft[i] < from.ft[j])) {
                tmp.addFloat(into.ft[i], into.fv[i++]);
            } else {
                tmp.addFloat(from.ft[j], from.fv[j++]);
            }
        }
        i = 0;
        j = 0;
        while (i < into.hn || j < from.hn) {
            if (j >= from.hn || (i < into.hn && into.ht[i] < from.ht[j])) {
                tmp.addHistogram(into.ht[i], into.hv[i++]);
            } else {
                tmp.addHistogram(from.ht[j], from.hv[j++]);
            }
        }
        into.ft = tmp.ft;
        into.fv = tmp.fv;
        into.fn = tmp.fn;
        into.ht = tmp.ht;
        into.hv = tmp.hv;
        into.hn = tmp.hn;
    }

    /** Removing the name also removes the type and unit labels that describe it. */
    static Labels dropMetricName(Labels l) {
        return l.without(Labels.METRIC_NAME, "__type__", "__unit__");
    }

    static Expr unparen(Expr e) {
        while (true) {
            if (e instanceof ParenExpr p) {
                e = p.expr();
            } else if (e instanceof StepInvariantExpr s) {
                e = s.expr();
            } else {
                return e;
            }
        }
    }

    // ---------------------------------------------------------------- node dispatch

    /** Returns double[] (scalar per step), Matrix (instant vector over steps) or StringValue. */
    Object eval(Expr e) {
        checkDeadline();
        return switch (e) {
            case NumberLiteral n -> constant(n.value());
            case StringLiteral s -> new StringValue(start, s.value());
            case ParenExpr p -> eval(p.expr());
            case StepInvariantExpr s -> eval(s.expr());
            case DurationExpr d -> constant(durationMs(0, d) / 1000.0);
            case UnaryExpr u -> evalUnary(u);
            case VectorSelector vs -> evalVectorSelector(vs);
            case Call c -> new FunctionEvaluator(this).call(c);
            case AggregateExpr a -> new Aggregations(this).eval(a);
            case BinaryExpr b -> BinaryOps.eval(this, b);
            case MatrixSelector ms -> throw PromQLException.execution("unexpected range vector " + ms);
            case SubqueryExpr sq -> throw PromQLException.execution("unexpected subquery " + sq);
        };
    }

    double[] constant(double v) {
        double[] r = new double[numSteps];
        java.util.Arrays.fill(r, v);
        return r;
    }

    double[] evalScalar(Expr e) {
        Object v = eval(e);
        if (v instanceof double[] d) {
            return d;
        }
        throw PromQLException.execution("expected scalar, got " + e.type().documentedName());
    }

    Matrix evalVector(Expr e) {
        Object v = eval(e);
        if (v instanceof Matrix m) {
            return m;
        }
        throw PromQLException.execution("expected instant vector, got " + e.type().documentedName());
    }

    private Object evalUnary(UnaryExpr u) {
        Object v = eval(u.expr());
        if (u.op() != dev.sightline.promql.ast.BinaryOp.SUB) {
            return v;
        }
        if (v instanceof double[] d) {
            double[] r = new double[d.length];
            for (int i = 0; i < d.length; i++) {
                r[i] = -d[i];
            }
            return r;
        }
        Matrix m = (Matrix) v;
        List<MatrixSeries> out = new ArrayList<>(m.series().size());
        for (MatrixSeries s : m.series()) {
            MatrixSeries o = new MatrixSeries(s.labels);
            o.dropName = true;
            for (int i = 0; i < s.fn; i++) {
                o.addFloat(s.ft[i], -s.fv[i]);
            }
            for (int i = 0; i < s.hn; i++) {
                o.addHistogram(s.ht[i], FloatHistograms.scale(s.hv[i], -1));
            }
            out.add(o);
        }
        return new Matrix(out);
    }

    // ---------------------------------------------------------------- selectors

    /** Loads the raw points of all series a selector matches in [mint, maxt]. */
    List<MatrixSeries> select(VectorSelector vs, long mint, long maxt, boolean dropStale) {
        SelectorReader r = new SelectorReader(vs, mint, maxt, dropStale);
        List<MatrixSeries> out = new ArrayList<>();
        for (MatrixSeries s; (s = r.next(null)) != null; ) {
            out.add(s);
        }
        return out;
    }

    /** The raw points of the series a selector matches in [mint, maxt], one series at a time. */
    final class SelectorReader {
        private final VectorSelector vs;
        private final SeriesSet set;
        private final SeriesDecoder decoder;

        SelectorReader(VectorSelector vs, long mint, long maxt, boolean dropStale) {
            this.vs = vs;
            this.set = querier.select(true, mint, maxt, vs.matchers().toArray(new LabelMatcher[0]));
            this.decoder = new SeriesDecoder(mint, maxt, dropStale, statsMode, floatBuffer);
        }

        /**
         * The next series as the storage hands it, not read yet, or null after the last (when the storage's warnings
         * become annotations). It stays readable after later calls, from any thread ({@link #decoder}).
         */
        Series nextSeries() {
            if (!set.next()) {
                for (String w : set.warnings()) {
                    annos.warn(w, vs.position());
                }
                return null;
            }
            return set.at();
        }

        /**
         * The next series, or null after the last. Its float arrays are the read buffer's; the buffer gets those of
         * {@code spent} (a series nobody reads any more) in exchange, or new ones when it is null.
         */
        MatrixSeries next(MatrixSeries spent) {
            Series s = nextSeries();
            if (s == null) {
                return null;
            }
            MatrixSeries ser = decoder.decode(s, spent);
            // Per series, so that loading stops at the first one past the limit, and not after all of them.
            countSamples(ser.size());
            checkDeadline();
            return ser;
        }

        /** A decoder of this reader's series with a buffer of its own: one per thread reading them. */
        SeriesDecoder decoder() {
            return decoder.withOwnBuffer();
        }
    }

    /**
     * Reads series' points in [mint, maxt] into {@link MatrixSeries}, reusing its iterator and float buffer: one per
     * thread. Neither counts the points ({@link #countSamples}) nor looks at the deadline; its caller does.
     */
    static final class SeriesDecoder {
        private final long mint;
        private final long maxt;
        private final boolean dropStale;
        private final boolean statsMode;
        private final FloatSamples floats;
        private SampleIterator it;

        private SeriesDecoder(long mint, long maxt, boolean dropStale, boolean statsMode, FloatSamples floats) {
            this.mint = mint;
            this.maxt = maxt;
            this.dropStale = dropStale;
            this.statsMode = statsMode;
            this.floats = floats;
        }

        /** A decoder of the same range with a float buffer of its own. */
        SeriesDecoder withOwnBuffer() {
            return new SeriesDecoder(mint, maxt, dropStale, statsMode, new FloatSamples(1024));
        }

        /** As {@link SelectorReader#next}, for the series {@code s}. */
        MatrixSeries decode(Series s, MatrixSeries spent) {
            MatrixSeries ser = new MatrixSeries(s.labels());
            it = s.iterator(it);
            floats.clear();
            ValueType vt = it.seek(mint);
            while (vt != ValueType.NONE && it.timestamp() <= maxt) {
                if (vt == ValueType.FLOAT) {
                    vt = it.appendFloats(maxt, floats);
                } else {
                    Histogram h = it.histogram();
                    if (!(dropStale && Staleness.isStaleMarker(h.sum))) {
                        ser.addHistogram(it.timestamp(), h, it.startTimestamp());
                    }
                    vt = it.next();
                }
            }
            if (spent == null) {
                ser.takeFloats(floats, dropStale);
            } else {
                ser.swapFloats(floats, dropStale, spent);
            }
            if (statsMode) {
                detectResetHints(ser);
            }
            return ser;
        }
    }

    /** Replaces unknown hints of histograms that directly follow another histogram by the detected one. */
    private static void detectResetHints(MatrixSeries s) {
        int fi = 0;
        for (int i = 1; i < s.hn; i++) {
            while (fi < s.fn && s.ft[fi] < s.ht[i]) {
                fi++;
            }
            boolean floatBetween = fi > 0 && s.ft[fi - 1] > s.ht[i - 1];
            Histogram h = s.hv[i];
            if (floatBetween || h.counterResetHint != Histogram.CounterResetHint.UNKNOWN) {
                continue;
            }
            s.hv[i] = FloatHistograms.withHint(h, FloatHistograms.detectReset(h, s.hv[i - 1])
                    ? Histogram.CounterResetHint.COUNTER_RESET : Histogram.CounterResetHint.NOT_COUNTER_RESET);
        }
    }

    private Matrix evalVectorSelector(VectorSelector vs) {
        long offset = durationMs(vs.offsetMs(), vs.offsetExpr());
        long firstRef = refTime(vs.at(), start) - offset;
        long lastRef = refTime(vs.at(), end) - offset;
        long lookback = opts.lookbackDeltaMs();
        if (vs.smoothed()) {
            return evalSmoothedSelector(vs, offset, firstRef, lastRef, lookback);
        }
        // One series' raw points at a time, their arrays handed back to the reader for the next: holding all of them
        // (a 400-series day at 15 s is 37 MB) had young collections promote them, with pauses of up to 0.6 s.
        SelectorReader reader = new SelectorReader(vs, Math.min(firstRef, lastRef) - lookback + 1,
                Math.max(firstRef, lastRef), false);
        List<MatrixSeries> out = new ArrayList<>();
        MatrixSeries spent = null;
        for (MatrixSeries s; (s = reader.next(spent)) != null; spent = s) {
            MatrixSeries o = new MatrixSeries(s.labels, outputCapacity());
            int fi = 0;
            int hi = 0;
            int lastEmitted = Integer.MIN_VALUE;
            for (int step = 0; step < numSteps; step++) {
                checkDeadline(step);
                long t = stepTime(step);
                long ref = refTime(vs.at(), t) - offset;
                fi = skipThrough(s.ft, s.fn, fi, ref);
                hi = skipThrough(s.ht, s.hn, hi, ref);
                long ftLast = fi > 0 ? s.ft[fi - 1] : Long.MIN_VALUE;
                long htLast = hi > 0 ? s.ht[hi - 1] : Long.MIN_VALUE;
                if (ftLast == Long.MIN_VALUE && htLast == Long.MIN_VALUE) {
                    continue;
                }
                if (ftLast >= htLast) {
                    if (ftLast > ref - lookback && !Staleness.isStaleMarker(s.fv[fi - 1])) {
                        o.addFloat(t, s.fv[fi - 1]);
                    }
                } else if (htLast > ref - lookback && !Staleness.isStaleMarker(s.hv[hi - 1].sum)) {
                    Histogram h = s.hv[hi - 1];
                    // The stored hint describes the change from the stored predecessor. Relative to the previous
                    // step's sample it only holds if that was the predecessor; a repeat is no reset, and after
                    // skipped samples the hint is unknown (matters when a subquery resamples a counter).
                    if (h.counterResetHint != Histogram.CounterResetHint.GAUGE && lastEmitted != Integer.MIN_VALUE
                            && !vs.at().isSet()) {
                        if (hi - 1 == lastEmitted) {
                            h = FloatHistograms.withHint(h, Histogram.CounterResetHint.NOT_COUNTER_RESET);
                        } else if (hi - 2 != lastEmitted) {
                            h = FloatHistograms.withHint(h, Histogram.CounterResetHint.UNKNOWN);
                        }
                    }
                    lastEmitted = hi - 1;
                    o.addHistogram(t, h);
                }

            }
            if (o.size() > 0) {
                out.add(o);
            }
        }
        return new Matrix(out);
    }

    /**
     * A smoothed instant selector: the value linearly interpolated between the last float sample at or before the
     * evaluation time and the first one after it (each within the lookback delta); the nearer one alone at the edges.
     */
    private Matrix evalSmoothedSelector(VectorSelector vs, long offset, long firstRef, long lastRef, long lookback) {
        List<MatrixSeries> raw = select(vs, Math.min(firstRef, lastRef) - lookback + 1, Math.max(firstRef, lastRef) + lookback, true);
        List<MatrixSeries> out = new ArrayList<>(raw.size());
        for (MatrixSeries s : raw) {
            MatrixSeries o = new MatrixSeries(s.labels);
            for (int step = 0; step < numSteps; step++) {
                checkDeadline(step);
                long t = stepTime(step);
                long ref = refTime(vs.at(), t) - offset;
                int next = lowerBound(s.ft, s.fn, ref);
                int prev = next - 1;
                boolean hasPrev = prev >= 0 && s.ft[prev] > ref - lookback;
                boolean hasNext = next < s.fn && s.ft[next] <= ref + lookback;
                int hNext = lowerBound(s.ht, s.hn, ref);
                int hPrev = hNext - 1;
                boolean hasHPrev = hPrev >= 0 && s.ht[hPrev] > ref - lookback;
                boolean hasHNext = hNext < s.hn && s.ht[hNext] <= ref + lookback;
                if ((hasPrev || hasNext) && (hasHPrev || hasHNext)) {
                    annos.mixedFloatsHistograms(s.labels.metricName(), vs.position());
                    continue;
                }
                if (hasHPrev || hasHNext) {
                    Histogram h;
                    if (hasHPrev && (s.ht[hPrev] == ref || !hasHNext)) {
                        h = s.hv[hPrev];
                    } else if (hasHPrev) {
                        Histogram a = s.hv[hPrev];
                        Histogram b = s.hv[hNext];
                        if (a.usesCustomBuckets() != b.usesCustomBuckets()) {
                            annos.mixedExponentialCustom(s.labels.metricName(), vs.position());
                            continue;
                        }
                        boolean counter = a.counterResetHint != Histogram.CounterResetHint.GAUGE
                                && b.counterResetHint != Histogram.CounterResetHint.GAUGE;
                        h = RangeKernels.interpolate(s.ht[hPrev], a, s.ht[hNext], b, ref, counter, new boolean[1]);
                    } else {
                        h = s.hv[hNext];
                    }
                    o.addHistogram(t, h);
                    continue;
                }
                if (hasPrev && (s.ft[prev] == ref || !hasNext)) {
                    o.addFloat(t, s.fv[prev]);
                } else if (hasPrev) {
                    double f = s.fv[prev] + (s.fv[next] - s.fv[prev]) * (ref - s.ft[prev]) / (double) (s.ft[next] - s.ft[prev]);
                    o.addFloat(t, f);
                } else if (hasNext) {
                    o.addFloat(t, s.fv[next]);
                }
            }
            if (o.size() > 0) {
                out.add(o);
            }
        }
        return new Matrix(out);
    }

    /** Raw points of a range-vector argument (matrix selector or subquery) with how to find each step's window. */
    final class RangeData {
        final List<MatrixSeries> series;
        final long rangeMs;
        final long offsetMs;
        final AtModifier at;
        final VectorSelector selector; // null for subqueries
        final boolean anchored;
        final boolean smoothed;

        RangeData(List<MatrixSeries> series, long rangeMs, long offsetMs, AtModifier at, VectorSelector selector) {
            this.series = series;
            this.rangeMs = rangeMs;
            this.offsetMs = offsetMs;
            this.at = at;
            this.selector = selector;
            this.anchored = selector != null && selector.anchored();
            this.smoothed = selector != null && selector.smoothed();
        }

        long refTime(long stepT) {
            return Evaluator.this.refTime(at, stepT) - offsetMs;
        }

        /** For a selector: the first time a window of any step reaches (anchored and smoothed ranges look back further). */
        long minTime() {
            long extra = anchored || smoothed ? opts.lookbackDeltaMs() : 0;
            return Math.min(refTime(start), refTime(end)) - rangeMs - extra + 1;
        }

        /** For a selector: the last time a window of any step reaches (smoothed ranges look ahead). */
        long maxTime() {
            return Math.max(refTime(start), refTime(end)) + (smoothed ? opts.lookbackDeltaMs() : 0);
        }

        /**
         * Index windows {floatFrom, floatTo, histFrom, histTo} of points in (ref - range, ref]. Anchored and smoothed
         * ranges also take the last point at or before the start (within the lookback delta), smoothed ones also the
         * first point after the end (within the lookback delta), so values at the boundaries can be known.
         */
        int[] window(MatrixSeries s, long ref) {
            long lo = ref - rangeMs;
            int f0 = lowerBound(s.ft, s.fn, lo);
            int f1 = lowerBound(s.ft, s.fn, ref);
            int h0 = lowerBound(s.ht, s.hn, lo);
            int h1 = lowerBound(s.ht, s.hn, ref);
            if (anchored || smoothed) {
                long lookback = opts.lookbackDeltaMs();
                boolean inRange = f1 > f0 || h1 > h0;
                // The one sample (float or histogram, whichever is later) at or before the start.
                long fBefore = f0 > 0 && s.ft[f0 - 1] > lo - lookback ? s.ft[f0 - 1] : Long.MIN_VALUE;
                long hBefore = h0 > 0 && s.ht[h0 - 1] > lo - lookback ? s.ht[h0 - 1] : Long.MIN_VALUE;
                boolean before = fBefore != Long.MIN_VALUE || hBefore != Long.MIN_VALUE;
                if (before && fBefore >= hBefore) {
                    f0--;
                } else if (before) {
                    h0--;
                }
                boolean after = false;
                if (smoothed) {
                    // And the one sample (whichever is earlier) after the end.
                    long fAfter = f1 < s.fn && s.ft[f1] <= ref + lookback ? s.ft[f1] : Long.MAX_VALUE;
                    long hAfter = h1 < s.hn && s.ht[h1] <= ref + lookback ? s.ht[h1] : Long.MAX_VALUE;
                    after = fAfter != Long.MAX_VALUE || hAfter != Long.MAX_VALUE;
                    if (after && fAfter <= hAfter) {
                        f1++;
                    } else if (after) {
                        h1++;
                    }
                }
                // Nothing is known about the range from samples on one side of it only.
                if (!inRange && !(before && after)) {
                    return new int[]{0, 0, 0, 0};
                }
            }
            return new int[]{f0, f1, h0, h1};
        }

        /** Whether {@link #slide} may replace {@link #window}: plain ranges, whose bounds only move forward. */
        boolean slides() {
            return !anchored && !smoothed;
        }

        /**
         * {@link #window} for a plain range, advancing {@code w} (all zero before the first step) from the previous
         * step's window: evaluation refs never decrease, so each point is passed over once per series instead of
         * binary searches at every step.
         */
        void slide(MatrixSeries s, long ref, int[] w) {
            long lo = ref - rangeMs;
            w[0] = skipThrough(s.ft, s.fn, w[0], lo);
            w[1] = skipThrough(s.ft, s.fn, Math.max(w[1], w[0]), ref);
            w[2] = skipThrough(s.ht, s.hn, w[2], lo);
            w[3] = skipThrough(s.ht, s.hn, Math.max(w[3], w[2]), ref);
        }

        /**
         * {@link #slide} over all steps of a series of float points only, the bounds of step i's window into
         * {@code from[i]} and {@code to[i]}: one loop, without slide's histogram bounds and window array per step (a tenth of
         * avg_over_time's time went to the steps' slides).
         */
        void floatWindows(MatrixSeries s, int[] from, int[] to) {
            if (evenWindows(s, from, to)) {
                return;
            }
            long[] ft = s.ft;
            int fn = s.fn;
            int f0 = 0;
            int f1 = 0;
            for (int step = 0; step < numSteps; step++) {
                long ref = refTime(stepTime(step));
                f0 = skipThrough(ft, fn, f0, ref - rangeMs);
                f1 = skipThrough(ft, fn, Math.max(f1, f0), ref);
                from[step] = f0;
                to[step] = f1;
            }
        }

        /**
         * {@link #floatWindows} by arithmetic when the points are evenly spaced at a spacing that divides the step (a
         * range query's steps over regularly scraped points) and the steps' refs are evenly spaced too (no @): the
         * index of the first point past a time is then a division, and it moves by step / spacing points a step.
         * A day's 1,440 steps over 15 s points: 4.5 us a series against 4 to 7 for the searches (as the JIT had it),
         * half of it checking the spacing.
         */
        private boolean evenWindows(MatrixSeries s, int[] from, int[] to) {
            long[] ft = s.ft;
            int fn = s.fn;
            if (fn < 2 || at.kind() != AtModifier.Kind.NONE) {
                return false;
            }
            long spacing = ft[1] - ft[0];
            if (spacing <= 0 || interval % spacing != 0) {
                return false;
            }
            long uneven = 0;
            for (int i = 2; i < fn; i++) {
                uneven |= (ft[i] - ft[i - 1]) ^ spacing;
            }
            if (uneven != 0) {
                return false;
            }
            long ref = refTime(start);
            long perStep = interval / spacing;
            // Points up to and including time x: floor((x - ft[0]) / spacing) + 1, within [0, fn].
            long lo = Math.floorDiv(ref - rangeMs - ft[0], spacing) + 1;
            long hi = Math.floorDiv(ref - ft[0], spacing) + 1;
            for (int step = 0; step < numSteps; step++, lo += perStep, hi += perStep) {
                from[step] = (int) Math.max(0, Math.min(fn, lo));
                to[step] = (int) Math.max(0, Math.min(fn, hi));
            }
            return true;
        }
    }

    /** The first index from {@code i} on in {@code ts[0, n)} (ascending) whose time is greater than {@code t}. */
    static int skipThrough(long[] ts, int n, int i, long t) {
        while (i < n && ts[i] <= t) {
            i++;
        }
        return i;
    }

    /** The first index in {@code ts[0, n)} whose time is greater than {@code exclusiveLow}. */
    static int lowerBound(long[] ts, int n, long exclusiveLow) {
        int lo = 0, hi = n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ts[mid] <= exclusiveLow) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    RangeData loadRange(Expr e) {
        e = unparen(e);
        if (e instanceof MatrixSelector ms) {
            RangeData rd = rangeOf(ms, List.of());
            return rangeOf(ms, select(ms.vectorSelector(), rd.minTime(), rd.maxTime(), true));
        }
        if (e instanceof SubqueryExpr sq) {
            long offset = durationMs(sq.offsetMs(), sq.offsetExpr());
            long range = durationMs(sq.rangeMs(), sq.rangeExpr());
            long step = sq.stepExpr() != null ? durationMs(0, sq.stepExpr()) : sq.stepMs();
            if (step == 0) {
                step = opts.defaultSubqueryStepMs();
            }
            long firstRef = refTime(sq.at(), start) - offset;
            long lastRef = refTime(sq.at(), end) - offset;
            long from = Math.min(firstRef, lastRef) - range;
            long to = Math.max(firstRef, lastRef);
            // First step-aligned timestamp after `from`, as Prometheus aligns subquery steps to absolute time.
            long subStart = Math.floorDiv(from, step) * step;
            if (subStart <= from) {
                subStart += step;
            }
            List<MatrixSeries> out;
            if (subStart > to) {
                out = List.of();
            } else {
                long subEnd = subStart + ((to - subStart) / step) * step;
                Evaluator sub = new Evaluator(opts, querier, subStart, subEnd, step, qStart, qEnd, annos,
                        deadlineNanos, queryStep, sampleCount);
                sub.statsMode = statsMode;
                Object v = sub.eval(sq.expr());
                if (v instanceof double[] d) {
                    MatrixSeries s = new MatrixSeries(Labels.EMPTY);
                    for (int i = 0; i < d.length; i++) {
                        s.addFloat(sub.stepTime(i), d[i]);
                    }
                    out = List.of(s);
                } else if (v instanceof Matrix m) {
                    out = sub.cleanupKeepNames(m.series());
                } else {
                    throw PromQLException.execution("subquery of a string is not supported");
                }
            }
            return new RangeData(out, range, offset, sq.at(), null);
        }
        throw PromQLException.execution("expected range vector, got " + e.type().documentedName());
    }

    /** A matrix selector's windows over {@code series} (the points between its {@link RangeData#minTime} and maxTime). */
    RangeData rangeOf(MatrixSelector ms, List<MatrixSeries> series) {
        VectorSelector vs = ms.vectorSelector();
        return new RangeData(series, durationMs(ms.rangeMs(), ms.rangeExpr()), durationMs(vs.offsetMs(), vs.offsetExpr()),
                vs.at(), vs);
    }

    /** A subquery's result is a range vector: names marked for removal are removed now, as at the top level. */
    private List<MatrixSeries> cleanupKeepNames(List<MatrixSeries> series) {
        List<MatrixSeries> out = new ArrayList<>(series.size());
        for (MatrixSeries s : series) {
            if (s.dropName) {
                s.labels = dropMetricName(s.labels);
                s.dropName = false;
            }
            out.add(s);
        }
        return out;
    }

    // ---------------------------------------------------------------- per-step views of a step matrix

    /** Walks a step matrix step by step, yielding each step's instant vector. */
    static final class StepCursor {
        private final List<MatrixSeries> series;
        private final int[] fi;
        private final int[] hi;

        StepCursor(Matrix m) {
            this.series = m.series();
            this.fi = new int[series.size()];
            this.hi = new int[series.size()];
        }

        List<Sample> at(long t) {
            List<Sample> out = new ArrayList<>();
            for (int k = 0; k < series.size(); k++) {
                MatrixSeries s = series.get(k);
                if (fi[k] < s.fn && s.ft[fi[k]] == t) {
                    out.add(new Sample(s.labels, t, s.fv[fi[k]++], null, s.dropName));
                } else if (hi[k] < s.hn && s.ht[hi[k]] == t) {
                    out.add(new Sample(s.labels, t, 0, s.hv[hi[k]++], s.dropName));
                }
            }
            return out;
        }
    }

    /** Collects per-step output samples into series, rejecting two samples with equal labels in one step. */
    final class Assembler {
        private final LinkedHashMap<Labels, MatrixSeries> map = new LinkedHashMap<>();
        private long count;

        void add(List<Sample> samples, long t) {
            for (Sample s : samples) {
                add(s, t);
            }
        }

        void add(Sample s, long t) {
            MatrixSeries ser = map.get(s.labels());
            if (ser == null) {
                ser = new MatrixSeries(s.labels(), outputCapacity());
                map.put(s.labels(), ser);
            } else if ((ser.fn > 0 && ser.ft[ser.fn - 1] == t) || (ser.hn > 0 && ser.ht[ser.hn - 1] == t)) {
                throw PromQLException.execution("vector cannot contain metrics with the same labelset");
            }
            ser.dropName = s.dropName();
            if (s.h() != null) {
                ser.addHistogram(t, s.h());
            } else {
                ser.addFloat(t, s.f());
            }
            if (++count % 1024 == 0) {
                checkDeadline();
            }
        }

        Matrix build() {
            countSamples(count);
            return new Matrix(new ArrayList<>(map.values()));
        }
    }

    Assembler assembler() {
        return new Assembler();
    }
}
