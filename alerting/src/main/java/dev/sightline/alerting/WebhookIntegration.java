package dev.sightline.alerting;

import dev.sightline.alerting.config.WebhookConfig;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Alertmanager's webhook notifier: POSTs the version 4 JSON payload. A connection error or a 5xx answer is retried
 * with exponential backoff, at most {@link Backoff#attempts()} times in all; a 4xx answer is final (the request
 * itself is wrong, sending it again cannot help).
 */
public final class WebhookIntegration implements Integration {
    /** Retry schedule: the first retry waits {@code initial}, each next one {@code factor} times longer, capped. */
    public record Backoff(int attempts, Duration initial, double factor, Duration max) {
        public static final Backoff DEFAULT = new Backoff(6, Duration.ofMillis(500), 2, Duration.ofSeconds(10));

        long delayMs(int retry) {
            return (long) Math.min(max.toMillis(), initial.toMillis() * Math.pow(factor, retry));
        }
    }

    /** A delivery that failed for good; {@code reason} is a short label value (client_error, server_error, connection). */
    public static final class DeliveryException extends IOException {
        private final String reason;

        DeliveryException(String reason, String message, Throwable cause) {
            super(message, cause);
            this.reason = reason;
        }

        public String reason() {
            return reason;
        }
    }

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private final WebhookConfig config;
    private final HttpClient client;
    private final Backoff backoff;
    private final String userAgent;

    public WebhookIntegration(WebhookConfig config, HttpClient client, Backoff backoff, String userAgent) {
        this.config = config;
        this.client = client;
        this.backoff = backoff;
        this.userAgent = userAgent;
    }

    @Override
    public String name() {
        return "webhook";
    }

    @Override
    public boolean sendResolved() {
        return config.sendResolved();
    }

    @Override
    public void send(Notification n) throws IOException, InterruptedException {
        byte[] body = AlertmanagerJson.MAPPER.writeValueAsBytes(n.webhookPayload(config.maxAlerts()));
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(config.url()))
                .timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .header("User-Agent", userAgent)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        String auth = config.httpConfig().authorizationHeader();
        if (auth != null) {
            b.header("Authorization", auth);
        }
        HttpRequest request = b.build();
        DeliveryException last = null;
        for (int attempt = 0; attempt < backoff.attempts(); attempt++) {
            if (attempt > 0) {
                Thread.sleep(backoff.delayMs(attempt - 1));
            }
            try {
                HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
                int code = r.statusCode();
                if (code / 100 == 2) {
                    return;
                }
                String msg = "webhook " + config.redactedUrl() + " answered " + code + ": " + abbreviate(r.body());
                if (code / 100 != 5) {
                    throw new DeliveryException("client_error", msg, null);
                }
                last = new DeliveryException("server_error", msg, null);
            } catch (DeliveryException e) {
                throw e;
            } catch (IOException e) {
                last = new DeliveryException("connection", "webhook " + config.redactedUrl() + ": " + e, e);
            }
        }
        throw last;
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
