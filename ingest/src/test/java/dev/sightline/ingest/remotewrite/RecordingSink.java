package dev.sightline.ingest.remotewrite;

import dev.sightline.core.Histogram;
import dev.sightline.core.Labels;
import dev.sightline.core.ValidationException;
import dev.sightline.ingest.MetricType;
import dev.sightline.ingest.SeriesRefCache;
import dev.sightline.ingest.TestAppender;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Records what was appended; refuses a sample not newer than the last of its series, as storage does. With a
 * {@link SeriesRefCache} it takes appends by ref alone (labels null), as the storage appender does, and throws
 * IllegalArgumentException for a ref it does not know (see {@link #forgetRefs()}).
 */
final class RecordingSink extends TestAppender {
    /** {@code st}: the start timestamp, 0 for none. */
    record Float(long ref, Labels labels, long st, long t, long valueBits) {
        /** A sample without a start timestamp. */
        Float(long ref, Labels labels, long t, long valueBits) {
            this(ref, labels, 0, t, valueBits);
        }
    }

    record Hist(Labels labels, long st, long t, Histogram h) {
    }

    record Exemplar(long ref, Labels series, Labels labels, long t, double v) {
    }

    record Metadata(String family, MetricType type, String help, String unit) {
    }

    final List<Float> floats = new ArrayList<>();
    final List<Hist> histograms = new ArrayList<>();
    final List<Exemplar> exemplars = new ArrayList<>();
    final List<Metadata> metadata = new ArrayList<>();
    private final Map<Labels, Long> refs = new HashMap<>();
    private final Map<Long, Labels> byRef = new HashMap<>();
    private final Map<Labels, Long> lastT = new HashMap<>();
    private final SeriesRefCache cache;
    private long nextRef = 1;

    RecordingSink() {
        this(null);
    }

    RecordingSink(SeriesRefCache cache) {
        this.cache = cache;
    }

    @Override
    public SeriesRefCache seriesRefs() {
        return cache;
    }

    /** Forgets every series ref, as a storage that dropped its series; later series get new refs. */
    void forgetRefs() {
        refs.clear();
        byRef.clear();
    }

    @Override
    public long append(long ref, Labels labels, long st, long t, double v) {
        long r = check(ref, labels, t);
        floats.add(new Float(ref, labels, st, t, Double.doubleToRawLongBits(v)));
        return r;
    }

    @Override
    public long appendHistogram(long ref, Labels labels, long st, long t, Histogram h) {
        long r = check(ref, labels, t);
        histograms.add(new Hist(labels, st, t, h));
        return r;
    }

    private long check(long ref, Labels labels, long t) {
        if (labels == null) {
            labels = byRef.get(ref);
            if (labels == null) {
                throw new IllegalArgumentException("series ref " + ref + " is unknown and no labels were given");
            }
        }
        Long last = lastT.get(labels);
        if (last != null && t <= last) {
            throw new ValidationException(ValidationException.Reason.OUT_OF_ORDER_SAMPLE, null,
                    "out of order sample: " + t + " is not after " + last);
        }
        lastT.put(labels, t);
        Labels l = labels;
        return refs.computeIfAbsent(labels, k -> {
            byRef.put(nextRef, l);
            return nextRef++;
        });
    }

    @Override
    public boolean appendExemplar(long ref, Labels series, Labels exemplarLabels, long t, double v) {
        exemplars.add(new Exemplar(ref, series, exemplarLabels, t, v));
        return true;
    }

    @Override
    public void metadata(String family, MetricType type, String help, String unit) {
        metadata.add(new Metadata(family, type, help, unit));
    }

    List<Labels> seriesSeen() {
        return floats.stream().map(Float::labels).distinct().toList();
    }
}
