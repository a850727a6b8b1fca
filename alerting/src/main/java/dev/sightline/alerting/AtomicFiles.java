package dev.sightline.alerting;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.logging.Logger;

/**
 * Replaces a file's content all at once: a crash leaves the old content or the new one, never half of it; and reads
 * it back, moving a file that does not parse aside instead of refusing to start.
 */
final class AtomicFiles {
    private static final Logger LOG = Logger.getLogger(AtomicFiles.class.getName());

    /** Builds a value from a file's JSON; throws IllegalArgumentException (or another RuntimeException) if invalid. */
    @FunctionalInterface
    interface Parser<T> {
        T parse(JsonNode root);
    }

    private AtomicFiles() {
    }

    /**
     * The parsed content of {@code file}, or {@code empty} when there is none. A file that is not valid JSON or that
     * {@code parse} rejects is renamed to {@code NAME.corrupt-<ms>} with a warning naming it, and {@code empty} is
     * returned: as with a corrupt block, the server keeps running and the state it loses is said in the log.
     */
    static <T> T read(Path file, Parser<T> parse, T empty) throws IOException {
        if (file == null || !Files.exists(file)) {
            return empty;
        }
        try {
            return parse.parse(AlertmanagerJson.MAPPER.readTree(file.toFile()));
        } catch (JsonProcessingException | RuntimeException e) {
            Path aside = file.resolveSibling(file.getFileName() + ".corrupt-" + System.currentTimeMillis());
            Files.move(file, aside);
            LOG.warning(file + " is corrupt (" + e.getMessage() + "); moved to " + aside + ", starting without it");
            return empty;
        }
    }

    static void write(Path file, byte[] content) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, content);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
