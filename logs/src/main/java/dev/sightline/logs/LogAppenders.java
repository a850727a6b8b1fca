package dev.sightline.logs;

import dev.sightline.core.Labels;

import java.io.IOException;

/** Appenders made over another: what a view or a listener of a store puts between the writer and the store. */
public final class LogAppenders {
    private LogAppenders() {
    }

    /** What one append does (the shape of {@link LogAppender#append}). */
    @FunctionalInterface
    public interface Append {
        void append(Labels stream, long timeNanos, String line, Labels metadata);
    }

    /** An appender whose lines go to {@code append} (which passes them on to {@code inner}), and whose commit and rollback are {@code inner}'s. */
    public static LogAppender around(LogAppender inner, Append append) {
        return new LogAppender() {
            @Override
            public void append(Labels stream, long timeNanos, String line, Labels metadata) {
                append.append(stream, timeNanos, line, metadata);
            }

            @Override
            public void commit() throws IOException {
                inner.commit();
            }

            @Override
            public void rollback() {
                inner.rollback();
            }
        };
    }
}
