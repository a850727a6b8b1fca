package dev.sightline.server;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code sightline} command line. Each subcommand is one small class; {@link #commandLine()} is the one place
 * where they are registered.
 */
@Command(name = "sightline",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Sightline: a Prometheus-compatible observability platform in one process.",
        synopsisSubcommandLabel = "COMMAND")
public final class Main implements Runnable {
    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        Logging.configure();
        System.exit(commandLine().execute(args));
    }

    /** The root command with every subcommand registered. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.addSubcommand(new ServerCommand());
        cl.addSubcommand(new DemoCommand());
        cl.addSubcommand(new dev.sightline.server.drill.DrillCommand());
        cl.addSubcommand(new PromqlTestCommand());
        cl.addSubcommand(new CheckRulesCommand());
        cl.addSubcommand(new DetectCommand());
        cl.addSubcommand(new DetectEvalCommand());
        cl.addSubcommand(new JourneyCommand());
        cl.addSubcommand(new MaturityCommand());
        cl.addSubcommand(new dev.sightline.server.security.HashPasswordCommand());
        cl.addSubcommand(new dev.sightline.server.security.NewTokenCommand());
        cl.addSubcommand(new CommandLine.HelpCommand());
        return cl;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing required command");
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            BuildInfo b = BuildInfo.current();
            return new String[] {
                "sightline " + b.version() + " (revision " + b.revision() + ", branch " + b.branch() + ")",
                "  built by " + b.buildUser() + " on " + b.buildDate() + ", running on Java " + b.javaVersion(),
            };
        }
    }
}
