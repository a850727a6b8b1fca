package dev.sightline.server.services;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The drill results in {@code <data dir>/drills/results.json} (with multitenancy on, each tenant's in
 * {@code <data dir>/drills/tenants/<id>/results.json}), written by {@code ./sightline drill} (directly or
 * through {@code POST /api/v1/drills/results}) and by the demo for each incident it sees caught (docs/maturity.md):
 * {@code {"results": [{"drill": "checkout-latency", "service": "checkout", "passed": true,
 * "finished": "2026-12-01T10:00:00Z"}]}}. A missing file means none recorded; a file that does not read is an error
 * naming the entry and field, shown as the drill criterion's evidence.
 */
public record Drills(List<Result> results, String error) {
    public static final String FILE = "drills/results.json";
    static final long WINDOW_MS = 30L * 24 * 3_600_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    public record Result(String drill, String service, boolean passed, Instant finished) {
    }

    /** A record (file or request body) that does not read; the message names the entry and field. */
    public static final class InvalidResults extends Exception {
        InvalidResults(String message) {
            super(message);
        }
    }

    public static Drills none() {
        return new Drills(List.of(), null);
    }

    /**
     * The record of {@code tenant} under the data dir ({@link #FILE} for null, multitenancy off). A tenant id is a
     * safe folder name: {@code TenantScope.validate} admits only letters, digits and {@code !-_.*'()}, never . or ..
     */
    public static String file(String tenant) {
        return tenant == null ? FILE : "drills/tenants/" + tenant + "/results.json";
    }

    /** Reads the record under {@code dataDir}; never throws: a bad file is an error in the result. */
    public static Drills read(Path dataDir) {
        return read(dataDir, null);
    }

    /** Reads the record of {@code tenant} (null: the only one) under {@code dataDir}; never throws, as above. */
    public static Drills read(Path dataDir, String tenant) {
        try {
            return new Drills(load(dataDir, file(tenant)), null);
        } catch (InvalidResults e) {
            return new Drills(List.of(), e.getMessage());
        }
    }

    /** The results recorded in {@code file} under {@code dataDir} (none without it); one that does not read is refused. */
    private static List<Result> load(Path dataDir, String file) throws InvalidResults {
        String text;
        try {
            text = Files.readString(dataDir.resolve(file));
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new InvalidResults(file + ": " + e.getMessage());
        }
        return parse(file, text);
    }

    /** {@code {"results": [...]}} as the file holds it; {@code where} starts every error message. */
    public static List<Result> parse(String where, String text) throws InvalidResults {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (IOException e) {
            throw new InvalidResults(where + ": " + e.getMessage());
        }
        JsonNode results = root == null ? null : root.get("results");
        if (results == null || !results.isArray()) {
            throw new InvalidResults(where + ": \"results\" must be an array");
        }
        List<Result> out = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            JsonNode r = results.get(i);
            String at = where + ": results[" + i + "]";
            if (!r.path("drill").isTextual() || !r.path("service").isTextual()) {
                throw new InvalidResults(at + ": \"drill\" and \"service\" must be strings");
            }
            if (r.get("drill").asText().isEmpty() || r.get("service").asText().isEmpty()) {
                throw new InvalidResults(at + ": \"drill\" and \"service\" must not be empty");
            }
            if (!r.path("passed").isBoolean()) {
                throw new InvalidResults(at + ".passed must be true or false");
            }
            Instant finished;
            try {
                finished = Instant.parse(r.path("finished").asText());
            } catch (DateTimeParseException e) {
                throw new InvalidResults(at + ".finished must be an RFC 3339 time, got " + r.path("finished"));
            }
            out.add(new Result(r.get("drill").asText(), r.get("service").asText(), r.get("passed").asBoolean(), finished));
        }
        return List.copyOf(out);
    }

    /** {@code {"results": [...]}}, the file's shape. */
    public static String json(List<Result> results) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode out = root.putArray("results");
        for (Result r : results) {
            out.addObject().put("drill", r.drill()).put("service", r.service()).put("passed", r.passed())
                    .put("finished", r.finished().toString());
        }
        return root.toString();
    }

    /**
     * Adds {@code added} to the record under {@code dataDir} and returns the whole record: one result per drill and
     * service, the newest by {@code finished}. The file is replaced atomically (written beside it, forced to disk,
     * then moved over it), so a crash leaves the old record or the new one, never a torn one. A record that does not
     * read is refused rather than overwritten: its results would be lost.
     */
    public static List<Result> record(Path dataDir, List<Result> added) throws IOException, InvalidResults {
        return record(dataDir, null, added);
    }

    /** As above into the record of {@code tenant} (null: the only one). */
    public static List<Result> record(Path dataDir, String tenant, List<Result> added) throws IOException, InvalidResults {
        String name = file(tenant);
        Path file = dataDir.resolve(name);
        // One writer at a time in this process (the server's endpoint, a drill run): each reads what the last wrote.
        synchronized (Drills.class) {
            Map<String, Result> merged = new LinkedHashMap<>();
            for (Result r : load(dataDir, name)) {
                merged.merge(r.drill() + "\n" + r.service(), r, Drills::newer);
            }
            for (Result r : added) {
                merged.merge(r.drill() + "\n" + r.service(), r, Drills::newer);
            }
            List<Result> out = merged.values().stream()
                    .sorted(Comparator.comparing(Result::service).thenComparing(Result::drill)).toList();
            Files.createDirectories(file.getParent());
            Path temp = Files.createTempFile(file.getParent(), "results-", ".json.tmp");
            try {
                try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                    ch.write(StandardCharsets.UTF_8.encode(json(out)));
                    ch.force(true);
                }
                try {
                    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temp);
            }
            return out;
        }
    }

    private static Result newer(Result a, Result b) {
        return b.finished().isBefore(a.finished()) ? a : b;
    }

    /** Level 5, drills: a drill on this service that passed in the last 30 days. */
    Maturity.Criterion criterion(String service, long nowMs) {
        List<String> passed = new ArrayList<>();
        int recorded = 0;
        for (Result r : results) {
            if (r.service().equals(service)) {
                recorded++;
                long ms = r.finished().toEpochMilli();
                if (r.passed() && ms <= nowMs && nowMs - ms <= WINDOW_MS) {
                    passed.add(r.drill() + " (" + r.finished() + ")");
                }
            }
        }
        String evidence = error != null ? error
                : recorded == 0 ? "none recorded"
                : passed.size() + " of " + recorded + " recorded drill(s) passed in the last 30 days";
        return new Maturity.Criterion(5, "drills", "drills passed in the last 30 days", !passed.isEmpty(), evidence,
                List.copyOf(passed));
    }
}
