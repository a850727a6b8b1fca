package dev.sightline.server.services;

import dev.sightline.core.Labels;
import dev.sightline.metricstore.Appender;
import dev.sightline.server.RunningServer;
import dev.sightline.server.ui.Browser;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * /services and /services/&lt;name&gt; in headless Chromium against a running server holding {@link ServiceData},
 * and the viz panel modules (anomaly, scatter, logs, traces) rendered in the page against the same server's data.
 */
class ServicesBrowserIT {
    private static final String HEATMAP = "article[data-type=heatmap]";
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

    @TempDir
    static Path dataDir;

    @RegisterExtension
    static final RunningServer server = new RunningServer();
    @RegisterExtension
    final Browser ui = new Browser();

    static long now;

    @BeforeAll
    static void start() throws Exception {
        server.start(dataDir, null);
        now = System.currentTimeMillis();
        ServiceData.write(server.storage().appender(), now);
        Appender app = server.storage().appender();
        for (int i = 0; i <= ServiceData.STEPS; i++) {
            long t = now - (ServiceData.STEPS - i) * ServiceData.STEP_MS;
            // A flat order rate with one spike 4 steps before the end: the anomaly panel's marked point.
            app.append(0, Labels.of("__name__", "orders_rate", "strategy", "mm-1"), t, i == ServiceData.STEPS - 4 ? 60 : 10 + i % 2);
            // Surge multipliers of seed case 3 in classic buckets: 1.2x mostly, and 10x for 2 rides per 15 s in eu.
            double[] le = {1, 1.2, 1.5, 2, 3, 5, 10, 20, 50, 100};
            for (int b = 0; b < le.length; b++) {
                double cumulative = (le[b] >= 1.2 ? 100.0 * i : 0) + (le[b] >= 10 ? 2.0 * i : 0);
                app.append(0, Labels.of("__name__", "surge_multiplier_full_bucket", "region", "eu", "le", Double.toString(le[b])), t, cumulative);
            }
            app.append(0, Labels.of("__name__", "surge_multiplier_full_bucket", "region", "eu", "le", "+Inf"), t, 102.0 * i);
            for (String region : List.of("eu", "us")) {
                app.append(0, Labels.of("__name__", "rider_surge_multiplier", "region", region), t, 1 + i * 0.01);
                app.append(0, Labels.of("__name__", "driver_surge_multiplier", "region", region), t, 1 + i * 0.005);
            }
        }
        app.commit();
        long ns = now * 1_000_000L;
        assertThat(server.post("/loki/api/v1/push", "application/json", """
                {"streams": [{"stream": {"service_name": "checkout"}, "values": [["%d", "payment failed trace_id=%s"]]}]}"""
                .formatted(ns - 60_000_000_000L, TRACE_ID)).statusCode()).isEqualTo(204);
        assertThat(server.post("/api/v2/spans", "application/json", """
                [{"traceId": "%s", "id": "a3ce929d0e0e4736", "name": "GET /cart", "kind": "SERVER", "timestamp": %d,
                  "duration": 250000, "localEndpoint": {"serviceName": "frontend"}}]"""
                .formatted(TRACE_ID, (now - 120_000) * 1000)).statusCode()).isEqualTo(202);
    }

    @Test
    void theServiceListShowsEveryServiceWithItsHealth() throws Exception {
        ui.open(server.uri("/services"));
        ui.waiting().until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#services tbody tr")));
        Map<String, String> health = new HashMap<>();
        for (WebElement row : ui.driver().findElements(By.cssSelector("#services tbody tr"))) {
            health.put(row.getAttribute("data-service"), row.findElement(By.cssSelector(".health")).getText());
        }
        // (frontend, from the span another test sends, may be listed too once the metrics generator has collected it.)
        assertThat(health).containsAllEntriesOf(Map.of("batch", "warn", "checkout", "ok", "payments", "bad", "web", "warn"));
        ui.screenshot("services.png");
        assertThat(ui.severe()).isEmpty();

        // The name links to the service's page, by keyboard too.
        WebElement link = ui.driver().findElement(By.linkText("checkout"));
        link.sendKeys(Keys.ENTER);
        ui.waiting().until(ExpectedConditions.urlContains("/services/checkout"));
    }

    @Test
    void theGeneratedDashboardDrawsAndItsHeatmapShowsTheOutlierBucket() throws Exception {
        ui.open(server.uri("/services/checkout"));
        ui.waiting().until(d -> (Boolean) ui.script("return performance.getEntriesByName('sightline:panels-drawn').length > 0"));
        assertThat(ui.driver().findElements(By.cssSelector(".panel-error"))).isEmpty();
        assertThat(ui.driver().findElements(By.cssSelector("article.panel"))).hasSize(7);
        // Both buckets are rows; the 10x outliers' row (0.25, 0.5] has painted cells though p99 stays in the fast one.
        String rows = (String) ui.script("return document.querySelector('article[data-type=heatmap] canvas').dataset.rows");
        assertThat(rows).isEqualTo("[\"(31.3 ms, 62.5 ms]\",\"(250 ms, 500 ms]\"]");
        assertThat(rowPixels(HEATMAP, 1)).isGreaterThan(100L);
        assertThat(rowPixels(HEATMAP, 0)).isGreaterThan(100L);
        String p99 = ui.driver().findElements(By.cssSelector("article[data-type=stat] .stat")).get(2).getText();
        assertThat(p99).endsWith("ms");
        ui.screenshot("service-checkout.png");
        ui.script("document.querySelector('article[data-type=heatmap]').scrollIntoView()");
        ui.screenshot("service-checkout-heatmap.png");
        assertThat(ui.severe()).isEmpty();
    }

    @Test
    void theHeatmapTooltipNamesTheBucketAndCount() {
        ui.open(server.uri("/services/checkout"));
        ui.waiting().until(d -> (Boolean) ui.script("return performance.getEntriesByName('sightline:panels-drawn').length > 0"));
        // Hover the middle of the outlier row, a few columns from the end.
        ui.script("""
                const c = document.querySelector('article[data-type=heatmap] canvas');
                const p = JSON.parse(c.dataset.plot), b = c.getBoundingClientRect();
                c.dispatchEvent(new MouseEvent('mousemove', {clientX: b.left + p.left + p.width - 30,
                  clientY: b.top + p.top + p.rowHeight / 2}));""");
        String tip = (String) ui.script("return document.querySelector('article[data-type=heatmap] .plot-tooltip').textContent");
        assertThat(tip).startsWith("(250 ms, 500 ms]: ");
        // One outlier per 15 s: a rate of 0.0667/s.
        assertThat(tip).contains("66.7m at ");

        // From the keyboard: focus starts on the newest step's top bucket, the down arrow moves to the one below.
        WebElement canvas = ui.driver().findElement(By.cssSelector(HEATMAP + " canvas"));
        canvas.sendKeys(Keys.ARROW_DOWN);
        assertThat(ui.script("return document.activeElement.tagName")).isEqualTo("CANVAS");
        assertThat((String) ui.script("return document.querySelector('" + HEATMAP + " .plot-tooltip').textContent"))
                .startsWith("(31.3 ms, 62.5 ms]: ");
    }

    @Test
    void anUnknownServiceSaysSo() {
        ui.open(server.uri("/services/nosuch"));
        ui.waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("error")));
        assertThat(ui.driver().findElement(By.id("error")).getText())
                .isEqualTo("not_found: no service \"nosuch\" in span metrics or HTTP server metrics");
        // The only console error is Chromium's note of the 404 itself.
        assertThat(ui.severe()).allSatisfy(e -> assertThat(e.getMessage()).contains("/api/v1/services/nosuch/dashboard").contains("404"));
    }

    @Test
    void theDarkThemeGivesTheDarkServicePage() throws Exception {
        ui.driver().executeCdpCommand("Emulation.setEmulatedMedia",
                Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", "dark"))));
        ui.open(server.uri("/services/checkout"));
        ui.waiting().until(d -> (Boolean) ui.script("return performance.getEntriesByName('sightline:panels-drawn').length > 0"));
        assertThat(ui.script("return getComputedStyle(document.body).backgroundColor")).isEqualTo("rgb(20, 24, 29)");
        // The heatmap's cells take the dark theme's heat colour (#ff922b), read from the CSS variable; within 2 per
        // channel, since the last bit of a drawn cell varies by machine.
        String rgb = (String) ui.script("""
                const c = document.querySelector(arguments[0] + ' canvas'), p = JSON.parse(c.dataset.plot);
                const d = c.getContext('2d').getImageData(Math.round((p.left + p.width - 3) * devicePixelRatio),
                    Math.round((p.top + p.rowHeight * 1.5) * devicePixelRatio), 1, 1).data;
                return [d[0], d[1], d[2]].join(',');""", HEATMAP);
        int[] heat = java.util.Arrays.stream(rgb.split(",")).mapToInt(Integer::parseInt).toArray();
        assertThat(heat[0]).as(rgb).isCloseTo(255, within(2));
        assertThat(heat[1]).as(rgb).isCloseTo(146, within(2));
        assertThat(heat[2]).as(rgb).isCloseTo(43, within(2));
        ui.script("document.querySelector('" + HEATMAP + "').scrollIntoView()");
        ui.screenshot("service-checkout-dark.png");
        assertThat(ui.severe()).isEmpty();
    }

    @Test
    void theOtherPanelModulesDrawServerData() throws Exception {
        ui.open(server.uri("/services"));
        long end = now / 1000, start = end - 600;
        Object out = ui.driver().executeAsyncScript("""
                const [start, end, done] = arguments;
                const ctx = {start, end, step: 15, vars: {}, interpolate: (e) => e};
                const box = (id) => { const d = document.createElement('div'); d.id = id; d.style.width = '800px'; document.body.append(d); return d; };
                const load = (n) => import('/ui/panels/' + n + '.js');
                (async () => {
                  await (await load('anomaly')).render(box('anomaly'), {targets: [{expr: 'orders_rate'}],
                    options: {function: 'zscore', window: '5m', threshold: 3}}, ctx);
                  await (await load('scatter')).render(box('scatter'), {targets: [{expr: 'rider_surge_multiplier'},
                    {expr: 'driver_surge_multiplier'}]}, ctx);
                  await (await load('scatter')).render(box('scatter-time'), {targets: [{expr: 'rider_surge_multiplier{region="eu"}'}]}, ctx);
                  await (await load('logs')).render(box('logs'), {targets: [{expr: '{service_name="checkout"}'}]}, ctx);
                  await (await load('traces')).render(box('traces'), {targets: [], options: {service: 'frontend'}}, ctx);
                  await (await load('traces')).render(box('traceql'), {targets: [{expr: '{ resource.service.name = "frontend" && duration > 200ms }'}]}, ctx);
                  await (await load('anomaly')).render(box('seasonal'), {targets: [{expr: 'orders_rate'}],
                    options: {window: '10m', season: '1m', threshold: 3}}, ctx);
                  done({anomalies: document.getElementById('anomaly').dataset.anomalies,
                        points: document.querySelector('#scatter canvas').dataset.points,
                        timePoints: document.querySelector('#scatter-time canvas').dataset.points,
                        log: document.querySelector('#logs .log-line').textContent,
                        logTrace: document.querySelector('#logs a.log-trace').getAttribute('href'),
                        trace: document.querySelector('#traces tbody a').getAttribute('href'),
                        traceql: document.querySelector('#traceql tbody a').getAttribute('href'),
                        seasonal: document.getElementById('seasonal').dataset.anomalies});
                })().catch((e) => done({error: String(e)}));""", start, end);
        @SuppressWarnings("unchecked")
        Map<String, Object> r = (Map<String, Object>) out;
        assertThat(r).doesNotContainKey("error");
        // The spike is the one point the z-score flags.
        assertThat(r.get("anomalies")).isEqualTo("1");
        // Two regions joined on labels, one point per step each.
        assertThat(Integer.parseInt((String) r.get("points"))).isGreaterThanOrEqualTo(2 * 40);
        // One target: x is time, a point per step of the one series.
        assertThat(Integer.parseInt((String) r.get("timePoints"))).isBetween(40, 41);
        assertThat(r.get("log")).isEqualTo("payment failed trace_id=" + TRACE_ID);
        assertThat(r.get("logTrace")).isEqualTo("/traces/" + TRACE_ID);
        assertThat(r.get("trace")).isEqualTo("/traces/" + TRACE_ID);
        assertThat(r.get("traceql")).isEqualTo("/traces/" + TRACE_ID);
        // The seasonal band (1-minute season: the ten minutes hold 9 earlier same-phase points, 5 needed) leaves the spike outside.
        assertThat(Integer.parseInt((String) r.get("seasonal"))).isGreaterThanOrEqualTo(1);
        assertThat(ui.paintedPixels("#anomaly")).isGreaterThan(100L);
        ui.screenshot("viz-panels.png");
        assertThat(ui.severe()).isEmpty();
    }

    @Test
    void theHeatmapShowsThe10xRidesFromClassicBuckets() throws Exception {
        // Seed case 3 as a classic histogram (examples/dashboards/surge.yml draws the demo's native one).
        String panel = """
                {"title": "Surge multiplier, every bucket", "type": "heatmap", "options": {"unit": "x"},
                 "targets": [{"expr": "sum by (le) (rate(surge_multiplier_full_bucket{region=~\\"$region\\"}[5m]))"}]}""";
        ui.open(server.uri("/services"));
        long end = now / 1000;
        Object rows = ui.driver().executeAsyncScript("""
                const [panel, start, end, done] = arguments;
                const ctx = {start, end, step: 15, vars: {region: ['eu']}, interpolate: (e) => e.replaceAll('$region', 'eu')};
                const el = document.createElement('div');
                el.id = 'surge';
                el.style.width = '800px';
                document.body.append(el);
                import('/ui/panels/heatmap.js').then((m) => m.render(el, JSON.parse(panel), ctx))
                  .then(() => done(el.querySelector('canvas')?.dataset.rows ?? el.textContent), (e) => done(String(e)));""", panel, end - 600, end);
        // Every classic bucket is a row, de-cumulated: (5, 10] holds the 10x rides, so it is painted.
        assertThat(rows).isEqualTo("[\"≤ 1x\",\"(1x, 1.2x]\",\"(1.2x, 1.5x]\",\"(1.5x, 2x]\",\"(2x, 3x]\",\"(3x, 5x]\","
                + "\"(5x, 10x]\",\"(10x, 20x]\",\"(20x, 50x]\",\"(50x, 100x]\",\"> 100x\"]");
        assertThat(rowPixels("#surge", 6)).isGreaterThan(100L);
        assertThat(rowPixels("#surge", 1)).isGreaterThan(100L);
        assertThat(rowPixels("#surge", 5)).isZero();
        ui.script("document.getElementById('surge').scrollIntoView()");
        ui.screenshot("surge-heatmap.png");
        assertThat(ui.severe()).isEmpty();
    }

    /**
     * Pixels of a heatmap's row {@code i} (0 = bottom) inside the plot area painted as a cell: opacity above the
     * grid lines' (cells are drawn at 20% opacity or more, the theme's grid at 8-10%).
     */
    private long rowPixels(String css, int i) {
        return (Long) ui.script("""
                const c = document.querySelector(arguments[1] + ' canvas');
                const p = JSON.parse(c.dataset.plot), r = devicePixelRatio;
                const rows = JSON.parse(c.dataset.rows).length;
                const top = p.top + (rows - 1 - arguments[0]) * p.rowHeight;
                const d = c.getContext('2d').getImageData(Math.ceil(p.left * r), Math.ceil(top * r) + 1,
                    Math.floor(p.width * r), Math.max(1, Math.floor(p.rowHeight * r) - 2)).data;
                let n = 0;
                for (let k = 3; k < d.length; k += 4) if (d[k] > 40) n++;
                return n;""", i, css);
    }
}
