package dev.sightline.core;

/**
 * An error in a file the user wrote (configuration, journey, dashboard), located where it is: the message reads
 * {@code FILE:LINE:COL: what is wrong}, or {@code FILE: what is wrong} when there is no position (an unreadable file).
 * Each kind of file has its own subclass, so callers catch what they load.
 */
public abstract class LocatedException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String file;
    private final int line;
    private final int column;
    private final String detail;

    protected LocatedException(String file, int line, int column, String detail) {
        super(location(file, line, column) + detail);
        this.file = file;
        this.line = line;
        this.column = column;
        this.detail = detail;
    }

    protected LocatedException(String file, String detail, Throwable cause) {
        super(file + ": " + detail, cause);
        this.file = file;
        this.line = 0;
        this.column = 0;
        this.detail = detail;
    }

    public String file() {
        return file;
    }

    /** 1-based line, or 0 when the error has no position (e.g. the file cannot be read). */
    public int line() {
        return line;
    }

    /** 1-based column, or 0 when unknown. */
    public int column() {
        return column;
    }

    /** The message without its location. */
    public String detail() {
        return detail;
    }

    private static String location(String file, int line, int column) {
        if (line <= 0) {
            return file + ": ";
        }
        return column > 0 ? file + ":" + line + ":" + column + ": " : file + ":" + line + ": ";
    }
}
