package dev.sightline.ingest.remotewrite;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import dev.sightline.core.Histogram;
import dev.sightline.core.LabelLimits;
import dev.sightline.core.Labels;
import dev.sightline.core.ValidationException;
import dev.sightline.core.ValidationException.Reason;
import dev.sightline.ingest.SampleSink;
import dev.sightline.ingest.SeriesLimiter;
import dev.sightline.ingest.remotewrite.MalformedRequestException.Layer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What the remote-write 1.0 and 2.0 decoders share: the labels of the series being read, their validation, the
 * per-sample path into the {@link SampleSink} and the request's accounting. A structural error ends decoding with
 * {@link MalformedRequestException}; an invalid series is refused with all its samples and a sample the sink refuses
 * is counted, and decoding goes on with the rest. One instance per request.
 */
abstract class RemoteWriteDecoder {
    final byte[] buf;
    final SampleSink sink;
    private final LabelLimits labelLimits;
    private final SeriesLimiter limiter;
    private final int maxReportedErrors;
    private final String messageName;

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
    int labelCount;
    /** Why the series being read is refused, found while reading its labels; null if nothing so far. */
    ValidationException labelError;

    final HistogramReader histogram = new HistogramReader();

    RemoteWriteDecoder(byte[] buf, SampleSink sink, LabelLimits labelLimits, SeriesLimiter limiter,
                       int maxReportedErrors, String messageName) {
        this.buf = buf;
        this.sink = sink;
        this.labelLimits = labelLimits;
        this.limiter = limiter;
        this.maxReportedErrors = maxReportedErrors;
        this.messageName = messageName;
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
    int readLength(CodedInputStream in, int base) throws java.io.IOException, MalformedRequestException {
        int l = in.readRawVarint32();
        if (l < 0) {
            throw malformed(base + in.getTotalBytesRead(), "negative length " + l);
        }
        return l;
    }

    static boolean isLengthDelimited(int tag) {
        return WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED;
    }

    // ---- labels of the series being read ----

    void resetLabels() {
        labelCount = 0;
        labelError = null;
    }

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
        Labels.Builder b = Labels.builder();
        for (int i = 0; i < labelCount; i++) {
            if (b.get(names[i]) != null) {
                labelError = new ValidationException(Reason.DUPLICATE_LABEL_NAME, names[i],
                        "duplicate label name \"" + names[i] + "\"");
                return partialLabels();
            }
            b.set(names[i], values[i]);
        }
        return b.build();
    }

    /** A few labels of a refused series, enough to name it in the error. */
    private Labels partialLabels() {
        Labels.Builder b = Labels.builder();
        for (int i = 0; i < Math.min(labelCount, 8); i++) {
            b.set(names[i], values[i]);
        }
        return b.build();
    }

    /** Why the series is refused (label problems, limits, series limiter), reported once; null if it is admitted. */
    ValidationException admit(Labels labels) {
        ValidationException refusal = labelError;
        if (refusal == null) {
            try {
                labelLimits.validate(labels);
                limiter.admit(labels);
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

    /** Appends a float sample of an admitted series (refusal null) or counts it as refused; returns the next ref. */
    long sample(long ref, Labels labels, ValidationException refusal, long ts, double v) {
        if (refusal != null) {
            count(refusal.reason());
            return ref;
        }
        try {
            ref = sink.append(ref, labels, ts, v);
            samplesAccepted++;
        } catch (ValidationException e) {
            refuseSample(e, labels, ts);
        }
        return ref;
    }

    /** As {@link #sample}, for the histogram just read by {@link #histogram}. */
    long histogramSample(long ref, Labels labels, ValidationException refusal, long ts) {
        if (refusal != null) {
            count(refusal.reason());
            return ref;
        }
        try {
            Histogram h = histogram.build();
            h.validate();
            ref = sink.appendHistogram(ref, labels, ts, h);
            histogramsAccepted++;
        } catch (ValidationException e) {
            refuseSample(e, labels, ts);
        }
        return ref;
    }

    // ---- accounting ----

    private void refuseSample(ValidationException e, Labels labels, long ts) {
        count(e.reason());
        report("series " + describe(labels) + " sample at " + ts + ": " + e.getMessage());
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
