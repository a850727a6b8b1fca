package dev.sightline.core.fuzz;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

class FuzzRunnerTest {
    @TempDir
    Path out;

    /** A toy decoder: digits only, refused with the offset of the first other byte. */
    private static void digits(byte[] in) {
        for (int i = 0; i < in.length; i++) {
            if (in[i] < '0' || in[i] > '9') {
                throw new IllegalArgumentException("not a digit at offset " + i);
            }
        }
    }

    private static FuzzTarget.Builder digitsTarget() {
        return FuzzTarget.named("digits").seeds("12345", "7")
                .rejects(IllegalArgumentException.class, e -> e.getMessage().contains("offset"));
    }

    @Test
    void cleanRejectionsAndAcceptedInputsAreNoFailure() throws Exception {
        FuzzRunner.Report r = FuzzRunner.run(digitsTarget().run(FuzzRunnerTest::digits).build(), 1, 2000, Duration.ofSeconds(30), out);
        assertThat(r.failures()).isEmpty();
        assertThat(r.tried()).isEqualTo(2002);
        assertThat(r.accepted()).isPositive();
        assertThat(r.rejected()).isPositive();
        assertThat(r.accepted() + r.rejected()).isEqualTo(r.tried());
    }

    @Test
    void anUnlistedExceptionIsAFailureSavedShrunkToWhatStillFails() throws Exception {
        FuzzTarget t = digitsTarget().run(in -> {
            if (new String(in, StandardCharsets.ISO_8859_1).contains("1234")) {
                digits(in);
            } else {
                throw new IllegalStateException("boom");
            }
        }).build();
        FuzzRunner.Report r = FuzzRunner.run(t, 1, 500, Duration.ofSeconds(30), out);
        assertThat(r.failures()).hasSize(2); // seed "7" is refused, and the mutations that lose "1234"
        FuzzRunner.Failure seed = r.failures().getFirst();
        assertThat(seed.verdict()).startsWith("seed 1 is not accepted: unexpected java.lang.IllegalStateException: boom");
        FuzzRunner.Failure f = r.failures().get(1);
        assertThat(f.verdict()).startsWith("unexpected java.lang.IllegalStateException: boom");
        assertThat(f.minimized()).isEmpty();
        assertThat(Files.readAllBytes(f.saved())).isEqualTo(f.input());
        assertThat(FuzzRunner.input(t, 1, f.index())).isEqualTo(f.input());
    }

    @Test
    void aRejectionWithoutAPositionIsAFailure() throws Exception {
        FuzzTarget t = FuzzTarget.named("digits").seeds("12345")
                .rejects(IllegalArgumentException.class, e -> e.getMessage().contains("line"))
                .run(FuzzRunnerTest::digits).build();
        FuzzRunner.Report r = FuzzRunner.run(t, 1, 200, Duration.ofSeconds(30), null);
        assertThat(r.failures()).singleElement().satisfies(f ->
                assertThat(f.verdict()).startsWith("IllegalArgumentException without a position or field: not a digit"));
    }

    @Test
    void stackOverflowAndOversizedAllocationAreFailuresEvenWhenTheTypeIsListed() throws Exception {
        FuzzTarget deep = digitsTarget().rejects(Error.class, e -> true).run(in -> {
            if (in.length > 5) {
                recurse(0);
            }
        }).build();
        assertThat(FuzzRunner.run(deep, 1, 300, Duration.ofSeconds(30), null).failures())
                .anySatisfy(f -> assertThat(f.signature()).startsWith("StackOverflowError"));
        FuzzTarget greedy = digitsTarget().maxAllocatedBytes(1 << 20).run(in -> {
            if (in.length > 5) {
                assertThat(new long[1 << 20]).isNotNull();
            }
        }).build();
        assertThat(FuzzRunner.run(greedy, 1, 300, Duration.ofSeconds(30), null).failures())
                .anySatisfy(f -> assertThat(f.verdict()).startsWith("allocated 8 MiB for one input"));
    }

    private static int recurse(int n) {
        return recurse(n + 1) + 1;
    }

    @Test
    void aSeedMayTakeLongerThanTheLimitWhileTheTargetLoadsItsClasses() throws Exception {
        AtomicBoolean loaded = new AtomicBoolean();
        FuzzTarget t = digitsTarget().timeLimit(Duration.ofMillis(200)).run(in -> {
            if (!loaded.getAndSet(true)) {
                Thread.sleep(600);
            }
            digits(in);
        }).build();
        FuzzRunner.Report r = FuzzRunner.run(t, 1, 100, Duration.ofSeconds(30), null);
        assertThat(r.failures()).isEmpty();
        assertThat(r.tried()).isEqualTo(102);
    }

    @Test
    void anInputRunningPastTheTimeLimitIsAHangThatEndsTheRun() throws Exception {
        FuzzTarget t = digitsTarget().timeLimit(Duration.ofMillis(200)).run(in -> {
            if (in.length > 5) {
                Thread.sleep(60_000);
            }
        }).build();
        long t0 = System.nanoTime();
        FuzzRunner.Report r = FuzzRunner.run(t, 1, 100_000, Duration.ofSeconds(30), out);
        assertThat(System.nanoTime() - t0).isLessThan(10_000_000_000L);
        assertThat(r.failures()).singleElement().satisfies(f -> {
            assertThat(f.verdict()).isEqualTo("hang: still running after 200 ms");
            assertThat(f.input().length).isGreaterThan(5);
        });
    }
}
