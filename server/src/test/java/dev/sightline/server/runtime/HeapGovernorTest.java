package dev.sightline.server.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

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
}
