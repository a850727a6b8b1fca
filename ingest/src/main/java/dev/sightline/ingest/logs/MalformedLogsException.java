package dev.sightline.ingest.logs;

/**
 * A log push body that cannot be decoded at all (nothing of it is stored): the message names where, as a byte
 * offset, a JSON pointer or a line number.
 */
public final class MalformedLogsException extends Exception {
    public MalformedLogsException(String message) {
        super(message, null, false, false);
    }
}
