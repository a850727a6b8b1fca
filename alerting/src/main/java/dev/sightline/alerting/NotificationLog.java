package dev.sightline.alerting;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Alertmanager's notification log: for each aggregation group and integration, which alerts were firing and
 * resolved when it was last notified, and when. Deduplication reads it; it is kept in a file, so a restart does not
 * send again what was already sent (an "action" webhook must not halt trading twice because Sightline restarted).
 */
public final class NotificationLog {
    private static final Logger LOG = Logger.getLogger(NotificationLog.class.getName());

    /** What was last sent (alert fingerprints) and when (Unix ms). */
    record Entry(Set<Long> firing, Set<Long> resolved, long atMs) {
    }

    private final Path file;
    private final Map<String, Entry> entries = new HashMap<>();
    private boolean dirty;

    /** {@code file} null keeps the log in memory only. */
    public NotificationLog(Path file) throws IOException {
        this.file = file;
        entries.putAll(AtomicFiles.read(file, all -> {
            Map<String, Entry> read = new HashMap<>();
            for (Map.Entry<String, JsonNode> e : all.properties()) {
                JsonNode v = e.getValue();
                read.put(e.getKey(), new Entry(fingerprints(v.get("firing")), fingerprints(v.get("resolved")), v.path("at").asLong()));
            }
            return read;
        }, Map.of()));
    }

    private static Set<Long> fingerprints(JsonNode list) {
        Set<Long> out = new HashSet<>();
        if (list != null) {
            list.forEach(n -> out.add(Long.parseUnsignedLong(n.asText(), 16)));
        }
        return Set.copyOf(out);
    }

    synchronized Entry get(String key) {
        return entries.get(key);
    }

    synchronized void put(String key, Entry entry) {
        entries.put(key, entry);
        dirty = true;
    }

    /** Forgets entries older than {@code retentionMs}. */
    synchronized void gc(long nowMs, long retentionMs) {
        dirty |= entries.values().removeIf(e -> e.atMs() + retentionMs < nowMs);
    }

    /** Writes the log if it changed since the last write; a failure is logged and retried at the next change. */
    synchronized void saveIfChanged() {
        if (file == null || !dirty) {
            return;
        }
        ObjectNode all = AlertmanagerJson.MAPPER.createObjectNode();
        entries.forEach((key, e) -> {
            ObjectNode o = all.putObject(key);
            ArrayNode f = o.putArray("firing");
            e.firing().forEach(fp -> f.add(String.format("%016x", fp)));
            ArrayNode r = o.putArray("resolved");
            e.resolved().forEach(fp -> r.add(String.format("%016x", fp)));
            o.put("at", e.atMs());
        });
        try {
            AtomicFiles.write(file, AlertmanagerJson.MAPPER.writeValueAsBytes(all));
            dirty = false;
        } catch (IOException e) {
            LOG.warning("cannot write the notification log " + file + ": " + e);
        }
    }
}
