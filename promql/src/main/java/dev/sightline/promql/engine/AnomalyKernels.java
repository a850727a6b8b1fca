package dev.sightline.promql.engine;

import dev.sightline.core.Histogram;
import dev.sightline.promql.anomaly.Bimodality;
import dev.sightline.promql.anomaly.CombinedDetector;
import dev.sightline.promql.anomaly.RobustZScore;
import dev.sightline.promql.anomaly.SeasonalBaseline;
import dev.sightline.promql.anomaly.StreamingDetector;
import dev.sightline.promql.anomaly.ZScore;
import dev.sightline.promql.ast.Call;
import dev.sightline.promql.ast.Expr;
import dev.sightline.promql.ast.MatrixSelector;
import dev.sightline.promql.ast.PositionRange;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongFunction;

/**
 * Sightline's anomaly functions (docs/anomaly.md) over the detectors of {@code dev.sightline.promql.anomaly}, the
 * code the {@code detect} command runs too. Each kernel keeps its detector and scratch buffers for the whole call,
 * so evaluating a step allocates nothing beyond growing them. No sample is produced where a detector has too little
 * history; histogram samples in the window are ignored, as by the other float-only range functions.
 */
final class AnomalyKernels implements WindowKernel {
    static final Set<String> RANGE_FUNCTIONS = Set.of("zscore_over_time", "robust_zscore_over_time",
            "seasonal_expected", "seasonal_lower", "seasonal_upper", "seasonal_zscore", "seasonal_score",
            "anomaly_score_over_time", "bimodality_over_time");
    static final long DEFAULT_SEASON_MS = 86_400_000L;

    private final Evaluator ev;
    private final String name;
    private final PositionRange argPos;
    private final RobustZScore robust = new RobustZScore();
    private final Bimodality bimodality = new Bimodality();
    private final Bimodality.Stat stat;
    private SeasonalBaseline seasonal;
    private CombinedDetector combined;
    private long seasonMs = -1;

    AnomalyKernels(Evaluator ev, Call c, String name) {
        this.ev = ev;
        this.name = name;
        this.argPos = c.args().get(0).position();
        this.stat = name.equals("bimodality_over_time") ? stat(ev, c) : null;
    }

    @Override
    public void apply(MatrixSeries s, int[] w, long ref, long t, int step, double[][] scalars, MatrixSeries out) {
        int f0 = w[0], f1 = w[1];
        if (w[3] > w[2] && f1 > f0) {
            ev.annos.histogramIgnoredInMixedRange(s.labels.metricName(), argPos);
        }
        if (f1 == f0) {
            return;
        }
        double v = switch (name) {
            case "zscore_over_time" -> ZScore.zscore(s.fv, f0, f1);
            case "robust_zscore_over_time" -> robust.zscore(s.fv, f0, f1);
            case "anomaly_score_over_time" -> combined(scalars.length > 1 ? scalars[1][step] : DEFAULT_SEASON_MS / 1000.0)
                    .score(s.ft, s.fv, f0, f1);
            case "bimodality_over_time" -> bimodality.fitValues(s.fv, f0, f1) ? stat.of(bimodality) : Double.NaN;
            default -> seasonal(s, f0, f1, scalars, step);
        };
        if (!Double.isNaN(v)) {
            out.addFloat(t, v);
        }
    }

    /** The streaming form of an anomaly function: its detector for a season in ms, and the value it returns. */
    record StreamingForm<D extends StreamingDetector>(LongFunction<D> detector, Output<D> value) {
        /** The function's value from the detector's state; {@code param} is its optional last argument. */
        interface Output<D> {
            double of(D detector, double param);
        }
    }

    private static final Map<String, StreamingForm<?>> STREAMING = Map.of(
            "zscore_over_time", new StreamingForm<>(season -> new ZScore(), (d, p) -> d.z()),
            "robust_zscore_over_time", new StreamingForm<>(season -> new RobustZScore(), (d, p) -> d.z()),
            "anomaly_score_over_time", new StreamingForm<>(CombinedDetector::new, (d, p) -> d.score()),
            "seasonal_score", new StreamingForm<>(SeasonalBaseline::new, (d, p) -> d.score()),
            "seasonal_zscore", new StreamingForm<>(SeasonalBaseline::new, (d, p) -> d.z()),
            "seasonal_expected", new StreamingForm<>(SeasonalBaseline::new,
                    (d, p) -> d.fitLatest() ? d.expected() : Double.NaN),
            "seasonal_lower", new StreamingForm<>(SeasonalBaseline::new,
                    (d, p) -> d.fitLatest() ? d.lower(p) : Double.NaN),
            "seasonal_upper", new StreamingForm<>(SeasonalBaseline::new,
                    (d, p) -> d.fitLatest() ? d.upper(p) : Double.NaN));

    /**
     * The function evaluated with the evaluator's {@link DetectorCache} (an instant evaluation of a rule), or null
     * where it has no streaming form or the call is not a plain range selector (@, anchored, smoothed, subquery) or
     * its season argument is invalid: the stateless path then evaluates it, and reports any error as it does.
     */
    static Matrix streaming(Evaluator ev, Call c, String name, Expr arg, double[][] scalars) {
        StreamingForm<?> form = STREAMING.get(name);
        if (form == null || !(Evaluator.unparen(arg) instanceof MatrixSelector ms) || ms.vectorSelector().at().isSet()
                || ms.vectorSelector().anchored() || ms.vectorSelector().smoothed()) {
            return null;
        }
        long season;
        try {
            season = switch (name) {
                case "zscore_over_time", "robust_zscore_over_time" -> 0;
                case "anomaly_score_over_time" -> scalars.length > 1 ? seasonMs(name, scalars[1][0], true) : DEFAULT_SEASON_MS;
                default -> seasonMs(name, scalars[1][0], false);
            };
        } catch (PromQLException e) {
            return null;
        }
        double param = scalars.length > 2 ? scalars[2][0] : SeasonalBaseline.BAND_SIGMAS;
        return ev.cache.eval(ev, c, ms, form, season, param);
    }

    private double seasonal(MatrixSeries s, int f0, int f1, double[][] scalars, int step) {
        long season = seasonMs(name, scalars[1][step], false);
        if (seasonal == null || season != seasonMs) {
            seasonMs = season;
            seasonal = new SeasonalBaseline(season);
        }
        if (!seasonal.fit(s.ft, s.fv, f0, f1)) {
            return Double.NaN;
        }
        double sigmas = scalars.length > 2 ? scalars[2][step] : SeasonalBaseline.BAND_SIGMAS;
        return switch (name) {
            case "seasonal_expected" -> seasonal.expected();
            case "seasonal_lower" -> seasonal.lower(sigmas);
            case "seasonal_upper" -> seasonal.upper(sigmas);
            case "seasonal_zscore" -> seasonal.zscore(s.fv[f1 - 1]);
            default -> seasonal.score(s.fv[f1 - 1]);
        };
    }

    private CombinedDetector combined(double seasonSeconds) {
        long season = seasonMs(name, seasonSeconds, true);
        if (combined == null || season != seasonMs) {
            seasonMs = season;
            combined = new CombinedDetector(season);
        }
        return combined;
    }

    /** The season in whole milliseconds: at least 1 (or exactly 0 where allowed), at most about 30,000 years. */
    private static long seasonMs(String name, double seconds, boolean zeroAllowed) {
        long ms = Math.round(seconds * 1000);
        if (!(seconds >= 0) || seconds > 1e12 || (ms == 0 && !(zeroAllowed && seconds == 0))) {
            throw PromQLException.execution(String.format("invalid season for %s: expected %s seconds, got %s",
                    name, zeroAllowed ? "0 or at least 0.001" : "at least 0.001", seconds));
        }
        return ms;
    }

    /** The statistic named by the optional string argument (default "score"); an unknown name is an error. */
    private static Bimodality.Stat stat(Evaluator ev, Call c) {
        List<Expr> args = c.args();
        if (args.size() < 2) {
            return Bimodality.Stat.SCORE;
        }
        String label = ((StringValue) ev.eval(args.get(1))).s();
        Bimodality.Stat st = Bimodality.Stat.byLabel(label);
        if (st == null) {
            StringBuilder names = new StringBuilder();
            for (Bimodality.Stat x : Bimodality.Stat.values()) {
                names.append(names.isEmpty() ? "" : ", ").append(x.label());
            }
            throw PromQLException.execution("unknown statistic \"" + label + "\" for " + c.function().name()
                    + "; expected one of " + names);
        }
        return st;
    }

    /**
     * histogram_bimodality(v instant-vector [, stat string]): the mixture fit of each native histogram, or classic
     * histogram (bucket series grouped by their labels without le, as histogram_quantile groups them), per step.
     */
    static Object histogramBimodality(Evaluator ev, Call c) {
        Bimodality.Stat st = stat(ev, c);
        Expr arg = c.args().get(0);
        Matrix m = ev.evalVector(arg);
        Evaluator.StepCursor cur = new Evaluator.StepCursor(m);
        Evaluator.Assembler asm = ev.assembler();
        Bimodality b = new Bimodality();
        PositionRange pos = arg.position();
        for (int i = 0; i < ev.numSteps; i++) {
            long t = ev.stepTime(i);
            for (HistogramStats.Group g : HistogramStats.groups(ev, cur.at(t), pos)) {
                b.clear();
                if (g.h != null) {
                    addNative(b, g.h);
                } else {
                    addClassic(b, g.buckets);
                }
                if (b.fit()) {
                    asm.add(new Sample(g.labels, t, st.of(b), null, true), t);
                }
            }
        }
        return asm.build();
    }

    private static void addNative(Bimodality b, Histogram h) {
        HistogramStats.forEachBucket(h, false, (lower, upper, count, zero) -> {
            addBucket(b, lower, upper, count);
            return true;
        });
    }

    /** Classic buckets {upperBound, cumulativeCount}, in any order; counts that would go down are taken as 0. */
    private static void addClassic(Bimodality b, List<double[]> buckets) {
        buckets.sort((x, y) -> Double.compare(x[0], y[0]));
        double prevUpper = Double.NEGATIVE_INFINITY, prevCum = 0;
        for (double[] bucket : buckets) {
            double count = bucket[1] - prevCum;
            addBucket(b, prevUpper, bucket[0], Math.max(count, 0));
            prevUpper = bucket[0];
            prevCum = Math.max(prevCum, bucket[1]);
        }
    }

    /**
     * One bucket as a weighted point: at its midpoint with variance width^2/12. An open lower end is 0 when the
     * upper bound is positive (as histogram_quantile assumes); a bucket still open on one side is a point mass at
     * its finite bound.
     */
    private static void addBucket(Bimodality b, double lower, double upper, double count) {
        if (lower == Double.NEGATIVE_INFINITY && upper > 0) {
            lower = 0;
        }
        if (Double.isInfinite(lower) || Double.isInfinite(upper)) {
            b.add(Double.isInfinite(lower) ? upper : lower, count, 0);
            return;
        }
        double width = upper - lower;
        b.add(lower + width / 2, count, width * width / 12);
    }
}
