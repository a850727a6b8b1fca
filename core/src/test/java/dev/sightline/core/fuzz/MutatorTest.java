package dev.sightline.core.fuzz;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

class MutatorTest {
    private static final byte[] SEED = "sum by (job) (rate(http_requests_total{code=\"200\"}[5m]))".getBytes(StandardCharsets.UTF_8);
    private final Mutator mutator = new Mutator(List.of(SEED), List.of("(".getBytes(StandardCharsets.UTF_8)), 4096);

    @Test
    void anInputDependsOnlyOnTheRunSeedAndItsIndex() {
        assertThat(mutator.input(7, 123)).isEqualTo(mutator.input(7, 123));
        assertThat(Arrays.equals(mutator.input(7, 123), mutator.input(8, 123))
                && Arrays.equals(mutator.input(7, 124), mutator.input(8, 124))).isFalse();
    }

    @Test
    void everyOperatorChangesTheInputSometimesAndNoneExceedsTheSizeBound() {
        Set<Mutator.Op> changed = EnumSet.noneOf(Mutator.Op.class);
        SplittableRandom r = new SplittableRandom(1);
        for (Mutator.Op op : Mutator.Op.values()) {
            for (int i = 0; i < 200; i++) {
                byte[] b = mutator.apply(op, SEED, r);
                if (!Arrays.equals(b, SEED)) {
                    changed.add(op);
                }
            }
        }
        assertThat(changed).containsExactlyInAnyOrder(Mutator.Op.values());
        for (long i = 0; i < 5000; i++) {
            assertThat(mutator.input(1, i).length).isLessThanOrEqualTo(4096);
        }
    }

    @Test
    void repeatNestsATokenThousandsDeepAndWrapNestsLengthDelimitedFields() {
        SplittableRandom r = new SplittableRandom(3);
        int deepest = 0;
        for (int i = 0; i < 200; i++) {
            byte[] b = mutator.apply(Mutator.Op.REPEAT, SEED, r);
            int opens = 0;
            for (byte c : b) {
                opens += c == '(' ? 1 : 0;
            }
            deepest = Math.max(deepest, opens);
        }
        assertThat(deepest).isGreaterThan(1000);
        byte[] proto = {0x0a, 0x02, 0x08, 0x01};
        Mutator m = new Mutator(List.of(proto), List.of(), 1 << 16);
        int longest = 0;
        for (int i = 0; i < 100; i++) {
            longest = Math.max(longest, m.apply(Mutator.Op.WRAP, proto, r).length);
        }
        assertThat(longest).isGreaterThan(2000);
    }

    @Test
    void repeatedUnitsAreWholeAndWrapLayersEachDeclareTheLengthTheyHold() {
        SplittableRandom r = new SplittableRandom(11);
        Mutator m = new Mutator(List.of(new byte[]{'x'}), List.of("ab".getBytes(StandardCharsets.UTF_8)), 1 << 20);
        Set<Integer> counts = new TreeSet<>();
        for (int i = 0; i < 300; i++) {
            String s = new String(m.apply(Mutator.Op.REPEAT, new byte[]{'x'}, r), StandardCharsets.UTF_8);
            String units = s.replace("x", "");
            if (!units.isEmpty()) {
                assertThat(units).isEqualTo("ab".repeat(units.length() / 2));
                counts.add(units.length() / 2);
            }
        }
        assertThat(counts).containsExactly(2, 16, 256, 4096, 65536);
        Set<Integer> depths = new TreeSet<>();
        for (int i = 0; i < 300; i++) {
            byte[] b = m.apply(Mutator.Op.WRAP, new byte[]{'x'}, r);
            int at = 0, depth = 0;
            while (b.length - at > 1) {
                assertThat(b[at++]).isEqualTo((byte) 0x0a);
                long len = 0;
                for (int shift = 0; ; shift += 7) {
                    byte c = b[at++];
                    len |= (long) (c & 0x7f) << shift;
                    if (c >= 0) {
                        break;
                    }
                }
                assertThat(len).isEqualTo(b.length - at);
                depth++;
            }
            assertThat(b[at]).isEqualTo((byte) 'x');
            depths.add(depth);
        }
        assertThat(depths).containsExactly(1, 2, 64, 1000, 10000);
    }

    @Test
    void numberPutsABoundaryValueWhereADecimalOrAVarintStarts() {
        SplittableRandom r = new SplittableRandom(5);
        Mutator m = new Mutator(List.of(), List.of(), 1 << 16);
        boolean huge = false;
        for (int i = 0; i < 500 && !huge; i++) {
            String s = new String(m.apply(Mutator.Op.NUMBER, "x 12345".getBytes(StandardCharsets.UTF_8), r), StandardCharsets.UTF_8);
            huge = s.equals("x 9223372036854775808");
        }
        assertThat(huge).isTrue();
        assertThat(Mutator.varint(300)).containsExactly(0xac, 0x02);
        assertThat(Mutator.varint(-1)).hasSize(10);
    }
}
