package dev.sightline.tsdb.chunk;

import dev.sightline.core.Histogram.CounterResetHint;
import dev.sightline.core.Histogram;
import dev.sightline.metricstore.SampleIterator;

import java.util.Arrays;

/**
 * An appendable FLOAT_HISTOGRAM chunk. After the 2-byte count, the first sample writes the layout every later sample
 * shares: varint schema, 64-bit zero threshold, positive then negative spans (uvarint count, then varint offset and
 * uvarint length each), uvarint custom-bound count and their 64 raw bits each. Every sample then writes its
 * timestamp as the XOR chunk does, its 2-bit counter-reset hint, and count, zero count, sum, positive then negative
 * buckets, each XOR'd against the same field of the previous sample (the first against 0) with its own window.
 *
 * <p>A sample that would need another layout, or that starts a new counter epoch (hint COUNTER_RESET, a gauge /
 * counter switch, or any count going down in a counter chunk), is refused so the head cuts a new chunk; an empty
 * chunk takes any valid histogram.
 */
final class HistogramChunk extends AppendableChunk {
    static final int FIXED_FIELDS = 3;
    private static final CounterResetHint[] HINTS = CounterResetHint.values();

    private long lastT;
    private long lastDelta;
    private int firstSampleEndBit;
    private int schema;
    private long zeroThresholdBits;
    private int[] posOffsets;
    private int[] posLengths;
    private int[] negOffsets;
    private int[] negLengths;
    private double[] customValues;
    private boolean gauge;
    private long[] lastBits;
    private int[] windows;

    HistogramChunk() {
        super(128);
    }

    @Override
    public ChunkEncoding encoding() {
        return ChunkEncoding.FLOAT_HISTOGRAM;
    }

    @Override
    public void append(long st, long t, double v) {
        throw new IllegalStateException("a FLOAT_HISTOGRAM chunk takes histogram samples only; cut an XOR chunk for floats");
    }

    @Override
    public boolean appendHistogram(long st, long t, Histogram h) {
        int n = numSamples();
        if (n == 0) {
            checkBucketCount("positive", h.positiveSpanLengths, h.positiveBuckets);
            checkBucketCount("negative", h.negativeSpanLengths, h.negativeBuckets);
            startLayout(h);
        } else if (n == MAX_SAMPLES || !sameLayout(h) || !continuesEpoch(h)) {
            return false;
        }
        appendStart(st, t, lastT, n);
        if (n == 0) {
            writeVarint(t);
        } else {
            long delta = t - lastT;
            if (n == 1) {
                writeVarint(delta);
            } else {
                Gorilla.writeDod(this, delta - lastDelta);
            }
            lastDelta = delta;
        }
        lastT = t;
        writeBits(h.counterResetHint.ordinal(), 2);
        writeValue(0, h.count);
        writeValue(1, h.zeroCount);
        writeValue(2, h.sum);
        int i = FIXED_FIELDS;
        for (double b : h.positiveBuckets) {
            writeValue(i++, b);
        }
        for (double b : h.negativeBuckets) {
            writeValue(i++, b);
        }
        if (n == 0) {
            firstSampleEndBit = (int) bitLength();
        }
        publish(n + 1);
        return true;
    }

    @Override
    int firstSampleEndBit() {
        return firstSampleEndBit;
    }

    private void writeValue(int i, double v) {
        long bits = Double.doubleToRawLongBits(v);
        windows[i] = Gorilla.writeXor(this, bits ^ lastBits[i], windows[i]);
        lastBits[i] = bits;
    }

    private static void checkBucketCount(String side, int[] lengths, double[] buckets) {
        long total = 0;
        for (int len : lengths) {
            if (len < 0) {
                throw new IllegalArgumentException("histogram " + side + " span has negative length " + len);
            }
            total += len;
        }
        if (total != buckets.length) {
            throw new IllegalArgumentException("histogram " + side + " spans cover " + total + " buckets but "
                    + buckets.length + " counts were given");
        }
    }

    private void startLayout(Histogram h) {
        // Copies: the caller's arrays are mutable and later samples are compared against these.
        schema = h.schema;
        zeroThresholdBits = Double.doubleToRawLongBits(h.zeroThreshold);
        posOffsets = h.positiveSpanOffsets.clone();
        posLengths = h.positiveSpanLengths.clone();
        negOffsets = h.negativeSpanOffsets.clone();
        negLengths = h.negativeSpanLengths.clone();
        customValues = h.customValues.clone();
        gauge = h.counterResetHint == CounterResetHint.GAUGE;
        int fields = FIXED_FIELDS + h.positiveBuckets.length + h.negativeBuckets.length;
        lastBits = new long[fields];
        windows = new int[fields];
        Arrays.fill(windows, Gorilla.NO_WINDOW);

        writeVarint(schema);
        writeBits(zeroThresholdBits, 64);
        writeSpans(posOffsets, posLengths);
        writeSpans(negOffsets, negLengths);
        writeUvarint(customValues.length);
        for (double c : customValues) {
            writeBits(Double.doubleToRawLongBits(c), 64);
        }
    }

    private void writeSpans(int[] offsets, int[] lengths) {
        writeUvarint(offsets.length);
        for (int i = 0; i < offsets.length; i++) {
            writeVarint(offsets[i]);
            writeUvarint(lengths[i]);
        }
    }

    private boolean sameLayout(Histogram h) {
        if (h.schema != schema || Double.doubleToRawLongBits(h.zeroThreshold) != zeroThresholdBits
                || !Arrays.equals(h.positiveSpanOffsets, posOffsets) || !Arrays.equals(h.positiveSpanLengths, posLengths)
                || !Arrays.equals(h.negativeSpanOffsets, negOffsets) || !Arrays.equals(h.negativeSpanLengths, negLengths)
                || h.customValues.length != customValues.length) {
            return false;
        }
        for (int i = 0; i < customValues.length; i++) {
            if (Double.doubleToRawLongBits(h.customValues[i]) != Double.doubleToRawLongBits(customValues[i])) {
                return false;
            }
        }
        if (h.positiveBuckets.length + h.negativeBuckets.length != lastBits.length - FIXED_FIELDS) {
            throw new IllegalArgumentException("histogram has " + h.positiveBuckets.length + " positive and "
                    + h.negativeBuckets.length + " negative bucket counts, but its spans cover "
                    + (lastBits.length - FIXED_FIELDS));
        }
        return true;
    }

    /** Whether h belongs to the same counter epoch (or gauge run) as the chunk's samples so far. */
    private boolean continuesEpoch(Histogram h) {
        CounterResetHint hint = h.counterResetHint;
        if (hint == CounterResetHint.COUNTER_RESET || gauge != (hint == CounterResetHint.GAUGE)) {
            return false;
        }
        if (gauge) {
            return true;
        }
        if (decreased(0, h.count) || decreased(1, h.zeroCount)) {
            return false;
        }
        int i = FIXED_FIELDS;
        for (double b : h.positiveBuckets) {
            if (decreased(i++, b)) {
                return false;
            }
        }
        for (double b : h.negativeBuckets) {
            if (decreased(i++, b)) {
                return false;
            }
        }
        return true;
    }

    private boolean decreased(int i, double v) {
        return v < Double.longBitsToDouble(lastBits[i]);
    }

    static CounterResetHint hint(int code) {
        return HINTS[code];
    }

    @Override
    public SampleIterator iterator(SampleIterator reuse) {
        HistogramIterator it = reuse instanceof HistogramIterator x ? x : new HistogramIterator();
        long snap = snapshot();
        it.reset(buffer(), 0, HEADER_BITS, bits(snap), count(snap));
        attachStart(it);
        return it;
    }
}
