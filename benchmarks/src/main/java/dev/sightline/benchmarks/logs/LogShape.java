package dev.sightline.benchmarks.logs;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Realistic application log lines for the logs benchmark: 50 streams ({@code service} x {@code env}, prod busiest),
 * half the services logging JSON and half logfmt, 150-300 bytes per line with the fields people search by (level,
 * msg, duration_ms, status, method, path, user_id, trace_id, amount for the money services, and a few optional ones).
 * About 4% of the lines (warnings and errors) say "timeout". Line i's timestamp is
 * {@code start + i * span / lines} plus a jitter below the spacing, so every stream is in time order.
 *
 * <p>Lines come in chunks of consecutive indices, each chunk drawn from its own seed: chunks can be built in parallel
 * and the raw Lucene reference and the push requests see exactly the same lines.
 */
public final class LogShape {
    public static final String[] SERVICES = {"frontend", "checkout", "payment", "cart", "inventory", "shipping", "auth",
            "search", "recommendation", "notification"};
    public static final String[] ENVS = {"prod", "staging", "canary", "qa", "dev"};
    public static final int STREAMS = SERVICES.length * ENVS.length;
    public static final String[] LEVELS = {"debug", "info", "warn", "error"};
    public static final String TIMEOUT = "timeout";
    public static final int MIN_BYTES = 150, MAX_BYTES = 300;

    private static final double[] SERVICE_WEIGHT = {20, 12, 10, 10, 9, 8, 9, 9, 7, 6};
    private static final double[] ENV_WEIGHT = {55, 15, 10, 10, 10};
    private static final double[] LEVEL_WEIGHT = {15, 70, 10, 5};
    private static final String[] METHODS = {"GET", "GET", "GET", "POST", "POST", "PUT", "DELETE"};
    private static final String[] RESOURCES = {"orders", "payments", "carts", "items", "users", "sessions", "shipments",
            "products", "reviews", "invoices"};
    private static final String[] INFO = {"request completed", "order placed", "payment authorized", "cart updated",
            "item reserved", "user logged in", "cache refreshed", "shipment label created", "search served",
            "email queued"};
    private static final String[] DEBUG = {"cache lookup", "db query executed", "feature flag evaluated",
            "connection reused from pool", "retry budget checked"};
    private static final String[] WARN = {"slow response from upstream", "retrying request", "rate limit approaching",
            "deprecated api version used", "upstream timeout, retrying"};
    private static final String[] ERROR = {"request failed", "payment declined by issuer", "db query timeout",
            "connection refused by upstream", "context deadline exceeded (timeout)"};
    private static final String[] REGIONS = {"eu-west-1", "eu-central-1", "us-east-1", "us-west-2", "ap-south-1"};
    private static final String[] AGENTS = {"Mozilla/5.0 (X11; Linux x86_64)", "okhttp/4.12.0", "curl/8.5.0",
            "Go-http-client/2.0", "python-requests/2.31.0"};
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final int OPTIONAL = 7;
    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", java.util.Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    /** One line: its stream (index into {@link #labels}), timestamp in ns since the epoch, level index and text. */
    public record Line(int stream, long timestampNanos, int level, String text) {
        public String levelName() {
            return LEVELS[level];
        }
    }

    private final long seed, lines, startNanos, spacingNanos;

    /** {@code lines} lines over [startNanos, startNanos + spanNanos), drawn from {@code seed}. */
    public LogShape(long seed, long lines, long startNanos, long spanNanos) {
        if (lines <= 0 || spanNanos < lines) {
            throw new IllegalArgumentException("need lines > 0 and at least 1 ns per line, got " + lines + " lines over "
                    + spanNanos + " ns");
        }
        this.seed = seed;
        this.lines = lines;
        this.startNanos = startNanos;
        this.spacingNanos = spanNanos / lines;
    }

    public long lines() {
        return lines;
    }

    /** Chunks of {@code chunkSize} lines (the last one shorter). */
    public int chunks(int chunkSize) {
        return (int) ((lines + chunkSize - 1) / chunkSize);
    }

    /** Stream labels in Loki's selector syntax, e.g. {@code {service="checkout", env="prod"}}. */
    public static String labels(int stream) {
        return "{service=\"" + service(stream) + "\", env=\"" + ENVS[stream % ENVS.length] + "\"}";
    }

    public static String service(int stream) {
        return SERVICES[stream / ENVS.length];
    }

    /** Lines [chunk * chunkSize, ...) in index (so time) order. */
    public List<Line> chunk(int chunk, int chunkSize) {
        long from = (long) chunk * chunkSize, to = Math.min(lines, from + chunkSize);
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + chunk);
        List<Line> out = new ArrayList<>((int) (to - from));
        StringBuilder sb = new StringBuilder(MAX_BYTES + 64);
        for (long i = from; i < to; i++) {
            int service = pick(r, SERVICE_WEIGHT), stream = service * ENVS.length + pick(r, ENV_WEIGHT);
            int level = pick(r, LEVEL_WEIGHT);
            long ts = startNanos + i * spacingNanos + r.nextLong(spacingNanos);
            out.add(new Line(stream, ts, level, line(r, sb, service, level, ts, (service & 1) == 0)));
        }
        return out;
    }

    private static String line(SplittableRandom r, StringBuilder sb, int service, int level, long ts, boolean json) {
        sb.setLength(0);
        Fields f = new Fields(sb, json);
        f.string("ts", TS.format(Instant.ofEpochSecond(0, ts)));
        f.string("level", LEVELS[level]);
        String[] messages = switch (level) {
            case 0 -> DEBUG;
            case 1 -> INFO;
            case 2 -> WARN;
            default -> ERROR;
        };
        f.string("msg", messages[r.nextInt(messages.length)]);
        int status = level == 3 ? (r.nextInt(4) == 0 ? 400 + r.nextInt(30) : 500 + r.nextInt(5))
                : level == 2 && r.nextBoolean() ? 429 : r.nextInt(20) == 0 ? 201 : 200;
        // Log-normal-ish: most calls take tens of ms, a few take seconds.
        long duration = Math.round(Math.exp(3 + 1.3 * r.nextDouble() * 3 * r.nextDouble()));
        f.number("duration_ms", Long.toString(level >= 2 ? duration * 10 : duration));
        f.number("status", Integer.toString(status));
        f.string("method", METHODS[r.nextInt(METHODS.length)]);
        f.string("path", "/api/v1/" + RESOURCES[r.nextInt(RESOURCES.length)] + "/" + r.nextInt(1_000_000));
        if (service == 1 || service == 2) {
            f.number("amount", (r.nextInt(50_000) / 100.0) + "");
        }
        int target = MIN_BYTES + r.nextInt(MAX_BYTES - MIN_BYTES + 1);
        int first = r.nextInt(OPTIONAL);
        for (int k = 0; k < OPTIONAL && sb.length() + (json ? 1 : 0) < target; k++) {
            int mark = sb.length();
            optional(f, r, (first + k) % OPTIONAL);
            if (sb.length() + (json ? 1 : 0) > MAX_BYTES) {
                sb.setLength(mark); // this field would make the line too long: leave it out
            }
        }
        if (json) {
            sb.append('}');
        }
        return sb.toString();
    }

    private static void optional(Fields f, SplittableRandom r, int which) {
        switch (which) {
            case 0 -> f.string("trace_id", hex(r, 32));
            case 1 -> f.string("span_id", hex(r, 16));
            case 2 -> f.string("user_id", "u-" + (100_000 + r.nextInt(900_000)));
            case 3 -> f.string("client_ip", "10." + r.nextInt(256) + "." + r.nextInt(256) + "." + r.nextInt(256));
            case 4 -> f.string("region", REGIONS[r.nextInt(REGIONS.length)]);
            case 5 -> f.number("bytes", Integer.toString(200 + r.nextInt(200_000)));
            default -> f.string("user_agent", AGENTS[r.nextInt(AGENTS.length)]);
        }
    }

    /** Appends key/value pairs as a JSON object's members or as logfmt. */
    private record Fields(StringBuilder sb, boolean json) {
        void string(String key, String value) {
            separator();
            if (json) {
                sb.append('"').append(key).append("\":\"").append(value).append('"');
            } else {
                sb.append(key).append('=');
                if (value.indexOf(' ') >= 0 || value.indexOf('=') >= 0) {
                    sb.append('"').append(value).append('"');
                } else {
                    sb.append(value);
                }
            }
        }

        void number(String key, String value) {
            separator();
            if (json) {
                sb.append('"').append(key).append("\":").append(value);
            } else {
                sb.append(key).append('=').append(value);
            }
        }

        private void separator() {
            if (sb.isEmpty()) {
                if (json) {
                    sb.append('{');
                }
            } else {
                sb.append(json ? ',' : ' ');
            }
        }
    }

    private static String hex(SplittableRandom r, int n) {
        char[] c = new char[n];
        for (int i = 0; i < n; i++) {
            c[i] = HEX[r.nextInt(16)];
        }
        return new String(c);
    }

    private static int pick(SplittableRandom r, double[] weights) {
        double total = 0;
        for (double w : weights) {
            total += w;
        }
        double x = r.nextDouble() * total;
        for (int i = 0; i < weights.length - 1; i++) {
            x -= weights[i];
            if (x < 0) {
                return i;
            }
        }
        return weights.length - 1;
    }
}
