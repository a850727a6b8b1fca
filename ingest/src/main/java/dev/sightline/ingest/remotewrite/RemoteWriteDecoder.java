package dev.sightline.ingest.remotewrite;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import dev.sightline.core.Histogram;
import dev.sightline.core.LabelLimits;
import dev.sightline.core.Labels;
import dev.sightline.core.ValidationException.Reason;
import dev.sightline.core.ValidationException;
import dev.sightline.ingest.IngestContext;
import dev.sightline.ingest.SeriesRefCache;
import dev.sightline.ingest.remotewrite.MalformedRequestException.Layer;
import dev.sightline.metricstore.Appender;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What the remote-write 1.0 and 2.0 decoders share: the series being read (its labels, their validation, its
 * storage ref), the per-sample path into the storage {@link Appender} and the request's accounting. A structural error ends
 * decoding with {@link MalformedRequestException}; an invalid series is refused with all its samples and a sample
 * the appender refuses is counted, and decoding goes on with the rest. One instance per request.
 *
 * <p>The fast path: a subclass hashes the series' label bytes ({@link #hashBytes}) and calls {@link #startSeries()}.
 * When the context offers a {@link SeriesRefCache} that knows the hash, samples are appended by ref with no label
 * strings, validation or lookup; the labels are decoded only if something needs them (a refused sample's message,
 * an exemplar, a ref the storage no longer knows). Otherwise the subclass's {@link #decodeLabels()} builds them.
 */
abstract class RemoteWriteDecoder {
    final byte[] buf;
    final Appender appender;
    final IngestContext context;
    private final LabelLimits labelLimits;
    private final int maxReportedErrors;
    private final String messageName;
    /** Whether the messages carry start timestamps (2.0), which 1.0's have no field for. */
    private final boolean startTimestamps;
    // Sample: the same message in both versions, but for 2.0's start timestamp.
    private static final int SAMPLE_VALUE = tag(1, WireFormat.WIRETYPE_FIXED64);
    private static final int SAMPLE_TIMESTAMP = tag(2, WireFormat.WIRETYPE_VARINT);
    private static final int SAMPLE_START_TIMESTAMP = tag(3, WireFormat.WIRETYPE_VARINT);

    // Counters of this request.
    long samplesAccepted;
    long histogramsAccepted;
    long exemplarsReceived;
    long metadataReceived;
    final Map<Reason, Long> rejected = new EnumMap<>(Reason.class);
    final List<String> errors = new ArrayList<>();

    // Labels of the series being read, reused from series to series.
    private String[] names = new String[16];
    private String[] values = new String[16];
    private int labelCount;
    /** Label indexes in name order, for {@link #buildLabels()}. */
    private int[] order = new int[16];
    /** Why the series being read is refused, found while reading its labels; null if nothing so far. */
    ValidationException labelError;

    private final HistogramReader histogram = new HistogramReader();

    // The series being read: labels null while only its cached ref is known.
    private final SeriesRefCache refCache;
    private Labels seriesLabels;
    private ValidationException refusal;
    private long ref;
    /**
     * The start timestamp of the current series' samples and histograms that have none of their own (2.0 senders
     * before rc.4 sent it per series, as created_timestamp); 0 for none.
     */
    long seriesStartTimestamp;
    /** The label-bytes hash being built, and the finished one of the current series (its cache key). */
    private long hash1 = SEED1, hash2 = SEED2, keyHash1, keyHash2;

    RemoteWriteDecoder(byte[] buf, Appender appender, IngestContext context, LabelLimits labelLimits, int maxReportedErrors,
                       String messageName, boolean startTimestamps) {
        this.buf = buf;
        this.appender = appender;
        this.context = context;
        this.labelLimits = labelLimits;
        this.maxReportedErrors = maxReportedErrors;
        this.messageName = messageName;
        this.startTimestamps = startTimestamps;
        this.refCache = context.seriesRefs();
    }

    static int tag(int field, int wireType) {
        return (field << 3) | wireType;
    }

    /** Decodes the message in buf[off, off+len). */
    abstract void decode(int off, int len) throws MalformedRequestException;

    MalformedRequestException malformed(long offset, String reason) {
        return new MalformedRequestException(Layer.PROTOBUF, offset, String.valueOf(reason), messageName);
    }

    /** The length prefix of a length-delimited field, checked against what is left of the stream. */
    int readLength(CodedInputStream in, int base) throws IOException, MalformedRequestException {
        int l = in.readRawVarint32();
        if (l < 0) {
            throw malformed(base + in.getTotalBytesRead(), "negative length " + l);
        }
        return l;
    }

    // ---- the series being read ----

    /** Adds the current series' labels (names and values, via {@link #addLabel}), setting {@link #labelError} on a problem. */
    abstract void decodeLabels();

    /** Starts the series whose label bytes were hashed since the last start; finds its ref or decodes its labels. */
    final void startSeries() {
        long h1 = fmix(hash1), h2 = fmix(hash2);
        resetHash();
        startSeries(h1, h2, refCache == null ? 0 : refCache.get(h1, h2));
    }

    /**
     * Starts a series whose label-bytes hash and cached ref (0 for none) were found ahead, by {@link #finishHash};
     * the subclass has scanned its labels only when {@code cached} is 0.
     */
    final void startSeries(long h1, long h2, long cached) {
        keyHash1 = h1;
        keyHash2 = h2;
        if (cached != 0) {
            seriesLabels = null;
            refusal = null;
            ref = cached;
        } else {
            ref = 0;
            resolveLabels();
        }
    }

    private void resolveLabels() {
        labelCount = 0;
        labelError = null;
        decodeLabels();
        seriesLabels = buildLabels();
        refusal = admit(seriesLabels);
    }

    /** Whether the current series is refused (a series known only by its cached ref never is). */
    final boolean refused() {
        return refusal != null;
    }

    /** The current series' labels, decoded now if only its ref was known. */
    final Labels seriesLabels() {
        if (seriesLabels == null) {
            resolveLabels();
        }
        return seriesLabels;
    }

    // ---- hashing of label bytes (two independent 64-bit hashes, murmur3-style rounds) ----

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long SEED1 = 0x9E3779B97F4A7C15L, SEED2 = 0xC2B2AE3D27D4EB4FL;

    /** Adds a byte range (with its length, so ranges cannot run into each other) to the series' hash. */
    final void hashBytes(byte[] b, int off, int len) {
        mix(len);
        int i = off, end = off + len;
        for (; i + 8 <= end; i += 8) {
            mix((long) LONGS.get(b, i));
        }
        long tail = 0;
        for (int shift = 0; i < end; i++, shift += 8) {
            tail |= (b[i] & 0xffL) << shift;
        }
        mix(tail);
    }

    /** Stores the hash of the bytes hashed since the last start at {@code hashes[2i]} and {@code [2i+1]}, and resets it. */
    final void finishHash(long[] hashes, int i) {
        hashes[2 * i] = fmix(hash1);
        hashes[2 * i + 1] = fmix(hash2);
        resetHash();
    }

    final void resetHash() {
        hash1 = SEED1;
        hash2 = SEED2;
    }

    private void mix(long v) {
        long k1 = Long.rotateLeft(v * 0x87C37B91114253D5L, 31) * 0x4CF5AD432745937FL;
        hash1 = Long.rotateLeft(hash1 ^ k1, 27) * 5 + 0x52DCE729;
        long k2 = Long.rotateLeft(v * 0x4CF5AD432745937FL, 33) * 0x87C37B91114253D5L;
        hash2 = Long.rotateLeft(hash2 ^ k2, 31) * 5 + 0x38495AB5;
    }

    private static long fmix(long h) {
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        return h ^ (h >>> 33);
    }

    // ---- labels of the series being read ----

    void addLabel(String name, String value) {
        if (labelCount == names.length) {
            names = Arrays.copyOf(names, labelCount * 2);
            values = Arrays.copyOf(values, labelCount * 2);
        }
        names[labelCount] = name;
        values[labelCount] = value;
        labelCount++;
    }

    /** The label set of the labels added since {@link #resetLabels()}; a problem found is left in {@link #labelError}. */
    Labels buildLabels() {
        if (labelError != null) {
            return partialLabels();
        }
        if (labelCount > labelLimits.maxLabelNames()) {
            // Refused before building a huge label set; the message shows only the start of it.
            labelError = new ValidationException(Reason.TOO_MANY_LABELS, null, "series has " + labelCount
                    + " labels, more than the limit of " + labelLimits.maxLabelNames() + " (max_label_names_per_series)");
            return partialLabels();
        }
        // Senders sort labels by name (Prometheus does), so this stable insertion sort is one pass; it spares the
        // TreeMap a Labels.Builder would fill for every new series.
        if (order.length < labelCount) {
            order = new int[names.length];
        }
        for (int i = 0; i < labelCount; i++) {
            int j = i;
            for (; j > 0 && names[order[j - 1]].compareTo(names[i]) > 0; j--) {
                order[j] = order[j - 1];
            }
            order[j] = i;
        }
        // As the builder did: a name repeated after a non-empty value is a duplicate (the first such in sending
        // order is named); an empty value is no label, so it does not clash.
        int dup = -1, kept = labelCount;
        for (int k = 0; k < labelCount; k++) {
            int i = order[k];
            if (values[i].isEmpty()) {
                kept--;
            }
            if (k > 0 && names[order[k - 1]].equals(names[i]) && !values[order[k - 1]].isEmpty() && (dup < 0 || i < dup)) {
                dup = i;
            }
        }
        if (dup >= 0) {
            labelError = new ValidationException(Reason.DUPLICATE_LABEL_NAME, names[dup],
                    "duplicate label name \"" + names[dup] + "\"");
            return partialLabels();
        }
        String[] kv = new String[2 * kept];
        for (int k = 0, o = 0; k < labelCount; k++) {
            int i = order[k];
            if (!values[i].isEmpty()) {
                kv[o++] = names[i];
                kv[o++] = values[i];
            }
        }
        return Labels.ofSorted(kv);
    }

    /** A few labels of a refused series, enough to name it in the error. */
    private Labels partialLabels() {
        Labels.Builder b = Labels.builder();
        for (int i = 0; i < Math.min(labelCount, 8); i++) {
            b.set(names[i], values[i]);
        }
        return b.build();
    }

    /** Why the series is refused (label problems, limits), reported once; null if it is admitted. */
    ValidationException admit(Labels labels) {
        ValidationException refusal = labelError;
        if (refusal == null) {
            try {
                // The decoders refuse a series with invalid UTF-8 (labelError) before it gets here.
                labelLimits.validateDecodedFromUtf8(labels);
            } catch (ValidationException e) {
                refusal = e;
            }
        }
        if (refusal != null) {
            report("series " + describe(labels) + ": " + refusal.getMessage());
        }
        return refusal;
    }

    // ---- samples ----

    /** Reads a Sample message (the same fields in 1.0 and 2.0, 2.0 adds start_timestamp) and appends it; returns its timestamp. */
    final long readSample(CodedInputStream in, int base) throws IOException, MalformedRequestException {
        int lim = in.pushLimit(readLength(in, base));
        double v = 0;
        long ts = 0;
        long st = 0;
        for (int t = in.readTag(); t != 0; t = in.readTag()) {
            if (t == SAMPLE_VALUE) {
                v = Double.longBitsToDouble(in.readRawLittleEndian64());
            } else if (t == SAMPLE_TIMESTAMP) {
                ts = in.readInt64();
            } else if (t == SAMPLE_START_TIMESTAMP && startTimestamps) {
                st = in.readInt64();
            } else {
                in.skipField(t);
            }
        }
        in.popLimit(lim);
        append(startTimestamp(st, ts), ts, v, false);
        return ts;
    }

    /** Reads a Histogram message (the same fields in 1.0 and 2.0, 2.0 adds start_timestamp) and appends it; returns its timestamp. */
    final long readHistogramSample(CodedInputStream in, int base) throws IOException, MalformedRequestException {
        int lim = in.pushLimit(readLength(in, base));
        long ts = histogram.read(in);
        in.popLimit(lim);
        append(startTimestamp(startTimestamps ? histogram.startTimestamp() : 0, ts), ts, 0, true);
        return ts;
    }

    /**
     * The start timestamp of a sample at {@code ts}: its own, else its series'; none (0) if that is after the sample,
     * which no counter can have started counting after, or before 1970, which only a broken sender writes: the
     * sample is kept without a start rather than refused for it.
     */
    private long startTimestamp(long own, long ts) {
        long st = own != 0 ? own : seriesStartTimestamp;
        return st > ts || st < 0 ? 0 : st;
    }

    /** Appends a float sample, or the histogram just read, of the current series; or counts it as refused. */
    private void append(long st, long ts, double v, boolean isHistogram) {
        if (refusal != null) {
            count(refusal.reason());
            return;
        }
        try {
            if (isHistogram) {
                Histogram h = histogram.build();
                h.validate();
                learn(appender.appendHistogram(ref, seriesLabels, st, ts, h));
                histogramsAccepted++;
            } else {
                learn(appender.append(ref, seriesLabels, st, ts, v));
                samplesAccepted++;
            }
        } catch (ValidationException e) {
            refuseSample(e, ts);
        } catch (IllegalArgumentException staleRef) {
            forgetStaleRef(staleRef);
            append(st, ts, v, isHistogram);
        }
    }

    /** Hands an exemplar of the current series to the appender, unless the series is refused. */
    final void exemplar(Labels exemplarLabels, long ts, double v) {
        Labels series = refusal == null ? seriesLabels() : null;
        if (refusal == null) {
            appender.appendExemplar(ref, series, exemplarLabels, ts, v);
            exemplarsReceived++;
        }
    }

    private void learn(long newRef) {
        if (ref == 0 && refCache != null && newRef != 0) {
            refCache.put(keyHash1, keyHash2, newRef);
        }
        ref = newRef;
    }

    /**
     * The appender did not know a cached ref (the storage dropped the series): forgets it and decodes the labels, so the
     * caller appends again with them. With labels given, the exception is not about a ref and passes on.
     */
    private void forgetStaleRef(IllegalArgumentException e) {
        if (seriesLabels != null) {
            throw e;
        }
        refCache.remove(keyHash1, keyHash2);
        ref = 0;
        resolveLabels();
    }

    // ---- accounting ----

    private void refuseSample(ValidationException e, long ts) {
        count(e.reason());
        report("series " + describe(seriesLabels()) + " sample at " + ts + ": " + e.getMessage());
    }

    private void count(Reason r) {
        rejected.merge(r, 1L, Long::sum);
    }

    private void report(String msg) {
        if (errors.size() < maxReportedErrors) {
            errors.add(msg);
        }
    }

    private static String describe(Labels labels) {
        String s = labels.toString();
        return s.length() <= 300 ? s : s.substring(0, 300) + "...";
    }
}
