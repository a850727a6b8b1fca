package dev.sightline.alerting;

import dev.sightline.core.Labels;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Grouping timers, deduplication, resolved notifications, inhibition and silences, on a manual clock. */
class DispatcherTest {
    private static final long T0 = 1_700_000_000_000L;
    private final AtomicLong clock = new AtomicLong(T0);
    private final List<Notification> sentA = new CopyOnWriteArrayList<>();
    private final List<Notification> sentQuiet = new CopyOnWriteArrayList<>();
    /** Deliveries the dispatcher started and that have not run yet; {@link #at} runs them after its tick. */
    private final Queue<Runnable> deliveries = new ArrayDeque<>();
    private Dispatcher dispatcher;
    private Silences silences;

    private static Integration recorder(List<Notification> out, boolean sendResolved) {
        return TestIntegrations.of(sendResolved, out::add);
    }

    private void start(String config) throws IOException {
        start(config, new NotificationLog(null));
    }

    private void start(String config, NotificationLog nflog) throws IOException {
        silences = new Silences(null, clock::get);
        dispatcher = new Dispatcher(TestConfigs.parse(config), silences, nflog,
                r -> r.name().equals("quiet") ? List.of(recorder(sentQuiet, false)) : List.of(recorder(sentA, true)),
                (receiver, integration, ok, reason) -> { }, () -> "http://sightline:9797", clock::get, deliveries::add);
    }

    @AfterEach
    void close() {
        if (dispatcher != null) {
            dispatcher.close();
        }
    }

    private static final String TIMERS = "{'route':{'receiver':'a','group_by':['alertname'],'group_wait':'30s',"
            + "'group_interval':'5m','repeat_interval':'1h','routes':[{'matchers':['quiet=yes'],'receiver':'quiet'}]},"
            + "'receivers':[{'name':'a'},{'name':'quiet'}]}";

    private static Alert firing(long startMs, String... labels) {
        return new Alert(Labels.of(labels), Labels.of("summary", "s"), startMs, 0, "", 0);
    }

    /**
     * Advances the clock, runs the dispatcher, then runs every delivery its tick started (after the tick, as the
     * virtual threads would): the count is then final, with no waiting, so an extra notification cannot go unseen.
     */
    private void at(long offsetMs, int expectedTotal) {
        clock.set(T0 + offsetMs);
        dispatcher.tick();
        for (Runnable r; (r = deliveries.poll()) != null; ) {
            r.run();
        }
        assertThat(sentA.size() + sentQuiet.size()).as("notifications at +" + offsetMs + "ms").isEqualTo(expectedTotal);
    }

    @Test
    void groupWaitThenGroupIntervalThenRepeatInterval() throws Exception {
        start(TIMERS);
        dispatcher.put(List.of(firing(T0, "alertname", "A", "instance", "1")));
        at(29_000, 0);
        dispatcher.put(List.of(firing(T0 + 29_000, "alertname", "A", "instance", "2")));
        at(30_000, 1);
        Notification first = sentA.get(0);
        assertThat(first.alerts()).hasSize(2);
        assertThat(first.groupKey()).isEqualTo("{}:{alertname=\"A\"}");
        assertThat(first.groupLabels()).isEqualTo(Labels.of("alertname", "A"));
        // Re-sent alerts change nothing: no notification at the next group_interval.
        clock.set(T0 + 60_000);
        dispatcher.put(List.of(firing(T0, "alertname", "A", "instance", "1"), firing(T0, "alertname", "A", "instance", "2")));
        at(330_000, 1);
        // A new alert in the group waits for the next group_interval, then goes out with the others.
        keepFiring(400_000);
        at(500_000, 1);
        at(630_000, 2);
        assertThat(sentA.get(1).alerts()).hasSize(3);
        // Nothing changes until repeat_interval (1h after the last notification) has passed.
        keepFiring(630_000 + 3_000_000);
        at(630_000 + 3_000_000, 2);
        keepFiring(630_000 + 3_600_000);
        at(630_000 + 3_600_000, 3);
    }

    private void keepFiring(long offsetMs) {
        clock.set(T0 + offsetMs);
        dispatcher.put(List.of(firing(T0, "alertname", "A", "instance", "1"), firing(T0, "alertname", "A", "instance", "2"),
                firing(T0 + 400_000, "alertname", "A", "instance", "3")));
    }

    @Test
    void theHistoryTellsWhatWasSentToWhichReceiverWhenAndWhetherItArrived() throws Exception {
        silences = new Silences(null, clock::get);
        Integration broken = TestIntegrations.of(true, n -> {
            throw new WebhookIntegration.DeliveryException("server_error", "webhook answered 503", null);
        });
        dispatcher = new Dispatcher(TestConfigs.parse(TIMERS), silences, new NotificationLog(null),
                r -> r.name().equals("quiet") ? List.of(broken) : List.of(recorder(sentA, true)),
                (receiver, integration, ok, reason) -> { }, () -> "http://sightline:9797", clock::get, deliveries::add);
        dispatcher.put(List.of(firing(T0, "alertname", "A"), firing(T0, "alertname", "Q", "quiet", "yes")));
        at(30_000, 1);

        List<NotificationHistory.Attempt> recent = dispatcher.history().recent(10);
        assertThat(recent).hasSize(2);
        NotificationHistory.Attempt ok = recent.stream().filter(NotificationHistory.Attempt::ok).findFirst().orElseThrow();
        assertThat(ok.notification().receiver()).isEqualTo("a");
        assertThat(ok.integration()).isEqualTo("webhook");
        assertThat(ok.finishedAtMs()).isEqualTo(T0 + 30_000);
        assertThat(ok.error()).isEmpty();
        assertThat(ok.notification().alerts()).extracting(a -> a.labels().get("alertname")).containsExactly("A");
        NotificationHistory.Attempt failed = recent.stream().filter(a -> !a.ok()).findFirst().orElseThrow();
        assertThat(failed.notification().receiver()).isEqualTo("quiet");
        assertThat(failed.reason()).isEqualTo("server_error");
        assertThat(failed.error()).isEqualTo("webhook answered 503");

        // Newest first: the resolution of A is the most recent attempt.
        clock.set(T0 + 100_000);
        dispatcher.put(List.of(new Alert(Labels.of("alertname", "A"), Labels.EMPTY, T0, T0 + 100_000, "", 0)));
        at(330_000, 2);
        assertThat(dispatcher.history().recent(1).getFirst().notification().firing()).isFalse();
        assertThat(dispatcher.history().recent(1).getFirst().finishedAtMs()).isEqualTo(T0 + 330_000);
    }

    @Test
    void theHistoryIsBoundedAndForgetsTheOldest() {
        NotificationHistory h = new NotificationHistory(3);
        for (int i = 0; i < 5; i++) {
            h.add(new NotificationHistory.Attempt(new Notification("r" + i, "k", Labels.EMPTY, List.of(), i, ""), "webhook", i,
                    true, "", ""));
        }
        assertThat(h.recent(10)).extracting(a -> a.notification().receiver()).containsExactly("r4", "r3", "r2");
        assertThat(h.recent(2)).hasSize(2);
        assertThat(h.recent(0)).isEmpty();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new NotificationHistory(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("capacity");
    }

    @Test
    void notificationsListAlertsByJobThenInstanceThenLabels() {
        List<Alert> alerts = new ArrayList<>(List.of(firing(T0, "alertname", "A"), firing(T0, "alertname", "B", "instance", "i2"),
                firing(T0, "alertname", "C", "job", "z"), firing(T0, "alertname", "D", "job", "a", "instance", "i9"),
                firing(T0, "alertname", "E", "job", "a", "instance", "i1")));
        alerts.sort(Dispatcher::alertOrder);
        assertThat(alerts).extracting(a -> a.labels().get("alertname")).containsExactly("E", "D", "C", "B", "A");
    }

    @Test
    void theNotificationLogSurvivesARestartSoNothingIsSentTwice(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("nflog.json");
        start(TIMERS, new NotificationLog(file));
        dispatcher.put(List.of(firing(T0, "alertname", "A")));
        at(30_000, 1);
        dispatcher.close();
        // Restarted: the same alert comes back (rules restore it) and its new group flushes, but the log says sent.
        start(TIMERS, new NotificationLog(file));
        clock.set(T0 + 60_000);
        dispatcher.put(List.of(firing(T0, "alertname", "A")));
        at(90_000, 1);
        // Something new in the group is sent.
        dispatcher.put(List.of(firing(T0 + 90_000, "alertname", "A", "instance", "2")));
        at(390_000, 2);
    }

    @Test
    void oldAlertsAreFlushedWithoutGroupWaitAndGroupsAreSeparate() throws Exception {
        start(TIMERS);
        clock.set(T0 + 60_000);
        dispatcher.put(List.of(firing(T0, "alertname", "A"), firing(T0 + 60_000, "alertname", "B")));
        at(60_000, 1);
        assertThat(sentA.get(0).groupLabels()).isEqualTo(Labels.of("alertname", "A"));
        assertThat(dispatcher.groupCount()).isEqualTo(2);
        at(90_000, 2);
    }

    @Test
    void resolvedAlertsAreSentOnceWhenSendResolvedAndGroupsEnd() throws Exception {
        start(TIMERS);
        dispatcher.put(List.of(firing(T0, "alertname", "A"), firing(T0, "alertname", "Q", "quiet", "yes")));
        at(30_000, 2);
        clock.set(T0 + 100_000);
        dispatcher.put(List.of(new Alert(Labels.of("alertname", "A"), Labels.EMPTY, T0, T0 + 100_000, "", 0),
                new Alert(Labels.of("alertname", "Q", "quiet", "yes"), Labels.EMPTY, T0, T0 + 100_000, "", 0)));
        // send_resolved true: one resolved notification; false (quiet): none.
        at(330_000, 3);
        Notification resolved = sentA.get(1);
        assertThat(resolved.firing()).isFalse();
        assertThat(resolved.webhookPayload(0).path("status").asText()).isEqualTo("resolved");
        assertThat(sentQuiet).hasSize(1);
        assertThat(dispatcher.alerts()).isEmpty();
        // The resolved alert leaves its group at the flush after its resolution was delivered; nothing more is sent.
        at(630_000, 3);
        assertThat(dispatcher.groupCount()).isZero();
        at(1_000_000, 3);
    }

    @Test
    void alertsWithoutEndsAtResolveAfterResolveTimeout() throws Exception {
        start(TIMERS.replace("'route'", "'global':{'resolve_timeout':'1m'},'route'"));
        dispatcher.put(List.of(firing(T0, "alertname", "A")));
        at(30_000, 1);
        assertThat(dispatcher.alerts()).hasSize(1);
        at(330_000, 2);
        assertThat(sentA.get(1).firing()).isFalse();
    }

    @Test
    void inhibitionMutesTargetsWithEqualLabelsWhileTheSourceFires() throws Exception {
        start("{'route':{'receiver':'a','group_by':['...'],'group_wait':'0s','group_interval':'1m'},"
                + "'receivers':[{'name':'a'}],'inhibit_rules':[{'source_matchers':['severity=critical'],"
                + "'target_match':{'severity':'warning'},'equal':['cluster']}]}");
        dispatcher.put(List.of(firing(T0, "alertname", "Down", "severity", "critical", "cluster", "c1"),
                firing(T0, "alertname", "Slow", "severity", "warning", "cluster", "c1"),
                firing(T0, "alertname", "Slow", "severity", "warning", "cluster", "c2")));
        at(0, 2);
        List<String> notified = new ArrayList<>();
        sentA.forEach(n -> n.alerts().forEach(a -> notified.add(a.labels().get("alertname") + "/" + a.labels().get("cluster"))));
        assertThat(notified).containsExactlyInAnyOrder("Down/c1", "Slow/c2");
        Dispatcher.AlertStatus slowC1 = dispatcher.alerts().stream()
                .filter(s -> s.alert().labels().get("cluster").equals("c1") && s.alert().labels().get("alertname").equals("Slow"))
                .findFirst().orElseThrow();
        assertThat(slowC1.inhibitedBy()).containsExactly(new Alert(Labels.of("alertname", "Down", "severity", "critical",
                "cluster", "c1"), Labels.EMPTY, 0, 0, "", 0).fingerprintHex());
        // The source resolves: the target is no longer muted and goes out at the next group_interval.
        clock.set(T0 + 10_000);
        dispatcher.put(List.of(new Alert(Labels.of("alertname", "Down", "severity", "critical", "cluster", "c1"),
                Labels.EMPTY, T0, T0 + 10_000, "", 0)));
        at(60_000, 4);
    }

    @Test
    void alertsMatchingBothSidesDoNotInhibitEachOther() throws Exception {
        start("{'route':{'receiver':'a','group_by':['...'],'group_wait':'0s','group_interval':'1m'},"
                + "'receivers':[{'name':'a'}],'inhibit_rules':[{'source_matchers':['team=db'],"
                + "'target_matchers':['team=db'],'equal':['cluster']}]}");
        dispatcher.put(List.of(firing(T0, "alertname", "X", "team", "db", "cluster", "c1"),
                firing(T0, "alertname", "Y", "team", "db", "cluster", "c1")));
        assertThat(dispatcher.alerts()).allSatisfy(s -> assertThat(s.inhibitedBy()).isEmpty());
        at(0, 2);
    }

    @Test
    void silencesMuteMatchingAlertsUntilTheyExpire() throws Exception {
        start("{'route':{'receiver':'a','group_by':['alertname'],'group_wait':'0s','group_interval':'1m'},'receivers':[{'name':'a'}]}");
        String id = silences.upsert(new Silence(null, List.of(Matchers.parse("alertname=\"A\"")), 0, T0 + 90_000, 0, "me", "maintenance"));
        dispatcher.put(List.of(firing(T0, "alertname", "A"), firing(T0, "alertname", "B")));
        at(0, 1);
        assertThat(sentA.get(0).alerts().get(0).labels().get("alertname")).isEqualTo("B");
        assertThat(dispatcher.alerts().get(0).silencedBy()).containsExactly(id);
        keepFiringAB(60_000);
        at(60_000, 1);
        keepFiringAB(120_000);
        at(120_000, 2);
        assertThat(sentA.get(1).alerts().get(0).labels().get("alertname")).isEqualTo("A");
    }

    private void keepFiringAB(long offsetMs) {
        clock.set(T0 + offsetMs);
        dispatcher.put(List.of(firing(T0, "alertname", "A"), firing(T0, "alertname", "B")));
    }

    @Test
    void failedDeliveriesAreRetriedAtTheNextFlush() throws Exception {
        silences = new Silences(null, clock::get);
        List<Notification> delivered = new CopyOnWriteArrayList<>();
        AtomicLong calls = new AtomicLong();
        Integration flaky = TestIntegrations.of(true, n -> {
            if (calls.incrementAndGet() == 1) {
                throw new IOException("down");
            }
            delivered.add(n);
        });
        List<String> outcomes = new CopyOnWriteArrayList<>();
        dispatcher = new Dispatcher(TestConfigs.parse("{'route':{'receiver':'a','group_wait':'0s','group_interval':'1m'},"
                + "'receivers':[{'name':'a'}]}"), silences, new NotificationLog(null), r -> List.of(flaky), (r, i, ok, why) -> outcomes.add(ok + why),
                () -> "", clock::get);
        dispatcher.put(List.of(firing(T0, "alertname", "A")));
        dispatcher.tick();
        waitFor(() -> outcomes.size() == 1);
        assertThat(outcomes).containsExactly("falseerror");
        clock.set(T0 + 60_000);
        dispatcher.put(List.of(firing(T0, "alertname", "A")));
        dispatcher.tick();
        waitFor(() -> delivered.size() == 1);
        assertThat(calls.get()).isEqualTo(2);
    }

    @Test
    void aFailedResolvedNotificationIsRetriedAtTheNextFlush() throws Exception {
        silences = new Silences(null, clock::get);
        List<Notification> delivered = new CopyOnWriteArrayList<>();
        AtomicLong failNext = new AtomicLong();
        List<String> outcomes = new CopyOnWriteArrayList<>();
        Integration hook = TestIntegrations.of(true, n -> {
            if (failNext.getAndSet(0) == 1) {
                throw new IOException("down");
            }
            delivered.add(n);
        });
        dispatcher = new Dispatcher(TestConfigs.parse("{'route':{'receiver':'a','group_wait':'0s','group_interval':'1m'},"
                + "'receivers':[{'name':'a'}]}"), silences, new NotificationLog(null), r -> List.of(hook),
                (r, i, ok, why) -> outcomes.add(ok + why), () -> "", clock::get);
        dispatcher.put(List.of(firing(T0, "alertname", "A")));
        dispatcher.tick();
        waitFor(() -> outcomes.size() == 1);
        // Resolved while the receiver is down: the resolved notification fails ...
        clock.set(T0 + 30_000);
        dispatcher.put(List.of(new Alert(Labels.of("alertname", "A"), Labels.EMPTY, T0, T0 + 30_000, "", 0)));
        failNext.set(1);
        clock.set(T0 + 60_000);
        dispatcher.tick();
        waitFor(() -> outcomes.size() == 2);
        assertThat(outcomes.get(1)).isEqualTo("falseerror");
        assertThat(dispatcher.groupCount()).isEqualTo(1);
        // ... and is sent again at the next group_interval, after which the group ends.
        clock.set(T0 + 120_000);
        dispatcher.tick();
        waitFor(() -> outcomes.size() == 3);
        assertThat(delivered).hasSize(2);
        assertThat(delivered.get(1).firing()).isFalse();
        clock.set(T0 + 180_000);
        dispatcher.tick();
        assertThat(dispatcher.groupCount()).isZero();
    }

    /**
     * T0 is 2023-11-14T22:13:20Z: "closed" covers it and ends at 23:00 (T0 + 46m40s), "open" starts then. A child
     * route does not inherit its parent's mute_time_intervals (Alertmanager's dispatch/route.go takes them from the
     * route itself).
     */
    private static final String TIMED = "{'route':{'receiver':'a','group_by':['alertname'],'group_wait':'30s',"
            + "'group_interval':'5m','repeat_interval':'1h','routes':["
            + "{'matchers':['when=muted'],'receiver':'a','mute_time_intervals':['closed'],"
            + "'routes':[{'matchers':['sub=yes'],'receiver':'quiet'}]},"
            + "{'matchers':['when=active'],'receiver':'a','active_time_intervals':['open']}]},"
            + "'receivers':[{'name':'a'},{'name':'quiet'}],"
            + "'time_intervals':[{'name':'open','time_intervals':[{'times':[{'start_time':'23:00','end_time':'24:00'}]}]}],"
            + "'mute_time_intervals':[{'name':'closed','time_intervals':[{'times':[{'start_time':'22:00','end_time':'23:00'}]}]}]}";

    private static Alert firingFor10h(String... labels) {
        return new Alert(Labels.of(labels), Labels.of(), T0, T0 + 36_000_000, "", 0);
    }

    @Test
    void aMutedRouteSendsNothingUntilItsMuteIntervalEndsThenNotifiesAtTheNextFlush() throws Exception {
        start(TIMED);
        dispatcher.put(List.of(firingFor10h("alertname", "A", "when", "muted")));
        at(30_000, 0);
        at(330_000, 0);
        at(2_730_000, 0);
        // 23:03:50, the first flush after 23:00: the notification log did not record the muted flushes.
        at(3_030_000, 1);
        assertThat(sentA.get(0).alerts()).extracting(a -> a.labels().get("when")).containsExactly("muted");
        at(3_330_000, 1);
    }

    @Test
    void anActiveIntervalRouteSendsOnlyInsideItAndChildrenDoNotInheritMutes() throws Exception {
        start(TIMED);
        dispatcher.put(List.of(firingFor10h("alertname", "B", "when", "active"), firingFor10h("alertname", "C", "when", "muted", "sub", "yes")));
        // The child of the muted route is not muted: it notifies at group_wait; the active-interval route waits.
        at(30_000, 1);
        assertThat(sentQuiet).hasSize(1);
        at(2_730_000, 1);
        at(3_030_000, 2);
        assertThat(sentA.get(0).alerts()).extracting(a -> a.labels().get("alertname")).containsExactly("B");
        // 24:00 ends "open": a new alert after midnight is held back again (the unmuted child repeats, 1h passed).
        dispatcher.put(List.of(firingFor10h("alertname", "B", "when", "active", "x", "new")));
        at(6_630_000, 3);
        assertThat(sentA).hasSize(1);
        assertThat(sentQuiet).hasSize(2);
    }

    private static void waitFor(java.util.function.BooleanSupplier c) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!c.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(c.getAsBoolean()).isTrue();
    }
}
