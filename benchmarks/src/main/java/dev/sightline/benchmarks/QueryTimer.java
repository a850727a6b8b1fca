package dev.sightline.benchmarks;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Query latencies over HTTP as the side-by-side benchmarks take them: GETs one after the other after a warm-up, each
 * answer checked, so a fast wrong answer counts as a failure and not as a good figure.
 */
public final class QueryTimer {
    private QueryTimer() {
    }

    /** One query: what to GET and how to judge the body of a 200 answer (null when right, else the problem). */
    public record Query(URI uri, Function<String, String> problem) {
    }

    /** Sorted latencies of the timed queries, the wrong or failed answers among them and the first one's story. */
    public record Latency(long[] sortedNanos, int failures, String firstFailure) {
        /** The q-quantile in milliseconds (nearest rank), NaN when nothing was timed. */
        public double pMs(double q) {
            return sortedNanos.length == 0 ? Double.NaN
                    : sortedNanos[Math.max(0, (int) Math.ceil(q * sortedNanos.length) - 1)] / 1e6;
        }
    }

    /**
     * Runs {@code warmup} untimed then {@code n} timed queries from {@code source}, sequentially; an answer is a
     * failure unless it is 200 and its body passes the query's check.
     */
    public static Latency run(HttpClient http, int warmup, int n, Supplier<Query> source) throws InterruptedException {
        long[] nanos = new long[n];
        int failures = 0;
        String first = null;
        for (int q = -warmup; q < n; q++) {
            Query query = source.get();
            long t = System.nanoTime();
            String problem;
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(query.uri()).timeout(Duration.ofSeconds(60))
                        .build(), HttpResponse.BodyHandlers.ofString());
                if (q >= 0) {
                    nanos[q] = System.nanoTime() - t;
                }
                problem = r.statusCode() != 200 ? "HTTP " + r.statusCode() + " " + abbreviate(r.body().strip())
                        : query.problem().apply(r.body());
            } catch (IOException | RuntimeException e) {
                problem = e.toString();
                if (q >= 0) {
                    nanos[q] = System.nanoTime() - t;
                }
            }
            if (problem != null && q >= 0) {
                failures++;
                if (first == null) {
                    first = query.uri() + ": " + problem;
                }
            }
        }
        Arrays.sort(nanos);
        return new Latency(nanos, failures, first);
    }

    /** At most 200 characters of {@code s}, for error messages. */
    public static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
