package dev.sightline.tsdb.wal;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * Child process for {@link WalKillIT}: writes batches forever with FsyncPolicy.ALWAYS and prints {@code ACK <seq>}
 * once each write() has returned. Batch seq holds {@link #SAMPLES_PER_BATCH} samples: ref seq, times seq*1000+i,
 * values seq+i, start timestamps {@link #start} (odd batches only, so records with and without them get torn), and
 * every tenth batch also a series record, so records of several sizes get torn by the kill.
 */
public final class WalKillChild {
    static final int SAMPLES_PER_BATCH = 50;

    private WalKillChild() {
    }

    /** The start timestamp of sample i of batch seq: none in even batches, varied in odd ones. */
    static long start(long seq, int i) {
        return seq % 2 == 0 ? 0 : seq * 1000 - 1000 + (i % 7) * 3;
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        PrintStream out = new PrintStream(System.out, false, java.nio.charset.StandardCharsets.UTF_8);
        try (SegmentedWal wal = SegmentedWal.open(dir, WalOptions.defaults().withSegmentSizeBytes(64 * 1024))) {
            wal.replay(new WalTestSupport.Recorder());
            WalBatch b = new WalBatch();
            for (long seq = 0; ; seq++) {
                b.clear();
                if (seq % 10 == 0) {
                    b.addSeries(seq, dev.sightline.core.Labels.of("__name__", "kill_test", "seq", Long.toString(seq)));
                }
                for (int i = 0; i < SAMPLES_PER_BATCH; i++) {
                    b.addSample(seq, start(seq, i), seq * 1000 + i, seq + i);
                }
                wal.write(b);
                out.println("ACK " + seq);
                out.flush();
            }
        }
    }
}
