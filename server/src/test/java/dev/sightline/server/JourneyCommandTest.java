package dev.sightline.server;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class JourneyCommandTest {
    @TempDir
    Path dir;
    private HttpServer app;

    @BeforeEach
    void start() throws IOException {
        app = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        app.createContext("/token", ex -> reply(ex, "{\"token\":\"t-42\"}"));
        app.createContext("/cart", ex -> reply(ex, "Bearer t-42".equals(ex.getRequestHeaders().getFirst("Authorization"))
                ? "{\"ok\":true}" : "{\"ok\":false}"));
        app.start();
    }

    private static void reply(com.sun.net.httpserver.HttpExchange ex, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(200, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }

    @AfterEach
    void stop() {
        app.stop(0);
    }

    private Path journey(String okValue) throws IOException {
        // The contract example, pointed at the local app.
        return Files.writeString(dir.resolve("login-and-cart.yml"), """
                name: login-and-cart
                steps:
                  - name: token
                    request: {method: GET, url: "http://127.0.0.1:%1$d/token"}
                    assert: [{status: 200}, {jsonpath: "$.token", equals: "t-42"}]
                    extract: {tok: {jsonpath: "$.token"}}
                  - name: cart
                    request: {method: GET, url: "http://127.0.0.1:%1$d/cart", headers: {Authorization: "Bearer {{tok}}"}}
                    assert: [{status: 200}, {jsonpath: "$.ok", equals: %2$s}]
                """.formatted(app.getAddress().getPort(), okValue));
    }

    @Test
    void aPassingJourneyPrintsEachStepAndExitsZero() throws Exception {
        CliRun r = CliRun.run("journey", "run", journey("true").toString());
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out().lines().toList()).hasSize(4);
        assertThat(r.out()).contains("  PASS token  GET http://127.0.0.1:").contains("  PASS cart  GET ");
        assertThat(r.out()).endsWith("2 passed, 0 failed\n");
    }

    @Test
    void aFailingStepIsNamedWithItsAssertionAndTheExitIsNonZero() throws Exception {
        CliRun r = CliRun.run("journey", "run", journey("false").toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("  FAIL cart").contains("assertion jsonpath $.ok equals false failed: jsonpath $.ok is true")
                .contains("response: {\"ok\":true}").endsWith("1 passed, 1 failed\n");
    }

    @Test
    void anInvalidFileIsRefusedAtItsPosition() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.yml"), "name: x\nsteps:\n  - name: a\n    requst: {}\n");
        CliRun r = CliRun.run("journey", "run", bad.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).startsWith(bad + ":4:13: unknown key \"requst\" in step");
    }

    @Test
    void stepByStepShowsPhasesAndWaitsForEnter() throws Exception {
        picocli.CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        JourneyCommand.Run run = cl.getSubcommands().get("journey").getSubcommands().get("run").getCommand();
        run.input = new ByteArrayInputStream("\n".getBytes(StandardCharsets.UTF_8));
        int exit = cl.execute("journey", "run", "--step-by-step", journey("true").toString());
        assertThat(exit).isZero();
        assertThat(out.toString()).contains("phases: dns=").contains("first_byte=").contains("[Enter for the next step]")
                .contains("response: {\"token\":\"t-42\"}").endsWith("2 passed, 0 failed\n");
    }
}
