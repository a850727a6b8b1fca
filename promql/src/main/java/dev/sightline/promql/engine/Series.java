package dev.sightline.promql.engine;

import dev.sightline.promql.ast.Printer;
import dev.sightline.core.Histogram;
import dev.sightline.core.Labels;
import dev.sightline.core.Staleness;
import dev.sightline.tsdb.FloatSamples;

import java.util.Arrays;

/**
 * One series of a matrix: float points and histogram points in two primitive-backed, growable arrays, each in
 * timestamp order (a timestamp appears in at most one of them).
 */
public final class Series {
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

    public Series(Labels labels) {
        this.labels = labels;
    }

    /** A series expecting about {@code floats} float points (grows beyond if needed). */
    public Series(Labels labels, int floats) {
        this.labels = labels;
        this.ft = new long[floats];
        this.fv = new double[floats];
    }

    public void addFloat(long t, double v) {
        if (fn == ft.length) {
            int cap = Math.max(8, fn * 2);
            ft = Arrays.copyOf(ft, cap);
            fv = Arrays.copyOf(fv, cap);
        }
        ft[fn] = t;
        fv[fn++] = v;
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
            int cap = n + (n >> 3) + 8;
            in.t = new long[cap];
            in.v = new double[cap];
        } else {
            ft = Arrays.copyOf(in.t, n);
            fv = Arrays.copyOf(in.v, n);
        }
        fn = n;
        if (dropStale) {
            // Read-only up to the first marker (usually none): moving every point would double the work.
            int k = 0;
            while (k < n && !Staleness.isStaleMarker(fv[k])) {
                k++;
            }
            for (int i = k; i < n; i++) {
                if (!Staleness.isStaleMarker(fv[i])) {
                    ft[k] = ft[i];
                    fv[k++] = fv[i];
                }
            }
            fn = k;
        }
    }

    public void addHistogram(long t, Histogram h) {
        if (hn == ht.length) {
            int cap = Math.max(8, hn * 2);
            ht = Arrays.copyOf(ht, cap);
            hv = Arrays.copyOf(hv, cap);
        }
        ht[hn] = t;
        hv[hn++] = h;
    }

    public int size() {
        return fn + hn;
    }
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(labels.toString()).append(" =>");
        for (int i = 0; i < fn; i++) {
            sb.append(' ').append(Printer.formatFloatV(fv[i])).append(" @[").append(ft[i]).append(']');
        }
        for (int i = 0; i < hn; i++) {
            sb.append(' ').append(hv[i]).append(" @[").append(ht[i]).append(']');
        }
        return sb.toString();
    }
}
