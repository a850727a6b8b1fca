package dev.sightline.tsdb.wal;

import dev.sightline.core.Histogram;
import dev.sightline.core.Labels;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The records of one commit, collected in reusable primitive arrays so that appending a float sample allocates
 * nothing once the arrays have grown to the usual batch size.
 */
public final class WalBatch {
    private long[] seriesRefs = new long[16];
    private final List<Labels> seriesLabels = new ArrayList<>();
    private int seriesCount;

    private long[] sampleRefs = new long[256];
    private long[] sampleTimes = new long[256];
    private double[] sampleValues = new double[256];
    private final StartTimestamps sampleStarts = new StartTimestamps();
    private int sampleCount;

    private long[] histogramRefs = new long[16];
    private long[] histogramTimes = new long[16];
    private final StartTimestamps histogramStarts = new StartTimestamps();
    private final List<Histogram> histograms = new ArrayList<>();
    private int histogramCount;

    private long[] exemplarRefs = new long[16];
    private long[] exemplarTimes = new long[16];
    private double[] exemplarValues = new double[16];
    private final List<Labels> exemplarLabels = new ArrayList<>();
    private int exemplarCount;

    /** Deleted intervals: series ref, min and max time, three longs each. */
    private long[] tombstones = new long[0];
    private int tombstoneCount;

    public void addSeries(long ref, Labels labels) {
        if (seriesCount == seriesRefs.length) {
            seriesRefs = Arrays.copyOf(seriesRefs, seriesCount * 2);
        }
        seriesRefs[seriesCount++] = ref;
        seriesLabels.add(labels);
    }

    /** Adds a float sample; {@code st} is its start timestamp, 0 for none. */
    public void addSample(long ref, long st, long t, double v) {
        if (sampleCount == sampleRefs.length) {
            int n = sampleCount * 2;
            sampleRefs = Arrays.copyOf(sampleRefs, n);
            sampleTimes = Arrays.copyOf(sampleTimes, n);
            sampleValues = Arrays.copyOf(sampleValues, n);
        }
        sampleRefs[sampleCount] = ref;
        sampleTimes[sampleCount] = t;
        sampleValues[sampleCount] = v;
        sampleStarts.set(sampleCount, st, sampleRefs.length);
        sampleCount++;
    }

    /** Adds a histogram sample; {@code st} is its start timestamp, 0 for none. */
    public void addHistogram(long ref, long st, long t, Histogram h) {
        if (histogramCount == histogramRefs.length) {
            int n = histogramCount * 2;
            histogramRefs = Arrays.copyOf(histogramRefs, n);
            histogramTimes = Arrays.copyOf(histogramTimes, n);
        }
        histogramRefs[histogramCount] = ref;
        histogramTimes[histogramCount] = t;
        histogramStarts.set(histogramCount, st, histogramRefs.length);
        histograms.add(h);
        histogramCount++;
    }

    /** Adds an exemplar of series {@code ref}, logged with the samples so one fsync makes both durable. */
    public void addExemplar(long ref, long t, double v, Labels labels) {
        if (exemplarCount == exemplarRefs.length) {
            int n = exemplarCount * 2;
            exemplarRefs = Arrays.copyOf(exemplarRefs, n);
            exemplarTimes = Arrays.copyOf(exemplarTimes, n);
            exemplarValues = Arrays.copyOf(exemplarValues, n);
        }
        exemplarRefs[exemplarCount] = ref;
        exemplarTimes[exemplarCount] = t;
        exemplarValues[exemplarCount] = v;
        exemplarLabels.add(labels);
        exemplarCount++;
    }

    /** Adds a deleted interval [mint, maxt] of series {@code ref} (a delete, logged as Prometheus logs tombstones). */
    public void addTombstone(long ref, long mint, long maxt) {
        if (3 * tombstoneCount == tombstones.length) {
            tombstones = Arrays.copyOf(tombstones, Math.max(48, tombstones.length * 2));
        }
        tombstones[3 * tombstoneCount] = ref;
        tombstones[3 * tombstoneCount + 1] = mint;
        tombstones[3 * tombstoneCount + 2] = maxt;
        tombstoneCount++;
    }

    public int tombstoneCount() {
        return tombstoneCount;
    }

    public long tombstoneRef(int i) {
        return tombstones[3 * i];
    }

    public long tombstoneMin(int i) {
        return tombstones[3 * i + 1];
    }

    public long tombstoneMax(int i) {
        return tombstones[3 * i + 2];
    }

    public void clear() {
        seriesCount = 0;
        seriesLabels.clear();
        sampleCount = 0;
        sampleStarts.clear();
        histogramCount = 0;
        histogramStarts.clear();
        histograms.clear();
        exemplarCount = 0;
        exemplarLabels.clear();
        tombstoneCount = 0;
    }

    public boolean isEmpty() {
        return seriesCount == 0 && sampleCount == 0 && histogramCount == 0 && exemplarCount == 0 && tombstoneCount == 0;
    }

    public int seriesCount() {
        return seriesCount;
    }

    public long seriesRef(int i) {
        return seriesRefs[i];
    }

    public Labels seriesLabels(int i) {
        return seriesLabels.get(i);
    }

    public int sampleCount() {
        return sampleCount;
    }

    public long sampleRef(int i) {
        return sampleRefs[i];
    }

    public long sampleTime(int i) {
        return sampleTimes[i];
    }

    public double sampleValue(int i) {
        return sampleValues[i];
    }

    public long sampleStart(int i) {
        return sampleStarts.get(i);
    }

    /** Whether a float sample of the batch has a start timestamp. */
    public boolean samplesHaveStarts() {
        return sampleStarts.any();
    }

    public int histogramCount() {
        return histogramCount;
    }

    public long histogramRef(int i) {
        return histogramRefs[i];
    }

    public long histogramTime(int i) {
        return histogramTimes[i];
    }

    public Histogram histogram(int i) {
        return histograms.get(i);
    }

    public long histogramStart(int i) {
        return histogramStarts.get(i);
    }

    /** Whether a histogram sample of the batch has a start timestamp. */
    public boolean histogramsHaveStarts() {
        return histogramStarts.any();
    }

    public int exemplarCount() {
        return exemplarCount;
    }

    public long exemplarRef(int i) {
        return exemplarRefs[i];
    }

    public long exemplarTime(int i) {
        return exemplarTimes[i];
    }

    public double exemplarValue(int i) {
        return exemplarValues[i];
    }

    public Labels exemplarLabels(int i) {
        return exemplarLabels.get(i);
    }
}
