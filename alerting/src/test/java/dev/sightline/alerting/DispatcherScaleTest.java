package dev.sightline.alerting;

import dev.sightline.core.Labels;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ten thousand alerts, half of them inhibited by the other half: one flush of 5,000 groups notifies exactly the
 * 5,000 sources and the API listing marks exactly the 5,000 targets muted. How long this takes is a figure for
 * benchmarks/alert-dispatch.sh, not for a unit test.
 */
class DispatcherScaleTest {
    @Test
    void tenThousandAlertsWithInhibition() throws Exception {
        AtomicLong clock = new AtomicLong(1_700_000_000_000L);
        AtomicInteger notified = new AtomicInteger();
        Queue<Runnable> deliveries = new ArrayDeque<>();
        Integration counter = TestIntegrations.of(true, n -> notified.addAndGet(n.alerts().size()));
        try (Dispatcher d = new Dispatcher(TestConfigs.parse("{'route':{'receiver':'a','group_by':['instance'],'group_wait':'0s'},"
                + "'receivers':[{'name':'a'}],'inhibit_rules':[{'source_matchers':['severity=critical'],"
                + "'target_matchers':['severity=warning'],'equal':['instance']}]}"), new Silences(null, clock::get),
                new NotificationLog(null), r -> List.of(counter), (r, i, ok, why) -> { }, () -> "", clock::get, deliveries::add)) {
            List<Alert> alerts = new ArrayList<>();
            for (int i = 0; i < 5_000; i++) {
                alerts.add(new Alert(Labels.of("alertname", "Down", "severity", "critical", "instance", "i" + i), Labels.EMPTY,
                        clock.get(), 0, "", 0));
                alerts.add(new Alert(Labels.of("alertname", "Slow", "severity", "warning", "instance", "i" + i), Labels.EMPTY,
                        clock.get(), 0, "", 0));
            }
            d.put(alerts);
            d.tick();
            assertThat(d.groupCount()).isEqualTo(5_000);
            assertThat(deliveries).hasSize(5_000);
            deliveries.forEach(Runnable::run);
            List<Dispatcher.AlertStatus> listed = d.alerts();
            assertThat(notified.get()).isEqualTo(5_000);
            assertThat(listed).hasSize(10_000);
            assertThat(listed.stream().filter(Dispatcher.AlertStatus::muted).count()).isEqualTo(5_000);
        }
    }
}
