package dev.sightline.server;

import dev.sightline.server.config.ConfigLoader;
import dev.sightline.server.config.SightlineConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class MainTest {
    @TempDir
    Path dir;

    @Test
    void helpListsEveryCommand() {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        assertThat(cl.execute("--help")).isZero();
        assertThat(out.toString()).contains("Usage: sightline").contains("server").contains("demo").contains("drill").contains("promql-test").contains("check-rules").contains("detect").contains("detect-eval").contains("journey").contains("maturity").contains("hash-password").contains("new-token").contains("help");
        assertThat(cl.getSubcommands().keySet()).containsExactlyInAnyOrder("server", "demo", "drill", "promql-test", "check-rules", "detect", "detect-eval", "journey", "maturity", "hash-password", "new-token", "help");
    }

    @Test
    void serverHelpNamesItsOptions() {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        assertThat(cl.execute("server", "--help")).isZero();
        assertThat(out.toString()).contains("--config").contains("--data-dir").contains("--http-port").contains("--web.config.file");
    }

    @Test
    void noCommandIsAUsageError() {
        CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(new StringWriter()));
        assertThat(cl.execute()).isEqualTo(2);
    }

    @Test
    void badConfigFailsBeforeStartingWithTheLocatedError() throws Exception {
        Path cfg = dir.resolve("sightline.yml");
        Files.writeString(cfg, "global:\n  scrape_interval: soon\n");
        String err = captureStderr(() -> assertThat(Main.commandLine().execute(
                "server", "--config", cfg.toString(), "--data-dir", dir.resolve("data").toString())).isEqualTo(1));
        assertThat(err).contains(cfg + ":2:20: global.scrape_interval: invalid duration \"soon\"");
        assertThat(dir.resolve("data")).doesNotExist();

        String missing = captureStderr(() -> assertThat(Main.commandLine().execute(
                "server", "--config", dir.resolve("absent.yml").toString())).isEqualTo(1));
        assertThat(missing).contains("absent.yml: configuration file not found");
    }

    @Test
    void flagsWinOverTheConfigFile() throws Exception {
        SightlineConfig cfg = new ConfigLoader().parse("t.yml",
                "server:\n  http_port: 9999\n  listen_address: 10.0.0.1\n".getBytes(StandardCharsets.UTF_8));
        ServerCommand fromFile = new ServerCommand();
        new CommandLine(fromFile).parseArgs();
        assertThat(fromFile.settings(cfg)).isEqualTo(new SightlineServer.Settings(Path.of("data"), "10.0.0.1", 9999, cfg));
        ServerCommand flags = new ServerCommand();
        new CommandLine(flags).parseArgs("--http-port", "1234", "--listen-address", "127.0.0.1", "--data-dir", "/tmp/d");
        assertThat(flags.settings(cfg)).isEqualTo(new SightlineServer.Settings(Path.of("/tmp/d"), "127.0.0.1", 1234, cfg));
    }

    @Test
    void outOfRangePortIsAUsageError() {
        String err = captureStderr(() -> assertThat(Main.commandLine().execute("server", "--http-port", "70000")).isEqualTo(2));
        assertThat(err).contains("--http-port must be between 0 and 65535, got 70000");
    }

    @Test
    void demoHelpNamesItsOptions() {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        assertThat(cl.execute("demo", "--help")).isZero();
        assertThat(out.toString()).contains("--target").contains("--data-dir").contains("--incident-delay")
                .contains("Default: data-demo").contains("Default: 90s");
    }

    @Test
    void demoRefusesBadDurationsAndPortsBeforeStartingAnything() {
        CliRun bad = CliRun.run("demo", "--incident-delay", "5x", "--data-dir", dir.resolve("d").toString());
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("Invalid value for option '--incident-delay'").contains("invalid duration \"5x\"");
        String err = captureStderr(() -> assertThat(Main.commandLine().execute("demo", "--webhook-port", "-3",
                "--data-dir", dir.resolve("d").toString())).isEqualTo(2));
        assertThat(err).contains("--webhook-port must be between 0 and 65535, got -3");
        CliRun meteor = CliRun.run("demo", "--incidents", "stale-cache,meteor", "--data-dir", dir.resolve("d").toString());
        assertThat(meteor.exit()).isEqualTo(2);
        assertThat(meteor.err()).contains("Invalid value for option '--incidents'").contains("unknown \"meteor\"")
                .contains("rider-driver-mismatch");
        assertThat(dir.resolve("d")).doesNotExist();
    }

    private static String captureStderr(Runnable r) {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setErr(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }
}
