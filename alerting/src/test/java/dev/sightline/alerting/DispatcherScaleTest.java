package dev.sightline.alerting;

import dev.sightline.core.Labels;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ten thousand alerts, half of them inhibited by the other half: one flush of 5,000 groups and one API listing.
 * Prints how long they take (inhibition is indexed, not a scan of all alerts per alert).
 */
class DispatcherScaleTest {
    @Test
    void tenThousandAlertsWithInhibition() throws Exception {
        AtomicLong clock = new AtomicLong(1_700_000_000_000L);
        AtomicInteger notified = new AtomicInteger();
        AtomicInteger finished = new AtomicInteger();
        Integration counter = TestIntegrations.of(true, n -> notified.addAndGet(n.alerts().size()));
        try (Dispatcher d = new Dispatcher(TestConfigs.parse("{'route':{'receiver':'a','group_by':['instance'],'group_wait':'0s'},"
                + "'receivers':[{'name':'a'}],'inhibit_rules':[{'source_matchers':['severity=critical'],"
                + "'target_matchers':['severity=warning'],'equal':['instance']}]}"), new Silences(null, clock::get),
                new NotificationLog(null), r -> List.of(counter), (r, i, ok, why) -> finished.incrementAndGet(), () -> "", clock::get)) {
            List<Alert> alerts = new ArrayList<>();
            for (int i = 0; i < 5_000; i++) {
                alerts.add(new Alert(Labels.of("alertname", "Down", "severity", "critical", "instance", "i" + i), Labels.EMPTY,
                        clock.get(), 0, "", 0));
                alerts.add(new Alert(Labels.of("alertname", "Slow", "severity", "warning", "instance", "i" + i), Labels.EMPTY,
                        clock.get(), 0, "", 0));
            }
            long t0 = System.nanoTime();
            d.put(alerts);
            long t1 = System.nanoTime();
            d.tick();
            long t2 = System.nanoTime();
            List<Dispatcher.AlertStatus> listed = d.alerts();
            long t3 = System.nanoTime();
            System.out.printf("10,000 alerts: put %.1f ms, flush of %d groups %.1f ms, API listing %.1f ms%n",
                    (t1 - t0) / 1e6, d.groupCount(), (t2 - t1) / 1e6, (t3 - t2) / 1e6);
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (finished.get() < 5_000 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(notified.get()).isEqualTo(5_000);
            assertThat(listed).hasSize(10_000);
            assertThat(listed.stream().filter(Dispatcher.AlertStatus::muted).count()).isEqualTo(5_000);
        }
    }
}
