package dev.sightline.alerting;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The most recent delivery attempts, newest first, for people asking "was this alert sent, where, and did it
 * arrive?". Bounded (the oldest are forgotten) and in memory only: the {@link NotificationLog} is what deduplication
 * relies on across restarts; this is only for looking at.
 */
public final class NotificationHistory {
    /** One delivery attempt: the notification, to which integration, and its outcome ({@code error} empty when ok). */
    public record Attempt(Notification notification, String integration, long finishedAtMs, boolean ok, String reason,
                          String error) {
    }

    private final int capacity;
    private final ArrayDeque<Attempt> attempts;

    public NotificationHistory(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity: must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
        this.attempts = new ArrayDeque<>(capacity);
    }

    synchronized void add(Attempt a) {
        if (attempts.size() == capacity) {
            attempts.pollLast();
        }
        attempts.addFirst(a);
    }

    /** At most {@code limit} attempts, newest first. */
    public synchronized List<Attempt> recent(int limit) {
        List<Attempt> out = new ArrayList<>(Math.min(limit, attempts.size()));
        for (Attempt a : attempts) {
            if (out.size() == limit) {
                break;
            }
            out.add(a);
        }
        return out;
    }

    public int capacity() {
        return capacity;
    }
}
