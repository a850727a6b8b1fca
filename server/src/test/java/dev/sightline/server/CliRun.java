package dev.sightline.server;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

/** One run of the {@code sightline} command line in process: exit code, standard output and standard error. */
record CliRun(int exit, String out, String err) {
    static CliRun run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new CliRun(exit, out.toString(), err.toString());
    }

    /** The output's lines after its header line (CSV rows). */
    List<String> rows() {
        return out.lines().skip(1).toList();
    }

    /** The third column of CSV row {@code row}: {@code detect}'s score. */
    double score(int row) {
        return Double.parseDouble(rows().get(row).split(",")[2]);
    }
}
