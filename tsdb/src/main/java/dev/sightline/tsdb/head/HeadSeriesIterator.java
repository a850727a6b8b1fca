package dev.sightline.tsdb.head;

import dev.sightline.core.Histogram;
import dev.sightline.metricstore.SampleIterator;
import dev.sightline.metricstore.ValueType;
import dev.sightline.tsdb.chunk.Chunk;

/**
 * Walks a series snapshot: its in-order chunks one after another, merged with the out-of-order buffer, clamped to
 * [mint, maxt]. On equal timestamps the in-order sample wins and the other is skipped. Allocates nothing per sample.
 */
final class HeadSeriesIterator implements SampleIterator {
    private long[] closedRefs;
    private HeadChunkFiles.Table table;
    private Chunk openChunk;
    /** Chunks of the snapshot: the full ones, then the open one when there is one. */
    private int numChunks;
    private int nextChunk;
    /** The bytes of the full chunk being read, copied out of its segment; reused. */
    private final byte[][] chunkBuf = new byte[1][];
    private SampleIterator chunkIt;
    private SampleIterator spareChunkIt;
    private long mint;
    private long maxt;

    private long[] oooT;
    private double[] oooV;
    private Histogram[] oooH;
    private long[] oooSt;
    private int oooN;
    private int oi;

    private ValueType inType;
    private long inT;
    private boolean consumeIn;
    private boolean consumeOoo;
    private boolean fromIn;
    private ValueType curType;
    private long curT;

    void reset(MemSeries.SeriesSnapshot s, long mint, long maxt) {
        this.closedRefs = s.closedRefs();
        this.table = s.table();
        this.openChunk = s.openChunk();
        this.numChunks = closedRefs.length + (openChunk != null ? 1 : 0);
        this.nextChunk = 0;
        if (chunkIt != null) {
            spareChunkIt = chunkIt;
        }
        this.chunkIt = null;
        this.mint = mint;
        this.maxt = maxt;
        this.oooT = s.oooT();
        this.oooV = s.oooV();
        this.oooH = s.oooH();
        this.oooSt = s.oooSt();
        this.oooN = oooT == null ? 0 : oooT.length;
        this.oi = 0;
        this.inType = ValueType.NONE;
        this.consumeIn = true;
        this.consumeOoo = false;
        this.curType = null;
    }

    private void advanceIn() {
        while (true) {
            ValueType ty;
            if (chunkIt == null) {
                if (nextChunk >= numChunks) {
                    inType = ValueType.NONE;
                    return;
                }
                int i = nextChunk++;
                Chunk c = i < closedRefs.length ? table.read(closedRefs[i], chunkBuf) : openChunk;
                chunkIt = c.iterator(spareChunkIt);
                spareChunkIt = null;
                ty = chunkIt.seek(mint);
            } else {
                ty = chunkIt.next();
            }
            if (ty != ValueType.NONE) {
                inT = chunkIt.timestamp();
                if (inT > maxt) {
                    inType = ValueType.NONE;
                    nextChunk = numChunks;
                    return;
                }
                inType = ty;
                return;
            }
            spareChunkIt = chunkIt;
            chunkIt = null;
        }
    }

    @Override
    public ValueType next() {
        if (curType == ValueType.NONE) {
            return ValueType.NONE;
        }
        if (consumeIn) {
            advanceIn();
        }
        if (consumeOoo) {
            oi++;
        }
        consumeIn = false;
        consumeOoo = false;
        boolean hasIn = inType != ValueType.NONE;
        boolean hasOoo = oi < oooN;
        if (hasIn && (!hasOoo || inT <= oooT[oi])) {
            consumeIn = true;
            consumeOoo = hasOoo && inT == oooT[oi];
            fromIn = true;
            curT = inT;
            curType = inType;
        } else if (hasOoo) {
            consumeOoo = true;
            fromIn = false;
            curT = oooT[oi];
            curType = oooH != null && oooH[oi] != null ? ValueType.HISTOGRAM : ValueType.FLOAT;
        } else {
            curType = ValueType.NONE;
        }
        return curType;
    }

    @Override
    public ValueType seek(long t) {
        if (curType != null && (curType == ValueType.NONE || curT >= t)) {
            return curType;
        }
        ValueType ty;
        do {
            ty = next();
        } while (ty != ValueType.NONE && curT < t);
        return ty;
    }

    @Override
    public long timestamp() {
        return curT;
    }

    @Override
    public double value() {
        return fromIn ? chunkIt.value() : oooV[oi];
    }

    @Override
    public Histogram histogram() {
        return fromIn ? chunkIt.histogram() : oooH[oi];
    }

    @Override
    public long startTimestamp() {
        return fromIn ? chunkIt.startTimestamp() : oooSt == null ? 0 : oooSt[oi];
    }
}
