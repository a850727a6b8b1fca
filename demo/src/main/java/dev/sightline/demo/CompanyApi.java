package dev.sightline.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.sightline.demo.sim.Company;
import dev.sightline.demo.sim.SimClock;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The company's own HTTP surface, for the demo's journeys (examples/journeys/demo-*.yml) to walk as users do. Each
 * answer is read from the simulated company at the clock's time, so an incident shows in it:
 * <ul>
 *   <li>{@code GET /api/trading/status}: strategies running and halted, orders per second (trading-engine)</li>
 *   <li>{@code POST /api/orders/checkout}: a checkout, 200 confirmed or 502 when its payment fails
 *       (order-service, payment-service: a saturated payments pool fails it)</li>
 *   <li>{@code GET /api/rides/quote?region=R}: the surge multiplier the rider app shows (rider-app, surge-pricer)</li>
 *   <li>{@code GET /api/drivers/offers?region=R}: the multiplier the driver app offers (driver-app)</li>
 * </ul>
 * Before the company runs (the backfill) every route answers 503.
 */
final class CompanyApi {
    static final String PATH = "/api/";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SimClock clock;
    private final Supplier<Company> company;
    /** Numbers the checkouts: each draws its own payment outcome. */
    private final AtomicLong checkouts = new AtomicLong();

    CompanyApi(SimClock clock, Supplier<Company> company) {
        this.clock = clock;
        this.company = company;
    }

    void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String route = ex.getRequestURI().getPath().substring(PATH.length());
            String method = ex.getRequestMethod();
            Company c = company.get();
            boolean post = route.equals("orders/checkout");
            if (!route.equals("trading/status") && !post && !route.equals("rides/quote") && !route.equals("drivers/offers")) {
                HaltWebhook.reply(ex, 404, "no route \"" + PATH + route + "\" (routes: GET trading/status, POST orders/checkout,"
                        + " GET rides/quote?region=, GET drivers/offers?region=)\n");
                return;
            }
            if (!method.equals(post ? "POST" : "GET")) {
                HaltWebhook.reply(ex, 405, (post ? "POST " : "GET ") + PATH + route + "\n");
                return;
            }
            if (c == null) {
                HaltWebhook.reply(ex, 503, "the company is not running yet (backfilling its history)\n");
                return;
            }
            long t = clock.millis();
            ObjectNode body = JSON.createObjectNode();
            int status = 200;
            switch (route) {
                case "trading/status" -> {
                    ArrayNode strategies = body.putArray("strategies");
                    int running = 0;
                    double total = 0;
                    for (int s = 0; s < Company.STRATEGIES.size(); s++) {
                        String name = Company.STRATEGIES.get(s);
                        boolean halted = c.halted(name);
                        double rate = halted ? 0 : c.orderRate(s, t);
                        running += halted ? 0 : 1;
                        total += rate;
                        strategies.addObject().put("name", name).put("halted", halted).put("orders_per_second", rate);
                    }
                    body.put("running", running).put("orders_per_second", total);
                }
                case "orders/checkout" -> {
                    long n = checkouts.incrementAndGet();
                    // Drawn as the company's own checkouts are: a saturated pool fails a quarter of them.
                    boolean failed = c.paymentFails(t, Long.MAX_VALUE - n);
                    status = failed ? 502 : 200;
                    body.put("order", "o-" + n).put("status", failed ? "failed" : "confirmed");
                    if (failed) {
                        body.put("error", "payment failed");
                    }
                }
                default -> {
                    String region = query(ex, "region");
                    int r = Company.RIDE_REGIONS.indexOf(region);
                    if (r < 0) {
                        HaltWebhook.reply(ex, 400, "region: expected one of " + Company.RIDE_REGIONS + ", got \"" + region + "\"\n");
                        return;
                    }
                    body.put("region", region);
                    if (route.equals("rides/quote")) {
                        body.put("surge_multiplier", c.riderSurge(r, t));
                    } else {
                        body.putArray("offers").addObject().put("surge_multiplier", c.driverSurge(r, t))
                                .put("riders_waiting", Math.round(c.riderDemand(r, t)));
                    }
                }
            }
            byte[] b = body.toString().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(status, b.length);
            ex.getResponseBody().write(b);
        }
    }

    /** A query parameter's value ("" when absent). */
    private static String query(HttpExchange ex, String name) {
        String q = ex.getRequestURI().getRawQuery();
        if (q != null) {
            for (String kv : q.split("&")) {
                int eq = kv.indexOf('=');
                if (eq > 0 && kv.substring(0, eq).equals(name)) {
                    return URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
                }
            }
        }
        return "";
    }
}
