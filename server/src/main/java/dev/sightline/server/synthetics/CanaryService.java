package dev.sightline.server.synthetics;

import dev.sightline.metricstore.Appender;
import dev.sightline.server.config.SightlineConfig;
import dev.sightline.server.http.HttpApi;
import dev.sightline.synthetics.canary.Canaries;
import dev.sightline.synthetics.canary.CanaryStatus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.function.Supplier;

/**
 * The server's freshness canaries ({@code canaries:} in sightline.yml): run from start, their results written into
 * storage once it is open, replaced by the canaries of each configuration reload (a file the loader refuses never
 * gets here, so the old canaries keep running), and shown at {@code GET /api/v1/canaries} for the UI.
 */
public final class CanaryService implements AutoCloseable {
    private final SightlineConfig initial;
    private final Canaries canaries;

    /** {@code appenders} answers null while storage is not open. */
    public CanaryService(SightlineConfig initial, Supplier<Appender> appenders) {
        this.initial = initial;
        this.canaries = new Canaries(appenders, System::currentTimeMillis);
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

    /** Every running canary's state now. */
    public List<CanaryStatus> status() {
        return canaries.status();
    }

    private void status(RoutingContext ctx) {
        // On a worker: a reload in progress holds the canaries while it stops a round.
        ctx.vertx().executeBlocking(() -> json(status()), false).onComplete(ar -> {
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
     * "lastSuccess", "missingTotal", "errorsTotal"}]}]}}}; figures not measured yet are null.
     */
    static JsonObject json(List<CanaryStatus> status) {
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
                    .put("readers", readers));
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
