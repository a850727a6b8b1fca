package dev.sightline.server.security;

/** A web config file error: the message names the field, e.g. {@code tls_server_config.min_version: ...}. */
public final class WebConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    public WebConfigException(String field, String detail) {
        super(field + ": " + detail);
    }

    public WebConfigException(String field, String detail, Throwable cause) {
        super(field + ": " + detail, cause);
    }
}
