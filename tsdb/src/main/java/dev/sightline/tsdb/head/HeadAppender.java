package dev.sightline.tsdb.head;

import dev.sightline.core.Histogram;
import dev.sightline.core.Labels;
import dev.sightline.core.ValidationException;
import dev.sightline.metricstore.Appender;
import dev.sightline.tsdb.wal.StartTimestamps;
import dev.sightline.tsdb.wal.WalBatch;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Buffers one batch. Each sample is checked at append time (label set, timestamp range, order and duplicates
 * against the stored series and the batch's own earlier samples) so a refusal reaches the caller at once; commit
 * appends the batch to the WAL, stores it into the head while the WAL's fsync runs, and returns (or throws) only once
 * the fsync has succeeded. Float appends allocate nothing once the arrays have grown.
 *
 * <p>So a query may see samples a few hundred microseconds before they are durable (Prometheus, which never fsyncs
 * per request, shows them for far longer). If the fsync fails, commit throws and the samples stay in the head though
 * perhaps not on disk: a retry of the batch finds them there as duplicates, and logs those duplicates again so that
 * its own acknowledgement means they are durable (they are still not stored twice).
 *
 * <p>A head persistence may raise the head's minimum valid time between append and commit. A batch holding a sample
 * that is now too old fails as a whole at commit (nothing is written or stored, the appender is cleared): each
 * sample a commit acknowledges is stored, none is dropped behind the caller's back. Another batch writing the same
 * series may commit in between and make a sample append accepted a duplicate or out of order: commit then stores the
 * rest and throws a ValidationException saying how many samples were stored and which one was refused first.
 */
final class HeadAppender implements Appender {
    private final Head head;
    private final WalBatch walBatch = new WalBatch();

    // Series touched by this batch, with the newest pending sample per series for order checks within the batch.
    private MemSeries[] series = new MemSeries[16];
    private boolean[] pendingHas = new boolean[16];
    private long[] pendingLastT = new long[16];
    private long[] pendingLastBits = new long[16];
    private Histogram[] pendingLastH = new Histogram[16];
    /** The caller's labels of a series not yet in the WAL, which commit logs instead of unpacking the head's copy. */
    private Labels[] newLabels = new Labels[16];
    private int numSeries;
    private final LongLongMap slotByRef = new LongLongMap(16, -1);
    /** What {@link #prefetch} read, kept so that the compiler cannot drop its reads. */
    private long prefetched;
    /** Names this appender in series' batch marks; never 0, which means unclaimed. */
    private final int id = nextId();

    // Pending samples in append order; histIdx is -1 for a float sample.
    private int[] sampleSlot = new int[64];
    private long[] sampleT = new long[64];
    private double[] sampleV = new double[64];
    /** Start timestamps of the pending samples. */
    private final StartTimestamps sampleSt = new StartTimestamps();
    private int[] histIdx = new int[64];
    private int numSamples;
    /** The oldest pending timestamp, so commit checks the batch against the minimum valid time at once. */
    private long minPendingT = Long.MAX_VALUE;
    private final List<Histogram> histograms = new ArrayList<>();

    // Pending exemplars in append order, logged after the samples in the same WAL write.
    private MemSeries[] exemplarSeries = new MemSeries[16];
    private long[] exemplarT = new long[16];
    private double[] exemplarV = new double[16];
    private final List<Labels> exemplarLabels = new ArrayList<>();
    private int numExemplars;

    /** Appenders grown beyond this many samples or series are not pooled, so one huge batch is not kept for good. */
    static final int POOLED_CAPACITY = 1 << 16;

    HeadAppender(Head head) {
        this.head = head;
    }

    /** The larger of the sample and series array lengths. */
    int capacity() {
        return Math.max(sampleT.length, series.length);
    }

    private static final AtomicInteger IDS = new AtomicInteger();

    private static int nextId() {
        int i;
        do {
            i = IDS.incrementAndGet();
        } while (i == 0);
        return i;
    }

    @Override
    public long append(long ref, Labels labels, long timestampMs, double value) {
        return add(ref, labels, 0, timestampMs, Double.doubleToRawLongBits(value), null);
    }

    @Override
    public long appendHistogram(long ref, Labels labels, long timestampMs, Histogram histogram) {
        return appendHistogram(ref, labels, 0, timestampMs, histogram);
    }

    @Override
    public long append(long ref, Labels labels, long startTimestampMs, long timestampMs, double value) {
        return add(ref, labels, startTimestampMs, timestampMs, Double.doubleToRawLongBits(value), null);
    }

    @Override
    public long appendHistogram(long ref, Labels labels, long startTimestampMs, long timestampMs, Histogram histogram) {
        try {
            histogram.validate();
        } catch (ValidationException e) {
            head.stats.reject(e.reason());
            throw e;
        }
        return add(ref, labels, startTimestampMs, timestampMs, 0, histogram);
    }

    private long add(long ref, Labels labels, long st, long t, long bits, Histogram h) {
        MemSeries s = ref != 0 ? head.series(ref) : null;
        // Time checks come before series creation so a refused sample leaves no empty series behind.
        if (t < Head.MIN_TIMESTAMP || t > Head.MAX_TIMESTAMP) {
            throw reject(ValidationException.Reason.INVALID_TIMESTAMP,
                    "timestamp " + t + " ms is outside the years 1 to 9999 for series " + (s != null ? head.labels(s) : labels));
        }
        if (st != 0 && (st < Head.MIN_TIMESTAMP || st > Head.MAX_TIMESTAMP)) {
            head.stats.reject(ValidationException.Reason.INVALID_TIMESTAMP);
            throw new ValidationException(ValidationException.Reason.INVALID_TIMESTAMP, "start_timestamp",
                    "start timestamp " + st + " ms is outside the years 1 to 9999 for series " + (s != null ? head.labels(s) : labels));
        }
        if (t < head.minValidTime()) {
            throw reject(ValidationException.Reason.TOO_OLD_SAMPLE, "sample at " + t + " is older than the head's start "
                    + head.minValidTime() + " (already persisted) for series " + (s != null ? head.labels(s) : labels));
        }
        if (s == null) {
            if (labels == null) {
                throw new IllegalArgumentException("series ref " + ref + " is unknown (the series may have been dropped"
                        + " from the head) and no labels were given");
            }
            s = head.getOrCreate(labels);
        } else {
            labels = null; // found by ref: the caller's labels are not what the WAL is told
        }
        int slot = slotOf(s);
        int c;
        if (slot < 0) {
            // First sample of the series in this batch: one lock both classifies it and claims the series' mark.
            slot = addSlot(s, labels);
            long claim = ((long) id << 32) | slot;
            c = s.claimAndClassify(claim, t, bits, h, head.outOfOrderWindowMs());
            if ((c & MemSeries.CLAIMED) == 0) {
                slotByRef.put(s.ref, slot);
            }
            c &= ~MemSeries.CLAIMED;
        } else if (pendingHas[slot]) {
            c = MemSeries.classify(true, pendingLastT[slot], pendingLastBits[slot], pendingLastH[slot], t, bits, h, head.outOfOrderWindowMs());
            if (c != MemSeries.IN_ORDER && c != MemSeries.DUP_IGNORED) {
                // Older than a pending sample: the stored state decides too (it may hold this very timestamp).
                int stored = s.classify(t, bits, h, head.outOfOrderWindowMs());
                if (stored == MemSeries.REJECT_DUPLICATE || stored == MemSeries.DUP_IGNORED) {
                    c = stored;
                }
            }
        } else {
            c = s.classify(t, bits, h, head.outOfOrderWindowMs());
        }
        switch (c) {
            case MemSeries.IN_ORDER -> {
                pendingHas[slot] = true;
                pendingLastT[slot] = t;
                pendingLastBits[slot] = bits;
                pendingLastH[slot] = h;
            }
            case MemSeries.DUP_IGNORED -> {
                if (pendingHas[slot] || head.wal() == null) {
                    return s.ref;
                }
                // Already stored, maybe by a commit whose fsync is still running or failed: logged again (see above).
            }
            case MemSeries.OUT_OF_ORDER_ACCEPTED -> {
            }
            case MemSeries.REJECT_DUPLICATE -> throw reject(ValidationException.Reason.DUPLICATE_SAMPLE_FOR_TIMESTAMP,
                    "duplicate sample for timestamp " + t + " with a different value for series " + head.labels(s));
            case MemSeries.REJECT_TOO_OLD -> throw reject(ValidationException.Reason.TOO_OLD_SAMPLE,
                    "sample at " + t + " is older than the out-of-order window of " + head.outOfOrderWindowMs() + " ms for series " + head.labels(s));
            default -> throw reject(ValidationException.Reason.OUT_OF_ORDER_SAMPLE,
                    "out-of-order sample at " + t + " for series " + head.labels(s));
        }
        if (numSamples == sampleT.length) {
            int n = numSamples * 2;
            sampleSlot = Arrays.copyOf(sampleSlot, n);
            sampleT = Arrays.copyOf(sampleT, n);
            sampleV = Arrays.copyOf(sampleV, n);
            histIdx = Arrays.copyOf(histIdx, n);
        }
        sampleSt.set(numSamples, st, sampleT.length);
        sampleSlot[numSamples] = slot;
        sampleT[numSamples] = t;
        minPendingT = Math.min(minPendingT, t);
        sampleV[numSamples] = Double.longBitsToDouble(bits);
        if (h != null) {
            histIdx[numSamples] = histograms.size();
            histograms.add(h);
        } else {
            histIdx[numSamples] = -1;
        }
        numSamples++;
        return s.ref;
    }

    /**
     * Reads each series' batch mark and WAL flag, which the append reads first: the series' map page and its
     * object are then in the CPU cache, fetched side by side instead of one miss per append.
     */
    @Override
    public void prefetch(long[] refs, int n) {
        long seen = 0;
        for (int i = 0; i < n; i++) {
            MemSeries s = refs[i] == 0 ? null : head.series(refs[i]);
            if (s != null && s.walLogged) {
                seen += (long) MemSeries.BATCH_MARK.getOpaque(s) + s.touchHeadChunk();
            }
        }
        prefetched = seen;
    }

    @Override
    public boolean appendExemplar(long ref, Labels labels, Labels exemplar, long timestampMs, double value) {
        MemSeries s = ref != 0 ? head.series(ref) : null;
        if (s == null && labels != null) {
            s = head.seriesByLabels(labels);
        }
        if (s == null) {
            return false;
        }
        if (head.wal() == null) {
            return true;
        }
        if (numExemplars == exemplarT.length) {
            int n = numExemplars * 2;
            exemplarSeries = Arrays.copyOf(exemplarSeries, n);
            exemplarT = Arrays.copyOf(exemplarT, n);
            exemplarV = Arrays.copyOf(exemplarV, n);
        }
        exemplarSeries[numExemplars] = s;
        exemplarT[numExemplars] = timestampMs;
        exemplarV[numExemplars] = value;
        exemplarLabels.add(exemplar);
        numExemplars++;
        return true;
    }

    private ValidationException reject(ValidationException.Reason reason, String message) {
        head.stats.reject(reason);
        return new ValidationException(reason, "timestamp", message);
    }

    /**
     * The batch slot of the series, or -1 when it is not in the batch yet. The series' mark names the slot when this
     * appender claimed it; the map holds only series another open batch had claimed first, so it is empty (and
     * skipped) unless two appenders share series.
     */
    private int slotOf(MemSeries s) {
        long mark = (long) MemSeries.BATCH_MARK.getOpaque(s);
        if ((int) (mark >>> 32) == id) {
            int slot = (int) mark;
            if (slot < numSeries && series[slot] == s) {
                return slot;
            }
        }
        return slotByRef.size > 0 ? (int) slotByRef.get(s.ref) : -1;
    }

    private int addSlot(MemSeries s, Labels labels) {
        if (numSeries == series.length) {
            int n = numSeries * 2;
            series = Arrays.copyOf(series, n);
            newLabels = Arrays.copyOf(newLabels, n);
            pendingHas = Arrays.copyOf(pendingHas, n);
            pendingLastT = Arrays.copyOf(pendingLastT, n);
            pendingLastBits = Arrays.copyOf(pendingLastBits, n);
            pendingLastH = Arrays.copyOf(pendingLastH, n);
        }
        series[numSeries] = s;
        newLabels[numSeries] = s.walLogged ? null : labels;
        pendingHas[numSeries] = false;
        return numSeries++;
    }

    @Override
    public void commit() throws IOException {
        if (numSamples == 0 && numExemplars == 0) {
            clear();
            return;
        }
        head.commitLock.readLock().lock();
        try {
            long walSeq = 0;
            long minValid = head.minValidTime();
            if (minPendingT < minValid) {
                // Stable while the lock is held: truncation needs it exclusively.
                throw tooOldAtCommit(minValid);
            }
            for (int i = 0; i < numSeries; i++) {
                if (series[i].removed) {
                    // Dropped by a head truncation since append; its labels were validated then.
                    series[i] = head.getOrCreate(head.labels(series[i]));
                }
            }
            for (int i = 0; i < numExemplars; i++) {
                if (exemplarSeries[i].removed) {
                    exemplarSeries[i] = head.getOrCreate(head.labels(exemplarSeries[i]));
                }
            }
            if (head.wal() != null) {
                walBatch.clear();
                for (int i = 0; i < numSeries; i++) {
                    if (!series[i].walLogged) {
                        walBatch.addSeries(series[i].ref, newLabels[i] != null ? newLabels[i] : head.labels(series[i]));
                    }
                }
                for (int i = 0; i < numExemplars; i++) {
                    MemSeries s = exemplarSeries[i];
                    // A series new to the WAL is usually in this batch already, whose loop above logged it.
                    if (!s.walLogged && slotOf(s) < 0) {
                        walBatch.addSeries(s.ref, head.labels(s));
                    }
                }
                for (int i = 0; i < numSamples; i++) {
                    long ref = series[sampleSlot[i]].ref;
                    long st = sampleSt.get(i);
                    if (histIdx[i] < 0) {
                        walBatch.addSample(ref, st, sampleT[i], sampleV[i]);
                    } else {
                        walBatch.addHistogram(ref, st, sampleT[i], histograms.get(histIdx[i]));
                    }
                }
                for (int i = 0; i < numExemplars; i++) {
                    walBatch.addExemplar(exemplarSeries[i].ref, exemplarT[i], exemplarV[i], exemplarLabels.get(i));
                }
                walSeq = head.wal().append(walBatch);
            }
            long stored = 0;
            long minT = Long.MAX_VALUE;
            long maxT = Long.MIN_VALUE;
            int refused = 0;
            int firstRefused = -1;
            int firstReason = 0;
            for (int i = 0; i < numSamples; i++) {
                long t = sampleT[i];
                Histogram h = histIdx[i] < 0 ? null : histograms.get(histIdx[i]);
                int c = head.store(series[sampleSlot[i]], sampleSt.get(i), t,
                        h == null ? Double.doubleToRawLongBits(sampleV[i]) : 0, h);
                if (c == MemSeries.IN_ORDER || c == MemSeries.OUT_OF_ORDER_ACCEPTED) {
                    stored++;
                    minT = Math.min(minT, t);
                    maxT = Math.max(maxT, t);
                } else if (c != MemSeries.DUP_IGNORED) {
                    if (refused++ == 0) {
                        firstRefused = i;
                        firstReason = c;
                    }
                }
            }
            head.noteAppended(stored, minT, maxT);
            if (head.wal() != null) {
                head.wal().awaitDurable(walSeq);
                // Only now: a later batch that skips the series record must find it durable before its own samples.
                for (int i = 0; i < numSeries; i++) {
                    // A volatile write costs a fence; nearly every series is logged already.
                    if (!series[i].walLogged) {
                        series[i].walLogged = true;
                    }
                }
                for (int i = 0; i < numExemplars; i++) {
                    if (!exemplarSeries[i].walLogged) {
                        exemplarSeries[i].walLogged = true;
                    }
                }
            }
            if (refused > 0) {
                throw refusedAtCommit(stored, refused, firstRefused, firstReason);
            }
        } finally {
            head.commitLock.readLock().unlock();
            clear();
        }
    }

    /**
     * Counts every sample of the batch as refused and names the first too-old one; the whole batch fails so that a
     * caller who retries or reports the error never has part of it silently applied.
     */
    private ValidationException tooOldAtCommit(long minValid) {
        int first = 0;
        while (sampleT[first] >= minValid) {
            first++;
        }
        int tooOld = 0;
        for (int i = 0; i < numSamples; i++) {
            if (sampleT[i] < minValid) {
                tooOld++;
            }
        }
        for (int i = 0; i < numSamples; i++) {
            head.stats.reject(ValidationException.Reason.TOO_OLD_SAMPLE);
        }
        return new ValidationException(ValidationException.Reason.TOO_OLD_SAMPLE, "timestamp",
                "commit refused the whole batch of " + numSamples + " samples: " + tooOld + " became older than the"
                        + " head's start " + minValid + " (persisted meanwhile), the first at " + sampleT[first]
                        + " for series " + head.labels(series[sampleSlot[first]]));
    }

    /**
     * A concurrent batch committed a sample of the same series first, making samples that append accepted
     * out of order or duplicates now. The rest of the batch is stored; the caller learns which part was not.
     */
    private ValidationException refusedAtCommit(long stored, int refused, int first, int classification) {
        ValidationException.Reason reason = switch (classification) {
            case MemSeries.REJECT_DUPLICATE -> ValidationException.Reason.DUPLICATE_SAMPLE_FOR_TIMESTAMP;
            case MemSeries.REJECT_TOO_OLD -> ValidationException.Reason.TOO_OLD_SAMPLE;
            default -> ValidationException.Reason.OUT_OF_ORDER_SAMPLE;
        };
        return new ValidationException(reason, "timestamp", "commit stored " + stored + " of " + numSamples
                + " samples: " + refused + " accepted by append were refused because a concurrent batch committed a"
                + " sample of the same series first (" + reason + "), the first at " + sampleT[first] + " for series "
                + head.labels(series[sampleSlot[first]]));
    }

    @Override
    public void rollback() {
        clear();
    }

    private void clear() {
        long idBits = (long) id << 32;
        for (int i = 0; i < numSeries; i++) {
            MemSeries s = series[i];
            if ((long) MemSeries.BATCH_MARK.getOpaque(s) == (idBits | i)) {
                MemSeries.BATCH_MARK.setOpaque(s, 0L);
            }
        }
        Arrays.fill(series, 0, numSeries, null);
        Arrays.fill(pendingLastH, 0, numSeries, null);
        Arrays.fill(newLabels, 0, numSeries, null);
        numSeries = 0;
        slotByRef.clear();
        numSamples = 0;
        sampleSt.clear();
        minPendingT = Long.MAX_VALUE;
        histograms.clear();
        Arrays.fill(exemplarSeries, 0, numExemplars, null);
        numExemplars = 0;
        exemplarLabels.clear();
        walBatch.clear();
    }
}
