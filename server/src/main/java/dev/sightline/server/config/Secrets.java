package dev.sightline.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The secret fields of sightline.yml, in one place: which keys hold secrets ({@code password}, {@code credentials},
 * {@code bearer_token} anywhere; {@code url} of an Alertmanager webhook, which carries a Slack or PagerDuty token, and
 * of a Redis or SQL canary target, which may carry a password), where their values may come from, and how they are shown
 * ({@link #MASK}).
 *
 * <p>A secret field's value may name environment variables as {@code ${NAME}} (expanded in secret fields only, so a
 * {@code $} elsewhere stays as written); an unset variable is an error naming the field. Or the field may be given as
 * a file, {@code <field>_file} (password_file, credentials_file, bearer_token_file, url_file, as Prometheus and
 * Alertmanager name them), relative to the configuration file's folder, read when the file is loaded and at each
 * reload, surrounding whitespace trimmed. Scrape jobs and journeys read their own {@code *_file} keys when they use
 * them (a rotated token is picked up at the next scrape), so those are left to them.
 */
public final class Secrets {
    public static final String MASK = "<secret>";
    private static final Set<String> SECRET_KEYS = Set.of("password", "credentials", "bearer_token");
    private static final String FILE_SUFFIX = "_file";
    /** Sections whose options read their *_file keys themselves. */
    private static final Set<String> OWN_FILES = Set.of("scrape_configs", "journeys");
    private static final Pattern ENV = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

    private Secrets() {
    }

    /** A secret that could not be resolved: {@code key} is the dotted path of the field (as the loader locates keys). */
    static final class Unresolved extends Exception {
        final String key;

        Unresolved(String key, String message) {
            super(key + ": " + message, null, false, false);
            this.key = key;
        }
    }

    /**
     * Whether {@code key} holds a secret in an object reached through {@code parents} (key names, "[]" for a list
     * element), from the document's root or from any section's.
     */
    public static boolean isSecret(List<String> parents, String key) {
        if (SECRET_KEYS.contains(key)) {
            return true;
        }
        if (!key.equals("url") || parents.isEmpty()) {
            return false;
        }
        int n = parents.size();
        return parents.get(n - 1).equals("redis") || parents.get(n - 1).equals("sql")
                || n >= 2 && parents.get(n - 1).equals("[]") && parents.get(n - 2).equals("webhook_configs");
    }

    /**
     * Replaces {@code <secret>_file} keys by the file's content and expands {@code ${NAME}} in secret fields, in
     * place. Returns whether anything changed.
     */
    static boolean resolve(JsonNode root, Path baseDir, UnaryOperator<String> env) throws Unresolved {
        return resolve(root, new ArrayList<>(), "", baseDir, env);
    }

    private static boolean resolve(JsonNode node, List<String> parents, String path, Path baseDir,
                                   UnaryOperator<String> env) throws Unresolved {
        boolean changed = false;
        if (node instanceof ObjectNode o) {
            boolean ownFiles = !parents.isEmpty() && OWN_FILES.contains(parents.get(0));
            for (Map.Entry<String, JsonNode> e : List.copyOf(o.properties())) {
                String key = e.getKey();
                String keyPath = path.isEmpty() ? key : path + "." + key;
                if (!ownFiles && key.endsWith(FILE_SUFFIX)
                        && isSecret(parents, key.substring(0, key.length() - FILE_SUFFIX.length()))) {
                    String field = key.substring(0, key.length() - FILE_SUFFIX.length());
                    if (o.has(field)) {
                        throw new Unresolved(keyPath, "at most one of " + field + " and " + key + " may be set");
                    }
                    o.remove(key);
                    o.put(field, read(keyPath, e.getValue(), baseDir));
                    changed = true;
                } else if (isSecret(parents, key) && e.getValue().isTextual() && e.getValue().asText().contains("${")) {
                    o.put(key, expand(keyPath, e.getValue().asText(), env));
                    changed = true;
                } else if (e.getValue().isContainerNode()) {
                    parents.add(key);
                    changed |= resolve(e.getValue(), parents, keyPath, baseDir, env);
                    parents.remove(parents.size() - 1);
                }
            }
        } else if (node.isArray()) {
            parents.add("[]");
            for (int i = 0; i < node.size(); i++) {
                changed |= resolve(node.get(i), parents, path + "[" + i + "]", baseDir, env);
            }
            parents.remove(parents.size() - 1);
        }
        return changed;
    }

    private static String read(String keyPath, JsonNode value, Path baseDir) throws Unresolved {
        if (!value.isTextual() || value.asText().isBlank()) {
            throw new Unresolved(keyPath, "expected the path of a file holding the secret");
        }
        Path file = baseDir.resolve(value.asText());
        try {
            return Files.readString(file).strip();
        } catch (NoSuchFileException e) {
            throw new Unresolved(keyPath, "cannot read secret file " + file + ": no such file");
        } catch (IOException | RuntimeException e) {
            throw new Unresolved(keyPath, "cannot read secret file " + file + ": " + e.getMessage());
        }
    }

    private static String expand(String keyPath, String value, UnaryOperator<String> env) throws Unresolved {
        Matcher m = ENV.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String v = env.apply(m.group(1));
            if (v == null) {
                throw new Unresolved(keyPath, "environment variable " + m.group(1) + " is not set");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(v));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Every secret field's text value replaced by {@link #MASK}, in place. */
    static void mask(JsonNode node, List<String> parents) {
        if (node instanceof ObjectNode o) {
            for (Map.Entry<String, JsonNode> e : List.copyOf(o.properties())) {
                if (isSecret(parents, e.getKey()) && e.getValue().isTextual()) {
                    o.put(e.getKey(), MASK);
                } else if (e.getValue().isContainerNode()) {
                    parents.add(e.getKey());
                    mask(e.getValue(), parents);
                    parents.remove(parents.size() - 1);
                }
            }
        } else if (node.isArray()) {
            parents.add("[]");
            node.forEach(n -> mask(n, parents));
            parents.remove(parents.size() - 1);
        }
    }
}
