package dev.sightline.logs;

import dev.sightline.core.Labels;

import java.util.SplittableRandom;

/**
 * Realistic log lines for measurements: 50 streams (service, env, pod), each writing either JSON or logfmt, 150 to
 * 300 bytes a line with a timestamp, level, message, random trace id, user id, amounts, durations and sizes, as
 * application logs look. Deterministic for a seed.
 */
public final class LogLines {
    private static final String[] SERVICES = {"payment", "checkout", "cart", "auth", "search", "catalog", "shipping",
            "email", "frontend", "recommend"};
    private static final String[] MESSAGES = {"request served", "payment processed", "cache miss, loading from db",
            "upstream timeout, retrying", "user session refreshed", "order created", "inventory reserved",
            "slow query detected", "connection pool exhausted", "rate limit exceeded for client"};
    private static final String[] PATHS = {"/api/v1/orders", "/api/v1/cart/items", "/api/v1/users/me", "/healthz",
            "/api/v2/search", "/api/v1/payments"};
    private static final String[] LEVELS = {"info", "info", "info", "info", "debug", "warn", "error"};

    private final SplittableRandom r;
    private final Labels[] streams = new Labels[50];
    private final StringBuilder sb = new StringBuilder(320);

    public LogLines(long seed) {
        r = new SplittableRandom(seed);
        for (int i = 0; i < streams.length; i++) {
            streams[i] = Labels.of("service", SERVICES[i % SERVICES.length], "env", i % 3 == 0 ? "staging" : "prod",
                    "pod", SERVICES[i % SERVICES.length] + "-" + Integer.toHexString(0x5f3a1 + i * 7919));
        }
    }

    public int streamCount() {
        return streams.length;
    }

    public Labels stream(int i) {
        return streams[i];
    }

    /** A line of stream {@code s} at {@code timeMillis}: JSON for even streams, logfmt for odd ones. */
    public String line(int s, long timeMillis) {
        sb.setLength(0);
        String level = LEVELS[r.nextInt(LEVELS.length)];
        String msg = MESSAGES[r.nextInt(MESSAGES.length)];
        String path = PATHS[r.nextInt(PATHS.length)];
        String ts = java.time.Instant.ofEpochMilli(timeMillis).toString();
        if (s % 2 == 0) {
            sb.append("{\"ts\":\"").append(ts).append("\",\"level\":\"").append(level).append("\",\"msg\":\"")
                    .append(msg).append("\",\"trace_id\":\"");
            hex(16);
            sb.append("\",\"user_id\":").append(r.nextInt(100_000)).append(",\"path\":\"").append(path)
                    .append("\",\"status\":").append(r.nextInt(10) == 0 ? 500 : 200).append(",\"amount\":")
                    .append(r.nextInt(50_000) / 100.0).append(",\"duration_ms\":").append(r.nextInt(2_000))
                    .append(",\"bytes\":").append(r.nextInt(60_000)).append('}');
        } else {
            sb.append("ts=").append(ts).append(" level=").append(level).append(" caller=server.go:")
                    .append(100 + r.nextInt(400)).append(" msg=\"").append(msg).append("\" method=")
                    .append(r.nextBoolean() ? "GET" : "POST").append(" path=").append(path).append('/')
                    .append(r.nextInt(100_000)).append(" status=").append(r.nextInt(10) == 0 ? 503 : 200)
                    .append(" duration=").append(r.nextInt(3000) / 10.0).append("ms size=").append(r.nextInt(900))
                    .append("KB trace_id=");
            hex(16);
        }
        return sb.toString();
    }

    private void hex(int bytes) {
        for (int i = 0; i < bytes; i++) {
            int b = r.nextInt(256);
            sb.append(Character.forDigit(b >> 4, 16)).append(Character.forDigit(b & 15, 16));
        }
    }
}
