package dev.sightline.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sightline.demo.sim.Company;
import dev.sightline.demo.sim.Noise;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A sample of the company's requests as real traces and logs: each call crosses services the way HTTP does, the
 * caller injecting a W3C {@code traceparent} header into the request and the callee extracting it with its own SDK,
 * and every service logs one JSON line per request with the trace and span ids. Spans carry the simulated times
 * (start and end set explicitly), so the same code can run on an accelerated clock.
 */
final class Traffic {
    /** Traces per flow and tick at most: enough to explore, not a load test. */
    private static final int MAX_TRACES_PER_TICK = 2;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TextMapGetter<Map<String, String>> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    private final Telemetry telemetry;
    private final Company company;
    private final Noise noise;

    Traffic(Telemetry telemetry, Company company, long seed) {
        this.telemetry = telemetry;
        this.company = company;
        this.noise = new Noise(seed ^ 0x7472616666L);
    }

    /** Traces and logs for the tick ending at {@code t}. */
    void tick(long t, long dtMillis) {
        long tick = Math.floorDiv(t, dtMillis);
        long start = t - dtMillis;
        int checkouts = (int) Math.min(MAX_TRACES_PER_TICK, noise.poisson(company.checkoutRate(t) * dtMillis / 1000.0 / 5, 1, tick));
        for (int i = 0; i < checkouts; i++) {
            checkout(start + (long) (noise.uniform(2, tick * 8 + i) * dtMillis), tick * 8 + i);
        }
        for (int s = 0; s < Company.STRATEGIES.size(); s++) {
            if (noise.uniform(3 + s, tick) < Math.min(1, company.orderRate(s, t) / 20)) {
                placeOrder(start + (long) (noise.uniform(4, tick) * dtMillis), s, tick);
            }
        }
        for (int r = 0; r < Company.RIDE_REGIONS.size(); r++) {
            if (noise.uniform(10 + r, tick) < 0.5) {
                quote(start + (long) (noise.uniform(20 + r, tick) * dtMillis), r, tick);
            }
        }
    }

    private void checkout(long t0, long index) {
        OpenTelemetry orders = telemetry.sdk(Company.ORDERS);
        Span server = orders.getTracer("order-service").spanBuilder("POST /checkout").setSpanKind(SpanKind.SERVER)
                .setNoParent().setStartTimestamp(t0, TimeUnit.MILLISECONDS)
                .setAttribute("http.request.method", "POST").setAttribute("http.route", "/checkout").startSpan();
        Context ctx = Context.root().with(server);
        long t = t0 + 2;
        // Product lookup in the regional cache.
        String region = Company.CACHE_REGIONS.get((int) (index % Company.CACHE_REGIONS.size()));
        t = call(orders, ctx, Company.CACHE, "GET /products/{id}", t, 3, false, Map.of("cache.region", region));
        double paySeconds = company.paymentSeconds(t, index);
        boolean failed = company.paymentFails(t, index);
        long payMillis = Math.round(paySeconds * 1000);
        t = call(orders, ctx, Company.PAYMENTS, "POST /payments", t, payMillis, failed, Map.of());
        if (failed) {
            server.setStatus(StatusCode.ERROR, "payment failed");
        }
        server.setAttribute("http.response.status_code", failed ? 502 : 200);
        long end = t + 3;
        log(orders, Context.root().with(server), end, failed ? Severity.ERROR : Severity.INFO, "checkout",
                "status", failed ? "failed" : "ok", "amount", Math.round(20 + 180 * noise.uniform(5, index)),
                "duration_ms", end - t0);
        server.end(end, TimeUnit.MILLISECONDS);
    }

    /**
     * A call from {@code caller} to {@code service}: a CLIENT span in the caller, the traceparent header carried
     * over, a SERVER span in the callee under the extracted context. Returns when the call returned.
     */
    private long call(OpenTelemetry caller, Context parent, String service, String route, long t0, long millis,
                      boolean failed, Map<String, String> attributes) {
        Span client = caller.getTracer("client").spanBuilder(route).setSpanKind(SpanKind.CLIENT).setParent(parent)
                .setStartTimestamp(t0, TimeUnit.MILLISECONDS).setAttribute("peer.service", service).startSpan();
        Map<String, String> headers = new HashMap<>();
        caller.getPropagators().getTextMapPropagator().inject(parent.with(client), headers, Map::put);

        OpenTelemetry callee = telemetry.sdk(service);
        Context remote = callee.getPropagators().getTextMapPropagator().extract(Context.root(), headers, HEADERS);
        Span server = callee.getTracer(service).spanBuilder(route).setSpanKind(SpanKind.SERVER).setParent(remote)
                .setStartTimestamp(t0 + 1, TimeUnit.MILLISECONDS).setAttribute("http.route", route).startSpan();
        attributes.forEach(server::setAttribute);
        long end = t0 + 1 + millis;
        if (service.equals(Company.PAYMENTS)) {
            // The database call, with the wait for a pool connection inside it.
            Span db = callee.getTracer(service).spanBuilder("SELECT payments").setSpanKind(SpanKind.CLIENT)
                    .setParent(remote.with(server)).setStartTimestamp(t0 + 2, TimeUnit.MILLISECONDS)
                    .setAttribute("db.system.name", "postgresql").setAttribute("db.client.connection.pool.name", "payments-db")
                    .startSpan();
            if (failed) {
                db.setStatus(StatusCode.ERROR, "timed out waiting for a connection");
            }
            db.end(end - 1, TimeUnit.MILLISECONDS);
            log(callee, remote.with(server), end, failed ? Severity.ERROR : Severity.INFO,
                    failed ? "payment_failed" : "payment_processed", "pool", "payments-db",
                    "error", failed ? "timed out waiting for a connection from pool payments-db" : "",
                    "duration_ms", millis);
        } else {
            // Every callee logs the request it served, in its span's context (the product cache, the pricer).
            log(callee, remote.with(server), end, failed ? Severity.ERROR : Severity.INFO, "request_served",
                    "route", route, "duration_ms", millis);
        }
        if (failed) {
            server.setStatus(StatusCode.ERROR, "upstream failure");
            client.setStatus(StatusCode.ERROR);
        }
        server.end(end, TimeUnit.MILLISECONDS);
        client.end(end + 1, TimeUnit.MILLISECONDS);
        return end + 1;
    }

    private void placeOrder(long t0, int strategy, long tick) {
        OpenTelemetry trading = telemetry.sdk(Company.TRADING);
        String name = Company.STRATEGIES.get(strategy);
        String symbol = Company.SYMBOLS.get((int) (tick % Company.SYMBOLS.size()));
        Span span = trading.getTracer("trading-engine").spanBuilder("place_order").setSpanKind(SpanKind.SERVER)
                .setNoParent().setStartTimestamp(t0, TimeUnit.MILLISECONDS)
                .setAttribute("order.strategy", name).setAttribute("order.symbol", symbol)
                .setAttribute("order.side", tick % 2 == 0 ? "buy" : "sell").startSpan();
        Context ctx = Context.root().with(span);
        Span submit = trading.getTracer("trading-engine").spanBuilder("exchange.submit").setSpanKind(SpanKind.CLIENT)
                .setParent(ctx).setStartTimestamp(t0 + 1, TimeUnit.MILLISECONDS).setAttribute("peer.service", "exchange")
                .startSpan();
        submit.end(t0 + 4, TimeUnit.MILLISECONDS);
        log(trading, ctx, t0 + 5, Severity.INFO, "order_placed", "strategy", name, "symbol", symbol,
                "orders_per_second", Math.round(company.orderRate(strategy, t0) * 10) / 10.0);
        span.end(t0 + 5, TimeUnit.MILLISECONDS);
    }

    private void quote(long t0, int region, long tick) {
        OpenTelemetry rider = telemetry.sdk(Company.RIDER_APP);
        String name = Company.RIDE_REGIONS.get(region);
        Span span = rider.getTracer("rider-app").spanBuilder("request ride").setSpanKind(SpanKind.INTERNAL)
                .setNoParent().setStartTimestamp(t0, TimeUnit.MILLISECONDS).setAttribute("ride.region", name).startSpan();
        Context ctx = Context.root().with(span);
        long end = call(rider, ctx, Company.PRICER, "GET /quote", t0 + 1, 12, false, Map.of("ride.region", name));
        double surge = company.surgeFor(region, t0, tick * 1_000 + 999);
        span.setAttribute("ride.surge_multiplier", surge);
        log(rider, ctx, end, Severity.INFO, "ride_quoted", "region", name, "surge_multiplier", surge);
        span.end(end + 1, TimeUnit.MILLISECONDS);
        OpenTelemetry driver = telemetry.sdk(Company.DRIVER_APP);
        Span offer = driver.getTracer("driver-app").spanBuilder("poll offers").setSpanKind(SpanKind.INTERNAL)
                .setNoParent().setStartTimestamp(t0 + 3, TimeUnit.MILLISECONDS).setAttribute("ride.region", name).startSpan();
        Context offerCtx = Context.root().with(offer);
        long offerEnd = call(driver, offerCtx, Company.PRICER, "GET /offers", t0 + 4, 8, false,
                Map.of("ride.region", name));
        double offered = company.driverSurge(region, t0);
        offer.setAttribute("ride.surge_multiplier", offered);
        log(driver, offerCtx, offerEnd, Severity.INFO, "offers_polled", "region", name, "surge_multiplier", offered);
        offer.end(offerEnd + 1, TimeUnit.MILLISECONDS);
    }

    /** One structured log line (a JSON body) in the span's context, so it carries the trace and span ids. */
    private static void log(OpenTelemetry sdk, Context ctx, long t, Severity severity, String event, Object... kv) {
        ObjectNode body = JSON.createObjectNode();
        body.put("event", event);
        Span span = Span.fromContext(ctx);
        body.put("trace_id", span.getSpanContext().getTraceId());
        body.put("span_id", span.getSpanContext().getSpanId());
        for (int i = 0; i < kv.length; i += 2) {
            body.putPOJO((String) kv[i], kv[i + 1]);
        }
        sdk.getLogsBridge().get(Telemetry.SCOPE).logRecordBuilder()
                .setTimestamp(t, TimeUnit.MILLISECONDS).setContext(ctx).setSeverity(severity)
                .setSeverityText(severity.name()).setBody(body.toString()).emit();
    }
}
