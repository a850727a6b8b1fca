package dev.sightline.synthetics.journey;

import dev.sightline.core.Labels;
import dev.sightline.metricstore.Appender;
import dev.sightline.synthetics.http.Timings;
import dev.sightline.synthetics.journey.JourneyRun.Status;
import dev.sightline.synthetics.journey.JourneyRun.StepResult;

import java.io.IOException;

/**
 * Writes a run as samples at its end time, committed as one batch:
 * <ul>
 * <li>{@code sightline_journey_duration_seconds{journey,step,phase}}: the phases the client measured (dns, connect,
 * tls only over https, first_byte, download, total); a phase the attempt never reached is not written.</li>
 * <li>{@code sightline_journey_success{journey}}: 1 when no step failed (degraded counts as success).</li>
 * <li>{@code sightline_journey_degraded{journey}}: 1 when all passed but some step was slower than degraded_after.</li>
 * <li>{@code sightline_journey_step_success{journey,step}} and {@code sightline_journey_step_degraded{journey,step}}
 * for the steps that ran (skipped ones are not written).</li>
 * <li>{@code sightline_journey_consecutive_failures{journey}} and {@code sightline_journey_alert_after{journey}}, so a
 * rule compares the two: {@code sightline_journey_consecutive_failures >= on(journey) sightline_journey_alert_after}.</li>
 * </ul>
 */
public final class JourneyMetrics {
    private JourneyMetrics() {
    }

    public static void write(JourneyRun run, int consecutiveFailures, int alertAfter, Appender app) throws IOException {
        long t = run.endMs();
        String j = run.journey();
        try {
            boolean success = run.status() != Status.FAILED;
            app.append(0, Labels.of(Labels.METRIC_NAME, "sightline_journey_success", "journey", j), t, success ? 1 : 0);
            app.append(0, Labels.of(Labels.METRIC_NAME, "sightline_journey_degraded", "journey", j), t,
                    run.status() == Status.DEGRADED ? 1 : 0);
            app.append(0, Labels.of(Labels.METRIC_NAME, "sightline_journey_consecutive_failures", "journey", j), t,
                    consecutiveFailures);
            app.append(0, Labels.of(Labels.METRIC_NAME, "sightline_journey_alert_after", "journey", j), t, alertAfter);
            for (StepResult s : run.steps()) {
                if (s.status() == Status.SKIPPED) {
                    continue;
                }
                app.append(0, Labels.of(Labels.METRIC_NAME, "sightline_journey_step_success", "journey", j,
                        "step", s.name()), t, s.status() == Status.FAILED ? 0 : 1);
                app.append(0, Labels.of(Labels.METRIC_NAME, "sightline_journey_step_degraded", "journey", j,
                        "step", s.name()), t, s.status() == Status.DEGRADED ? 1 : 0);
                Timings timings = s.timings();
                if (timings == null) {
                    continue;
                }
                for (int i = 0; i < Timings.PHASES.length; i++) {
                    long nanos = timings.phase(i);
                    if (nanos >= 0) {
                        app.append(0, Labels.of(Labels.METRIC_NAME, "sightline_journey_duration_seconds", "journey", j,
                                "step", s.name(), "phase", Timings.PHASES[i]), t, nanos / 1e9);
                    }
                }
            }
            app.commit();
        } catch (IOException | RuntimeException e) {
            app.rollback();
            throw e;
        }
    }
}
