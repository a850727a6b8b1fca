package dev.sightline.core;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A child JVM a crash test kills with SIGKILL once it has printed what the test waits for (the stores' kill tests). */
public final class KilledChild {
    private KilledChild() {
    }

    /**
     * Runs {@code main} with {@code args} on this JVM's class path, reads its output up to the line {@code until}, then
     * kills it (SIGKILL) and waits for it; returns the lines before {@code until}.
     */
    public static List<String> runUntil(String until, Class<?> main, String... args) throws IOException,
            InterruptedException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(), "-cp",
                System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<String> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null && !line.equals(until); line = r.readLine()) {
                out.add(line);
            }
        } finally {
            child.destroyForcibly();
            if (!child.waitFor(10, TimeUnit.SECONDS)) {
                throw new IOException(main.getSimpleName() + " did not die within 10 s of SIGKILL");
            }
        }
        return out;
    }
}
