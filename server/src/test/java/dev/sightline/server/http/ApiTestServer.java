package dev.sightline.server.http;

import dev.sightline.server.BuildInfo;
import dev.sightline.server.selfmetrics.SelfMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * The HTTP API without a {@code SightlineServer}, for endpoint tests: register the endpoints under test on
 * {@link #api}, then {@link #listen()} serves them on a free port of 127.0.0.1. As a {@code @RegisterExtension}
 * field it is closed after each test.
 */
public final class ApiTestServer implements AutoCloseable, AfterEachCallback {
    public final Vertx vertx = Vertx.vertx();
    public final SelfMetrics metrics = new SelfMetrics(BuildInfo.current());
    public final HttpApi api;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private HttpServer http;

    public ApiTestServer() {
        this(() -> true);
    }

    public ApiTestServer(BooleanSupplier ready) {
        api = new HttpApi(vertx, metrics, BuildInfo.current(), ready);
    }

    public ApiTestServer listen() throws Exception {
        return listen(h -> h);
    }

    /** Serves the routes through what {@code around} wraps them in (as the server wraps them in its checks). */
    public ApiTestServer listen(java.util.function.UnaryOperator<io.vertx.core.Handler<io.vertx.core.http.HttpServerRequest>> around)
            throws Exception {
        http = vertx.createHttpServer(HttpApi.serverOptions()).requestHandler(around.apply(api.router())).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return this;
    }

    public int port() {
        return http.actualPort();
    }

    /** A request to {@code path}, with a timeout. */
    public HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.actualPort() + path)).timeout(Duration.ofSeconds(10));
    }

    public HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return send(request, HttpResponse.BodyHandlers.ofString());
    }

    public <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> body) throws Exception {
        return client.send(request.build(), body);
    }

    public HttpResponse<String> get(String path) throws Exception {
        return send(request(path));
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        close();
    }

    @Override
    public void close() throws IOException {
        client.close();
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while closing Vert.x", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("closing Vert.x", e);
        }
    }
}
