package dev.sightline.server.config;

import dev.sightline.core.LocatedException;

/** A configuration error located in its file: the message reads {@code FILE:LINE:COL: what is wrong}. */
public final class ConfigException extends LocatedException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String file, int line, int column, String detail) {
        super(file, line, column, detail);
    }

    public ConfigException(String file, String detail, Throwable cause) {
        super(file, detail, cause);
    }
}
