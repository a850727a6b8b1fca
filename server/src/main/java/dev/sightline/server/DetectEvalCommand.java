package dev.sightline.server;

import dev.sightline.promql.anomaly.Detectors;
import dev.sightline.server.anomalyeval.Evaluation;
import dev.sightline.server.anomalyeval.NabCorpus;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * {@code sightline detect-eval CORPUS_DIR [--detector NAME ...]}: scores detectors with the Numenta Anomaly
 * Benchmark's rules on a labelled corpus in NAB's layout, each file streamed through the detector as {@code detect}
 * streams it; prints a line per detector (docs/anomaly.md, "Evaluating detectors").
 */
@Command(name = "detect-eval", mixinStandardHelpOptions = true,
        description = "Scores anomaly detectors with NAB's rules on a corpus in NAB's layout (data/**/*.csv,"
                + " labels/combined_windows.json); prints a line per detector.")
public final class DetectEvalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--detector", paramLabel = "NAME",
            description = "Detector to score, with its default parameters; repeatable (default: every detector);"
                    + " 'list' names them.")
    List<String> detectors = new ArrayList<>();

    @Option(names = "--param", paramLabel = "KEY=VALUE",
            description = "Parameter for every chosen detector that takes it, e.g. of=stl for likelihood; repeatable.")
    Map<String, String> params = new LinkedHashMap<>();

    @Parameters(arity = "0..1", paramLabel = "CORPUS_DIR", description = "Directory with data/ and labels/combined_windows.json.")
    Path corpus;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (detectors.contains("list")) {
            DetectCommand.list(out);
            return 0;
        }
        if (corpus == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "missing CORPUS_DIR");
        }
        for (String d : detectors) {
            if (Detectors.get(d) == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "unknown detector \"" + d
                        + "\"; --detector list names them");
            }
        }
        Map<String, Function<NabCorpus.File, Detectors.Configured>> chosen = new LinkedHashMap<>();
        Set<String> used = new HashSet<>();
        for (Detectors.Spec s : Detectors.all()) {
            if (detectors.isEmpty() || detectors.contains(s.name())) {
                Map<String, String> own = new LinkedHashMap<>();
                for (Detectors.Param p : s.params()) {
                    if (params.containsKey(p.name())) {
                        own.put(p.name(), params.get(p.name()));
                        used.add(p.name());
                    }
                }
                Detectors.Configured c;
                try {
                    c = s.configure(own);
                } catch (IllegalArgumentException e) {
                    throw new CommandLine.ParameterException(spec.commandLine(), s.name() + ": " + e.getMessage());
                }
                chosen.put(s.name(), f -> c);
            }
        }
        for (String k : params.keySet()) {
            if (!used.contains(k)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--param " + k
                        + ": no chosen detector takes it");
            }
        }
        try {
            NabCorpus c = NabCorpus.load(corpus);
            Evaluation.print(c, Evaluation.run(c, chosen), out);
            return 0;
        } catch (IllegalArgumentException e) {
            out.flush();
            spec.commandLine().getErr().println(e.getMessage());
            spec.commandLine().getErr().flush();
            return 1;
        }
    }
}
