package dev.sightline.server.security;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.Callable;

/**
 * {@code sightline new-token}: a random bearer token (32 bytes, hex) and the SHA-256 that bearer_tokens lists for
 * it. The token goes to the client; only its hash goes into the web config file.
 */
@Command(name = "new-token", mixinStandardHelpOptions = true,
        description = "Prints a new random bearer token and its sha256 for the web config file's bearer_tokens.")
public final class NewTokenCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        String token = HexFormat.of().formatHex(raw);
        spec.commandLine().getOut().println("token:  " + token);
        spec.commandLine().getOut().println("sha256: " + Authenticator.sha256Hex(token));
        return 0;
    }
}
