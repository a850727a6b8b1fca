package dev.sightline.synthetics.journey;

/** A journey or probe configuration that cannot be used; the message starts with FILE:LINE:COL. */
public final class JourneyException extends Exception {
    private static final long serialVersionUID = 1L;

    public JourneyException(String message) {
        super(message);
    }

    public JourneyException(String message, Throwable cause) {
        super(message, cause);
    }
}
