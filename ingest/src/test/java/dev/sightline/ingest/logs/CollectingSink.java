package dev.sightline.ingest.logs;

import dev.sightline.core.Labels;
import dev.sightline.logs.LogEntry;

import java.util.ArrayList;
import java.util.List;

/** Keeps what a decoder hands on, as store entries. */
final class CollectingSink implements LogSink {
    final List<LogEntry> entries = new ArrayList<>();

    @Override
    public void accept(Labels stream, long timeNanos, String line, Labels metadata) {
        entries.add(new LogEntry(timeNanos, stream, metadata, line));
    }
}
