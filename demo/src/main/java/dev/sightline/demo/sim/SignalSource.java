package dev.sightline.demo.sim;

/** More series a replay sends along with the company, each step at the step's simulated time (a drill's own signals). */
@FunctionalInterface
public interface SignalSource {
    SignalSource NONE = (t, stepMillis, sink) -> {
    };

    /** Writes the step ending at {@code t} (Unix millis), {@code stepMillis} long, into {@code sink}. */
    void step(long t, long stepMillis, MetricSink sink);
}
