package dev.sightline.tsdb.chunk;

import dev.sightline.core.Histogram;
import dev.sightline.metricstore.SampleIterator;

/**
 * An appendable float chunk (Gorilla). Layout after the 2-byte count: sample 0 = varint t, 64 raw value bits;
 * sample 1 = varint delta, XOR value; then delta-of-delta ({@link Gorilla#writeDod}) and XOR value per sample.
 */
final class XorChunk extends AppendableChunk {
    private long lastT;
    private long lastDelta;
    private long lastBits;
    // The leading/trailing window is kept plus one in the published tag (0: Gorilla.NO_WINDOW), and the first
    // sample's end is read from the bytes: 56 bytes a chunk instead of 64.

    XorChunk() {
        // The first sample takes ~19 bytes; 32 hold it and a few more, after which growth can extrapolate.
        super(32);
    }

    @Override
    public ChunkEncoding encoding() {
        return ChunkEncoding.XOR;
    }

    @Override
    public void append(long st, long t, double v) {
        int n = numSamples();
        if (n == MAX_SAMPLES) {
            throw new IllegalStateException("XOR chunk is full at " + MAX_SAMPLES + " samples");
        }
        long bits = Double.doubleToRawLongBits(v);
        int window = tag() - 1;
        if (n == 0) {
            writeVarint(t);
            writeBits(bits, 64);
        } else {
            // Wrapping arithmetic: the reader wraps the same way, so even extreme timestamps round-trip.
            long delta = t - lastT;
            if (n == 1) {
                writeVarint(delta);
            } else {
                Gorilla.writeDod(this, delta - lastDelta);
            }
            lastDelta = delta;
            window = Gorilla.writeXor(this, bits ^ lastBits, window);
        }
        appendStart(st, t, lastT, n);
        lastT = t;
        lastBits = bits;
        publish(n + 1, window + 1);
    }

    /** The header, the first timestamp's varint (its last byte has the top bit clear) and 64 value bits. */
    @Override
    int firstSampleEndBit() {
        byte[] b = buffer();
        int p = HEADER_BITS / 8;
        while (b[p] < 0) {
            p++;
        }
        return (p + 1) * 8 + 64;
    }

    /** An XOR chunk holds floats only; false tells the caller to cut a FLOAT_HISTOGRAM chunk. */
    @Override
    public boolean appendHistogram(long st, long t, Histogram h) {
        return false;
    }

    @Override
    public SampleIterator iterator(SampleIterator reuse) {
        XorIterator it = reuse instanceof XorIterator x ? x : new XorIterator();
        long snap = snapshot();
        it.reset(buffer(), 0, HEADER_BITS, bits(snap), count(snap));
        attachStart(it);
        return it;
    }
}
