package dev.sightline.demo.sim;

/** Where a simulation step's measurements go: the OpenTelemetry SDK when live, OTLP messages for the backfill. */
public interface MetricSink {
    /** Adds to a counter. */
    void add(Series series, long increment);

    /** Sets a gauge. */
    void set(Series series, double value);

    /** Records one observation into a histogram. */
    void observe(Series series, double value);
}
