package dev.sightline.logs.patterns;

import dev.sightline.core.Labels;
import dev.sightline.logs.LogEntry;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Lines per second of observe() on one thread over a realistic mix (the corpus's twenty templates, ten services). */
class PatternMinerThroughputTest {
    @Test
    void observesAMillionMixedLines() {
        int n = 1_000_000;
        PatternCorpus corpus = new PatternCorpus(1);
        SplittableRandom r = new SplittableRandom(2);
        LogEntry[] lines = new LogEntry[n];
        Labels[] streams = new Labels[10];
        for (int i = 0; i < streams.length; i++) {
            streams[i] = Labels.of("service_name", "svc" + i, "env", "prod");
        }
        long t0 = 1_765_000_000_000_000_000L;
        for (int i = 0; i < n; i++) {
            lines[i] = new LogEntry(t0 + i * 1_000_000L, streams[r.nextInt(streams.length)], Labels.EMPTY,
                    corpus.line(r.nextInt(PatternCorpus.TEMPLATES.size())));
        }
        // A warm-up pass on a miner of its own, so the timed pass runs compiled code.
        PatternMiner warm = new PatternMiner(PatternMiner.Options.DEFAULTS);
        for (int i = 0; i < 200_000; i++) {
            warm.observe(lines[i]);
        }
        PatternMiner m = new PatternMiner(PatternMiner.Options.DEFAULTS);
        long bytes = 0;
        long start = System.nanoTime();
        for (LogEntry e : lines) {
            m.observe(e);
        }
        long elapsed = System.nanoTime() - start;
        for (LogEntry e : lines) {
            bytes += e.line().length();
        }
        System.out.printf("pattern miner: %,d lines (%.0f chars avg) in %.2f s = %,.0f lines/s on one thread; %d patterns over %d services%n",
                n, (double) bytes / n, elapsed / 1e9, n / (elapsed / 1e9), m.stats().patterns(), m.stats().services());
        // Every service saw every template: twenty patterns each, nothing evicted.
        assertEquals(200, m.stats().patterns());
        assertEquals(0, m.stats().evicted());
    }
}
