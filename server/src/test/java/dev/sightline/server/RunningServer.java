package dev.sightline.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sightline.server.config.ConfigLoader;
import dev.sightline.server.config.SightlineConfig;
import dev.sightline.tsdb.Tsdb;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@link SightlineServer} on free ports for tests that talk to it over HTTP: data in {@code dir/data}, the
 * configuration (if any) in {@code dir/sightline.yml} so that reloads and restarts re-read it. Started once its
 * storage is open. As a {@code @RegisterExtension} field it is closed after each test, or after all of them when
 * the field is static; otherwise close it (try-with-resources). JUnit closes extensions in reverse order of
 * declaration, so peers the server talks to (webhooks, scrape targets) are declared before it.
 */
public final class RunningServer implements AutoCloseable, BeforeAllCallback, AfterEachCallback, AfterAllCallback {
    public static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private HttpClient client;
    private Path dir;
    private Path configFile;
    private SightlineServer server;
    /** Registered on a static field: one server for the whole class. */
    private boolean perClass;

    /** Starts a server in {@code dir} with this configuration text, or the built-in defaults when it is null. */
    public RunningServer start(Path dir, String config) throws Exception {
        if (server != null) {
            throw new IllegalStateException("already started on " + this.dir);
        }
        this.dir = dir;
        configFile = null;
        if (config != null) {
            configFile = dir.resolve("sightline.yml");
            Files.writeString(configFile, config);
        }
        launch();
        client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        return this;
    }

    private void launch() throws Exception {
        SightlineConfig config = configFile == null ? SightlineConfig.defaults() : new ConfigLoader().load(configFile);
        SightlineServer started = SightlineServer.start(new SightlineServer.Settings(dir.resolve("data"), "127.0.0.1", 0,
                config, configFile));
        try {
            started.storage().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            started.close();
            throw e;
        }
        server = started;
    }

    /** Stops the server and starts a new one on the same data and configuration file (on a new port). */
    public void restart() throws Exception {
        server.close();
        server = null;
        launch();
    }

    public SightlineServer server() {
        return server;
    }

    public Tsdb storage() {
        return server.storage().join();
    }

    /** The configuration file, null when started with the defaults. */
    public Path configFile() {
        return configFile;
    }

    public int httpPort() {
        return server.httpPort();
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.httpPort() + path);
    }

    /** A request to this server's HTTP port, with a timeout, for what {@link #get} and {@link #post} do not cover. */
    public HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(uri(path)).timeout(REQUEST_TIMEOUT);
    }

    public HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> get(String path) throws Exception {
        return send(request(path));
    }

    public HttpResponse<String> post(String path, String contentType, String body) throws Exception {
        return send(request(path).header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** POST /-/reload, as Prometheus's lifecycle API. */
    public HttpResponse<String> reload() throws Exception {
        return send(request("/-/reload").POST(HttpRequest.BodyPublishers.noBody()));
    }

    /** The parsed body of a GET that must answer 200. */
    public JsonNode getJson(String path) throws Exception {
        HttpResponse<String> r = get(path);
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    /** {@code data.result} of an instant query at the current time. */
    public JsonNode query(String promql) throws Exception {
        return getJson("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)).path("data").path("result");
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        perClass = true;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (!perClass) {
            close();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
            server = null;
        }
        if (client != null) {
            client.close();
            client = null;
        }
    }
}
