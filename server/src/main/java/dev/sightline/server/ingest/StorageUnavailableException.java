package dev.sightline.server.ingest;

/**
 * A store is not open yet, or its commit failed or refused the whole batch: nothing of the request was stored and the
 * client should retry (HTTP 503, gRPC UNAVAILABLE).
 */
public final class StorageUnavailableException extends Exception {
    public StorageUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
