package dev.sightline.tsdb.chunk;

import dev.sightline.core.Histogram;
import dev.sightline.metricstore.ValueType;

import java.util.Arrays;

/**
 * Decodes a FLOAT_HISTOGRAM chunk's first {@code total} samples. Decoding reuses its arrays; {@link #histogram()}
 * builds the (immutable) Histogram only when asked, sharing the chunk's span and bound arrays.
 */
final class HistogramIterator extends DodIterator {
    private long[] bits = new long[HistogramChunk.FIXED_FIELDS];
    private int[] windows = new int[HistogramChunk.FIXED_FIELDS];
    private int fields;
    private int hint;
    private Histogram current;

    private int schema;
    private double zeroThreshold;
    private int[] posOffsets;
    private int[] posLengths;
    private int[] negOffsets;
    private int[] negLengths;
    private double[] customValues;
    private int numPos;

    void reset(byte[] buf, int baseByte, long startBit, long limitBit, int total) {
        resetReader(buf, baseByte, startBit, limitBit, total);
        this.current = null;
        if (total > 0) {
            readLayout();
        }
    }

    private void readLayout() {
        schema = (int) r.readVarint();
        zeroThreshold = Double.longBitsToDouble(r.readBits(64));
        // Fresh arrays per chunk: Histograms handed out earlier keep referring to the old ones.
        int spans = spanCount("positive");
        posOffsets = new int[spans];
        posLengths = new int[spans];
        numPos = readSpans("positive", posOffsets, posLengths);
        spans = spanCount("negative");
        negOffsets = new int[spans];
        negLengths = new int[spans];
        int numNeg = readSpans("negative", negOffsets, negLengths);
        long nCustom = r.readUvarint();
        if (nCustom > r.remaining() / 64) {
            throw new CorruptChunkException("histogram chunk declares " + nCustom + " custom bounds, more than its bytes hold");
        }
        customValues = new double[(int) nCustom];
        for (int i = 0; i < customValues.length; i++) {
            customValues[i] = Double.longBitsToDouble(r.readBits(64));
        }
        long f = (long) HistogramChunk.FIXED_FIELDS + numPos + numNeg;
        // Every field costs at least one bit per sample, which bounds what honest bytes can declare.
        if (f > r.remaining()) {
            throw new CorruptChunkException("histogram chunk declares " + f + " fields per sample, more than its bytes hold");
        }
        fields = (int) f;
        if (bits.length < fields) {
            bits = new long[fields];
            windows = new int[fields];
        }
        Arrays.fill(bits, 0, fields, 0L);
        Arrays.fill(windows, 0, fields, Gorilla.NO_WINDOW);
    }

    private int spanCount(String side) {
        long n = r.readUvarint();
        if (n > r.remaining() / 16) {
            throw new CorruptChunkException("histogram chunk declares " + n + " " + side + " spans, more than its bytes hold");
        }
        return (int) n;
    }

    private int readSpans(String side, int[] offsets, int[] lengths) {
        long buckets = 0;
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = (int) r.readVarint();
            long len = r.readUvarint();
            if (len > Integer.MAX_VALUE) {
                throw new CorruptChunkException("histogram chunk " + side + " span " + i + " has length " + len);
            }
            lengths[i] = (int) len;
            buckets += len;
        }
        if (buckets > Integer.MAX_VALUE - 16) {
            throw new CorruptChunkException("histogram chunk " + side + " spans cover " + buckets + " buckets");
        }
        return (int) buckets;
    }

    @Override
    public ValueType next() {
        int n = read;
        if (n >= total) {
            return at = ValueType.NONE;
        }
        readTimestamp(n);
        hint = (int) r.readBits(2);
        for (int i = 0; i < fields; i++) {
            Gorilla.readXor(r, bits, windows, i);
        }
        read = n + 1;
        current = null;
        return at = ValueType.HISTOGRAM;
    }

    @Override
    public double value() {
        throw new IllegalStateException("a FLOAT_HISTOGRAM chunk holds histograms, not float samples");
    }

    /**
     * As Prometheus's chunk iterators report it: a chunk never holds a counter reset after its first sample (the
     * appender refuses one), so every later sample of a counter chunk is NOT_COUNTER_RESET; the first sample keeps
     * its stored hint (COUNTER_RESET when the chunk was cut for a reset, else usually UNKNOWN).
     */
    private Histogram.CounterResetHint reportedHint() {
        Histogram.CounterResetHint stored = HistogramChunk.hint(hint);
        return read > 1 && stored != Histogram.CounterResetHint.GAUGE ? Histogram.CounterResetHint.NOT_COUNTER_RESET : stored;
    }

    @Override
    public Histogram histogram() {
        if (current == null) {
            int base = HistogramChunk.FIXED_FIELDS;
            double[] pos = new double[numPos];
            for (int i = 0; i < pos.length; i++) {
                pos[i] = Double.longBitsToDouble(bits[base + i]);
            }
            double[] neg = new double[fields - base - numPos];
            for (int i = 0; i < neg.length; i++) {
                neg[i] = Double.longBitsToDouble(bits[base + numPos + i]);
            }
            current = new Histogram(reportedHint(), schema, zeroThreshold,
                    Double.longBitsToDouble(bits[1]), Double.longBitsToDouble(bits[0]), Double.longBitsToDouble(bits[2]),
                    posOffsets, posLengths, pos, negOffsets, negLengths, neg, customValues);
        }
        return current;
    }
}
