package dev.sightline.demo.sim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The simulated company's metrics: what each service would measure about itself, as a function of time, the seed
 * and the incident schedule. {@link #step} is called once per tick with the tick's end; counters receive what
 * happened during the tick, gauges their value at its end. Draws are keyed by (series, tick index), so a step's
 * numbers depend only on the seed and the tick, not on earlier calls; the one carried state is the runaway
 * strategy's loss and its halt.
 * <p>
 * Two times: the clock's {@code t}, which every method takes and on which incidents, halts and lags run, and the
 * company's time, {@code t} plus a fixed shift, which the daily and weekly rhythms and the noise's keys read. The demo
 * runs with no shift (the company follows the real time of day); a drill shifts it to the phase its file names, so
 * its replay draws the same numbers whenever it runs ({@link WeekTime}).
 */
public final class Company {
    public static final String TRADING = "trading-engine";
    public static final String ORDERS = "order-service";
    public static final String PAYMENTS = "payment-service";
    public static final String CACHE = "product-cache";
    public static final String PRICER = "surge-pricer";
    public static final String RIDER_APP = "rider-app";
    public static final String DRIVER_APP = "driver-app";

    public static final List<String> STRATEGIES = List.of("market-making", "momentum", "mean-reversion", "stat-arb");
    /** Orders per second of each strategy at the rhythm's peak. */
    private static final double[] STRATEGY_RATE = {12, 3, 2, 4};
    public static final List<String> SYMBOLS = List.of("BTC-USD", "ETH-USD", "SOL-USD");
    public static final List<String> CACHE_REGIONS = List.of("us-east", "eu-west", "ap-south");
    public static final List<String> RIDE_REGIONS = List.of("downtown", "airport", "suburbs");
    private static final double[] RIDE_RATE = {8, 4, 3};
    public static final int POOL_MAX = 20;
    /** Checkouts per second at the shopping peak. */
    private static final double CHECKOUT_RATE = 15;

    /** How much more a runaway strategy sends. */
    static final double RUNAWAY_FACTOR = 40;
    /** Dollars a runaway strategy loses per second of running. */
    static final double RUNAWAY_LOSS_PER_SECOND = 10_000;
    /** Share of rides quoted a hidden 10x surge in the hit region. */
    static final double HIDDEN_SURGE_SHARE = 1.0 / 150;
    /** What the rider/driver mismatch puts on riders' quotes in the hit region, on top of what drivers are offered. */
    static final double MISMATCH_FACTOR = 1.5;
    /** The surge pricer's ceiling. */
    static final double MAX_SURGE = 2.5;
    /** How old the snapshot is that a stale replica restarts from. */
    static final double STALE_SNAPSHOT_SECONDS = 3 * 3600;
    /** Replicas per cache region. */
    public static final int CACHE_REPLICAS = 2;
    /** Which replica (0 or 1) of the incident's region goes stale. */
    public static final int STALE_REPLICA = 1;
    /** A halted strategy stays off at least this long (then restarts once no runaway incident holds it). */
    private static final long HALT_MIN_MILLIS = 5 * 60_000;

    private final Noise noise;
    private final IncidentSchedule schedule;
    /** Company time minus clock time. */
    private final long shift;
    private final Map<String, Long> haltedAt = new ConcurrentHashMap<>();
    private double runawayLoss;

    private final Series[][][] ordersPlaced; // [strategy][symbol][side]
    private final Series[] ordersFilled;
    private final Series[] pnl;
    private final Series[] halted;
    private final Series[][] replicaLag; // [region][replica]
    private final Series[][] cacheRequests; // [region][hit, miss]
    private final Series[] checkouts; // ok, failed
    private final Series[] payments; // ok, failed
    private final Series poolUsed;
    private final Series poolMax;
    private final Series poolPending;
    private final Series poolTimeouts;
    private final Series[] riderDemand;
    private final Series[] driverSupply;
    private final Series[] rides;
    private final Series[] surge;
    private final Series[] riderSurge;
    private final Series[] driverSurge;

    /** A company on the clock's own time of day (the demo). */
    public Company(long seed, IncidentSchedule schedule) {
        this(seed, schedule, 0);
    }

    /** A company whose rhythms and noise run {@code shiftMillis} ahead of the clock (behind when negative). */
    public Company(long seed, IncidentSchedule schedule, long shiftMillis) {
        this.noise = new Noise(seed);
        this.schedule = schedule;
        this.shift = shiftMillis;
        int n = STRATEGIES.size();
        ordersPlaced = new Series[n][SYMBOLS.size()][2];
        ordersFilled = new Series[n];
        pnl = new Series[n];
        halted = new Series[n];
        for (int i = 0; i < n; i++) {
            String s = STRATEGIES.get(i);
            for (int j = 0; j < SYMBOLS.size(); j++) {
                for (int k = 0; k < 2; k++) {
                    ordersPlaced[i][j][k] = counter(TRADING, "orders_placed", "Orders sent to the exchanges",
                            "strategy", s, "symbol", SYMBOLS.get(j), "side", k == 0 ? "buy" : "sell", "order_type", "limit");
                }
            }
            ordersFilled[i] = counter(TRADING, "orders_filled", "Orders filled", "strategy", s);
            pnl[i] = gauge(TRADING, "pnl_unrealized_dollars", "Unrealized profit and loss", "strategy", s);
            halted[i] = gauge(TRADING, "trading_strategy_halted", "1 while the strategy is halted", "strategy", s);
        }
        replicaLag = new Series[CACHE_REGIONS.size()][CACHE_REPLICAS];
        cacheRequests = new Series[CACHE_REGIONS.size()][2];
        for (int r = 0; r < CACHE_REGIONS.size(); r++) {
            String region = CACHE_REGIONS.get(r);
            for (int k = 0; k < CACHE_REPLICAS; k++) {
                replicaLag[r][k] = gauge(CACHE, "product_cache_replica_lag_seconds",
                        "Age of the newest update the replica has applied", "region", region, "replica", replicaName(r, k));
            }
            cacheRequests[r][0] = counter(CACHE, "product_cache_requests", "Cache lookups", "region", region, "result", "hit");
            cacheRequests[r][1] = counter(CACHE, "product_cache_requests", "Cache lookups", "region", region, "result", "miss");
        }
        checkouts = new Series[] {
                counter(ORDERS, "checkouts", "Checkouts", "status", "ok"),
                counter(ORDERS, "checkouts", "Checkouts", "status", "failed")};
        payments = new Series[] {
                counter(PAYMENTS, "payments_processed", "Payments", "status", "ok"),
                counter(PAYMENTS, "payments_processed", "Payments", "status", "failed")};
        poolUsed = gauge(PAYMENTS, "db_pool_connections_used", "Connections checked out", "pool", "payments-db");
        poolMax = gauge(PAYMENTS, "db_pool_connections_max", "Pool size", "pool", "payments-db");
        poolPending = gauge(PAYMENTS, "db_pool_pending_requests", "Requests waiting for a connection", "pool", "payments-db");
        poolTimeouts = counter(PAYMENTS, "db_pool_wait_timeouts", "Requests that gave up waiting for a connection", "pool", "payments-db");
        int m = RIDE_REGIONS.size();
        riderDemand = new Series[m];
        driverSupply = new Series[m];
        rides = new Series[m];
        surge = new Series[m];
        riderSurge = new Series[m];
        driverSurge = new Series[m];
        for (int r = 0; r < m; r++) {
            String region = RIDE_REGIONS.get(r);
            riderDemand[r] = gauge(RIDER_APP, "rider_demand", "Riders looking for a ride", "region", region);
            driverSupply[r] = gauge(DRIVER_APP, "driver_supply", "Drivers available", "region", region);
            rides[r] = counter(PRICER, "rides_quoted", "Ride quotes", "region", region);
            surge[r] = new Series(PRICER, "surge_multiplier", Series.Kind.HISTOGRAM, "Surge multiplier quoted to riders",
                    Map.of("region", region));
            riderSurge[r] = gauge(RIDER_APP, "rider_surge_multiplier", "Surge multiplier the rider app shows", "region", region);
            driverSurge[r] = gauge(DRIVER_APP, "driver_surge_multiplier", "Surge multiplier the driver app offers", "region", region);
        }
    }

    private static Series counter(String service, String name, String help, String... kv) {
        return new Series(service, name, Series.Kind.COUNTER, help, labels(kv));
    }

    private static Series gauge(String service, String name, String help, String... kv) {
        return new Series(service, name, Series.Kind.GAUGE, help, labels(kv));
    }

    private static Map<String, String> labels(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    public IncidentSchedule schedule() {
        return schedule;
    }

    /** The company's time at clock time {@code t}: what rhythms and noise read. */
    private long phase(long t) {
        return t + shift;
    }

    /**
     * One tick ending at {@code t}, {@code dtMillis} long. {@code histograms} false skips per-ride observations
     * (the backfill sends counters and gauges only).
     */
    public void step(long t, long dtMillis, MetricSink sink, boolean histograms) {
        long tick = Math.floorDiv(phase(t), dtMillis);
        double dt = dtMillis / 1000.0;
        releaseHalts(t);
        stepTrading(t, tick, dt, sink);
        stepCache(t, tick, dt, sink);
        stepPayments(t, tick, dt, sink);
        stepRides(t, tick, dt, sink, histograms);
    }

    // ---- trading ----

    /** Orders per second the strategy sends at {@code t}: its base rate on the rhythm, wobbling +/- 10%. */
    public double orderRate(int strategy, long t) {
        String name = STRATEGIES.get(strategy);
        if (haltedAt.containsKey(name)) {
            return 0;
        }
        double r = STRATEGY_RATE[strategy] * Rhythm.TRADING.level(phase(t))
                * (1 + 0.1 * noise.smooth(Noise.stream("rate/" + name), phase(t), 10 * 60_000));
        if (runaway(name, t)) {
            r *= RUNAWAY_FACTOR;
        }
        return r;
    }

    private boolean runaway(String strategy, long t) {
        return strategy.equals(IncidentKind.RUNAWAY_STRATEGY.target()) && schedule.active(IncidentKind.RUNAWAY_STRATEGY, t);
    }

    private void stepTrading(long t, long tick, double dt, MetricSink sink) {
        for (int i = 0; i < STRATEGIES.size(); i++) {
            String name = STRATEGIES.get(i);
            double rate = orderRate(i, t);
            long placed = 0;
            for (int j = 0; j < SYMBOLS.size(); j++) {
                for (int k = 0; k < 2; k++) {
                    Series s = ordersPlaced[i][j][k];
                    // Volume splits over symbols 50/30/20.
                    double share = (j == 0 ? 0.5 : j == 1 ? 0.3 : 0.2) / 2;
                    long n = noise.poisson(rate * share * dt, s.stream(), tick);
                    placed += n;
                    sink.add(s, n);
                }
            }
            boolean runaway = runaway(name, t) && !haltedAt.containsKey(name);
            // A runaway strategy's orders mostly miss: fills barely move while orders explode.
            double fillShare = runaway ? 0.02 : 0.6;
            sink.add(ordersFilled[i], noise.poisson(placed * fillShare, ordersFilled[i].stream(), tick));
            if (runaway) {
                runawayLoss += RUNAWAY_LOSS_PER_SECOND * dt;
            } else if (name.equals(IncidentKind.RUNAWAY_STRATEGY.target())
                    && !schedule.active(IncidentKind.RUNAWAY_STRATEGY, t)) {
                runawayLoss = 0;
            }
            // Quiet swings stay far inside the -1M risk limit (a week of seed 17: no page).
            double normal = 60_000 * noise.smooth(pnl[i].stream(), phase(t), 30 * 60_000) * STRATEGY_RATE[i] / 4;
            double loss = name.equals(IncidentKind.RUNAWAY_STRATEGY.target()) ? runawayLoss : 0;
            sink.set(pnl[i], Math.round(normal - loss));
            sink.set(halted[i], haltedAt.containsKey(name) ? 1 : 0);
        }
    }

    /**
     * Halts a strategy (the alert's webhook). It stays halted at least five minutes and while a runaway incident
     * of it still runs. Returns false when it was already halted.
     */
    public boolean halt(String strategy, long t) {
        if (!STRATEGIES.contains(strategy)) {
            throw new IllegalArgumentException("unknown strategy \"" + strategy + "\"; known: " + STRATEGIES);
        }
        return haltedAt.putIfAbsent(strategy, t) == null;
    }

    public boolean halted(String strategy) {
        return haltedAt.containsKey(strategy);
    }

    private void releaseHalts(long t) {
        haltedAt.entrySet().removeIf(e -> t - e.getValue() >= HALT_MIN_MILLIS && !runaway(e.getKey(), t));
    }

    // ---- product cache ----

    /** The {@code replica} label of a cache replica: its region and number from 1, e.g. eu-west-2. */
    public static String replicaName(int region, int replica) {
        return CACHE_REGIONS.get(region) + "-" + (replica + 1);
    }

    /** Seconds behind the primary: well under a few seconds, unless the replica restarted from an old snapshot. */
    public double replicaLagSeconds(int region, int replica, long t) {
        double lag = 0.8 + 0.5 * Math.abs(noise.smooth(replicaLag[region][replica].stream(), phase(t), 60_000))
                + 0.2 * noise.uniform(replicaLag[region][replica].stream(), Math.floorDiv(phase(t), 1000));
        long start = staleSince(region, replica, t);
        if (start >= 0) {
            lag = STALE_SNAPSHOT_SECONDS + (t - start) / 1000.0;
        }
        return lag;
    }

    /**
     * Write time up to which the replica holds the primary's writes at {@code t}: {@code t} less its lag, the lag its
     * metric reports. A replica hit by the stale-cache incident restarted from a snapshot {@link #STALE_SNAPSHOT_SECONDS}
     * older than the incident's start and applies nothing since: a freshness canary that has run that long reads a
     * value hours old from it at once, one that has not finds nothing of its own there.
     */
    public long replicaAppliedUntil(int region, int replica, long t) {
        return t - Math.round(replicaLagSeconds(region, replica, t) * 1000);
    }

    /** Start of the stale-cache incident when it holds this replica at {@code t}, else -1. */
    private long staleSince(int region, int replica, long t) {
        long start = schedule.startOf(IncidentKind.STALE_CACHE, t);
        boolean hit = CACHE_REGIONS.get(region).equals(IncidentKind.STALE_CACHE.target()) && replica == STALE_REPLICA;
        return hit ? start : -1;
    }

    private void stepCache(long t, long tick, double dt, MetricSink sink) {
        double lookups = 300 * Rhythm.SHOPPING.level(phase(t));
        for (int r = 0; r < CACHE_REGIONS.size(); r++) {
            for (int k = 0; k < CACHE_REPLICAS; k++) {
                sink.set(replicaLag[r][k], Math.round(replicaLagSeconds(r, k, t) * 1000) / 1000.0);
            }
            // The hit rate stays at ~94% whatever the freshness: the seed's point.
            long total = noise.poisson(lookups * dt, cacheRequests[r][0].stream(), tick);
            long miss = noise.poisson(total * 0.06, cacheRequests[r][1].stream(), tick);
            sink.add(cacheRequests[r][0], Math.max(0, total - miss));
            sink.add(cacheRequests[r][1], miss);
        }
    }

    // ---- orders and payments ----

    /** Checkouts per second. */
    public double checkoutRate(long t) {
        return CHECKOUT_RATE * Rhythm.SHOPPING.level(phase(t))
                * (1 + 0.08 * noise.smooth(Noise.stream("checkouts"), phase(t), 15 * 60_000));
    }

    public boolean poolSaturated(long t) {
        return schedule.active(IncidentKind.SATURATED_POOL, t);
    }

    /**
     * How long one payment takes, in seconds: tens of milliseconds, or seconds of waiting for a connection while
     * the pool is saturated ({@code index} picks the payment).
     */
    public double paymentSeconds(long t, long index) {
        long stream = Noise.stream("payment-latency");
        double base = 0.035 * Math.exp(0.35 * noise.gaussian(stream, index));
        return poolSaturated(t) ? base + 1.5 + 2.5 * noise.uniform(stream, index) : base;
    }

    /** True when the payment with this index fails (timeouts waiting for the pool; a rare decline otherwise). */
    public boolean paymentFails(long t, long index) {
        double p = poolSaturated(t) ? 0.25 : 0.002;
        return noise.uniform(Noise.stream("payment-fails"), index) < p;
    }

    private void stepPayments(long t, long tick, double dt, MetricSink sink) {
        double rate = checkoutRate(t);
        boolean saturated = poolSaturated(t);
        double failShare = saturated ? 0.25 : 0.002;
        long total = noise.poisson(rate * dt, checkouts[0].stream(), tick);
        long failed = noise.poisson(total * failShare, checkouts[1].stream(), tick);
        sink.add(checkouts[0], total - Math.min(total, failed));
        sink.add(checkouts[1], Math.min(total, failed));
        sink.add(payments[0], total - Math.min(total, failed));
        sink.add(payments[1], Math.min(total, failed));
        // Little's law: connections in use = payments per second x seconds each holds one.
        double inUse = rate * 0.035 * 4 * (1 + 0.2 * noise.smooth(poolUsed.stream(), phase(t), 60_000));
        sink.set(poolMax, POOL_MAX);
        if (saturated) {
            sink.set(poolUsed, POOL_MAX);
            sink.set(poolPending, 25 + noise.poisson(10, poolPending.stream(), tick));
            sink.add(poolTimeouts, noise.poisson(total * failShare, poolTimeouts.stream(), tick));
        } else {
            sink.set(poolUsed, Math.min(POOL_MAX - 6, Math.max(1, Math.round(inUse))));
            sink.set(poolPending, 0);
            sink.add(poolTimeouts, 0);
        }
    }

    // ---- rides ----

    public double rideRate(int region, long t) {
        return RIDE_RATE[region] * Rhythm.RIDES.level(phase(t))
                * (1 + 0.1 * noise.smooth(rides[region].stream(), phase(t), 20 * 60_000));
    }

    /** Riders looking for a ride and drivers free in a region; demand runs ahead of supply at the peaks. */
    public double riderDemand(int region, long t) {
        return Math.round(rideRate(region, t) * 12
                * (1 + 0.05 * noise.gaussian(riderDemand[region].stream(), Math.floorDiv(phase(t), 15_000))));
    }

    public double driverSupply(int region, long t) {
        double base = RIDE_RATE[region] * 10 * (0.6 + 0.4 * Rhythm.RIDES.level(phase(t) - 3_600_000));
        return Math.round(base * (1 + 0.05 * noise.gaussian(driverSupply[region].stream(), Math.floorDiv(phase(t), 15_000))));
    }

    /** The region's surge from demand over supply, before the ceiling: 1 off-peak, up to about 1.8 at the peaks. */
    private double baseSurge(int region, long t) {
        double ratio = riderDemand(region, t) / Math.max(1, driverSupply(region, t));
        return 1 + 0.8 * Math.max(0, ratio - 0.9);
    }

    private boolean mismatch(int region, long t) {
        return RIDE_REGIONS.get(region).equals(IncidentKind.RIDER_DRIVER_MISMATCH.target())
                && schedule.active(IncidentKind.RIDER_DRIVER_MISMATCH, t);
    }

    /**
     * The multiplier the rider app shows in a region: the pricer's surge, or during the rider/driver mismatch
     * {@link #MISMATCH_FACTOR} times it, a surge drivers never see (at most the ceiling, so a value riders do see on
     * busy evenings).
     */
    public double riderSurge(int region, long t) {
        double m = baseSurge(region, t) * (mismatch(region, t) ? MISMATCH_FACTOR : 1);
        return Math.round(Math.min(m, MAX_SURGE) * 100) / 100.0;
    }

    /** The multiplier the driver app offers: the pricer's surge, shown to one decimal. */
    public double driverSurge(int region, long t) {
        return Math.round(Math.min(baseSurge(region, t), MAX_SURGE) * 10) / 10.0;
    }

    /**
     * The multiplier quoted for one ride: the rider app's surge give or take a little, or the hidden 10x. Riders
     * pay what the mismatch quotes them.
     */
    public double surgeFor(int region, long t, long ride) {
        long stream = surge[region].stream();
        double m = baseSurge(region, t) + 0.04 * Math.abs(noise.gaussian(stream, ride));
        if (mismatch(region, t)) {
            m *= MISMATCH_FACTOR;
        }
        m = Math.min(m, MAX_SURGE);
        if (RIDE_REGIONS.get(region).equals(IncidentKind.HIDDEN_SURGE.target())
                && schedule.active(IncidentKind.HIDDEN_SURGE, t)
                && noise.uniform(stream ^ 0x10L, ride) < HIDDEN_SURGE_SHARE) {
            m *= 10;
        }
        return Math.round(m * 100) / 100.0;
    }

    private void stepRides(long t, long tick, double dt, MetricSink sink, boolean histograms) {
        for (int r = 0; r < RIDE_REGIONS.size(); r++) {
            sink.set(riderDemand[r], riderDemand(r, t));
            sink.set(driverSupply[r], driverSupply(r, t));
            sink.set(riderSurge[r], riderSurge(r, t));
            sink.set(driverSurge[r], driverSurge(r, t));
            long n = noise.poisson(rideRate(r, t) * dt, rides[r].stream(), tick);
            sink.add(rides[r], n);
            if (histograms) {
                for (long k = 0; k < n; k++) {
                    sink.observe(surge[r], surgeFor(r, t, tick * 1_000 + k));
                }
            }
        }
    }
}
