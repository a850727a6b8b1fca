package dev.sightline.benchmarks.alerting;

import dev.sightline.alerting.Alert;
import dev.sightline.alerting.Dispatcher;
import dev.sightline.alerting.Integration;
import dev.sightline.alerting.Notification;
import dev.sightline.alerting.NotificationLog;
import dev.sightline.alerting.Silences;
import dev.sightline.alerting.config.AlertmanagerConfig;
import dev.sightline.core.Labels;
import dev.sightline.server.config.ConfigLoader;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Alert dispatching at scale: N alerts on N/2 instances, a critical one inhibiting a warning one per instance, grouped
 * by instance. Prints, per round (a fresh dispatcher each), the time to take the alerts in, to flush the N/2 groups
 * and to list the alerts as the API does (inhibition is indexed by the equal labels, so these grow with N, not N^2).
 *
 * <pre>
 * --alerts N   alerts (default 10000)
 * --rounds R   rounds measured (default 5)
 * </pre>
 */
public final class DispatcherBenchmark {
    private static final String CONFIG = """
            alertmanager:
              route: {receiver: a, group_by: [instance], group_wait: 0s}
              receivers: [{name: a}]
              inhibit_rules:
                - source_matchers: [severity="critical"]
                  target_matchers: [severity="warning"]
                  equal: [instance]
            """;

    private DispatcherBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int alerts = 10_000;
        int rounds = 5;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--alerts" -> alerts = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        AlertmanagerConfig config = new ConfigLoader().parse("benchmark", CONFIG.getBytes(StandardCharsets.UTF_8)).alertmanager();
        for (int round = 1; round <= rounds; round++) {
            run(round, config, alerts / 2);
        }
    }

    private static void run(int round, AlertmanagerConfig config, int instances) throws Exception {
        AtomicLong clock = new AtomicLong(1_700_000_000_000L);
        AtomicLong notified = new AtomicLong();
        CountDownLatch delivered = new CountDownLatch(instances);
        Integration counter = new Integration() {
            @Override
            public String name() {
                return "counter";
            }

            @Override
            public boolean sendResolved() {
                return true;
            }

            @Override
            public void send(Notification n) {
                notified.addAndGet(n.alerts().size());
            }
        };
        List<Alert> alerts = new ArrayList<>(instances * 2);
        for (int i = 0; i < instances; i++) {
            alerts.add(new Alert(Labels.of("alertname", "Down", "severity", "critical", "instance", "i" + i), Labels.EMPTY,
                    clock.get(), 0, "", 0));
            alerts.add(new Alert(Labels.of("alertname", "Slow", "severity", "warning", "instance", "i" + i), Labels.EMPTY,
                    clock.get(), 0, "", 0));
        }
        try (Dispatcher d = new Dispatcher(config, new Silences(null, clock::get), new NotificationLog(null), r -> List.of(counter),
                (r, i, ok, why) -> delivered.countDown(), () -> "", clock::get)) {
            long t0 = System.nanoTime();
            d.put(alerts);
            long t1 = System.nanoTime();
            d.tick();
            long t2 = System.nanoTime();
            List<Dispatcher.AlertStatus> listed = d.alerts();
            long t3 = System.nanoTime();
            if (!delivered.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("deliveries did not finish within 60 s");
            }
            long muted = listed.stream().filter(Dispatcher.AlertStatus::muted).count();
            System.out.printf(Locale.ROOT, "round %d: %,d alerts: put %.1f ms, flush of %,d groups %.1f ms, API listing %.1f ms"
                            + " (%,d notified, %,d muted)%n", round, alerts.size(), (t1 - t0) / 1e6, d.groupCount(), (t2 - t1) / 1e6,
                    (t3 - t2) / 1e6, notified.get(), muted);
        }
    }
}
