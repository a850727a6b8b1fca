package dev.sightline.logs;

import dev.sightline.core.Deadline;
import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;

import java.util.List;

/**
 * A querier that stops its scans at a {@link Deadline}: every line handed to a sink ticks it, and once it has expired
 * the scan is ended as a sink ending it would (the store finishes cleanly, nothing is interrupted) and
 * {@link Deadline.Exceeded} is thrown. The index lookups check it before they start. What runs a query over this
 * (the LogQL engine, Loki's API) so frees its thread soon after its time is up.
 */
public final class DeadlineLogQuerier implements LogQuerier {
    private final LogQuerier delegate;
    private final Deadline deadline;

    public DeadlineLogQuerier(LogQuerier delegate, Deadline deadline) {
        this.delegate = delegate;
        this.deadline = deadline;
    }

    @Override
    public void select(LogSelection selection, EntrySink sink) {
        deadline.check();
        boolean[] stopped = {false};
        delegate.select(selection, entry -> {
            if (deadline.tick()) {
                stopped[0] = true;
                return false;
            }
            return sink.accept(entry);
        });
        stoppedOrDone(stopped[0]);
    }

    @Override
    public void samples(LogSelection selection, SampleSink sink) {
        deadline.check();
        boolean[] stopped = {false};
        delegate.samples(selection, (stream, metadata, time, lineBytes) -> {
            if (deadline.tick()) {
                stopped[0] = true;
                return false;
            }
            return sink.accept(stream, metadata, time, lineBytes);
        });
        stoppedOrDone(stopped[0]);
    }

    private void stoppedOrDone(boolean stopped) {
        if (stopped) {
            deadline.check();
        }
    }

    @Override
    public List<String> labelNames(long fromNanos, long toNanos, List<LabelMatcher> matchers) {
        deadline.check();
        return delegate.labelNames(fromNanos, toNanos, matchers);
    }

    @Override
    public List<String> labelValues(String name, long fromNanos, long toNanos, List<LabelMatcher> matchers) {
        deadline.check();
        return delegate.labelValues(name, fromNanos, toNanos, matchers);
    }

    @Override
    public List<Labels> series(long fromNanos, long toNanos, List<LabelMatcher> matchers) {
        deadline.check();
        return delegate.series(fromNanos, toNanos, matchers);
    }

    @Override
    public Stats stats(long fromNanos, long toNanos, List<LabelMatcher> matchers) {
        deadline.check();
        return delegate.stats(fromNanos, toNanos, matchers);
    }
}
