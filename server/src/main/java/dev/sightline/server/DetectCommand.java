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
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code sightline detect [--detector NAME] [--param k=v ...] [--timezone ZONE] FILE.csv}: back-tests a detector on exported
 * history. Reads {@code timestamp,value} rows (a header line first; timestamps as {@link DetectStream#parseTimestamp}
 * accepts them), writes {@code timestamp,value,anomaly_score} to standard output, one row per row read, streaming,
 * each score from that row and the earlier rows only, with the detectors the PromQL anomaly functions use
 * (docs/anomaly.md). {@code --detector list} names them. Rows whose timestamp repeats or steps back are scored like
 * the row before them and counted on standard error. A bad row stops with FILE:LINE: message on standard error and
 * exit code 1.
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

    @Option(names = "--timezone", paramLabel = "ZONE", defaultValue = "UTC",
            description = "Zone of timestamps written without an offset, an IANA id such as Europe/Berlin (default: ${DEFAULT-VALUE}).")
    String timezone;

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
        ZoneId zone;
        try {
            zone = ZoneId.of(timezone);
        } catch (DateTimeException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--timezone: unknown time zone \"" + timezone
                    + "\"; expected an IANA id such as Europe/Berlin, or UTC");
        }
        Detectors.Configured c;
        try {
            c = d.configure(params);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        try (Reader in = open(file)) {
            DetectStream stream = new DetectStream(c, zone);
            stream.run(in, out);
            if (stream.outOfOrder() > 0) {
                PrintWriter err = spec.commandLine().getErr();
                err.println(file + ": " + stream.outOfOrder() + " row(s) whose timestamp repeats or steps back (first at line "
                        + stream.firstOutOfOrderLine() + ") were scored like the row before them and left out of the history");
                err.flush();
            }
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

    /** Names every detector with its parameters and defaults. */
    static void list(PrintWriter out) {
        for (Detectors.Spec s : Detectors.all()) {
            out.println(s.name() + (s.name().equals("combined") ? " (default)" : "") + ": " + s.help());
            for (Detectors.Param p : s.params()) {
                out.println("    " + p.name() + "=" + p.defaultValue() + "  " + p.help());
            }
        }
        out.flush();
    }
}
