package dev.sightline.promql.test;

import dev.sightline.core.text.GoFloats;
import dev.sightline.core.text.GoQuote;
import dev.sightline.metricstore.Storage;
import dev.sightline.promql.ast.Expr;
import dev.sightline.promql.engine.Engine;
import dev.sightline.promql.engine.EngineOptions;
import dev.sightline.promql.engine.PromQLException;
import dev.sightline.promql.engine.QueryResult;
import dev.sightline.promql.engine.Value;
import dev.sightline.promql.parser.ParseException;
import dev.sightline.promql.parser.PromQLParser;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Runs Prometheus's PromQL test scripts (promql/promqltest format: load, clear, eval with expectations) against
 * {@link Engine} and a storage from the given supplier, comparing results as Prometheus's framework does. Each
 * failing eval is reported as {@code FILE:LINE: message}; the last line printed is {@code N passed, M failed}.
 * {@link TestScriptParser} reads a script into commands, {@link ScriptLoader} carries out its loads and
 * {@link ResultComparer} checks its evals' outcomes; the runner evaluates the queries and keeps count.
 */
public final class PromqlTestRunner {
    public record RunResult(int passed, int failed) {
    }

    private final Supplier<Storage> storageFactory;
    private final Engine engine;

    public PromqlTestRunner(Supplier<Storage> storageFactory, EngineOptions options) {
        this.storageFactory = storageFactory;
        this.engine = new Engine(options);
    }

    public PromqlTestRunner(Supplier<Storage> storageFactory) {
        this(storageFactory, EngineOptions.forTestScripts());
    }

    public RunResult run(List<Path> filesOrDirs, PrintStream out) {
        int passed = 0, failed = 0;
        for (Path p : expand(filesOrDirs)) {
            RunResult r = runFile(p, out);
            passed += r.passed;
            failed += r.failed;
        }
        out.println(passed + " passed, " + failed + " failed");
        return new RunResult(passed, failed);
    }

    private static List<Path> expand(List<Path> in) {
        List<Path> out = new ArrayList<>();
        for (Path p : in) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.list(p)) {
                    s.filter(f -> f.toString().endsWith(".test")).sorted().forEach(out::add);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            } else {
                out.add(p);
            }
        }
        return out;
    }


    /** Runs one script; returns its eval counts. Does not print the summary line. */
    public RunResult runFile(Path file, PrintStream out) {
        List<ScriptCommand> commands;
        try {
            commands = TestScriptParser.parse(Files.readAllLines(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            out.println(file + ":0: cannot read: " + e.getMessage());
            return new RunResult(0, 1);
        }
        int passed = 0, failed = 0;
        Storage storage = storageFactory.get();
        try {
            for (ScriptCommand command : commands) {
                String err;
                switch (command) {
                    case ScriptCommand.Clear c -> {
                        storage.close();
                        storage = storageFactory.get();
                        err = null;
                    }
                    case ScriptCommand.Load l -> {
                        try {
                            ScriptLoader.load(storage, l);
                            err = null;
                        } catch (ScriptException e) {
                            err = e.getMessage();
                        }
                    }
                    case ScriptCommand.Eval e -> {
                        err = eval(storage, e);
                        if (err == null) {
                            passed++;
                        } else {
                            failed++;
                        }
                    }
                    case ScriptCommand.Invalid inv -> {
                        err = inv.message();
                        if (inv.countsAsFailure()) {
                            failed++;
                        }
                    }
                }
                if (err != null) {
                    out.println(file + ":" + (command.line() + 1) + ": " + err);
                }
            }
        } catch (IOException e) {
            out.println(file + ":0: storage error: " + e);
            failed++;
        } finally {
            try {
                storage.close();
            } catch (IOException ignored) {
                // Closing a test storage after the run; nothing to recover.
            }
        }
        out.println(file.getFileName() + ": " + passed + " passed, " + failed + " failed");
        return new RunResult(passed, failed);
    }

    /** Returns null when the eval passed, else the failure message. */
    private String eval(Storage storage, ScriptCommand.Eval c) {
        int line = c.line() + 1;
        Expr expr;
        try {
            expr = PromQLParser.parseExpr(c.expr);
        } catch (ParseException e) {
            if (c.isFail()) {
                return ResultComparer.checkFailure(c, e.getMessage(), e.detail(), line);
            }
            return "error parsing query " + GoQuote.quote(c.expr) + ": " + e.getMessage();
        }
        if (c.isRange) {
            return evalOnce(storage, c, expr, c.evalTime, line, "");
        }
        String err = evalOnce(storage, c, expr, c.evalTime, line, "");
        if (err != null) {
            return err;
        }
        // As Prometheus's framework does: the same result with every selector pinned by @ to the eval time.
        Expr pinned = AtModifierVariants.pin(expr, c.evalTime);
        if (pinned != null) {
            for (long t : AtModifierVariants.evalTimes(c.evalTime)) {
                err = evalOnce(storage, c, pinned, t, line, " (with @ " + GoFloats.formatG(c.evalTime / 1000.0) + " evaluated at " + t + "ms)");
                if (err != null) {
                    return err;
                }
            }
        }
        return null;
    }

    /** One instant (at evalTime) or range evaluation checked against the expectations; null when it passed. */
    private String evalOnce(Storage storage, ScriptCommand.Eval c, Expr expr, long evalTime, int line, String variant) {
        QueryResult res;
        try {
            if (c.isRange) {
                res = engine.range(storage, expr, c.start, c.end, c.step, c.expr);
            } else {
                res = engine.instant(storage, expr, evalTime, c.expr);
            }
        } catch (PromQLException e) {
            if (c.isFail()) {
                return ResultComparer.checkFailure(c, e.getMessage(), e.getMessage(), line);
            }
            return "error evaluating query " + GoQuote.quote(c.expr) + variant + " (line " + line + "): " + e.getMessage();
        } catch (RuntimeException e) {
            return "engine crashed evaluating query " + GoQuote.quote(c.expr) + variant + " (line " + line + "): " + e;
        }
        if (c.isFail()) {
            return "expected error evaluating query " + GoQuote.quote(c.expr) + " (line " + line + ") but got none";
        }
        String err = ResultComparer.checkAnnotations(c, res, line);
        if (err != null) {
            return err + variant;
        }
        err = ResultComparer.compare(c, res.value(), c.isRange || c.expectRangeVector);
        if (err != null) {
            return "error in eval " + c.expr + variant + " (line " + line + "): " + err;
        }
        if (!c.isRange && !c.excludeFromRange && !c.expr.matches("(?s).*(start|end|range|step)\\(\\).*") && !c.isOrdered()) {
            QueryResult rr;
            try {
                rr = engine.range(storage, expr, evalTime - 60_000, evalTime + 60_000, 60_000, c.expr);
            } catch (PromQLException e) {
                return "error evaluating query " + GoQuote.quote(c.expr) + variant + " (line " + line + ") in range mode: " + e.getMessage();
            } catch (RuntimeException e) {
                return "engine crashed evaluating query " + GoQuote.quote(c.expr) + " (line " + line + ") in range mode: " + e;
            }
            Value v = ResultComparer.pointsAt(res.value(), rr.value(), evalTime);
            if (v == null) {
                return null;
            }
            err = ResultComparer.compare(c, v, false);
            if (err != null) {
                return "error in eval " + c.expr + variant + " (line " + line + ") range mode: " + err;
            }
        }
        return null;
    }
}
