package dev.sightline.server;

import dev.sightline.promql.anomaly.Detectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code sightline detect [--detector NAME] [--param k=v ...] FILE.csv}: back-tests an anomaly detector on exported
 * history. Reads {@code timestamp,value} rows (a header line first; epoch seconds or ISO-8601), writes
 * {@code timestamp,value,anomaly_score} to standard output, streaming, each score from that row and the earlier rows
 * only, with the detectors the PromQL anomaly functions use (docs/anomaly.md). {@code --detector list} names them.
 * A bad row stops with FILE:LINE: message on standard error and exit code 1.
 */
@Command(name = "detect", mixinStandardHelpOptions = true,
        description = "Back-tests an anomaly detector on timestamp,value CSV rows; writes timestamp,value,anomaly_score.")
public final class DetectCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--detector", paramLabel = "NAME", defaultValue = "combined",
            description = "Detector to run (default: ${DEFAULT-VALUE}); 'list' names them with their parameters.")
    String detector;

    @Option(names = "--param", paramLabel = "KEY=VALUE", description = "Detector parameter, e.g. lookback=7d; repeatable.")
    Map<String, String> params = new LinkedHashMap<>();

    @Parameters(arity = "0..1", paramLabel = "FILE", description = "CSV file with a header line; '-' reads standard input.")
    String file;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (detector.equals("list")) {
            list(out);
            return 0;
        }
        Detectors.Spec d = Detectors.get(detector);
        if (d == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "unknown detector \"" + detector
                    + "\"; --detector list names them");
        }
        if (file == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "missing FILE");
        }
        Detectors.Configured c;
        try {
            c = d.configure(params);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        try (Reader in = open(file)) {
            new DetectStream(c.detector(), c.lookbackMs()).run(in, out);
            return 0;
        } catch (NoSuchFileException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "no such file: " + file);
        } catch (DetectStream.BadInputException e) {
            out.flush();
            spec.commandLine().getErr().println(file + ":" + e.line + ": " + e.detail);
            spec.commandLine().getErr().flush();
            return 1;
        }
    }

    private static Reader open(String file) throws IOException {
        return file.equals("-") ? new InputStreamReader(System.in, StandardCharsets.UTF_8)
                : Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8);
    }

    private static void list(PrintWriter out) {
        for (Detectors.Spec s : Detectors.all()) {
            out.println(s.name() + (s.name().equals("combined") ? " (default)" : "") + ": " + s.help());
            for (Detectors.Param p : s.params()) {
                out.println("    " + p.name() + "=" + p.defaultValue() + "  " + p.help());
            }
        }
        out.flush();
    }
}
