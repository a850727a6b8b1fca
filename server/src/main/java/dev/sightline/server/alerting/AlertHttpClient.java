package dev.sightline.server.alerting;

import java.net.http.HttpClient;
import java.time.Duration;

/**
 * The HTTP client that webhook receivers and external Alertmanagers share, built on first use: building a JDK
 * HttpClient loads its TLS stack (~430 classes of metaspace) and starts a selector thread, which a server that has
 * nowhere to send alerts should not pay for.
 */
final class AlertHttpClient {
    private AlertHttpClient() {
    }

    private static final class Holder {
        static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    static HttpClient get() {
        return Holder.CLIENT;
    }
}
