package dev.sightline.server.synthetics;

import dev.sightline.core.span.Attributes;
import dev.sightline.core.span.SpanKind;
import dev.sightline.logs.LogStore;
import dev.sightline.metricstore.Appender;
import dev.sightline.server.config.SightlineConfig;
import dev.sightline.server.http.HttpApi;
import dev.sightline.synthetics.SyntheticClock;
import dev.sightline.synthetics.canary.Canaries;
import dev.sightline.synthetics.canary.CanaryRound;
import dev.sightline.synthetics.canary.CanaryStatus;
import dev.sightline.traces.SpanStore;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The server's freshness canaries ({@code canaries:} in sightline.yml): run from start, their results written into
 * storage once it is open, replaced by the canaries of each configuration reload (a file the loader refuses never
 * gets here, so the old canaries keep running), and shown at {@code GET /api/v1/canaries} for the UI. Each round
 * is also a trace (a root span, a span for the write, one per reader) and a log line per failed write, failed read and
 * reader that did not show the round's value within the timeout (stale), as journeys write theirs.
 */
public final class CanaryService implements AutoCloseable {
    private final SightlineConfig initial;
    private final Canaries canaries;
    private final SyntheticsTelemetry telemetry;
    /** Each canary's last round's trace id, for the UI's link to it. */
    private final Map<String, String> lastTraces = new ConcurrentHashMap<>();

    /**
     * Canaries on {@code clock}'s time and schedule (the wall clock; a drill's simulated one); {@code appenders} and
     * the stores answer null while storage is not open (or the server closes).
     */
    public CanaryService(SightlineConfig initial, SyntheticClock clock, Supplier<Appender> appenders,
                         Supplier<SpanStore> spans, Supplier<LogStore> logs) {
        this.initial = initial;
        this.telemetry = new SyntheticsTelemetry(SyntheticsTelemetry.CANARIES, spans, logs);
        this.canaries = new Canaries(appenders, clock, this::traced);
    }

    /**
     * A round as a trace: root {@code canary NAME} over the round, a {@code write} span, and a {@code read READER}
     * span per reader (from the write's end to the value showing or the round's end) with its outcome, staleness and
     * lag; ERROR on the write's or reader's failure and on a reader that stayed stale. A log line per such span.
     */
    private void traced(CanaryRound round) {
        SyntheticsTelemetry.Trace trace = telemetry.trace();
        long bad = round.reads().stream().filter(r -> r.outcome() == CanaryRound.Outcome.MISSING
                || r.outcome() == CanaryRound.Outcome.ERROR).count();
        long root = trace.span(0, "canary " + round.canary(), SpanKind.INTERNAL, round.startMs(), round.endMs(),
                new Attributes.Builder().addString("canary", round.canary()).addString("canary.value", round.value())
                        .addLong("canary.readers", round.reads().size()).addLong("canary.readers_failed", bad).build(),
                round.writeError() != null ? "write failed" : bad > 0 ? bad + " of " + round.reads().size()
                        + " readers stale or failing" : null);
        trace.span(root, "write", SpanKind.CLIENT, round.startMs(), round.writeEndMs(),
                new Attributes.Builder().addString("canary", round.canary()).addString("canary.kind", round.writeKind())
                        .build(), round.writeError());
        if (round.writeError() != null) {
            trace.failure("canary", round.canary(), round.writeEndMs(), "canary", round.canary(), "step", "write",
                    "kind", round.writeKind(), "error", round.writeError());
        }
        for (CanaryRound.Read r : round.reads()) {
            String outcome = r.outcome().name().toLowerCase(Locale.ROOT);
            Attributes.Builder attrs = new Attributes.Builder().addString("canary", round.canary())
                    .addString("canary.reader", r.reader()).addString("canary.kind", r.kind())
                    .addString("canary.outcome", outcome);
            r.labels().forEach((k, v) -> attrs.addString("canary.label." + k, v));
            if (r.stalenessSeconds() != null) {
                attrs.addDouble("canary.staleness_seconds", r.stalenessSeconds());
            }
            if (r.lagSeconds() != null) {
                attrs.addDouble("canary.lag_seconds", r.lagSeconds());
            }
            if (r.error() != null) {
                attrs.addString("canary.error", r.error());
            }
            String failure = switch (r.outcome()) {
                case ERROR -> r.error();
                case MISSING -> "stale: the value did not show within the timeout";
                case VISIBLE, READ_ONCE -> null;
            };
            trace.span(root, "read " + r.reader(), SpanKind.CLIENT, round.writeEndMs(), r.endMs(), attrs.build(), failure);
            if (failure != null) {
                trace.failure("canary", round.canary(), r.endMs(), "canary", round.canary(), "reader", r.reader(),
                        "kind", r.kind(), "outcome", outcome,
                        "staleness_seconds", r.stalenessSeconds() == null ? null : r.stalenessSeconds().toString(),
                        "error", r.error());
            }
        }
        if (trace.write("canary " + round.canary())) {
            lastTraces.put(round.canary(), trace.id());
        }
    }

    /** Starts the canaries of the configuration the server started with. */
    public void start() {
        canaries.apply(initial.canaries());
    }

    /** A reload listener: runs the canaries of the new configuration (unchanged ones keep running untouched). */
    public void reload(SightlineConfig next) {
        canaries.apply(next.canaries());
    }

    public void register(HttpApi api) {
        api.get("/api/v1/canaries", this::status);
    }

    /** Returns once the samples, spans and lines of every round so far are written. */
    public void flush() throws InterruptedException {
        canaries.flush();
    }

    /** Every running canary's state now. */
    public List<CanaryStatus> status() {
        return canaries.status();
    }

    private void status(RoutingContext ctx) {
        // On a worker: a reload in progress holds the canaries while it stops a round.
        ctx.vertx().executeBlocking(() -> json(status(), lastTraces), false).onComplete(ar -> {
            if (ar.succeeded()) {
                HttpApi.respond(ctx, 200, "application/json",
                        new JsonObject().put("status", "success").put("data", ar.result()).toBuffer());
            } else {
                ctx.fail(ar.cause());
            }
        });
    }

    /**
     * {@code {"canaries": [{"name", "write": {"kind"}, "intervalSeconds", "timeoutSeconds", "lastRound" (unix s or
     * null), "lastWriteError", "readers": [{"name", "kind", "labels", "stalenessSeconds", "lagSeconds", "lastError",
     * "lastSuccess", "missingTotal", "errorsTotal"}], "lastTraceId"}]}}; figures not measured yet are null.
     */
    static JsonObject json(List<CanaryStatus> status, Map<String, String> traces) {
        JsonArray out = new JsonArray();
        for (CanaryStatus c : status) {
            JsonArray readers = new JsonArray();
            for (CanaryStatus.ReaderStatus r : c.readers()) {
                readers.add(new JsonObject()
                        .put("name", r.name())
                        .put("kind", r.kind())
                        .put("labels", new JsonObject(new java.util.TreeMap<String, Object>(r.labels())))
                        .put("stalenessSeconds", r.stalenessSeconds())
                        .put("lagSeconds", r.lagSeconds())
                        .put("lastError", r.lastError())
                        .put("lastSuccess", seconds(r.lastSuccessMs()))
                        .put("missingTotal", r.missingTotal())
                        .put("errorsTotal", r.errorsTotal()));
            }
            out.add(new JsonObject()
                    .put("name", c.name())
                    .put("write", new JsonObject().put("kind", c.writeKind()))
                    .put("intervalSeconds", c.intervalMs() / 1000.0)
                    .put("timeoutSeconds", c.timeoutMs() / 1000.0)
                    .put("lastRound", seconds(c.lastRoundMs()))
                    .put("lastWriteError", c.lastWriteError())
                    .put("readers", readers)
                    .put("lastTraceId", traces.get(c.name())));
        }
        return new JsonObject().put("canaries", out);
    }

    private static Double seconds(long ms) {
        return ms == 0 ? null : ms / 1000.0;
    }

    @Override
    public void close() {
        canaries.close();
    }
}
