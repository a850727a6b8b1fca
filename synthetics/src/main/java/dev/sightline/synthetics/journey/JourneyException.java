package dev.sightline.synthetics.journey;

/**
 * A journey or probe configuration that cannot be used; the message reads FILE:LINE:COL: what is wrong (FILE: what
 * is wrong when there is no position, e.g. an unreadable file).
 */
public final class JourneyException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String file;
    private final int line;
    private final int column;
    private final String detail;

    public JourneyException(String file, int line, int column, String detail) {
        super(file + ":" + line + ":" + column + ": " + detail);
        this.file = file;
        this.line = line;
        this.column = column;
        this.detail = detail;
    }

    public JourneyException(String file, String detail, Throwable cause) {
        super(file + ": " + detail, cause);
        this.file = file;
        this.line = 0;
        this.column = 0;
        this.detail = detail;
    }

    public String file() {
        return file;
    }

    /** 1-based, or 0 without a position. */
    public int line() {
        return line;
    }

    public int column() {
        return column;
    }

    /** The message without its location. */
    public String detail() {
        return detail;
    }
}
