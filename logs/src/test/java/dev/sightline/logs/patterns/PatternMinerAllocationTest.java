package dev.sightline.logs.patterns;

import dev.sightline.core.Labels;
import dev.sightline.logs.LogEntry;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Mining lines of known patterns allocates nothing per line: the tokens are ranges of the line in a per-thread
 * buffer, groups are found by a primitive key, counts go into existing buckets. Measured with the JVM's per-thread
 * allocation counter after a warm-up, so one allocation per line (16 bytes at the least) would show as megabytes.
 */
class PatternMinerAllocationTest {
    @Test
    void miningLinesOfKnownPatternsAllocatesNothingPerLine() {
        com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        PatternCorpus corpus = new PatternCorpus(5);
        SplittableRandom r = new SplittableRandom(6);
        Labels stream = Labels.of("service_name", "shop");
        LogEntry[] lines = new LogEntry[20_000];
        for (int i = 0; i < lines.length; i++) {
            lines[i] = new LogEntry(1_765_000_000_000_000_000L + i * 100_000L, stream, Labels.EMPTY,
                    corpus.line(r.nextInt(PatternCorpus.TEMPLATES.size())));
        }
        List<LogEntry> batch = Arrays.asList(lines);
        PatternMiner m = new PatternMiner(PatternMiner.Options.DEFAULTS);
        for (int round = 0; round < 20; round++) { // warm-up: patterns, buckets and buffers reach their size; JIT compiles
            m.observe(batch);
        }
        long before = bean.getCurrentThreadAllocatedBytes();
        int rounds = 20;
        for (int round = 0; round < rounds; round++) {
            m.observe(batch);
        }
        long allocated = bean.getCurrentThreadAllocatedBytes() - before;
        assertThat(m.stats().patterns()).isEqualTo(PatternCorpus.TEMPLATES.size());
        assertThat((double) allocated / (rounds * (long) lines.length)).as("bytes allocated per line (%d in all)", allocated)
                .isLessThan(1.0);
    }
}
