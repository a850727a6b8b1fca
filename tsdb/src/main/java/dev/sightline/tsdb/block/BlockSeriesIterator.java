package dev.sightline.tsdb.block;

import dev.sightline.core.Histogram;
import dev.sightline.metricstore.FloatSamples;
import dev.sightline.metricstore.SampleIterator;
import dev.sightline.metricstore.ValueType;

/**
 * Walks a block series' chunks in order, clamped to [metas.mint, metas.maxt]. Each chunk's bytes are copied from
 * the mapping into a buffer this iterator reuses, so there is one copy per chunk and no allocation per sample.
 */
final class BlockSeriesIterator implements SampleIterator {
    private final ChunkSegments.ChunkBuffer buffer = new ChunkSegments.ChunkBuffer();
    private ChunkSegments chunks;
    private IndexReader.ChunkMetas metas;
    private int chunk;              // index of the chunk chunkIt walks
    private SampleIterator chunkIt; // recycled across chunks
    private boolean inChunk;
    private ValueType cur;
    private long curT;              // timestamp of the current sample, read once per sample

    void reset(ChunkSegments chunks, IndexReader.ChunkMetas metas) {
        this.chunks = chunks;
        this.metas = metas;
        this.chunk = -1;
        this.inChunk = false;
        this.cur = null;
    }

    private boolean openChunk(int c) {
        if (c >= metas.n) {
            return false;
        }
        chunk = c;
        chunkIt = chunks.chunk(metas.refs[c], buffer).iterator(chunkIt);
        inChunk = true;
        return true;
    }

    @Override
    public ValueType next() {
        if (cur == ValueType.NONE) {
            return cur;
        }
        if (!inChunk) {
            return advanceFrom(chunk + 1, metas.mint);
        }
        ValueType vt = chunkIt.next();
        if (vt == ValueType.NONE) {
            return advanceFrom(chunk + 1, metas.mint);
        }
        return settle(vt);
    }

    /** Bulk-reads chunk after chunk; each chunk's iterator decodes its run without a call per sample. */
    @Override
    public ValueType appendFloats(long maxt, FloatSamples out) {
        long limit = Math.min(maxt, metas.maxt);
        while (true) {
            ValueType vt = chunkIt.appendFloats(limit, out);
            if (vt != ValueType.NONE) {
                return settle(vt);
            }
            vt = advanceFrom(chunk + 1, metas.mint);
            if (vt != ValueType.FLOAT || curT > maxt) {
                return vt;
            }
        }
    }

    @Override
    public ValueType seek(long t) {
        if (cur == ValueType.NONE) {
            return cur;
        }
        if (cur != null && curT >= t) {
            return cur;
        }
        t = Math.max(t, metas.mint);
        int c = inChunk ? chunk : chunk + 1;
        while (c < metas.n && metas.maxs[c] < t) {
            c++;
        }
        if (inChunk && c == chunk) {
            ValueType vt = chunkIt.seek(t);
            return vt == ValueType.NONE ? advanceFrom(c + 1, t) : settle(vt);
        }
        return advanceFrom(c, t);
    }

    /** Opens chunks from index {@code c} on until one has a sample at or after {@code t}. */
    private ValueType advanceFrom(int c, long t) {
        while (openChunk(c)) {
            ValueType vt = chunkIt.seek(t);
            if (vt != ValueType.NONE) {
                return settle(vt);
            }
            c++;
        }
        inChunk = false;
        return cur = ValueType.NONE;
    }

    private ValueType settle(ValueType vt) {
        long t = chunkIt.timestamp();
        if (t > metas.maxt) {
            inChunk = false;
            return cur = ValueType.NONE;
        }
        curT = t;
        return cur = vt;
    }

    @Override
    public long timestamp() {
        return curT;
    }

    @Override
    public double value() {
        return chunkIt.value();
    }

    @Override
    public long startTimestamp() {
        return chunkIt.startTimestamp();
    }

    @Override
    public Histogram histogram() {
        return chunkIt.histogram();
    }
}
