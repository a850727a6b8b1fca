package dev.sightline.synthetics.journey;

import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * The state of one run: variables set so far, the generated values (fixed for the run) and every secret value read,
 * which {@link #mask} replaces in anything shown (step output, failures, log lines, the API).
 */
public final class RunContext {
    static final String MASK = "*****";

    private final Map<String, String> variables = new HashMap<>();
    private final Set<String> secrets = new LinkedHashSet<>();
    private final Function<String, String> env;
    private final String uuid = UUID.randomUUID().toString();
    private final String timestamp;
    private final String random = Long.toString(ThreadLocalRandom.current().nextLong(1, 1_000_000_000L));

    RunContext(Function<String, String> env, long nowMs) {
        this.env = env;
        this.timestamp = Long.toString(nowMs / 1000);
    }

    String variable(String name) {
        return variables.getOrDefault(name, "");
    }

    void set(String name, String value) {
        variables.put(name, value);
    }

    String env(String name) {
        return env.apply(name);
    }

    String uuid() {
        return uuid;
    }

    String timestamp() {
        return timestamp;
    }

    String random() {
        return random;
    }

    /** Records a secret value and returns it. */
    String secret(String value) {
        if (!value.isEmpty()) {
            secrets.add(value);
        }
        return value;
    }

    /** The text with every secret value read in this run replaced by {@value #MASK}, longest first. */
    public String mask(String text) {
        if (text == null || secrets.isEmpty()) {
            return text;
        }
        String out = text;
        for (String s : secrets.stream().sorted(Comparator.comparingInt(String::length).reversed()).toList()) {
            out = out.replace(s, MASK);
        }
        return out;
    }
}
