package dev.sightline.server;

import dev.sightline.synthetics.http.Timings;
import dev.sightline.synthetics.journey.Journey;
import dev.sightline.synthetics.journey.JourneyException;
import dev.sightline.synthetics.journey.JourneyParser;
import dev.sightline.synthetics.journey.JourneyRun;
import dev.sightline.synthetics.journey.JourneyRunner;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code sightline journey run FILE [--step-by-step]}: runs one journey file now (for CI pipelines), a line per step,
 * ending {@code N passed, M failed} (steps); exits 1 when a step failed, 2 when the file is invalid. Secrets read
 * during the run are masked in everything printed.
 */
@Command(name = "journey", mixinStandardHelpOptions = true, description = "Synthetic journeys.",
        subcommands = {JourneyCommand.Run.class}, synopsisSubcommandLabel = "COMMAND")
public final class JourneyCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing required subcommand (run)");
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Runs one journey file now; prints each step and ends 'N passed, M failed'.")
    public static final class Run implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "FILE", description = "The journey file (YAML).")
        Path file;

        @Option(names = "--step-by-step", description = "Show each step's request, phases and response, and wait for "
                + "Enter before the next one.")
        boolean stepByStep;

        /** Where --step-by-step waits for Enter; tests give their own. */
        InputStream input = System.in;

        @Override
        public Integer call() throws InterruptedException {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Journey journey;
            try {
                journey = JourneyParser.parseFile(file);
            } catch (JourneyException e) {
                err.println(e.getMessage());
                err.flush();
                return 2;
            }
            out.println("journey " + journey.name() + " (" + journey.source() + ")");
            out.flush();
            BufferedReader enter = new BufferedReader(new InputStreamReader(input, StandardCharsets.UTF_8));
            int total = journey.steps().size() + journey.cleanup().size();
            int[] done = {0};
            JourneyRun run = JourneyRunner.system().run(journey, step -> {
                print(out, step, stepByStep);
                done[0]++;
                if (stepByStep && done[0] < total) {
                    out.print("  [Enter for the next step] ");
                    out.flush();
                    try {
                        enter.readLine();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            });
            out.println(run.passed() + " passed, " + run.failed() + " failed");
            out.flush();
            return run.failed() > 0 ? 1 : 0;
        }

        private static void print(PrintWriter out, JourneyRun.StepResult s, boolean details) {
            String status = switch (s.status()) {
                case PASSED -> "PASS";
                case DEGRADED -> "SLOW";
                case FAILED -> "FAIL";
                case SKIPPED -> "SKIP";
            };
            StringBuilder line = new StringBuilder("  ").append(String.format(Locale.ROOT, "%-5s", status))
                    .append(s.name()).append(s.cleanup() ? " (cleanup)" : "");
            if (s.status() != JourneyRun.Status.SKIPPED) {
                line.append("  ").append(s.method()).append(' ').append(s.url());
                if (s.httpStatus() > 0) {
                    line.append("  ").append(s.httpStatus());
                }
                if (s.timings() != null && s.timings().total >= 0) {
                    line.append(String.format(Locale.ROOT, "  %.0f ms", s.timings().total / 1e6));
                }
                if (s.attempts() > 1) {
                    line.append("  (").append(s.attempts()).append(" attempts)");
                }
            }
            out.println(line);
            if (s.failure() != null) {
                out.println("       " + s.failure());
            }
            if (s.excerpt() != null && (details || s.status() == JourneyRun.Status.FAILED)) {
                out.println("       response: " + s.excerpt().strip().replace("\n", "\n                 "));
            }
            if (details && s.timings() != null) {
                StringBuilder phases = new StringBuilder("       phases:");
                for (int i = 0; i < Timings.PHASES.length; i++) {
                    long n = s.timings().phase(i);
                    if (n >= 0) {
                        phases.append(String.format(Locale.ROOT, " %s=%.1fms", Timings.PHASES[i], n / 1e6));
                    }
                }
                out.println(phases);
            }
            out.flush();
        }
    }
}
