package dev.sightline.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sightline.demo.sim.Company;
import dev.sightline.demo.sim.IncidentSchedule;
import dev.sightline.demo.sim.SignalSource;
import dev.sightline.demo.sim.SimClock;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The company for a drill: its metrics sent over OTLP with simulated timestamps, history and incident alike, as far
 * as the drill's clock has gone, the halt webhook, whose calls halt a strategy at the clock's time, and the product
 * cache served over HTTP on the clock's time, for the drill server's freshness canary. Unlike {@link Demo} nothing
 * runs on its own: the drill runner steps the clock and calls {@link #sendUntil}.
 * Metrics only: counters, gauges and (after the history) the surge histogram; no traces or logs.
 */
public final class Replay implements AutoCloseable {
    private final Company company;
    private final SimClock clock;
    private final HaltWebhook webhook;
    private final CacheReplicas cache;
    private final Map<String, Long> haltedAt = new ConcurrentHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Backfill sender;
    private SignalSource signals = SignalSource.NONE;

    /**
     * Opens the halt webhook and the product cache on free ports of 127.0.0.1; {@link #connect} names the server. The
     * company's rhythms and noise run {@code shiftMillis} ahead of {@code clock} ({@link Company}); the schedule, the
     * timestamps sent and the halts stay on the clock.
     */
    public Replay(long seed, IncidentSchedule schedule, SimClock clock, long shiftMillis) throws IOException {
        this.company = new Company(seed, schedule, shiftMillis);
        this.clock = clock;
        this.webhook = new HaltWebhook("127.0.0.1", 0, this::halt);
        try {
            this.cache = new CacheReplicas("127.0.0.1", 0, clock, company::replicaAppliedUntil,
                    new CompanyApi(clock, () -> company));
        } catch (IOException | RuntimeException e) {
            webhook.close();
            throw e;
        }
    }

    /** Where the product cache is served, as {@link ServerFiles#write} takes it for the canary. */
    public URI cacheUrl() {
        return URI.create("http://127.0.0.1:" + cache.port() + CacheReplicas.PATH);
    }

    /** The halt webhook's URL, for the server's Alertmanager configuration. */
    public URI haltUrl() {
        return URI.create("http://127.0.0.1:" + webhook.port() + HaltWebhook.PATH);
    }

    /** Sends {@code signals} along with the company, history and replay alike (call before {@link #connect}). */
    public void alsoSend(SignalSource signals) {
        this.signals = signals;
    }

    /** Sends to the server at {@code target} from here on; the first step sent is one step after {@code fromMillis}. */
    public void connect(URI target, long fromMillis) {
        sender = Backfill.open(http, target, fromMillis);
    }

    /**
     * Sends every step up to and including {@code toMillis}, {@code step} apart, histograms too when
     * {@code histograms} (the backfill's history goes without, as in the demo); returns the points sent so far.
     */
    public long sendUntil(long toMillis, Duration step, boolean histograms) throws IOException, InterruptedException {
        if (sender == null) {
            throw new IllegalStateException("connect first");
        }
        sender.sendUntil(company, signals, toMillis + 1, step.toMillis(), histograms);
        return sender.points();
    }

    private void halt(JsonNode alert) {
        String strategy = alert.path("labels").path("strategy").asText("");
        long now = clock.millis();
        if (!strategy.isEmpty() && Company.STRATEGIES.contains(strategy) && company.halt(strategy, now)) {
            haltedAt.putIfAbsent(strategy, now);
        }
    }

    /** When (simulated) the webhook halted each strategy. */
    public Map<String, Long> haltedAt() {
        return Map.copyOf(haltedAt);
    }

    @Override
    public void close() {
        webhook.close();
        cache.close();
    }
}
