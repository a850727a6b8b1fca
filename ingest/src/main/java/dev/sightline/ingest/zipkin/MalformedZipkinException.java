package dev.sightline.ingest.zipkin;

/** A Zipkin body that cannot be decoded at all (bad JSON, a field of the wrong JSON type); answered with 400. */
public final class MalformedZipkinException extends Exception {
    public MalformedZipkinException(String message, Throwable cause) {
        super(message, cause);
    }
}
