package dev.sightline.demo.sim;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CompanyTest {
    /** A Wednesday, 00:00 UTC. */
    private static final long WED = Instant.parse("2026-12-02T00:00:00Z").toEpochMilli();
    private static final long MIN = 60_000;
    private static final long HOUR = 3_600_000;

    private static Recorder run(Company c, long from, long to, long step, boolean histograms) {
        Recorder r = new Recorder();
        for (long t = from + step; t <= to; t += step) {
            c.step(t, step, r, histograms);
        }
        return r;
    }

    /** A company whose incident of {@code kind} starts at {@code start} (8-minute incidents, 4-minute gaps). */
    private static Company companyWith(IncidentKind kind, long start) {
        IncidentSchedule s = new IncidentSchedule(start - kind.ordinal() * 12 * MIN, Duration.ofMinutes(8), Duration.ofMinutes(4));
        assertThat(s.at(start).orElseThrow().kind()).isEqualTo(kind);
        return new Company(3, s);
    }

    @Test
    void sameSeedSameCompanyOtherSeedOther() {
        IncidentSchedule s = new IncidentSchedule(WED + 10 * MIN, Duration.ofMinutes(8), Duration.ofMinutes(4));
        Recorder a = run(new Company(5, s), WED, WED + HOUR, 1000, true);
        Recorder b = run(new Company(5, s), WED, WED + HOUR, 1000, true);
        Recorder c = run(new Company(6, s), WED, WED + HOUR, 1000, true);
        assertThat(a.log).isEqualTo(b.log).isNotEqualTo(c.log);
        assertThat(a.log.size()).isGreaterThan(100_000);
    }

    @Test
    void aStepDependsOnlyOnItsTimeNotOnWhatCameBefore() {
        // The backfill and a drill jump into the middle of a day; a step must not depend on earlier ones.
        Company whole = new Company(5, IncidentSchedule.NONE);
        run(whole, WED, WED + 2 * HOUR, MIN, false);
        Recorder last = new Recorder();
        whole.step(WED + 2 * HOUR + MIN, MIN, last, false);
        Recorder fresh = new Recorder();
        new Company(5, IncidentSchedule.NONE).step(WED + 2 * HOUR + MIN, MIN, fresh, false);
        assertThat(last.log).isEqualTo(fresh.log);
    }

    @Test
    void aShiftedCompanyIsTheUnshiftedOneLaterWhileIncidentsAndHaltsStayOnTheClock() {
        // A drill at 18:02 on a Wednesday whose company lives at 03:00 on the Sunday before (shift: about -3.6 days).
        long clock = WED + 18 * HOUR + 2 * MIN;
        long phase = WED - 3 * 24 * HOUR + 3 * HOUR;
        long shift = phase - clock;
        Company shifted = new Company(5, IncidentSchedule.NONE, shift);
        Recorder a = run(shifted, clock - 10 * MIN, clock, 15_000, true);
        Recorder b = run(new Company(5, IncidentSchedule.NONE), phase - 10 * MIN, phase, 15_000, true);
        assertThat(a.log).isEqualTo(b.log).hasSizeGreaterThan(1000);
        assertThat(shifted.rideRate(0, clock)).isEqualTo(new Company(5, IncidentSchedule.NONE).rideRate(0, phase));

        // The incident is scheduled on the clock: active at the clock's time, not at the company's.
        IncidentSchedule pool = IncidentSchedule.single(IncidentKind.SATURATED_POOL, clock, Duration.ofMinutes(5));
        Recorder full = run(new Company(5, pool, shift), clock, clock + MIN, 15_000, false);
        assertThat(full.gauge("db_pool_connections_used", "pool", "payments-db")).isEqualTo(Company.POOL_MAX);
        Recorder before = run(new Company(5, pool, shift), clock - 2 * MIN, clock - MIN, 15_000, false);
        assertThat(before.gauge("db_pool_connections_used", "pool", "payments-db")).isLessThan(Company.POOL_MAX - 5);
        // A halt at the clock's time holds its five minutes of clock time.
        Company halting = new Company(5, IncidentSchedule.NONE, shift);
        assertThat(halting.halt("momentum", clock)).isTrue();
        run(halting, clock, clock + 4 * MIN, MIN, false);
        assertThat(halting.halted("momentum")).isTrue();
        run(halting, clock + 4 * MIN, clock + 5 * MIN, MIN, false);
        assertThat(halting.halted("momentum")).isFalse();
    }

    @Test
    void dailyRhythmShowsInOrdersCheckoutsAndRides() {
        Company c = new Company(1, IncidentSchedule.NONE);
        // Orders: the US session (14:00 UTC) is about twice the quiet gap before Asia opens (21:00).
        long usSession = run(c, WED + 14 * HOUR, WED + 15 * HOUR, MIN, false).total("orders_placed", "strategy", "market-making");
        long quiet = run(c, WED + 21 * HOUR, WED + 22 * HOUR, MIN, false).total("orders_placed", "strategy", "market-making");
        assertThat((double) usSession / quiet).isBetween(2.0, 3.0);
        // Checkouts: the evening peak is ~10x the night.
        long evening = run(c, WED + 19 * HOUR, WED + 20 * HOUR, MIN, false).total("checkouts", "status", "ok");
        long night = run(c, WED + 3 * HOUR, WED + 4 * HOUR, MIN, false).total("checkouts", "status", "ok");
        assertThat((double) evening / night).isGreaterThan(8);
        // Rides: the morning commute beats mid-morning.
        assertThat(c.rideRate(0, WED + 8 * HOUR)).isGreaterThan(1.5 * c.rideRate(0, WED + 10 * HOUR));
    }

    @Test
    void weeklyRhythmShowsInShopping() {
        Company c = new Company(1, IncidentSchedule.NONE);
        long saturday = WED + 3 * 24 * HOUR;
        long wed = run(c, WED + 18 * HOUR, WED + 21 * HOUR, MIN, false).total("checkouts", "status", "ok");
        long sat = run(c, saturday + 18 * HOUR, saturday + 21 * HOUR, MIN, false).total("checkouts", "status", "ok");
        assertThat((double) sat / wed).isBetween(1.15, 1.4);
    }

    @Test
    void noiseIsThereButModest() {
        Company c = new Company(1, IncidentSchedule.NONE);
        List<Long> perMinute = new ArrayList<>();
        for (long t = WED + 14 * HOUR; t < WED + 15 * HOUR; t += MIN) {
            Recorder r = new Recorder();
            c.step(t, MIN, r, false);
            perMinute.add(r.total("orders_placed", "strategy", "market-making"));
        }
        long min = Collections.min(perMinute);
        long max = Collections.max(perMinute);
        assertThat(max).isGreaterThan(min);
        assertThat((double) max / min).isLessThan(1.6);
    }

    @Test
    void aQuietWeekStaysInsideTheDemoAlertsHardLimits() {
        // The demo's seed, a week at the backfill's resolution: nothing near -1M P&L, 300 s of lag or a full pool.
        Company c = new Company(17, IncidentSchedule.NONE);
        double minPnl = Double.MAX_VALUE;
        double maxLag = 0;
        double maxPool = 0;
        double maxSurgeRatio = 0;
        for (long t = WED; t < WED + 7 * 24 * HOUR; t += MIN) {
            Recorder r = new Recorder();
            c.step(t, MIN, r, false);
            for (String s : Company.STRATEGIES) {
                minPnl = Math.min(minPnl, r.gauge("pnl_unrealized_dollars", "strategy", s));
            }
            for (String region : Company.CACHE_REGIONS) {
                maxLag = Math.max(maxLag, r.gauge("product_cache_replica_lag_seconds", "region", region));
            }
            maxPool = Math.max(maxPool, r.gauge("db_pool_connections_used", "pool", "payments-db"));
            for (String region : Company.RIDE_REGIONS) {
                maxSurgeRatio = Math.max(maxSurgeRatio, r.gauge("rider_surge_multiplier", "region", region)
                        / r.gauge("driver_surge_multiplier", "region", region));
            }
        }
        assertThat(minPnl).isGreaterThan(-0.5e6);
        assertThat(maxLag).isLessThan(5);
        assertThat(maxPool / Company.POOL_MAX).isLessThan(0.8);
        // Riders and drivers see the same surge, the driver app's rounding apart (RiderDriverSurgeMismatch: 1.2).
        assertThat(maxSurgeRatio).isBetween(1.0, 1.06);
    }

    @Test
    void riderDriverMismatchQuotesRidersASurgeDriversNeverSee() {
        // At night (no surge) and at the evening peak (surge), the airport's riders see 1.5x what drivers are offered.
        for (long start : new long[] {WED + 3 * HOUR, WED + 18 * HOUR}) {
            Company c = companyWith(IncidentKind.RIDER_DRIVER_MISMATCH, start);
            Recorder quiet = run(c, start - 3 * MIN, start - 2 * MIN, 1000, true);
            Recorder during = run(c, start, start + 2 * MIN, 1000, true);
            double rider = during.gauge("rider_surge_multiplier", "region", "airport");
            double driver = during.gauge("driver_surge_multiplier", "region", "airport");
            assertThat(rider / driver).as("at " + Instant.ofEpochMilli(start)).isBetween(1.35, 1.56);
            assertThat(quiet.gauge("rider_surge_multiplier", "region", "airport")
                    / quiet.gauge("driver_surge_multiplier", "region", "airport")).isLessThan(1.06);
            // Each alone stays in the pricer's range; the other regions do not move.
            assertThat(List.of(rider, driver)).allMatch(m -> m >= 1 && m <= 2.5);
            assertThat(during.gauge("rider_surge_multiplier", "region", "downtown")
                    / during.gauge("driver_surge_multiplier", "region", "downtown")).isLessThan(1.06);
            // Riders are charged what they are quoted: the airport's rides carry the factor, no outliers.
            assertThat(quantile(during.observed("surge_multiplier", "region", "airport"), 0.5))
                    .isCloseTo(rider, org.assertj.core.data.Offset.offset(0.15));
            assertThat(during.observed("surge_multiplier", "region", "airport")).allMatch(m -> m <= 2.5);
        }
    }

    @Test
    void runawayStrategyExplodesUntilHaltedAndLosesMoney() {
        long start = WED + 14 * HOUR;
        Company c = companyWith(IncidentKind.RUNAWAY_STRATEGY, start);
        long before = run(c, start - 2 * MIN, start, 1000, false).total("orders_placed", "strategy", "momentum");
        Recorder during = run(c, start, start + 2 * MIN, 1000, false);
        assertThat((double) during.total("orders_placed", "strategy", "momentum") / before).isBetween(30.0, 50.0);
        // The other strategies do not move; fills do not follow the flood.
        assertThat(during.total("orders_placed", "strategy", "market-making")).isLessThan(2 * 12 * 120);
        assertThat(during.total("orders_filled", "strategy", "momentum"))
                .isLessThan(during.total("orders_placed", "strategy", "momentum") / 10);
        assertThat(during.gauge("pnl_unrealized_dollars", "strategy", "momentum")).isLessThan(-0.9e6);

        assertThat(c.halt("momentum", start + 2 * MIN)).isTrue();
        assertThat(c.halt("momentum", start + 2 * MIN)).isFalse();
        Recorder halted = run(c, start + 2 * MIN, start + 4 * MIN, 1000, false);
        assertThat(halted.total("orders_placed", "strategy", "momentum")).isZero();
        assertThat(halted.gauge("trading_strategy_halted", "strategy", "momentum")).isEqualTo(1);
        // Stays halted while the incident runs, and trades again once it is over and five minutes have passed.
        assertThat(c.orderRate(1, start + 7 * MIN)).isZero();
        Recorder after = run(c, start + 8 * MIN, start + 10 * MIN, 1000, false);
        assertThat(after.gauge("trading_strategy_halted", "strategy", "momentum")).isZero();
        assertThat(after.total("orders_placed", "strategy", "momentum")).isBetween(before / 2, before * 2);
        assertThat(after.gauge("pnl_unrealized_dollars", "strategy", "momentum")).isGreaterThan(-1e6);
        assertThatThrownBy(() -> c.halt("nope", start)).hasMessageContaining("unknown strategy \"nope\"");
    }

    @Test
    void staleCacheIsHoursBehindInOneRegionWhileTheHitRateStays() {
        long start = WED + 10 * HOUR;
        Company c = companyWith(IncidentKind.STALE_CACHE, start);
        Recorder quiet = run(c, start - 4 * MIN, start - 3 * MIN, 1000, false);
        Recorder stale = run(c, start, start + MIN, 1000, false);
        assertThat(quiet.gauge("product_cache_replica_lag_seconds", "region", "eu-west")).isLessThan(3);
        assertThat(stale.gauge("product_cache_replica_lag_seconds", "region", "eu-west")).isBetween(3 * 3600.0, 3 * 3600.0 + 61);
        assertThat(stale.gauge("product_cache_replica_lag_seconds", "region", "us-east")).isLessThan(3);
        double hitQuiet = hitRatio(quiet, "eu-west");
        double hitStale = hitRatio(stale, "eu-west");
        assertThat(hitQuiet).isBetween(0.92, 0.96);
        assertThat(hitStale).isBetween(0.92, 0.96);
    }

    private static double hitRatio(Recorder r, String region) {
        long hit = r.totals.entrySet().stream().filter(e -> e.getKey().name().equals("product_cache_requests")
                && e.getKey().labels().get("region").equals(region) && e.getKey().labels().get("result").equals("hit"))
                .mapToLong(e -> e.getValue()).sum();
        return (double) hit / r.total("product_cache_requests", "region", region);
    }

    @Test
    void hiddenSurgeHitsFewRidersAndLeavesThePercentilesFlat() {
        long start = WED + 8 * HOUR;
        Company c = companyWith(IncidentKind.HIDDEN_SURGE, start);
        List<Double> quiet = run(c, start - 12 * MIN, start - 4 * MIN, 1000, true).observed("surge_multiplier", "region", "downtown");
        List<Double> surge = run(c, start, start + 8 * MIN, 1000, true).observed("surge_multiplier", "region", "downtown");
        assertThat(quiet).allMatch(m -> m >= 1 && m <= 2.5);
        long outliers = surge.stream().filter(m -> m > 5).count();
        assertThat((double) outliers / surge.size()).isBetween(0.003, 0.012);
        for (double q : new double[] {0.5, 0.95, 0.99}) {
            assertThat(quantile(surge, q)).as("p" + q).isCloseTo(quantile(quiet, q), org.assertj.core.data.Offset.offset(0.15));
        }
        // Other regions see nothing.
        assertThat(run(c, start, start + 8 * MIN, 1000, true).observed("surge_multiplier", "region", "airport"))
                .allMatch(m -> m <= 2.5);
    }

    private static double quantile(List<Double> v, double q) {
        List<Double> s = new ArrayList<>(v);
        Collections.sort(s);
        return s.get((int) Math.floor(q * (s.size() - 1)));
    }

    @Test
    void saturatedPoolIsFullSlowAndFailing() {
        long start = WED + 19 * HOUR;
        Company c = companyWith(IncidentKind.SATURATED_POOL, start);
        Recorder quiet = run(c, start - 3 * MIN, start - 2 * MIN, 1000, false);
        Recorder full = run(c, start, start + MIN, 1000, false);
        assertThat(quiet.gauge("db_pool_connections_used", "pool", "payments-db")).isLessThan(Company.POOL_MAX - 5);
        assertThat(quiet.gauge("db_pool_pending_requests", "pool", "payments-db")).isZero();
        assertThat(full.gauge("db_pool_connections_used", "pool", "payments-db")).isEqualTo(Company.POOL_MAX);
        assertThat(full.gauge("db_pool_pending_requests", "pool", "payments-db")).isGreaterThan(20);
        assertThat(full.total("db_pool_wait_timeouts", "pool", "payments-db")).isPositive();
        assertThat(c.paymentSeconds(start - 3 * MIN, 42)).isLessThan(0.5);
        assertThat(c.paymentSeconds(start + MIN, 42)).isGreaterThan(1.5);
        long failed = full.total("checkouts", "status", "failed");
        long ok = full.total("checkouts", "status", "ok");
        assertThat((double) failed / (failed + ok)).isBetween(0.15, 0.35);
    }
}
