package dev.sightline.tsdb;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Collects the messages a class logs through java.util.logging while open, for tests that check what was said. */
public final class LogMessages implements AutoCloseable {
    private final Logger logger;
    private final List<String> messages = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord r) {
            messages.add(r.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    public LogMessages(Class<?> source) {
        logger = Logger.getLogger(source.getName());
        logger.addHandler(handler);
    }

    /** The messages so far, oldest first (a live view). */
    public List<String> messages() {
        return messages;
    }

    public void clear() {
        messages.clear();
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
    }
}
