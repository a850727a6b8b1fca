package dev.sightline.server;

import dev.sightline.logs.InMemoryLogStore;
import dev.sightline.rules.RuleError;
import dev.sightline.rules.RuleFileParser;
import dev.sightline.rules.RuleLanguage;
import dev.sightline.server.rules.LogQlRules;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code sightline check-rules FILE...}: validates Prometheus rule files like {@code promtool check rules}, and the
 * LogQL of {@code query_language: logql} groups with the LogQL engine the server runs (a LogQL rule it cannot
 * check fails). Per file prints "Checking FILE" then "  SUCCESS: N rules found" or "  FAILED:" followed by each error
 * as FILE:LINE: message; ends with {@code N passed, M failed} counting files and exits 1 when any file failed.
 */
@Command(name = "check-rules", mixinStandardHelpOptions = true,
        description = "Validates rule files (Prometheus format, LogQL groups too); errors as FILE:LINE: message; "
                + "prints 'N passed, M failed'.")
public final class CheckRulesCommand implements Callable<Integer> {
    /** Checks LogQL against no data: only the engine's parser and its metric-or-log verdict matter. */
    private final Map<String, RuleLanguage> languages;

    public CheckRulesCommand() {
        this.languages = LogQlRules.languages(new InMemoryLogStore()::querier);
    }

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Rule files to check.")
    List<Path> files;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        int passed = 0;
        int failed = 0;
        for (Path file : files) {
            out.println("Checking " + file);
            RuleFileParser.Result result = RuleFileParser.parseFile(file, languages);
            if (result.ok()) {
                passed++;
                out.println("  SUCCESS: " + result.ruleCount() + " rules found");
            } else {
                failed++;
                out.println("  FAILED:");
                for (RuleError e : result.errors()) {
                    out.println(e);
                }
            }
            out.println();
        }
        out.println(passed + " passed, " + failed + " failed");
        out.flush();
        return failed > 0 ? 1 : 0;
    }
}
