package dev.sightline.synthetics.journey;

import dev.sightline.synthetics.http.Timings;

import java.util.List;

/**
 * The outcome of one run of a journey. Everything in it is already masked: no secret value read during the run
 * appears in a URL, failure or excerpt.
 */
public record JourneyRun(String journey, long startMs, long endMs, Status status, List<StepResult> steps) {

    /** PASSED: all steps passed in time; DEGRADED: all passed, some slower than their degraded_after; FAILED. */
    public enum Status { PASSED, DEGRADED, FAILED, SKIPPED }

    /**
     * One step: {@code attempts} made (1 + retries used), {@code timings} of the last attempt (null when no request
     * was sent), {@code httpStatus} -1 without a response, {@code failure} (null when none) says what failed,
     * {@code assertion} the assertion that failed (null for a request error), {@code excerpt} the start of the
     * response body.
     */
    public record StepResult(String name, boolean cleanup, Status status, int attempts, String method, String url,
                             Timings timings, int httpStatus, String failure, String assertion, String excerpt,
                             long startMs, long endMs) {
    }

    public long passed() {
        return steps.stream().filter(s -> s.status == Status.PASSED || s.status == Status.DEGRADED).count();
    }

    public long failed() {
        return steps.stream().filter(s -> s.status == Status.FAILED).count();
    }

    /** The first failed step, or null. */
    public StepResult firstFailure() {
        return steps.stream().filter(s -> s.status == Status.FAILED).findFirst().orElse(null);
    }
}
