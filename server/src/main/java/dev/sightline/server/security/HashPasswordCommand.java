package dev.sightline.server.security;

import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.concurrent.Callable;

/**
 * {@code sightline hash-password}: the bcrypt hash of a password read from the terminal (without echo) or, with
 * {@code --stdin} or no terminal, standard input, for basic_auth_users, as {@code htpasswd -nBC 10 "" | tr -d ':\n'} makes it.
 */
@Command(name = "hash-password", mixinStandardHelpOptions = true,
        description = "Prints the bcrypt hash of a password (read from the terminal, or standard input with --stdin) for the web"
                + " config file's basic_auth_users.")
public final class HashPasswordCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--cost", defaultValue = "10", description = "bcrypt cost, 4 to 31 (each step doubles the work; 10 takes about 70 ms). Default: ${DEFAULT-VALUE}")
    int cost;

    @Option(names = "--stdin", description = "Read the password from standard input (one line) instead of the terminal.")
    boolean stdin;

    @Override
    public Integer call() throws IOException {
        if (cost < 4 || cost > 31) {
            spec.commandLine().getErr().println("sightline hash-password: --cost must be between 4 and 31, got " + cost);
            return 2;
        }
        char[] password;
        Console console = System.console();
        if (console != null && !stdin) {
            password = console.readPassword("Password: ");
        } else {
            String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            password = line == null ? null : line.toCharArray();
        }
        if (password == null || password.length == 0) {
            spec.commandLine().getErr().println("sightline hash-password: no password given");
            return 1;
        }
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        spec.commandLine().getOut().println(OpenBSDBCrypt.generate("2y", password, salt, cost));
        return 0;
    }
}
