package dev.sightline.server.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HeapGovernorTest {
    private static final long MB = 1L << 20;

    @Test
    void largeHeapMayGrowByPercentOfLive() {
        HeapGovernor.Target target = new HeapGovernor.Target(100, 64 * MB);
        assertEquals(684 * MB, target.bytes(342 * MB));
        assertFalse(target.shouldCollect(342 * MB, 684 * MB));
        assertTrue(target.shouldCollect(342 * MB, 684 * MB + 1));
    }

    @Test
    void smallHeapMayGrowByTheFloor() {
        HeapGovernor.Target target = new HeapGovernor.Target(100, 64 * MB);
        assertEquals(84 * MB, target.bytes(20 * MB));
        assertFalse(target.shouldCollect(20 * MB, 80 * MB));
        assertTrue(target.shouldCollect(20 * MB, 85 * MB));
    }

    @Test
    void beforeTheFirstFullCollectionTheFloorIsTheTarget() {
        HeapGovernor.Target target = new HeapGovernor.Target(100, 64 * MB);
        assertFalse(target.shouldCollect(0, 64 * MB));
        assertTrue(target.shouldCollect(0, 65 * MB));
    }

    @Test
    void percentScalesTheGrowth() {
        HeapGovernor.Target half = new HeapGovernor.Target(50, 64 * MB);
        assertEquals(600 * MB, half.bytes(400 * MB));
        assertTrue(half.shouldCollect(400 * MB, 601 * MB));
        assertFalse(new HeapGovernor.Target(200, 64 * MB).shouldCollect(400 * MB, 1100 * MB));
    }

    @Test
    void rejectsNonPositivePercent() {
        assertThrows(IllegalArgumentException.class, () -> new HeapGovernor.Target(0, 64 * MB));
        assertThrows(IllegalArgumentException.class, () -> new HeapGovernor.Target(100, -1));
    }

    @Test
    void knowsSerialAndParallelByTheirBeansNames() {
        assertEquals("Tenured Gen", HeapGovernor.Collector.of(List.of("Copy", "MarkSweepCompact")).oldPool());
        assertEquals("PS Old Gen", HeapGovernor.Collector.of(List.of("PS Scavenge", "PS MarkSweep")).oldPool());
        assertEquals(null, HeapGovernor.Collector.of(List.of("G1 Young Generation", "G1 Old Generation")));
    }

    /**
     * A JVM whose old generation has room for everything promotes garbage without a full collection; the governor
     * must notice it through that collector's own bean and pool names and collect. Checked in a child JVM per
     * collector, with the governor on and off.
     */
    @ParameterizedTest
    @ValueSource(strings = {"-XX:+UseSerialGC", "-XX:+UseParallelGC"})
    void collectsPromotedGarbageUnderEachGenerationalCollector(String collector) throws Exception {
        assertTrue(fullCollections(collector, "50") > 0, "governor on");
        assertEquals(0, fullCollections(collector, "off"), "governor off");
    }

    private static long fullCollections(String collector, String percent) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(java.toString(), collector, "-Xms1g", "-Xmx1g", "-Xmn16m",
                "-XX:-UseAdaptiveSizePolicy", "-Dsightline.gcPercent=" + percent,
                "-cp", System.getProperty("java.class.path"), PromotesGarbage.class.getName())
                .redirectErrorStream(true).start();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, child.exitValue(), out);
        String[] lines = out.strip().split("\n");
        return Long.parseLong(lines[lines.length - 1].strip());
    }

    /** Keeps the last 32 MB of 256 KB arrays alive while allocating 400 MB, then prints the full collections' count. */
    public static final class PromotesGarbage {
        public static void main(String[] args) throws InterruptedException {
            HeapGovernor governor = HeapGovernor.start();
            ArrayDeque<byte[]> kept = new ArrayDeque<>();
            for (int i = 0; i < 1600; i++) {
                kept.add(new byte[256 << 10]);
                if (kept.size() > 128) {
                    kept.removeFirst();
                }
            }
            Thread.sleep(500); // the governor's collection runs on its own thread
            if (governor != null) {
                governor.close();
            }
            String full = HeapGovernor.Collector.of(ManagementFactory.getGarbageCollectorMXBeans().stream()
                    .map(GarbageCollectorMXBean::getName).toList()).full();
            System.out.println(ManagementFactory.getGarbageCollectorMXBeans().stream()
                    .filter(b -> b.getName().equals(full)).mapToLong(GarbageCollectorMXBean::getCollectionCount)
                    .sum());
        }
    }
}
