package dev.sightline.server;

import dev.sightline.core.FileTrees;
import dev.sightline.metricstore.Storage;
import dev.sightline.promql.test.PromqlTestRunner;
import dev.sightline.tsdb.Tsdb;
import dev.sightline.tsdb.TsdbOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code sightline promql-test PATH...}: runs Prometheus-format PromQL test scripts (files, or folders of *.test)
 * against the engine and a real database, a fresh one (WAL off, in a temporary directory) per script and per
 * {@code clear}. Prints each failing eval as FILE:LINE: message and ends with {@code N passed, M failed}; exits 1
 * when anything failed, 2 on a usage error.
 */
@Command(name = "promql-test", mixinStandardHelpOptions = true,
        description = "Runs PromQL test scripts (Prometheus's promqltest format); prints 'N passed, M failed'.")
public final class PromqlTestCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "Test script files or folders of *.test files.")
    List<Path> paths;

    @Override
    public Integer call() throws IOException {
        for (Path p : paths) {
            if (!Files.exists(p)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "no such file or folder: " + p);
            }
        }
        PrintWriter writer = spec.commandLine().getOut();
        // The runner prints to a PrintStream; forward its UTF-8 bytes to picocli's writer line by line.
        PrintStream out = new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[]{(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                writer.write(new String(b, off, len, StandardCharsets.UTF_8));
            }

            @Override
            public void flush() {
                writer.flush();
            }
        }, true, StandardCharsets.UTF_8);
        Path root = Files.createTempDirectory("sightline-promql-test");
        try {
            PromqlTestRunner runner = new PromqlTestRunner(() -> openTsdb(root));
            PromqlTestRunner.RunResult r = runner.run(paths, out);
            return r.failed() == 0 ? 0 : 1;
        } finally {
            out.flush();
            FileTrees.deleteRecursively(root);
        }
    }

    private static Storage openTsdb(Path root) {
        try {
            // Scripts may load older samples for a series in a later load command, so out-of-order is allowed.
            return Tsdb.open(Files.createTempDirectory(root, "tsdb"),
                    TsdbOptions.defaults().withWalEnabled(false).withOutOfOrderWindowMs(Long.MAX_VALUE / 4));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
