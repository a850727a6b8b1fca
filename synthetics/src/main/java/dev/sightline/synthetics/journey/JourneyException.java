package dev.sightline.synthetics.journey;

import dev.sightline.core.LocatedException;

/**
 * A journey or probe configuration that cannot be used; the message reads FILE:LINE:COL: what is wrong (FILE: what
 * is wrong when there is no position, e.g. an unreadable file).
 */
public final class JourneyException extends LocatedException {
    private static final long serialVersionUID = 1L;

    public JourneyException(String file, int line, int column, String detail) {
        super(file, line, column, detail);
    }

    public JourneyException(String file, String detail, Throwable cause) {
        super(file, detail, cause);
    }
}
