package dev.sightline.synthetics.journey;

import dev.sightline.synthetics.SyntheticClock;
import dev.sightline.synthetics.http.PhasedHttpClient;
import dev.sightline.synthetics.http.PhasedHttpClient.ExchangeException;
import dev.sightline.synthetics.http.PhasedHttpClient.Response;
import dev.sightline.synthetics.http.Timings;
import dev.sightline.synthetics.http.TlsOptions;
import dev.sightline.synthetics.journey.JourneyRun.Status;
import dev.sightline.synthetics.journey.JourneyRun.StepResult;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;

/**
 * Runs a journey once: steps in order with their retries, the first failed step skipping the rest, then every cleanup
 * step whatever happened. Thread-safe (each run has its own state).
 */
public final class JourneyRunner {
    /** How much of a response body a step result keeps, for the failure log line and the API. */
    static final int EXCERPT_CHARS = 512;
    static final long MAX_BODY_BYTES = 10L << 20;

    /** Sees each step as it ends (the CLI prints it; --step-by-step waits there). */
    @FunctionalInterface
    public interface StepListener {
        void stepDone(StepResult step);
    }

    /** Waits between attempts; tests pass one that does not sleep. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(long millis) throws InterruptedException;
    }

    private final Function<String, String> env;
    private final LongSupplier clock;
    private final Sleeper sleeper;

    public JourneyRunner(Function<String, String> env, LongSupplier clock, Sleeper sleeper) {
        this.env = env;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    /** The runner of the real world: the process environment, the wall clock. */
    public static JourneyRunner system() {
        return on(SyntheticClock.WALL);
    }

    /** The process environment and {@code clock}'s time: a drill's clock moves, not waits, through a backoff. */
    public static JourneyRunner on(SyntheticClock clock) {
        return new JourneyRunner(System::getenv, clock::millis, ms -> clock.sleepUntil(clock.millis() + ms));
    }

    public JourneyRun run(Journey journey, StepListener listener) throws InterruptedException {
        long start = clock.getAsLong();
        RunContext run = new RunContext(env, start);
        List<StepResult> results = new ArrayList<>();
        boolean failed = false;
        boolean degraded = false;
        String setupFailure = setVariables(journey, run);
        for (Journey.Step step : journey.steps()) {
            StepResult r;
            if (failed || setupFailure != null) {
                // A variable that cannot be set fails the first step; after a failure the rest is skipped.
                long now = clock.getAsLong();
                boolean first = results.isEmpty() && setupFailure != null;
                r = new StepResult(step.name(), false, first ? Status.FAILED : Status.SKIPPED, 0,
                        step.request().method(), step.request().url().source(), null, -1,
                        first ? run.mask(setupFailure) : null, null, null, now, now);
                failed = true;
            } else {
                r = runStep(step, false, run);
                failed = r.status() == Status.FAILED;
                degraded |= r.status() == Status.DEGRADED;
            }
            results.add(r);
            listener.stepDone(r);
        }
        for (Journey.Step step : journey.cleanup()) {
            StepResult r = runStep(step, true, run);
            results.add(r);
            listener.stepDone(r);
        }
        Status status = failed || results.stream().anyMatch(s -> s.status() == Status.FAILED) ? Status.FAILED
                : degraded ? Status.DEGRADED : Status.PASSED;
        return new JourneyRun(journey.name(), start, clock.getAsLong(), status, List.copyOf(results));
    }

    private static String setVariables(Journey journey, RunContext run) {
        for (Map.Entry<String, Template> v : journey.variables().entrySet()) {
            try {
                run.set(v.getKey(), v.getValue().render(run));
            } catch (Template.RenderException e) {
                return "variables." + v.getKey() + ": " + e.getMessage();
            }
        }
        return null;
    }

    private StepResult runStep(Journey.Step step, boolean cleanup, RunContext run) throws InterruptedException {
        long start = clock.getAsLong();
        Journey.Request req = step.request();
        String method = req.method();
        String url;
        Map<String, String> headers = new LinkedHashMap<>();
        byte[] body;
        URI uri;
        try {
            url = req.url().render(run);
            for (Map.Entry<String, Template> h : req.headers().entrySet()) {
                headers.put(h.getKey(), h.getValue().render(run));
            }
            body = req.body() == null ? null : req.body().render(run).getBytes(StandardCharsets.UTF_8);
            uri = new URI(url);
            if (uri.getHost() == null) {
                throw new URISyntaxException(url, "no host");
            }
        } catch (Template.RenderException | URISyntaxException e) {
            long now = clock.getAsLong();
            return new StepResult(step.name(), cleanup, Status.FAILED, 0, method, req.url().source(), null, -1,
                    run.mask(e.getMessage()), null, null, start, now);
        }
        TlsOptions tls = new TlsOptions(req.insecure(), req.caFile() == null ? null : Path.of(req.caFile()), req.serverName());
        PhasedHttpClient.Request request = new PhasedHttpClient.Request(method, uri, headers, body, req.timeout(), tls,
                req.followRedirects(), MAX_BODY_BYTES, PhasedHttpClient.IpPreference.ANY);
        int attempts = 0;
        while (true) {
            attempts++;
            Attempt a = attempt(step, request, run);
            boolean last = a.failure == null || attempts > step.retries();
            if (last) {
                Status status = a.failure != null ? Status.FAILED
                        : step.degradedAfter() != null && a.response.timings().total > step.degradedAfter().toNanos()
                        ? Status.DEGRADED : Status.PASSED;
                String excerpt = a.response == null ? null : run.mask(excerpt(a.response));
                return new StepResult(step.name(), cleanup, status, attempts, method, run.mask(url),
                        a.timings, a.response == null ? -1 : a.response.status(), run.mask(a.failure),
                        a.assertion, excerpt, start, clock.getAsLong());
            }
            // Exponential backoff: backoff, 2x, 4x... between attempts.
            sleeper.sleep(step.backoff().toMillis() << Math.min(attempts - 1, 20));
        }
    }

    private record Attempt(Response response, Timings timings, String failure,
                           String assertion) {
    }

    private Attempt attempt(Journey.Step step, PhasedHttpClient.Request request, RunContext run) {
        Response response;
        try {
            response = PhasedHttpClient.execute(request);
        } catch (ExchangeException e) {
            return new Attempt(null, e.timings(), "request failed: " + e.getMessage(), null);
        }
        ResponseView view = new ResponseView(response);
        // Extracted first, so a secret one is masked even in the excerpt of a failed assertion.
        Map<String, String> found = new LinkedHashMap<>();
        String missing = null;
        for (Map.Entry<String, Journey.Extract> e : step.extract().entrySet()) {
            String value = extract(e.getValue(), view);
            if (value == null) {
                missing = missing != null ? missing : "extract " + e.getKey() + ": " + e.getValue().describe() + " found nothing";
            } else {
                found.put(e.getKey(), value);
                if (e.getValue().secret()) {
                    run.secret(value);
                }
            }
        }
        long now = clock.getAsLong();
        for (Assertion a : step.assertions()) {
            String why = a.check(view, now);
            if (why != null) {
                return new Attempt(response, response.timings(), "assertion " + a.describe() + " failed: " + why,
                        a.describe());
            }
        }
        if (missing != null) {
            return new Attempt(response, response.timings(), missing, null);
        }
        found.forEach((k, v) -> run.set(k, v));
        return new Attempt(response, response.timings(), null, null);
    }

    private static String extract(Journey.Extract x, ResponseView view) {
        if (x.header() != null) {
            return view.response.header(x.header());
        }
        if (x.regex() != null) {
            Matcher m = x.regex().matcher(view.text());
            return !m.find() ? null : m.groupCount() > 0 ? m.group(1) : m.group();
        }
        try {
            ResponseView.Lookup l = view.read(x.jsonPath());
            return l.found() && l.value() != null ? String.valueOf(l.value()) : null;
        } catch (ResponseView.NotJsonException e) {
            return null;
        }
    }

    private static String excerpt(Response r) {
        String text = r.bodyText();
        return text.length() > EXCERPT_CHARS ? text.substring(0, EXCERPT_CHARS) + "..." : text;
    }
}
