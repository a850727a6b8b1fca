package dev.sightline.demo.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The seed's incidents, each with what it breaks, the service that owns it (a caught incident is recorded as a
 * passed drill of that service) and the demo alerts meant to catch it.
 */
public enum IncidentKind {
    RUNAWAY_STRATEGY("runaway strategy", "momentum", Company.TRADING,
            "strategy momentum sends 40x its usual orders and bleeds money; CPU, latency and errors stay green (seed case 1)",
            List.of("RunawayStrategy", "StrategyLosing")),
    STALE_CACHE("stale cache", "eu-west", Company.CACHE,
            "a product cache replica in eu-west restarts from a 3-hour-old snapshot and stops applying updates; hit rate stays normal (seed case 2)",
            List.of("ProductCacheStale", "ProductCacheCanaryStale")),
    HIDDEN_SURGE("hidden surge", "downtown", Company.PRICER,
            "about 1 ride in 150 downtown is quoted 10x surge; drivers see none and p50/p95/p99 stay flat (seed case 3)",
            List.of("HiddenSurgeOutliers")),
    SATURATED_POOL("saturated connection pool", "payments-db", Company.PAYMENTS,
            "a slow query holds every connection of the payments-db pool; checkouts wait and time out",
            List.of("ConnectionPoolSaturated", "PaymentLatencyHigh", "PaymentSuccessDropped"), Company.ORDERS),
    RIDER_DRIVER_MISMATCH("rider/driver mismatch", "airport", Company.PRICER,
            "riders at the airport are quoted 1.5x the surge the driver app offers drivers; neither multiplier alone leaves the pricer's 1-2.5x range (seed case 3)",
            List.of("RiderDriverSurgeMismatch"), Company.RIDER_APP, Company.DRIVER_APP);

    private final String title;
    private final String target;
    private final String service;
    private final String description;
    private final List<String> alerts;
    private final List<String> services;

    IncidentKind(String title, String target, String service, String description, List<String> alerts,
                 String... alsoHit) {
        this.title = title;
        this.target = target;
        this.service = service;
        this.description = description;
        this.alerts = alerts;
        List<String> all = new ArrayList<>(List.of(service));
        all.addAll(List.of(alsoHit));
        this.services = List.copyOf(all);
    }

    /** The name drills and the demo's options use: runaway-strategy, stale-cache, ... */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The kind named {@code id}; the exception lists the known names. */
    public static IncidentKind byId(String id) {
        for (IncidentKind k : values()) {
            if (k.id().equals(id)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown \"" + id + "\"; known: "
                + List.of(values()).stream().map(IncidentKind::id).toList());
    }

    public String title() {
        return title;
    }

    /** The strategy, region or pool it hits. */
    public String target() {
        return target;
    }

    /** The service it hits, as its metrics' job names it. */
    public String service() {
        return service;
    }

    /**
     * Every service whose users it hits: the owner first, then those it reaches (a full payments pool fails the
     * order service's checkouts; a rider/driver mismatch is in both apps). A caught incident is a drill of each.
     */
    public List<String> services() {
        return services;
    }

    public String description() {
        return description;
    }

    /** Alert names that count as catching it (any one of them). */
    public List<String> alerts() {
        return alerts;
    }
}
