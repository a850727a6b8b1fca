package dev.sightline.benchmarks;

import dev.sightline.metricstore.FloatSamples;
import dev.sightline.metricstore.SampleIterator;
import dev.sightline.metricstore.ValueType;
import dev.sightline.tsdb.chunk.Chunk;
import dev.sightline.tsdb.chunk.ChunkAppender;
import dev.sightline.tsdb.chunk.ChunkEncoding;
import dev.sightline.tsdb.chunk.Chunks;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * XOR chunk append and iteration (sample by sample, and in bulk as queries load), per sample, over one full head chunk (120 samples) of a given value shape.
 * Run: {@code java -jar benchmarks/target/benchmarks.jar ChunkBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ChunkBenchmark {
    static final int SAMPLES = 120;

    /** counter: small integer increments; cpu: 1/100 s steps (many mantissa bits change); constant; random bits. */
    @Param({"counter", "cpu", "constant", "random"})
    public String shape;

    private final long[] ts = new long[SAMPLES];
    private final double[] vs = new double[SAMPLES];
    private Chunk full;
    private SampleIterator reuse;
    private final FloatSamples bulk = new FloatSamples(SAMPLES);

    @Setup
    public void setup() {
        SplittableRandom rnd = new SplittableRandom(1);
        long t = 1_700_000_000_000L;
        double v = 12_345;
        for (int i = 0; i < SAMPLES; i++) {
            ts[i] = t;
            vs[i] = switch (shape) {
                case "counter" -> v += rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(1, 5);
                case "cpu" -> v = Math.round(v * 100 + rnd.nextInt(1500)) / 100.0;
                case "constant" -> 1.0;
                case "random" -> Double.longBitsToDouble(rnd.nextLong());
                default -> throw new IllegalArgumentException("unknown shape " + shape);
            };
            t += 15_000;
        }
        full = Chunks.newChunk(ChunkEncoding.XOR);
        ChunkAppender app = full.appender();
        for (int i = 0; i < SAMPLES; i++) {
            app.append(ts[i], vs[i]);
        }
        reuse = full.iterator(null);
    }

    @Benchmark
    @OperationsPerInvocation(SAMPLES)
    public Chunk append() {
        Chunk c = Chunks.newChunk(ChunkEncoding.XOR);
        ChunkAppender app = c.appender();
        for (int i = 0; i < SAMPLES; i++) {
            app.append(ts[i], vs[i]);
        }
        return c;
    }

    @Benchmark
    @OperationsPerInvocation(SAMPLES)
    public void iterate(Blackhole bh) {
        SampleIterator it = full.iterator(reuse);
        while (it.next() == ValueType.FLOAT) {
            bh.consume(it.timestamp());
            bh.consume(it.value());
        }
    }

    @Benchmark
    @OperationsPerInvocation(SAMPLES)
    public FloatSamples appendFloats() {
        SampleIterator it = full.iterator(reuse);
        bulk.clear();
        it.next();
        it.appendFloats(Long.MAX_VALUE, bulk);
        return bulk;
    }
}
