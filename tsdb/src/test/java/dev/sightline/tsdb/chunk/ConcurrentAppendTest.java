package dev.sightline.tsdb.chunk;

import dev.sightline.core.Histogram.CounterResetHint;
import dev.sightline.core.Histogram;
import dev.sightline.metricstore.SampleIterator;
import dev.sightline.metricstore.ValueType;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/** One thread appends while another iterates: every reader must see a prefix of exactly the appended samples. */
class ConcurrentAppendTest {
    private static final int ROUNDS = 10;

    static long ts(int i) {
        return 1_000_000L + i * 15_000L + (i % 7 == 0 ? i % 13 : 0);
    }

    static long bits(int i) {
        // Mixes small and large XORs so windows are both reused and replaced.
        return i % 5 == 0 ? i * 0x9E3779B97F4A7C15L : Double.doubleToRawLongBits(i / 3);
    }

    static Histogram hist(int i) {
        double b = i / 2;
        return new Histogram(CounterResetHint.NOT_COUNTER_RESET, 1, 0.001, i, i + 2 * b + 1, i * 0.25,
                new int[]{-1, 2}, new int[]{1, 1}, new double[]{b, b + 1}, null, null, null, null);
    }

    interface Writer {
        void append(Chunk c, int i);
    }

    interface Checker {
        void check(SampleIterator it, int i);
    }

    @Test
    void xorReadersSeeAConsistentPrefixWhileAppending() throws Exception {
        run(ChunkEncoding.XOR, 5_000, (c, i) -> c.appender().append(ts(i), Double.longBitsToDouble(bits(i))),
                ValueType.FLOAT, (it, i) -> {
                    if (it.timestamp() != ts(i) || Double.doubleToRawLongBits(it.value()) != bits(i)) {
                        fail("sample %d: got t=%d bits=%x", i, it.timestamp(), Double.doubleToRawLongBits(it.value()));
                    }
                });
    }

    /** Start timestamps gained after a few hundred samples, then changing shape, so the column is created and grown under readers. */
    static long st(int i) {
        if (i < 300) {
            return 0;
        }
        return switch (i % 4) {
            case 0 -> ts(i - 1);
            case 1 -> ts(i) - 86_400_000L * (i % 9);
            default -> 1_000_000L;
        };
    }

    @Test
    void startTimestampsAreSeenWithTheirSamplesWhileAppending() throws Exception {
        run(ChunkEncoding.XOR, 5_000, (c, i) -> c.appender().append(st(i), ts(i), Double.longBitsToDouble(bits(i))),
                ValueType.FLOAT, (it, i) -> {
                    if (it.timestamp() != ts(i) || it.startTimestamp() != st(i)) {
                        fail("sample %d: got t=%d st=%d", i, it.timestamp(), it.startTimestamp());
                    }
                });
        run(ChunkEncoding.FLOAT_HISTOGRAM, 1_000, (c, i) -> assertThat(c.appender().appendHistogram(st(i), ts(i), hist(i))).isTrue(),
                ValueType.HISTOGRAM, (it, i) -> {
                    if (it.timestamp() != ts(i) || it.startTimestamp() != st(i)) {
                        fail("sample %d: got t=%d st=%d", i, it.timestamp(), it.startTimestamp());
                    }
                });
    }

    @Test
    void histogramReadersSeeAConsistentPrefixWhileAppending() throws Exception {
        run(ChunkEncoding.FLOAT_HISTOGRAM, 1_000, (c, i) -> assertThat(c.appender().appendHistogram(ts(i), hist(i))).isTrue(),
                ValueType.HISTOGRAM, (it, i) -> {
                    if (it.timestamp() != ts(i) || !it.histogram().equals(hist(i))) {
                        fail("sample %d: got t=%d %s", i, it.timestamp(), it.histogram());
                    }
                });
    }

    private static void run(ChunkEncoding enc, int n, Writer writer, ValueType type, Checker checker) throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            Chunk c = Chunks.newChunk(enc);
            AtomicBoolean done = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            CountDownLatch start = new CountDownLatch(1);
            Thread reader = new Thread(() -> {
                try {
                    start.await();
                    SampleIterator it = null;
                    int lastSeen = 0;
                    boolean last = false;
                    while (!last) {
                        last = done.get();
                        it = c.iterator(it);
                        int seen = 0;
                        for (ValueType vt = it.next(); vt != ValueType.NONE; vt = it.next()) {
                            if (vt != type) {
                                fail("sample %d has type %s", seen, vt);
                            }
                            checker.check(it, seen++);
                        }
                        assertThat(seen).as("readers never see fewer samples than before").isGreaterThanOrEqualTo(lastSeen);
                        lastSeen = seen;
                        byte[] b = c.bytes();
                        Chunk copy = Chunks.fromBytes(enc, b, 0, b.length);
                        SampleIterator ci = copy.iterator(null);
                        for (int i = 0; i < copy.numSamples(); i++) {
                            if (ci.next() != type) {
                                fail("copied sample %d is not %s", i, type);
                            }
                            checker.check(ci, i);
                        }
                        assertThat(ci.next()).isEqualTo(ValueType.NONE);
                    }
                    assertThat(lastSeen).isEqualTo(n);
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            reader.start();
            start.countDown();
            for (int i = 0; i < n; i++) {
                writer.append(c, i);
                if ((i & 255) == 0) {
                    Thread.yield();
                }
            }
            done.set(true);
            reader.join(30_000);
            if (failure.get() != null) {
                throw new AssertionError("round " + round, failure.get());
            }
        }
    }

}
