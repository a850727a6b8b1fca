package dev.sightline.server.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.sightline.server.http.CrossOrigin;

/**
 * {@code cors:} — the origins trusted to call from other sites, as Prometheus's {@code --web.cors.origin}: a regular
 * expression matched against the whole {@code Origin} header. Their requests get CORS headers (their preflights are
 * answered before any credential check) and their state-changing calls pass the cross-site check, on the HTTP and the
 * OTLP/HTTP listener. Unlike Prometheus (default {@code .*}), none is trusted unless set: only this server's own pages
 * and clients that are not browsers call in.
 * <pre>
 * cors:
 *   origin: 'https://grafana\.example\.com|http://localhost:3000'
 * </pre>
 */
public record CorsConfig(@JsonProperty("origin") String origin) {
    public static final CorsConfig NONE = new CorsConfig(null);

    public CorsConfig {
        CrossOrigin.of(origin);
    }

    public CrossOrigin toCrossOrigin() {
        return CrossOrigin.of(origin);
    }
}
