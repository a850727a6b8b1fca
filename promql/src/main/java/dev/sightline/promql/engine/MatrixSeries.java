package dev.sightline.promql.engine;

import dev.sightline.core.Histogram;
import dev.sightline.core.Labels;
import dev.sightline.core.Staleness;
import dev.sightline.core.text.GoFloats;
import dev.sightline.metricstore.FloatSamples;

import java.util.Arrays;

/**
 * One series of a matrix, as the engine evaluates it: float points and histogram points in two primitive-backed,
 * growable arrays, each in timestamp order (a timestamp appears in at most one of them). A selector fills it from a
 * stored {@link dev.sightline.metricstore.Series}; every later step of evaluation works on these.
 */
public final class MatrixSeries {
    private static final long[] NO_LONGS = new long[0];
    private static final double[] NO_DOUBLES = new double[0];
    private static final Histogram[] NO_HISTOGRAMS = new Histogram[0];

    public Labels labels;
    public boolean dropName;
    public long[] ft = NO_LONGS;
    public double[] fv = NO_DOUBLES;
    public int fn;
    public long[] ht = NO_LONGS;
    public Histogram[] hv = NO_HISTOGRAMS;
    public int hn;
    /**
     * Start timestamps (ms, 0 = none) parallel to ft and ht, or null when no point has one. Only raw points read by a
     * selector carry them: anything computed (a subquery, an expression) has none, as in Prometheus.
     */
    public long[] fst;
    public long[] hst;

    public MatrixSeries(Labels labels) {
        this.labels = labels;
    }

    /** A series expecting about {@code floats} float points (grows beyond if needed). */
    public MatrixSeries(Labels labels, int floats) {
        this.labels = labels;
        this.ft = new long[floats];
        this.fv = new double[floats];
    }

    public void addFloat(long t, double v) {
        if (fn == ft.length) {
            int cap = Math.max(8, fn * 2);
            ft = Arrays.copyOf(ft, cap);
            fv = Arrays.copyOf(fv, cap);
            if (fst != null) {
                fst = Arrays.copyOf(fst, cap);
            }
        }
        if (fst != null) {
            fst[fn] = 0;
        }
        ft[fn] = t;
        fv[fn++] = v;
    }

    /** Makes room for {@code n} float points in an empty series without start timestamps, to be written directly. */
    void reserveFloats(int n) {
        if (fn != 0 || fst != null) {
            throw new IllegalStateException("not an empty series without start timestamps");
        }
        if (ft.length < n) {
            ft = new long[n];
            fv = new double[n];
        }
    }

    /**
     * Takes the float points read in bulk, leaving out staleness markers if asked. Buffers at least half full are
     * taken over as they are (the reader gets new ones sized for a series like this one): copying every long
     * series cost as much as a tenth of a 24 h rate query. Emptier ones are copied to exact size.
     */
    public void takeFloats(FloatSamples in, boolean dropStale) {
        int n = in.n;
        if (n > 0 && n >= in.t.length / 2) {
            ft = in.t;
            fv = in.v;
            fst = in.st;
            int cap = n + (n >> 3) + 8;
            in.t = new long[cap];
            in.v = new double[cap];
            in.st = null;
        } else {
            ft = Arrays.copyOf(in.t, n);
            fv = Arrays.copyOf(in.v, n);
            fst = in.st == null ? null : Arrays.copyOf(in.st, n);
        }
        fn = n;
        if (dropStale) {
            dropStaleFloats();
        }
    }

    /**
     * Takes the float points read in bulk as they are, and gives the reader the arrays of {@code spent} (a series
     * nobody reads any more) in exchange: series read one after another into a few rotating buffers allocate
     * nothing once those have grown to a series' size.
     */
    public void swapFloats(FloatSamples in, boolean dropStale, MatrixSeries spent) {
        ft = in.t;
        fv = in.v;
        fst = in.st;
        fn = in.n;
        boolean reusable = spent.ft.length >= 8 && spent.ft.length == spent.fv.length;
        in.t = reusable ? spent.ft : new long[Math.max(8, fn)];
        in.v = reusable ? spent.fv : new double[in.t.length];
        in.st = null;
        spent.ft = NO_LONGS;
        spent.fv = NO_DOUBLES;
        spent.fst = null;
        spent.fn = 0;
        if (dropStale) {
            dropStaleFloats();
        }
    }

    private void dropStaleFloats() {
        int n = fn;
        // Read-only up to the first marker (usually none): moving every point would double the work.
        int k = 0;
        while (k < n && !Staleness.isStaleMarker(fv[k])) {
            k++;
        }
        for (int i = k; i < n; i++) {
            if (!Staleness.isStaleMarker(fv[i])) {
                if (fst != null) {
                    fst[k] = fst[i];
                }
                ft[k] = ft[i];
                fv[k++] = fv[i];
            }
        }
        fn = k;
    }

    public void addHistogram(long t, Histogram h) {
        addHistogram(t, h, 0);
    }

    /** Adds a histogram point with its start timestamp (0 = none). */
    public void addHistogram(long t, Histogram h, long st) {
        if (hn == ht.length) {
            int cap = Math.max(8, hn * 2);
            ht = Arrays.copyOf(ht, cap);
            hv = Arrays.copyOf(hv, cap);
            if (hst != null) {
                hst = Arrays.copyOf(hst, cap);
            }
        }
        if (st != 0 && hst == null) {
            hst = new long[ht.length];
        }
        if (hst != null) {
            hst[hn] = st;
        }
        ht[hn] = t;
        hv[hn++] = h;
    }

    /** Empties this series for reuse as one with these labels, keeping its arrays. */
    void clear(Labels labels) {
        this.labels = labels;
        dropName = false;
        fn = 0;
        fst = null;
        Arrays.fill(hv, 0, hn, null);
        hn = 0;
        hst = null;
    }

    public int size() {
        return fn + hn;
    }
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(labels.toString()).append(" =>");
        for (int i = 0; i < fn; i++) {
            sb.append(' ').append(GoFloats.formatG(fv[i])).append(" @[").append(ft[i]).append(']');
        }
        for (int i = 0; i < hn; i++) {
            sb.append(' ').append(hv[i]).append(" @[").append(ht[i]).append(']');
        }
        return sb.toString();
    }
}
