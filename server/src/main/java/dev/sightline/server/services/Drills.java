package dev.sightline.server.services;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * The drill results a drill runner records in {@code <data dir>/drills/results.json} (no runner exists yet; this is
 * the record it is to write, docs/maturity.md):
 * {@code {"results": [{"drill": "checkout-latency", "service": "checkout", "passed": true,
 * "finished": "2026-12-01T10:00:00Z"}]}}. A missing file means none recorded; a file that does not read is an error
 * naming the entry and field, shown as the drill criterion's evidence.
 */
public record Drills(List<Result> results, String error) {
    public static final String FILE = "drills/results.json";
    static final long WINDOW_MS = 30L * 24 * 3_600_000;

    public record Result(String drill, String service, boolean passed, Instant finished) {
    }

    public static Drills none() {
        return new Drills(List.of(), null);
    }

    /** Reads the record under {@code dataDir}; never throws: a bad file is an error in the result. */
    public static Drills read(Path dataDir) {
        Path file = dataDir.resolve(FILE);
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            return none();
        } catch (IOException e) {
            return new Drills(List.of(), FILE + ": " + e.getMessage());
        }
        JsonNode results = root == null ? null : root.get("results");
        if (results == null || !results.isArray()) {
            return new Drills(List.of(), FILE + ": \"results\" must be an array");
        }
        List<Result> out = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            JsonNode r = results.get(i);
            String at = FILE + ": results[" + i + "]";
            if (!r.path("drill").isTextual() || !r.path("service").isTextual()) {
                return new Drills(List.of(), at + ": \"drill\" and \"service\" must be strings");
            }
            if (!r.path("passed").isBoolean()) {
                return new Drills(List.of(), at + ".passed must be true or false");
            }
            Instant finished;
            try {
                finished = Instant.parse(r.path("finished").asText());
            } catch (DateTimeParseException e) {
                return new Drills(List.of(), at + ".finished must be an RFC 3339 time, got " + r.path("finished"));
            }
            out.add(new Result(r.get("drill").asText(), r.get("service").asText(), r.get("passed").asBoolean(), finished));
        }
        return new Drills(List.copyOf(out), null);
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
