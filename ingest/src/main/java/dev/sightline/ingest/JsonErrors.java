package dev.sightline.ingest;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;

import java.io.IOException;
import java.io.UncheckedIOException;

/** Where a JSON body went wrong, for the decoders' error messages. */
public final class JsonErrors {
    private JsonErrors() {
    }

    /**
     * Jackson's location of the error; an error of a stream-read limit (a name, string or number longer than allowed,
     * nesting too deep) carries none, so then where the parser stands ({@link JsonLocation#NA} without a parser).
     */
    public static JsonLocation location(JsonProcessingException e, JsonParser p) {
        JsonLocation at = e.getLocation();
        return at != null ? at : p != null ? p.currentLocation() : JsonLocation.NA;
    }

    /**
     * Closes a parser over bytes in memory (which returns its buffers for reuse); null is ignored. Such a parser has
     * nothing that can fail to close.
     */
    public static void close(JsonParser p) {
        if (p != null) {
            try {
                p.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
