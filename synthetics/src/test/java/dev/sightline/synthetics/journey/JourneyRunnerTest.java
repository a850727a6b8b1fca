package dev.sightline.synthetics.journey;

import dev.sightline.synthetics.journey.JourneyRun.Status;
import dev.sightline.synthetics.journey.JourneyRun.StepResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The shop journey against a local app, with each fault injected and found at its step. */
class JourneyRunnerTest {
    @TempDir
    Path dir;
    private ShopApp app;
    private final List<Long> sleeps = new ArrayList<>();
    private JourneyRunner runner;

    @BeforeEach
    void start() throws IOException {
        app = new ShopApp();
        runner = new JourneyRunner(Map.of("SHOP_PASSWORD", ShopApp.PASSWORD)::get, System::currentTimeMillis,
                sleeps::add);
    }

    @AfterEach
    void stop() {
        app.close();
    }

    private Journey shop(String checkoutExtra) throws Exception {
        String yaml = """
                name: shop
                interval: 30s
                alert_after: 2
                steps:
                  - name: login
                    request:
                      method: POST
                      url: "%1$s/login?attempt={{uuid}}"
                      headers: {Content-Type: application/json}
                      body: '{"user":"alice","password":"{{env.SHOP_PASSWORD}}"}'
                    assert: [{status: 200}, {jsonpath: "$.token", equals: "t-42"}, {header: Content-Type, contains: json}]
                    extract: {tok: {jsonpath: "$.token", secret: true}}
                  - name: search
                    request: {method: GET, url: "%1$s/search?q=shoes", headers: {Authorization: "Bearer {{tok}}"}}
                    assert:
                      - {status: 200}
                      - {jsonpath: "$.results[0].name", equals: "Red shoes"}
                      - {jsonpath: "$.total", gte: 1}
                      - {body_not_contains: maintenance}
                    extract: {product: {jsonpath: "$.results[0].id"}}
                  - name: add-to-cart
                    request: {method: POST, url: "%1$s/cart", body: '{"product":"{{product}}"}'}
                    degraded_after: 250ms
                    assert: [{status: 201}, {jsonpath: "$.ok", equals: true}, {response_time: 5s}]
                    extract: {cart: {regex: '"cart":"([^"]+)"'}}
                  - name: checkout
                    request: {method: POST, url: "%1$s/checkout", body: '{"cart":"{{cart}}"}'}
                    assert: [{status: 200}, {jsonpath: "$.status", equals: confirmed}]
                %2$s
                cleanup:
                  - name: empty-cart
                    request: {method: DELETE, url: "%1$s/cart/{{random}}"}
                    assert: [{status: 204}]
                """.formatted(app.url(), checkoutExtra);
        Path f = dir.resolve("shop.yml");
        Files.writeString(f, yaml);
        return JourneyParser.parseFile(f);
    }

    private JourneyRun run(Journey j) throws InterruptedException {
        return runner.run(j, step -> { });
    }

    private static StepResult step(JourneyRun run, String name) {
        return run.steps().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void allStepsPassAndVariablesFlowBetweenSteps() throws Exception {
        JourneyRun run = run(shop(""));

        assertThat(run.status()).isEqualTo(Status.PASSED);
        assertThat(run.steps()).extracting(StepResult::name, StepResult::status).containsExactly(
                org.assertj.core.groups.Tuple.tuple("login", Status.PASSED),
                org.assertj.core.groups.Tuple.tuple("search", Status.PASSED),
                org.assertj.core.groups.Tuple.tuple("add-to-cart", Status.PASSED),
                org.assertj.core.groups.Tuple.tuple("checkout", Status.PASSED),
                org.assertj.core.groups.Tuple.tuple("empty-cart", Status.PASSED));
        assertThat(app.lastAuthorization).isEqualTo("Bearer t-42");
        assertThat(app.cartDeletes.get()).isEqualTo(1);
        StepResult login = step(run, "login");
        assertThat(login.timings().dns).isGreaterThanOrEqualTo(0);
        assertThat(login.timings().connect).isGreaterThan(0);
        assertThat(login.timings().tls).as("no TLS over http").isEqualTo(-1);
        assertThat(login.timings().firstByte).isGreaterThan(0);
        assertThat(login.timings().download).isGreaterThanOrEqualTo(0);
        assertThat(login.timings().total).isGreaterThanOrEqualTo(login.timings().connect + login.timings().firstByte);
        assertThat(run.passed()).isEqualTo(5);
        assertThat(run.failed()).isZero();
    }

    @Test
    void wrongContentWith200IsCaughtAtSearchAndCleanupStillRuns() throws Exception {
        app.wrongContent = true;
        JourneyRun run = run(shop(""));

        assertThat(run.status()).isEqualTo(Status.FAILED);
        StepResult search = step(run, "search");
        assertThat(search.status()).isEqualTo(Status.FAILED);
        assertThat(search.httpStatus()).isEqualTo(200);
        assertThat(search.assertion()).isEqualTo("jsonpath $.results[0].name equals \"Red shoes\"");
        assertThat(search.failure()).contains("is missing");
        assertThat(search.excerpt()).contains("maintenance");
        assertThat(step(run, "login").status()).isEqualTo(Status.PASSED);
        assertThat(step(run, "add-to-cart").status()).isEqualTo(Status.SKIPPED);
        assertThat(step(run, "checkout").status()).isEqualTo(Status.SKIPPED);
        assertThat(step(run, "empty-cart").status()).isEqualTo(Status.PASSED);
        assertThat(app.cartDeletes.get()).isEqualTo(1);
        assertThat(run.failed()).isEqualTo(1);
    }

    @Test
    void aSlowButCorrectStepIsDegradedNotFailed() throws Exception {
        app.cartDelayMs = 400;
        JourneyRun run = run(shop(""));

        assertThat(run.status()).isEqualTo(Status.DEGRADED);
        assertThat(step(run, "add-to-cart").status()).isEqualTo(Status.DEGRADED);
        assertThat(step(run, "add-to-cart").timings().firstByte).isGreaterThanOrEqualTo(400_000_000L);
        assertThat(step(run, "search").status()).isEqualTo(Status.PASSED);
        assertThat(run.failed()).isZero();
    }

    @Test
    void aStepFailingOnlyOnTheSecondRunIsReportedThereAndTheStreakCounts() throws Exception {
        app.checkoutFailsOnSecondCall = true;
        Journey j = shop("");
        List<Integer> streaks = new ArrayList<>();
        JourneyScheduler scheduler = new JourneyScheduler(runner, (journey, run, streak) -> streaks.add(streak));
        try {
            JourneyRun first = scheduler.runOnce(j);
            JourneyRun second = scheduler.runOnce(j);
            JourneyRun third = scheduler.runOnce(j);

            assertThat(first.status()).isEqualTo(Status.PASSED);
            assertThat(second.status()).isEqualTo(Status.FAILED);
            assertThat(second.firstFailure().name()).isEqualTo("checkout");
            assertThat(second.firstFailure().failure()).isEqualTo("assertion status 200 failed: status is 500");
            assertThat(second.firstFailure().excerpt()).contains("payment backend unavailable");
            assertThat(third.status()).isEqualTo(Status.PASSED);
            assertThat(streaks).containsExactly(0, 1, 0);
            assertThat(scheduler.lastRun("shop").consecutiveFailures()).isZero();
        } finally {
            scheduler.close();
        }
    }

    @Test
    void retriesWithBackoffRecoverATransientFailure() throws Exception {
        app.checkoutFailsOnSecondCall = true;
        Journey j = shop("    retries: 2\n    backoff: 100ms");
        run(j);
        JourneyRun second = run(j);

        assertThat(second.status()).isEqualTo(Status.PASSED);
        assertThat(step(second, "checkout").attempts()).isEqualTo(2);
        assertThat(sleeps).containsExactly(100L);
    }

    @Test
    void retriesBackOffExponentiallyUntilTheyRunOut() throws Exception {
        app.wrongContent = true;
        String yaml = """
                name: flaky
                steps:
                  - name: search
                    request: {url: "%s/search", headers: {Authorization: Bearer t-42}}
                    retries: 3
                    backoff: 50ms
                    assert: [{jsonpath: "$.total", gt: 0}]
                """.formatted(app.url());
        JourneyRun run = run(JourneyParser.parse(YamlNode.parse("flaky.yml", yaml.getBytes()), dir));
        assertThat(run.status()).isEqualTo(Status.FAILED);
        assertThat(step(run, "search").attempts()).isEqualTo(4);
        assertThat(step(run, "search").failure()).isEqualTo("assertion jsonpath $.total > 0 failed: jsonpath $.total is missing");
        assertThat(sleeps).containsExactly(50L, 100L, 200L);
    }

    @Test
    void secretsAreMaskedInEveryOutput() throws Exception {
        String yaml = """
                name: leaky
                steps:
                  - name: login
                    request: {method: POST, url: "%s/login?pw={{env.SHOP_PASSWORD}}", body: '{"password":"{{env.SHOP_PASSWORD}}"}'}
                    extract: {tok: {jsonpath: "$.token", secret: true}}
                    assert: [{body_contains: never-there}]
                """.formatted(app.url());
        JourneyRun run = run(JourneyParser.parse(YamlNode.parse("leaky.yml", yaml.getBytes()), dir));
        assertThat(run.toString()).doesNotContain(ShopApp.PASSWORD);
        assertThat(step(run, "login").url()).endsWith("/login?pw=*****");
        assertThat(step(run, "login").excerpt()).isEqualTo("{\"token\":\"*****\",\"user\":\"alice\"}");
    }

    @Test
    void anUnsetEnvironmentVariableFailsTheStepSayingWhich() throws Exception {
        JourneyRunner bare = new JourneyRunner(name -> null, System::currentTimeMillis, sleeps::add);
        JourneyRun run = bare.run(shop(""), s -> { });
        assertThat(step(run, "login").status()).isEqualTo(Status.FAILED);
        assertThat(step(run, "login").failure()).isEqualTo("environment variable SHOP_PASSWORD is not set");
        assertThat(step(run, "search").status()).isEqualTo(Status.SKIPPED);
    }

    @Test
    void aHangingServerIsBoundedByTheTimeout() throws Exception {
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            String yaml = """
                    name: hang
                    steps:
                      - name: wait
                        request: {url: "http://127.0.0.1:%d/", timeout: 300ms}
                    """.formatted(silent.getLocalPort());
            long t0 = System.nanoTime();
            JourneyRun run = run(JourneyParser.parse(YamlNode.parse("hang.yml", yaml.getBytes()), dir));
            assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(3000);
            assertThat(step(run, "wait").failure()).startsWith("request failed: timed out");
            assertThat(step(run, "wait").timings().connect).isGreaterThanOrEqualTo(0);
            assertThat(step(run, "wait").timings().firstByte).isEqualTo(-1);
        }
    }
}
