package dev.sightline.promql.engine;

import dev.sightline.core.Labels;
import dev.sightline.core.text.GoFloats;
import dev.sightline.promql.ast.AggregateExpr;
import dev.sightline.promql.ast.AggregateOp;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Series-major evaluation of the common aggregations over float-only input: each input series' group is computed
 * once per query, each step's values are gathered into per-group primitive buffers and output series are indexed
 * by group (or by input series for topk/bottomk), so a step costs no map lookups, sample objects or sorting.
 * Produces exactly what the generic per-step path produces: values are gathered in input order, so the same
 * kernels see the same operands in the same order, and topk/bottomk select through the same {@link KSelection}.
 */
final class FloatAggregation {
    /** Steps per tile of {@link #runGathering}: a tile row is one cache line. */
    private static final int TILE = 8;
    private final Evaluator ev;
    private final AggregateExpr a;
    private final AggregateOp op;
    private final List<MatrixSeries> in;
    private final int[] groupOf;
    private final Labels[] groupLabels;
    private final int[] members;

    private FloatAggregation(Evaluator ev, AggregateExpr a, Matrix m, BiFunction<AggregateExpr, Labels, Labels> grouping) {
        this.ev = ev;
        this.a = a;
        this.op = a.op();
        this.in = m.series();
        this.groupOf = new int[in.size()];
        Map<Labels, Integer> index = new HashMap<>();
        List<Labels> labels = new ArrayList<>();
        for (int k = 0; k < in.size(); k++) {
            Labels gl = grouping.apply(a, in.get(k).labels);
            Integer g = index.get(gl);
            if (g == null) {
                g = labels.size();
                index.put(gl, g);
                labels.add(gl);
            }
            groupOf[k] = g;
        }
        this.groupLabels = labels.toArray(new Labels[0]);
        this.members = new int[groupLabels.length];
        for (int g : groupOf) {
            members[g]++;
        }
    }

    /**
     * Float-only input, and for topk/bottomk distinct input label sets (the generic path rejects a step holding
     * two equal label sets, which per-series output would not notice).
     */
    static boolean applies(AggregateOp op, Matrix m) {
        switch (op) {
            case SUM, AVG, MIN, MAX, COUNT, GROUP, STDDEV, STDVAR, QUANTILE, TOPK, BOTTOMK -> {
            }
            default -> {
                return false;
            }
        }
        for (MatrixSeries s : m.series()) {
            if (s.hn > 0) {
                return false;
            }
        }
        if (op == AggregateOp.TOPK || op == AggregateOp.BOTTOMK) {
            HashSet<Labels> seen = new HashSet<>();
            for (MatrixSeries s : m.series()) {
                if (!seen.add(s.labels)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The aggregation of float-only input ({@link #applies}); the folding ops never index the groups up front. */
    static Matrix run(Evaluator ev, AggregateExpr a, Matrix m, BiFunction<AggregateExpr, Labels, Labels> grouping,
                      double[] param) {
        if (folds(a.op())) {
            Folding f = new Folding(ev, a, grouping);
            List<MatrixSeries> in = m.series();
            for (int k = 0; k < in.size(); k++) {
                f.add(in.get(k));
                if ((k & 255) == 0) {
                    ev.checkDeadline();
                }
            }
            return f.build();
        }
        return new FloatAggregation(ev, a, m, grouping).runGathering(param);
    }

    /** Whether {@link Folding} computes the aggregation (float input given). */
    static boolean folds(AggregateOp op) {
        return switch (op) {
            case SUM, MIN, MAX, COUNT, GROUP -> true;
            default -> false;
        };
    }

    /**
     * SUM, MIN, MAX, COUNT and GROUP fold each input value into its group's cell for its step as it comes: one
     * sequential pass over each series instead of visiting every series at every step (a cache miss per series and
     * step). Values reach a cell in input order, so the results are those of the kernels over the gathered values.
     * Series are added one at a time, so a range function can stream its output series in without a matrix of them
     * ({@link FunctionEvaluator#streamInto}); each must be float-only.
     */
    static final class Folding {
        private final Evaluator ev;
        private final AggregateExpr a;
        private final AggregateOp op;
        private final BiFunction<AggregateExpr, Labels, Labels> grouping;
        private final Map<Labels, Integer> index = new HashMap<>();
        private final List<Labels> groupLabels = new ArrayList<>();
        private final int ns;
        private double[][] acc = new double[8][];
        private double[][] comp = new double[8][];
        private int[][] cnt = new int[8][];
        // Output order as the per-step path: by first step with output, then by first input series at that step.
        private int[] firstStep = new int[8];
        private int[] firstInput = new int[8];
        // dropName as the per-step path leaves it: whether a member present at the group's last step drops it.
        private int[] lastStep = new int[8];
        private boolean[] drop = new boolean[8];
        private int inputs;

        Folding(Evaluator ev, AggregateExpr a, BiFunction<AggregateExpr, Labels, Labels> grouping) {
            this.ev = ev;
            this.a = a;
            this.op = a.op();
            this.grouping = grouping;
            this.ns = ev.numSteps;
        }

        private int group(Labels l) {
            Labels gl = grouping.apply(a, l);
            Integer g = index.get(gl);
            if (g != null) {
                return g;
            }
            int n = groupLabels.size();
            if (n == cnt.length) {
                int cap = n * 2;
                acc = java.util.Arrays.copyOf(acc, cap);
                comp = java.util.Arrays.copyOf(comp, cap);
                cnt = java.util.Arrays.copyOf(cnt, cap);
                firstStep = java.util.Arrays.copyOf(firstStep, cap);
                firstInput = java.util.Arrays.copyOf(firstInput, cap);
                lastStep = java.util.Arrays.copyOf(lastStep, cap);
                drop = java.util.Arrays.copyOf(drop, cap);
            }
            acc[n] = new double[ns];
            comp[n] = op == AggregateOp.SUM ? new double[ns] : null;
            cnt[n] = new int[ns];
            firstStep[n] = Integer.MAX_VALUE;
            lastStep[n] = -1;
            index.put(gl, n);
            groupLabels.add(gl);
            return n;
        }

        /** Folds the next input series (float points only) in. */
        void add(MatrixSeries s) {
            int k = inputs++;
            int fn = s.fn;
            if (fn == 0) {
                return;
            }
            int g = group(s.labels);
            double[] acc = this.acc[g];
            double[] comp = this.comp[g];
            int[] cnt = this.cnt[g];
            long start = ev.start;
            long interval = ev.interval;
            long[] ft = s.ft;
            double[] fv = s.fv;
            // The points lie on steps, in order: a point at every step is at its own index's, without a 64-bit
            // division per point (walking the cells forward instead took longer than the divisions).
            boolean everyStep = fn == ns && ft[0] == start && ft[fn - 1] == ev.stepTime(ns - 1);
            for (int i = 0; i < fn; i++) {
                int cell = everyStep ? i : (int) ((ft[i] - start) / interval);
                double v = fv[i];
                int c = cnt[cell]++;
                switch (op) {
                    case SUM -> {
                        double sum = acc[cell];
                        double t = sum + v;
                        comp[cell] = Kernels.kahanC(v, sum, t, comp[cell]);
                        acc[cell] = t;
                    }
                    case MIN -> {
                        if (c == 0 || v < acc[cell] || Double.isNaN(acc[cell])) {
                            acc[cell] = v;
                        }
                    }
                    case MAX -> {
                        if (c == 0 || v > acc[cell] || Double.isNaN(acc[cell])) {
                            acc[cell] = v;
                        }
                    }
                    default -> {
                    }
                }
            }
            int first = (int) ((ft[0] - start) / interval);
            if (first < firstStep[g]) {
                firstStep[g] = first;
                firstInput[g] = k;
            }
            int last = (int) ((ft[fn - 1] - start) / interval);
            if (last > lastStep[g]) {
                lastStep[g] = last;
                drop[g] = s.dropName;
            } else if (last == lastStep[g]) {
                drop[g] |= s.dropName;
            }
        }

        Matrix build() {
            int ng = groupLabels.size();
            Integer[] order = new Integer[ng];
            for (int g = 0; g < ng; g++) {
                order[g] = g;
            }
            java.util.Arrays.sort(order, java.util.Comparator.<Integer>comparingInt(g -> firstStep[g]).thenComparingInt(g -> firstInput[g]));
            List<MatrixSeries> outList = new ArrayList<>(ng);
            long count = 0;
            for (int g : order) {
                if (lastStep[g] < 0) {
                    continue;
                }
                Labels gl = groupLabels.get(g);
                MatrixSeries out = new MatrixSeries(gl, ev.outputCapacity());
                out.dropName = drop[g] && gl.metricName() != null;
                int[] cnt = this.cnt[g];
                for (int step = firstStep[g]; step <= lastStep[g]; step++) {
                    int c = cnt[step];
                    if (c == 0) {
                        continue;
                    }
                    double v = switch (op) {
                        case SUM -> {
                            double sum = acc[g][step];
                            yield Double.isInfinite(sum) ? sum : sum + comp[g][step];
                        }
                        case COUNT -> c;
                        case GROUP -> 1;
                        default -> acc[g][step];
                    };
                    out.addFloat(ev.stepTime(step), v);
                }
                count += out.fn;
                outList.add(out);
            }
            ev.countSamples(count);
            return new Matrix(outList);
        }
    }

    /**
     * Gathers each step's values per group, for the aggregations that need them all at once. Values are first
     * copied for {@value #TILE} steps at a time into a tile (one sequential read per series), so that gathering a
     * step reads the tile, which stays in cache, instead of every series' arrays.
     */
    private Matrix runGathering(double[] param) {
        int n = in.size();
        int ng = groupLabels.length;
        double[][] buf = new double[ng][];
        int[][] idx = new int[ng][];
        for (int g = 0; g < ng; g++) {
            buf[g] = new double[members[g]];
            idx[g] = new int[members[g]];
        }
        int[] cnt = new int[ng];
        boolean[] drop = new boolean[ng];
        int[] order = new int[ng];
        int[] cursor = new int[n];
        double[] tile = new double[n * TILE];
        int[] present = new int[n]; // bit j: the series has a point at the tile's step j
        boolean[] dropOf = new boolean[n];
        for (int k = 0; k < n; k++) {
            dropOf[k] = in.get(k).dropName;
        }
        boolean selecting = op == AggregateOp.TOPK || op == AggregateOp.BOTTOMK;
        // Output series by group, or by input series for topk/bottomk; listed in order of first output as the
        // generic path's assembler does.
        MatrixSeries[] outs = new MatrixSeries[selecting ? n : ng];
        List<MatrixSeries> outList = new ArrayList<>();
        int[] heap = selecting ? new int[n + 1] : null;
        long count = 0;
        for (int step = 0; step < ev.numSteps; step++) {
            long t = ev.stepTime(step);
            int j = step % TILE;
            if (j == 0) {
                fillTile(step, cursor, tile, present);
            }
            int bit = 1 << j;
            int no = 0;
            for (int k = 0; k < n; k++) {
                if ((present[k] & bit) != 0) {
                    int g = groupOf[k];
                    int c = cnt[g];
                    if (c == 0) {
                        order[no++] = g;
                        drop[g] = false;
                    }
                    buf[g][c] = tile[k * TILE + j];
                    idx[g][c] = k;
                    cnt[g] = c + 1;
                    drop[g] |= dropOf[k];
                }
            }
            double p = param == null ? Double.NaN : param[step];
            if (selecting) {
                long k = topK(p);
                for (int o = 0; o < no; o++) {
                    int g = order[o];
                    if (k >= 1) {
                        int kept = select(buf[g], idx[g], cnt[g], k, heap);
                        for (int h = 0; h < kept; h++) {
                            int sk = heap[h];
                            MatrixSeries src = in.get(sk);
                            MatrixSeries out = outs[sk];
                            if (out == null) {
                                out = new MatrixSeries(src.labels, ev.outputCapacity());
                                outs[sk] = out;
                                outList.add(out);
                            }
                            out.dropName = src.dropName;
                            out.addFloat(t, tile[sk * TILE + j]);
                            count++;
                        }
                    }
                    cnt[g] = 0;
                }
            } else {
                for (int o = 0; o < no; o++) {
                    int g = order[o];
                    double v = aggregate(buf[g], cnt[g], p);
                    cnt[g] = 0;
                    MatrixSeries out = outs[g];
                    if (out == null) {
                        out = new MatrixSeries(groupLabels[g], ev.outputCapacity());
                        outs[g] = out;
                        outList.add(out);
                    }
                    out.dropName = drop[g] && groupLabels[g].metricName() != null;
                    out.addFloat(t, v);
                    count++;
                }
            }
            if ((step & 63) == 0) {
                ev.checkDeadline();
            }
        }
        ev.countSamples(count);
        return new Matrix(outList);
    }

    /** Copies each series' points at steps [from, from + TILE) into its row of the tile, marking which exist. */
    private void fillTile(int from, int[] cursor, double[] tile, int[] present) {
        long start = ev.start;
        long interval = ev.interval;
        long last = ev.stepTime(Math.min(from + TILE, ev.numSteps) - 1);
        for (int k = 0; k < in.size(); k++) {
            MatrixSeries s = in.get(k);
            long[] ft = s.ft;
            int i = cursor[k];
            int mask = 0;
            while (i < s.fn && ft[i] <= last) {
                int j = (int) ((ft[i] - start) / interval) - from;
                tile[k * TILE + j] = s.fv[i];
                mask |= 1 << j;
                i++;
            }
            cursor[k] = i;
            present[k] = mask;
        }
    }

    private double aggregate(double[] v, int n, double p) {
        return switch (op) {
            case COUNT -> n;
            case GROUP -> 1;
            case SUM -> Kernels.sum(v, 0, n);
            case AVG -> Kernels.avg(v, 0, n);
            case MIN -> Kernels.min(v, 0, n);
            case MAX -> Kernels.max(v, 0, n);
            case STDVAR -> Kernels.variance(v, 0, n);
            case STDDEV -> Math.sqrt(Kernels.variance(v, 0, n));
            case QUANTILE -> {
                if (Double.isNaN(p) || p < 0 || p > 1) {
                    ev.annos.invalidQuantile(p, a.param().position());
                }
                yield Kernels.quantile(p, v, n);
            }
            default -> throw new IllegalStateException("unhandled aggregation " + op);
        };
    }

    private static long topK(double p) {
        if (Double.isNaN(p)) {
            throw PromQLException.execution("Parameter value is NaN");
        }
        if (p >= 9.223372036854776E18 || p < -9.223372036854776E18) {
            throw PromQLException.execution("Scalar value " + GoFloats.formatG(p) + " overflows int64");
        }
        return (long) p;
    }

    /** Keeps the k best of {@code v[0, n)} in {@code heap[0, kept)}, in output order, as series indices. */
    private int select(double[] v, int[] ids, int n, long k, int[] heap) {
        int kept = KSelection.select(v, n, k, op == AggregateOp.TOPK, heap);
        for (int i = 0; i < kept; i++) {
            heap[i] = ids[heap[i]];
        }
        return kept;
    }
}
