package dev.sightline.alerting;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.sightline.core.Labels;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.LongSupplier;

/**
 * Silences, as Alertmanager keeps them: created, updated, expired (never deleted by a user; an expired silence is
 * dropped after {@link #RETENTION_MS}). Every change is written to one JSON file (temporary file, then an atomic
 * rename), read back at start, so silences survive a restart.
 */
public final class Silences {
    /** Alertmanager's default --data.retention: how long expired silences are kept. */
    public static final long RETENTION_MS = 120L * 3_600_000L;

    /** The silence asked for does not exist. */
    public static final class NotFoundException extends Exception {
        public NotFoundException(String id) {
            super("silence " + id + " not found");
        }
    }

    private final Path file;
    private final LongSupplier clockMs;
    private final Map<String, Silence> byId = new LinkedHashMap<>();

    /** {@code file} null keeps silences in memory only. */
    public Silences(Path file, LongSupplier clockMs) throws IOException {
        this.file = file;
        this.clockMs = clockMs;
        byId.putAll(AtomicFiles.read(file, all -> {
            Map<String, Silence> read = new LinkedHashMap<>();
            for (JsonNode n : all) {
                try {
                    Silence s = AlertmanagerJson.parseSilence(n);
                    read.put(s.id(), s);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("bad silence " + n.path("id").asText() + ": " + e.getMessage(), e);
                }
            }
            return read;
        }, Map.of()));
    }

    /**
     * Creates a silence (no id) or updates one. As in Alertmanager, a pending silence, or an active one whose matchers
     * and start stay the same, is changed in place; otherwise the old one is expired and a new id is returned.
     * Throws IllegalArgumentException for an invalid silence.
     */
    public synchronized String upsert(Silence s) throws NotFoundException, IOException {
        long now = clockMs.getAsLong();
        long start = s.startsAtMs() == 0 ? now : s.startsAtMs();
        validate(s, start, now);
        Silence old = s.id() == null ? null : byId.get(s.id());
        if (s.id() != null && old == null) {
            throw new NotFoundException(s.id());
        }
        String id;
        if (old != null && canUpdateInPlace(old, s, start, now)) {
            id = old.id();
            // An active silence keeps its start: it has been muting since then.
            long keepStart = old.state(now) == Silence.State.ACTIVE ? old.startsAtMs() : Math.max(start, now);
            byId.put(id, s.with(id, keepStart, s.endsAtMs(), now));
        } else {
            if (old != null && old.state(now) != Silence.State.EXPIRED) {
                byId.put(old.id(), expired(old, now));
            }
            id = UUID.randomUUID().toString();
            byId.put(id, s.with(id, Math.max(start, now), s.endsAtMs(), now));
        }
        save();
        return id;
    }

    private static boolean canUpdateInPlace(Silence old, Silence s, long start, long now) {
        return switch (old.state(now)) {
            case PENDING -> true;
            case ACTIVE -> old.matchers().equals(s.matchers()) && (start == old.startsAtMs() || start <= now);
            case EXPIRED -> false;
        };
    }

    private static void validate(Silence s, long start, long now) {
        if (s.matchers().isEmpty()) {
            throw new IllegalArgumentException("matchers: at least one matcher is required");
        }
        if (s.matchers().stream().allMatch(m -> m.matches(""))) {
            throw new IllegalArgumentException("matchers: at least one matcher must not match the empty string");
        }
        if (s.endsAtMs() == 0) {
            throw new IllegalArgumentException("endsAt: missing");
        }
        if (s.endsAtMs() <= start) {
            throw new IllegalArgumentException("endsAt: must be after startsAt");
        }
        if (s.endsAtMs() <= now) {
            throw new IllegalArgumentException("endsAt: is in the past");
        }
    }

    /** Ends a silence now. Throws IllegalStateException if it has already expired. */
    public synchronized void expire(String id) throws NotFoundException, IOException {
        long now = clockMs.getAsLong();
        Silence s = byId.get(id);
        if (s == null) {
            throw new NotFoundException(id);
        }
        if (s.state(now) == Silence.State.EXPIRED) {
            throw new IllegalStateException("silence " + id + " already expired");
        }
        byId.put(id, expired(s, now));
        save();
    }

    private static Silence expired(Silence s, long now) {
        // A pending silence never started: both ends move to now.
        long start = Math.min(s.startsAtMs(), now);
        return s.with(s.id(), start, now, now);
    }

    public synchronized Silence get(String id) throws NotFoundException {
        Silence s = byId.get(id);
        if (s == null) {
            throw new NotFoundException(id);
        }
        return s;
    }

    /** All silences kept (expired ones until their retention ends), newest update first. */
    public synchronized List<Silence> list() {
        gc();
        List<Silence> out = new ArrayList<>(byId.values());
        out.sort(Comparator.comparingLong(Silence::updatedAtMs).reversed());
        return out;
    }

    /** Ids of the active silences that mute an alert with these labels. */
    public synchronized List<String> silencedBy(Labels labels) {
        long now = clockMs.getAsLong();
        List<String> out = new ArrayList<>();
        for (Silence s : byId.values()) {
            if (s.state(now) == Silence.State.ACTIVE && s.matches(labels)) {
                out.add(s.id());
            }
        }
        return out;
    }

    private void gc() {
        long now = clockMs.getAsLong();
        if (byId.values().removeIf(s -> s.endsAtMs() + RETENTION_MS < now)) {
            try {
                save();
            } catch (IOException e) {
                // The next successful save drops them from the file too.
            }
        }
    }

    private void save() throws IOException {
        if (file == null) {
            return;
        }
        ArrayNode all = AlertmanagerJson.MAPPER.createArrayNode();
        byId.values().forEach(s -> all.add(AlertmanagerJson.silence(s)));
        AtomicFiles.write(file, AlertmanagerJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(all));
    }
}
