package dev.sightline.server.config;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * Sightline's {@code server:} section: where the HTTP endpoints listen, and the OTLP/gRPC and OTLP/HTTP ports. The
 * --http-port flag wins over http_port. {@code external_url} (Prometheus's --web.external-url) is the address users
 * reach Sightline at, when it differs from http://host:port (a proxy): alerts' generatorURL and notifications'
 * externalURL link there.
 */
public record ServerConfig(
        @JsonProperty("listen_address") String listenAddress,
        @JsonProperty("http_port") Integer httpPort,
        @JsonProperty("otlp_grpc_port") Integer otlpGrpcPort,
        @JsonProperty("otlp_http_port") Integer otlpHttpPort,
        @JsonProperty("external_url") String externalUrl) {

    public static final int DEFAULT_HTTP_PORT = 9797;
    /** The ports OpenTelemetry SDKs send to by default; -1 turns a listener off. */
    public static final int DEFAULT_OTLP_GRPC_PORT = 4317;
    public static final int DEFAULT_OTLP_HTTP_PORT = 4318;

    public ServerConfig {
        listenAddress = listenAddress == null ? "0.0.0.0" : listenAddress;
        httpPort = httpPort == null ? DEFAULT_HTTP_PORT : httpPort;
        otlpGrpcPort = otlpGrpcPort == null ? DEFAULT_OTLP_GRPC_PORT : otlpGrpcPort;
        otlpHttpPort = otlpHttpPort == null ? DEFAULT_OTLP_HTTP_PORT : otlpHttpPort;
        if (externalUrl != null) {
            externalUrl = externalUrl.replaceAll("/+$", "");
            URI u;
            try {
                u = new URI(externalUrl);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("external_url: \"" + externalUrl + "\" is not a URL: " + e.getReason());
            }
            if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null
                    || u.getQuery() != null || u.getFragment() != null) {
                throw new IllegalArgumentException("external_url: \"" + externalUrl
                        + "\" is not an http(s)://host[:port][/path] URL");
            }
        }
        if (listenAddress.isBlank()) {
            throw new IllegalArgumentException("listen_address must not be empty");
        }
        if (httpPort < 0 || httpPort > 65_535) {
            throw new IllegalArgumentException("http_port must be between 0 and 65535, got " + httpPort);
        }
        if (otlpGrpcPort < -1 || otlpGrpcPort > 65_535) {
            throw new IllegalArgumentException("otlp_grpc_port must be between 0 and 65535, or -1 (off), got " + otlpGrpcPort);
        }
        if (otlpHttpPort < -1 || otlpHttpPort > 65_535) {
            throw new IllegalArgumentException("otlp_http_port must be between 0 and 65535, or -1 (off), got " + otlpHttpPort);
        }
    }

    public static ServerConfig defaults() {
        return new ServerConfig(null, null, null, null, null);
    }
}
