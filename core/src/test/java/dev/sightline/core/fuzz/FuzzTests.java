package dev.sightline.core.fuzz;

import org.junit.jupiter.api.DynamicTest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Turns a module's fuzz targets into JUnit tests, one per target. The defaults make the short run of {@code mvn
 * verify}: a fixed run seed, a few thousand inputs and a cap of seconds per target, so CI is not flaky. System
 * properties make the long run ({@code benchmarks/fuzz.sh}): {@code sightline.fuzz.inputs},
 * {@code sightline.fuzz.seconds} (cap per target), {@code sightline.fuzz.seed}, {@code sightline.fuzz.target}
 * (comma-separated names; the others are skipped) and {@code sightline.fuzz.out} (where failing inputs and
 * {@code summary.tsv}, one line per target run, are written).
 */
public final class FuzzTests {
    public static final long DEFAULT_SEED = 20261206L;

    private FuzzTests() {
    }

    public static Stream<DynamicTest> dynamicTests(List<FuzzTarget> targets) {
        return dynamicTests(targets, 3000);
    }

    /** {@code defaultInputs}: the short run's count for these targets (fewer for slow ones such as HTTP round trips). */
    public static Stream<DynamicTest> dynamicTests(List<FuzzTarget> targets, long defaultInputs) {
        long inputs = Long.getLong("sightline.fuzz.inputs", defaultInputs);
        long seconds = Long.getLong("sightline.fuzz.seconds", 20);
        long seed = Long.getLong("sightline.fuzz.seed", DEFAULT_SEED);
        String only = System.getProperty("sightline.fuzz.target", "");
        Set<String> names = only.isBlank() ? Set.of()
                : Arrays.stream(only.split(",")).map(String::trim).collect(Collectors.toSet());
        Path out = Path.of(System.getProperty("sightline.fuzz.out", System.getProperty("java.io.tmpdir") + "/sightline-fuzz"));
        return targets.stream()
                .filter(t -> names.isEmpty() || names.contains(t.name()))
                .map(t -> DynamicTest.dynamicTest(t.name(), () -> {
                    FuzzRunner.Report r = FuzzRunner.run(t, seed, inputs, Duration.ofSeconds(seconds), out);
                    summarize(out, seed, r);
                    if (!r.failures().isEmpty()) {
                        fail(FuzzRunner.describe(r) + "\n(run seed " + seed + "; inputs saved under " + out.resolve(t.name()) + ")");
                    }
                }));
    }

    private static void summarize(Path out, long seed, FuzzRunner.Report r) throws IOException {
        Files.createDirectories(out);
        String line = String.format(Locale.ROOT, "%s\t%d\t%d\t%d\t%d\t%.1f\t%.0f\t%d%n", r.target(), seed, r.tried(),
                r.accepted(), r.rejected(), r.elapsed().toMillis() / 1000.0, r.inputsPerSecond(), r.failed());
        Files.writeString(out.resolve("summary.tsv"), line, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }
}
