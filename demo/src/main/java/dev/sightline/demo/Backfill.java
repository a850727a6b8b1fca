package dev.sightline.demo;

import dev.sightline.demo.sim.Company;
import dev.sightline.demo.sim.MetricSink;
import dev.sightline.demo.sim.Series;
import dev.sightline.demo.sim.SignalSource;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogram;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.resource.v1.Resource;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Sends the company's history (a quiet week: no incidents) as OTLP/HTTP protobuf metrics with old timestamps, so
 * seasonal detectors have earlier days to compare with from the first minute. Counters and gauges only, one point a
 * minute; histograms start live. Resource attributes and instrumentation scope are the live SDK's, so each history
 * is the same series the live data continues. Points go out oldest first; the server stores a series' first samples in order
 * whatever their age, and the demo configuration's out-of-order window covers a backfill resumed after live data.
 */
final class Backfill implements MetricSink {
    static final Duration STEP = Duration.ofMinutes(1);
    /** Steps per request: an hour of every series, about 5,000 points. */
    private static final int STEPS_PER_REQUEST = 60;

    private final HttpClient http;
    private final URI endpoint;
    private final long startNanos;
    private final Map<Series, Long> totals = new HashMap<>();
    private final Map<Series, ExpHistogram> histogramState = new HashMap<>();
    /** Histograms observed during the current step: each gets one point at the step's end. */
    private final Set<Series> observed = new LinkedHashSet<>();
    /** service -> metric name -> metric being built, in first-seen order. */
    private final Map<String, Map<String, Metric.Builder>> pending = new TreeMap<>();
    private long stepNanos;
    /** The last step sent (the start before any). */
    private long last;
    private long points;
    private long rejected;

    private Backfill(HttpClient http, URI target, long startMillis) {
        this.http = http;
        this.endpoint = URI.create(target.toString().replaceAll("/+$", "") + "/v1/metrics");
        this.startNanos = startMillis * 1_000_000;
        this.last = startMillis;
    }

    /** What a backfill sent. */
    record Result(long points, long rejected, long fromMillis, long toMillis) {
    }

    /**
     * Sends {@code [from, to)} of {@code company} (a company on a quiet schedule) in requests of an hour each.
     * Throws when the server refuses a request as a whole.
     */
    static Result run(HttpClient http, URI target, Company company, long from, long to) throws IOException, InterruptedException {
        Backfill b = new Backfill(http, target, from);
        b.sendUntil(company, SignalSource.NONE, to, STEP.toMillis(), false);
        return new Result(b.points, b.rejected, from, to);
    }

    /** A backfill that {@link #sendUntil} continues step by step (a drill's replay), counters carrying on. */
    static Backfill open(HttpClient http, URI target, long startMillis) {
        return new Backfill(http, target, startMillis);
    }

    /**
     * Steps {@code company} and {@code signals} from where this backfill stopped to {@code to} (exclusive), {@code step}
     * apart, with the company's histograms when {@code histograms} (cumulative exponential histograms, one point per
     * step observed).
     */
    void sendUntil(Company company, SignalSource signals, long to, long step, boolean histograms)
            throws IOException, InterruptedException {
        int inBatch = 0;
        for (long t = last + step; t < to; t += step) {
            stepNanos = t * 1_000_000;
            company.step(t, step, this, histograms);
            signals.step(t, step, this);
            for (Series h : observed) {
                ExponentialHistogramDataPoint.Builder p = histogramState.get(h).point()
                        .setStartTimeUnixNano(startNanos).setTimeUnixNano(stepNanos);
                h.labels().forEach((k, v) -> p.addAttributes(attribute(k, v)));
                metric(h).getExponentialHistogramBuilder().addDataPoints(p);
                points++;
            }
            observed.clear();
            last = t;
            if (++inBatch == STEPS_PER_REQUEST) {
                flush();
                inBatch = 0;
            }
        }
        flush();
    }

    long points() {
        return points;
    }

    @Override
    public void add(Series s, long increment) {
        long total = totals.merge(s, increment, Long::sum);
        NumberDataPoint p = point(s).setStartTimeUnixNano(startNanos).setAsInt(total).build();
        metric(s).getSumBuilder().addDataPoints(p);
    }

    @Override
    public void set(Series s, double value) {
        metric(s).getGaugeBuilder().addDataPoints(point(s).setAsDouble(value).build());
    }

    @Override
    public void observe(Series s, double value) {
        histogramState.computeIfAbsent(s, k -> new ExpHistogram()).observe(value);
        observed.add(s);
    }

    /** One series' cumulative exponential histogram at a fixed scale, for values from 2^-8 to 2^24. */
    private static final class ExpHistogram {
        private static final int SCALE = 3;
        /** Bucket index i (upper bound 2^((i+1)/8)) is at counts[i + OFFSET]. */
        private static final int OFFSET = 64;
        private final long[] counts = new long[256];
        private long count;
        private long zero;
        private double sum;

        void observe(double v) {
            if (!(v >= 0)) {
                throw new IllegalArgumentException("histogram value must be zero or positive, got " + v);
            }
            count++;
            sum += v;
            if (v == 0) {
                zero++;
                return;
            }
            // Bucket i holds (base^i, base^(i+1)] with base = 2^(2^-SCALE).
            int i = (int) Math.ceil(Math.log(v) / Math.log(2) * (1 << SCALE)) - 1;
            if (i + OFFSET < 0 || i + OFFSET >= counts.length) {
                throw new IllegalArgumentException("histogram value " + v + " outside the replay's range 2^-8..2^24");
            }
            counts[i + OFFSET]++;
        }

        ExponentialHistogramDataPoint.Builder point() {
            int lo = 0;
            while (lo < counts.length && counts[lo] == 0) {
                lo++;
            }
            int hi = counts.length - 1;
            while (hi > lo && counts[hi] == 0) {
                hi--;
            }
            ExponentialHistogramDataPoint.Buckets.Builder b = ExponentialHistogramDataPoint.Buckets.newBuilder()
                    .setOffset(lo < counts.length ? lo - OFFSET : 0);
            for (int i = lo; i <= hi; i++) {
                b.addBucketCounts(counts[i]);
            }
            return ExponentialHistogramDataPoint.newBuilder().setScale(SCALE).setCount(count).setSum(sum)
                    .setZeroCount(zero).setPositive(b);
        }
    }

    private NumberDataPoint.Builder point(Series s) {
        points++;
        NumberDataPoint.Builder p = NumberDataPoint.newBuilder().setTimeUnixNano(stepNanos);
        s.labels().forEach((k, v) -> p.addAttributes(attribute(k, v)));
        return p;
    }

    private Metric.Builder metric(Series s) {
        return pending.computeIfAbsent(s.service(), k -> new LinkedHashMap<>()).computeIfAbsent(s.name(), k -> {
            Metric.Builder m = Metric.newBuilder().setName(k).setDescription(s.description());
            if (s.kind() == Series.Kind.COUNTER) {
                m.setSum(Sum.newBuilder().setIsMonotonic(true)
                        .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE));
            } else if (s.kind() == Series.Kind.HISTOGRAM) {
                m.setExponentialHistogram(ExponentialHistogram.newBuilder()
                        .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE));
            } else {
                m.setGauge(Gauge.newBuilder());
            }
            return m;
        });
    }

    private static KeyValue attribute(String key, String value) {
        return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
    }

    private void flush() throws IOException, InterruptedException {
        if (pending.isEmpty()) {
            return;
        }
        ExportMetricsServiceRequest.Builder req = ExportMetricsServiceRequest.newBuilder();
        for (var e : pending.entrySet()) {
            Resource.Builder resource = Resource.newBuilder();
            new TreeMap<>(Telemetry.resource(e.getKey())).forEach((k, v) -> resource.addAttributes(attribute(k, v)));
            List<Metric> metrics = new ArrayList<>();
            e.getValue().values().forEach(m -> metrics.add(m.build()));
            req.addResourceMetrics(ResourceMetrics.newBuilder().setResource(resource)
                    .addScopeMetrics(ScopeMetrics.newBuilder()
                            .setScope(InstrumentationScope.newBuilder().setName(Telemetry.SCOPE))
                            .addAllMetrics(metrics)));
        }
        pending.clear();
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(endpoint)
                        .header("Content-Type", "application/x-protobuf")
                        .timeout(Duration.ofSeconds(60))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(req.build().toByteArray())).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() / 100 != 2) {
            throw new IOException("backfill: " + endpoint + " answered " + r.statusCode() + ": "
                    + new String(r.body(), java.nio.charset.StandardCharsets.UTF_8));
        }
        if (r.body().length > 0) {
            ExportMetricsServiceResponse resp = ExportMetricsServiceResponse.parseFrom(r.body());
            rejected += resp.getPartialSuccess().getRejectedDataPoints();
        }
    }
}
