package dev.sightline.synthetics.journey;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A string with {@code {{...}}} references, checked when the journey loads: {@code {{name}}} a variable (extracted
 * by an earlier step or set under {@code variables:}), {@code {{uuid}}}, {@code {{timestamp}}} (unix seconds) and
 * {@code {{random}}} (a number) fixed for the whole run so a cleanup step can name what an earlier one created,
 * {@code {{env.NAME}}} an environment variable and {@code {{file:PATH}}} a file's content (trailing newline dropped):
 * both secrets, masked in every output.
 */
public final class Template {
    private static final Pattern REF = Pattern.compile("\\{\\{\\s*([^}]*?)\\s*}}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    enum Kind { LITERAL, VARIABLE, UUID, TIMESTAMP, RANDOM, ENV, FILE }

    private record Part(Kind kind, String text) {
    }

    private final String source;
    private final List<Part> parts;

    private Template(String source, List<Part> parts) {
        this.source = source;
        this.parts = List.copyOf(parts);
    }

    /** A template without references. */
    public static Template literal(String text) {
        return new Template(text, List.of(new Part(Kind.LITERAL, text)));
    }

    /** Parses the node's text; a variable not in {@code known} is an error at the node. */
    static Template parse(YamlNode node, String what, Set<String> known) throws JourneyException {
        String s = node.string(what);
        List<Part> parts = new ArrayList<>();
        Matcher m = REF.matcher(s);
        int last = 0;
        while (m.find()) {
            if (m.start() > last) {
                parts.add(new Part(Kind.LITERAL, s.substring(last, m.start())));
            }
            String ref = m.group(1);
            Part p;
            if (ref.equals("uuid")) {
                p = new Part(Kind.UUID, ref);
            } else if (ref.equals("timestamp")) {
                p = new Part(Kind.TIMESTAMP, ref);
            } else if (ref.equals("random")) {
                p = new Part(Kind.RANDOM, ref);
            } else if (ref.startsWith("env.") && NAME.matcher(ref.substring(4)).matches()) {
                p = new Part(Kind.ENV, ref.substring(4));
            } else if (ref.startsWith("file:") && ref.length() > 5) {
                p = new Part(Kind.FILE, ref.substring(5));
            } else if (NAME.matcher(ref).matches() && known.contains(ref)) {
                p = new Part(Kind.VARIABLE, ref);
            } else {
                throw node.error(what + ": unknown reference {{" + ref + "}} (a variable set by an earlier step or"
                        + " under variables:, uuid, timestamp, random, env.NAME or file:PATH; known variables: "
                        + (known.isEmpty() ? "none" : String.join(", ", new TreeSet<>(known))) + ")");
            }
            parts.add(p);
            last = m.end();
        }
        if (last < s.length()) {
            parts.add(new Part(Kind.LITERAL, s.substring(last)));
        }
        return new Template(s, parts);
    }

    /** The text with every reference replaced; secrets read are recorded in the run so outputs mask them. */
    public String render(RunContext run) throws RenderException {
        StringBuilder sb = new StringBuilder();
        for (Part p : parts) {
            switch (p.kind) {
                case LITERAL -> sb.append(p.text);
                case VARIABLE -> sb.append(run.variable(p.text));
                case UUID -> sb.append(run.uuid());
                case TIMESTAMP -> sb.append(run.timestamp());
                case RANDOM -> sb.append(run.random());
                case ENV -> {
                    String v = run.env(p.text);
                    if (v == null) {
                        throw new RenderException("environment variable " + p.text + " is not set");
                    }
                    sb.append(run.secret(v));
                }
                case FILE -> {
                    try {
                        String v = Files.readString(Path.of(p.text));
                        sb.append(run.secret(v.endsWith("\n") ? v.substring(0, v.length() - 1) : v));
                    } catch (IOException e) {
                        throw new RenderException("cannot read secret file " + p.text + ": " + e.getMessage());
                    }
                }
                default -> throw new IllegalStateException(p.kind.name());
            }
        }
        return sb.toString();
    }

    /** The text as written, references unexpanded (safe to show: it holds no secret values). */
    public String source() {
        return source;
    }

    /** A reference that could not be filled at run time (an unset environment variable, an unreadable file). */
    public static final class RenderException extends Exception {
        private static final long serialVersionUID = 1L;

        RenderException(String message) {
            super(message);
        }
    }
}
