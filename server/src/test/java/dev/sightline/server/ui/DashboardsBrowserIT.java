package dev.sightline.server.ui;

import dev.sightline.core.Labels;
import dev.sightline.metricstore.Appender;
import dev.sightline.server.RunningServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Dashboards in Debian's headless Chromium against a running server with data and a dashboards directory: a
 * dashboard opens and every panel draws with no console error, a variable changed redraws, a file changed on disk
 * is redrawn, the panel editor shows the YAML to save, Grafana exports (our node_exporter dashboards in the Grafana 4
 * rows layout and the Grafana 10 grid) open on seeded node_exporter data. Screenshots go to
 * {@code <build dir>/ui-screenshots}.
 */
class DashboardsBrowserIT extends BrowserTest {
    private static final String ROOMS = """
            uid: rooms
            title: Rooms
            variables:
              - name: room
                label: Room
                query: label_values(dash_temp, room)
                multi: true
                include_all: true
            rows:
              - title: Overview
                panels:
                  - title: Temperature
                    type: timeseries
                    span: 6
                    targets: [{expr: 'dash_temp{room=~"$room"}', legend: "{{room}}"}]
                  - title: Hottest
                    type: stat
                    span: 3
                    targets: [{expr: 'max(dash_temp{room=~"$room"})'}]
                    options: {unit: C, thresholds: [{value: null, color: green}, {value: 25, color: red}]}
                  - title: Gauge
                    type: gauge
                    span: 3
                    targets: [{expr: 'max(dash_temp{room=~"$room"})'}]
                    options: {min: 0, max: 40}
                  - title: Bars
                    type: bar
                    span: 6
                    targets: [{expr: 'dash_temp{room=~"$room"}', legend: "{{room}}"}]
                  - title: Table
                    type: table
                    span: 6
                    targets: [{expr: 'dash_temp{room=~"$room"}'}]
              - title: Room $room
                repeat: room
                panels:
                  - title: Rate in $room
                    type: timeseries
                    span: 12
                    height: 160
                    time_shift: 5m
                    targets: [{expr: 'rate(dash_temp{room="$room"}[$__rate_interval])'}]
              - title: Hidden
                collapsed: true
                panels:
                  - {title: Later, type: stat, targets: [{expr: 'count(dash_temp)'}]}
            """;

    @TempDir
    static Path dir;

    @RegisterExtension
    static final RunningServer server = new RunningServer();

    @BeforeAll
    static void start() throws Exception {
        Path dashboards = Files.createDirectories(dir.resolve("dash"));
        Files.writeString(dashboards.resolve("rooms.yml"), ROOMS);
        Files.writeString(dashboards.resolve("broken.yml"), "uid: broken\nrows:\n  - panels: [{type: stat, span: 0}]\n");
        Files.writeString(dashboards.resolve("odd.yml"), "uid: odd\nrows:\n  - panels: [{title: Unknown, type: nosuchviz, targets: [{expr: up}]}]\n");
        for (String export : List.of("node-exporter-legacy.json", "node-exporter-modern.json")) {
            try (InputStream in = DashboardsBrowserIT.class.getResourceAsStream("/dev/sightline/server/dashboards/grafana/" + export)) {
                Files.write(dashboards.resolve(export), in.readAllBytes());
            }
        }
        server.start(dir, "dashboards:\n  directory: dash\n");
        Appender app = server.storage().appender();
        long now = System.currentTimeMillis();
        // Twenty minutes at 15 s ending now: kitchen ends at 21.5, hall at 30.
        for (int i = 80; i >= 0; i--) {
            app.append(0, Labels.of("__name__", "dash_temp", "room", "kitchen"), now - i * 15_000L, i == 0 ? 21.5 : 18 + i % 5);
            app.append(0, Labels.of("__name__", "dash_temp", "room", "hall"), now - i * 15_000L, i == 0 ? 30 : 20 + i % 3);
        }
        // One node_exporter host for the Grafana exports: 1 CPU idle half the time, memory half used, swap 20%, "/"
        // 60% and "/home" 25% full, load 0.5, up for 3 days now, interfaces eth0 and eth1 (and lo, which the
        // interface variable leaves out) receiving 1000, 500 and 100 B/s. The samples run on 10 minutes past now, so a
        // rate's window ending when a page loads is whole (at the data's end PromQL would extrapolate only half a step).
        for (int i = 80; i >= -40; i--) {
            long t = now - i * 15_000L;
            long n = 80 - i;
            String[] host = {"job", "node", "instance", "host1:9100"};
            app.append(0, node("node_uname_info", host, "nodename", "host1"), t, 1);
            app.append(0, node("node_boot_time_seconds", host), t, now / 1000.0 - 3 * 86_400);
            app.append(0, node("node_time_seconds", host), t, t / 1000.0);
            app.append(0, node("node_cpu_seconds_total", host, "cpu", "0", "mode", "idle"), t, n * 7.5);
            app.append(0, node("node_cpu_seconds_total", host, "cpu", "0", "mode", "user"), t, n * 7.5);
            app.append(0, node("node_load1", host), t, 0.5);
            app.append(0, node("node_memory_MemTotal_bytes", host), t, 8e9);
            app.append(0, node("node_memory_MemAvailable_bytes", host), t, 4e9);
            app.append(0, node("node_memory_SwapTotal_bytes", host), t, 1e9);
            app.append(0, node("node_memory_SwapFree_bytes", host), t, 0.8e9);
            app.append(0, node("node_filesystem_avail_bytes", host, "mountpoint", "/", "fstype", "ext4"), t, 40e9);
            app.append(0, node("node_filesystem_size_bytes", host, "mountpoint", "/", "fstype", "ext4"), t, 100e9);
            app.append(0, node("node_filesystem_avail_bytes", host, "mountpoint", "/home", "fstype", "ext4"), t, 75e9);
            app.append(0, node("node_filesystem_size_bytes", host, "mountpoint", "/home", "fstype", "ext4"), t, 100e9);
            for (Map.Entry<String, Integer> nic : Map.of("eth0", 1000, "eth1", 500, "lo", 100).entrySet()) {
                app.append(0, node("node_network_receive_bytes_total", host, "device", nic.getKey()), t, n * 15.0 * nic.getValue());
                app.append(0, node("node_network_transmit_bytes_total", host, "device", nic.getKey()), t, n * 7.5 * nic.getValue());
            }
            app.append(0, node("node_disk_read_bytes_total", host, "device", "sda"), t, n * 15 * 4096.0);
            app.append(0, node("node_disk_written_bytes_total", host, "device", "sda"), t, n * 15 * 8192.0);
            for (String collector : List.of("cpu", "meminfo")) {
                app.append(0, node("node_scrape_collector_duration_seconds", host, "collector", collector), t, 0.002);
                app.append(0, node("node_scrape_collector_success", host, "collector", collector), t, 1);
            }
        }
        app.commit();
    }

    private static Labels node(String name, String[] host, String... more) {
        String[] all = new String[2 + host.length + more.length];
        all[0] = "__name__";
        all[1] = name;
        System.arraycopy(host, 0, all, 2, host.length);
        System.arraycopy(more, 0, all, 2 + host.length, more.length);
        return Labels.of(all);
    }

    @Test
    void theListShowsEveryFileWithLoadErrors() throws Exception {
        ui.open(server.uri("/dashboards"));
        List<WebElement> rows = browser.findElements(By.cssSelector("#dashboards tbody tr"));
        assertThat(rows).extracting(r -> r.getAttribute("data-uid")).containsExactly("broken", "node-exporter-legacy", "node-grid", "odd", "rooms");
        assertThat(rows.get(0).getText()).contains("broken.yml:3:27: rows[0].panels[0].span: expected a whole number from 1 to 12");
        assertThat(rows.get(4).findElement(By.tagName("a")).getAttribute("href")).endsWith("/dashboards/rooms");
        ui.screenshot("dashboards-list.png");
        assertThat(ui.severe()).isEmpty();
    }

    @Test
    void aDashboardOpensAndEveryPanelDraws() throws Exception {
        open("/dashboards/rooms");
        // Overview (5) + the repeated row once per room (All: hall, kitchen); the collapsed row draws nothing yet.
        List<WebElement> panels = browser.findElements(By.cssSelector(".panel"));
        assertThat(panels).hasSize(7);
        assertThat(panels).allSatisfy(p -> assertThat(p.getAttribute("data-state")).as(p.getText()).isEqualTo("drawn"));
        assertThat(browser.findElements(By.cssSelector(".dash-row h2")).stream().map(WebElement::getText).toList())
                .containsExactly("Overview", "Room hall", "Room kitchen", "Hidden");
        assertThat(ui.paintedPixels(".panel[data-type=timeseries]")).isGreaterThan(100L);
        assertThat(panel("Hottest").findElement(By.cssSelector(".stat-value")).getText()).isEqualTo("30 C");
        // 30 is over the red threshold (25): the value takes the theme's --bad colour.
        assertThat(ui.script("return getComputedStyle(document.querySelector('.stat-value')).color"))
                .isEqualTo(ui.script("const s = document.createElement('span'); s.style.color = getComputedStyle(document.documentElement)"
                        + ".getPropertyValue('--bad'); document.body.append(s); const c = getComputedStyle(s).color; s.remove(); return c"));
        assertThat(panel("Gauge").findElement(By.cssSelector("svg.gauge")).getAttribute("aria-label")).endsWith(": 30");
        assertThat(panel("Bars").findElements(By.cssSelector(".bar-row"))).hasSize(2);
        assertThat(panel("Table").findElements(By.cssSelector("tbody tr"))).hasSize(2);
        assertThat(panel("Rate in kitchen").getText()).contains("−5m");
        assertThat(browser.getCurrentUrl()).contains("var-room=%24__all").contains("range=1h");
        ui.screenshot("dashboard-rooms.png");
        assertThat(ui.severe()).isEmpty();

        // A collapsed row draws its panels when opened.
        browser.findElement(By.xpath("//button[text()='Hidden']")).click();
        wait.until(d -> "drawn".equals(panel("Later").getAttribute("data-state")));
        assertThat(panel("Later").findElement(By.cssSelector(".stat-value")).getText()).isEqualTo("2");
        assertThat(ui.severe()).isEmpty();
    }

    @Test
    void aVariableChangedRedraws() throws Exception {
        open("/dashboards/rooms");
        Select room = new Select(browser.findElement(By.id("var-room")));
        room.deselectAll();
        room.selectByValue("kitchen");
        wait.until(d -> d.getCurrentUrl().contains("var-room=kitchen"));
        wait.until(d -> panel("Hottest").getText().contains("21.5 C"));
        assertThat(browser.findElements(By.cssSelector(".dash-row h2")).stream().map(WebElement::getText).toList())
                .containsExactly("Overview", "Room kitchen", "Hidden");
        assertThat(panel("Table").findElements(By.cssSelector("tbody tr"))).hasSize(1);
        // The URL alone opens the same selection.
        open("/dashboards/rooms?var-room=hall&range=15m");
        assertThat(panel("Hottest").getText()).contains("30 C");
        assertThat(new Select(browser.findElement(By.id("range"))).getFirstSelectedOption().getAttribute("value")).isEqualTo("15m");
        ui.screenshot("dashboard-rooms-hall.png");
        assertThat(ui.severe()).isEmpty();
    }

    @Test
    void aFileChangedOnDiskIsRedrawn() throws Exception {
        Path file = dir.resolve("dash/rooms.yml");
        try {
            open("/dashboards/rooms?refresh=1s");
            Files.writeString(file, ROOMS.replace("title: Hottest", "title: Warmest"));
            wait.until(d -> panel("Warmest").findElement(By.cssSelector(".stat-value")).getText().equals("30 C"));
            ui.screenshot("dashboard-rooms-changed.png");
            assertThat(ui.severe()).isEmpty();
        } finally {
            Files.writeString(file, ROOMS);
        }
    }

    @Test
    void editingAPanelRedrawsItAndShowsTheYamlToSave() throws Exception {
        open("/dashboards/rooms");
        panel("Hottest").findElement(By.cssSelector(".panel-edit")).click();
        type(wait.until(d -> d.findElement(By.id("edit-title"))), "Coldest");
        type(browser.findElement(By.id("edit-expr-0")), "min(dash_temp{room=~\"$room\"})");
        wait.until(d -> d.findElement(By.id("yaml")).getText().contains("title: Coldest"));
        wait.until(d -> panel("Coldest").getText().contains("21.5 C"));
        assertThat(browser.findElement(By.id("yaml")).getText()).startsWith("uid: rooms\ntitle: Rooms\n")
                .contains("- expr: \"min(dash_temp{room=~\\\"$room\\\"})\"");
        ui.screenshot("dashboard-editor.png");
        assertThat(ui.severe()).isEmpty();
    }

    @Test
    void aNewDashboardIsBuiltInThePage() throws Exception {
        ui.open(server.uri("/dashboards"));
        browser.findElement(By.id("new-dashboard")).click();
        type(wait.until(d -> d.findElement(By.id("edit-expr-0"))), "sum(dash_temp)");
        type(browser.findElement(By.id("edit-type")), "stat");
        wait.until(d -> panel("New panel").getText().contains("51.5"));
        wait.until(d -> d.findElement(By.id("yaml")).getText().contains("expr: sum(dash_temp)"));
        assertThat(browser.findElement(By.id("yaml")).getText()).contains("uid: new-dashboard").contains("type: stat");
        ui.screenshot("dashboard-new.png");
        assertThat(ui.severe()).isEmpty();
    }

    @Test
    void theLegacyGrafanaExportOpensOnTheNodeData() throws Exception {
        open("/dashboards/node-exporter-legacy");
        assertThat(browser.findElement(By.id("dash-title")).getText()).isEqualTo("Node exporter (legacy rows)");
        // The variables resolve as in Grafana: job from label_values, host and port cut out of instance by their regexes.
        assertThat(selected("var-job")).isEqualTo("node");
        assertThat(selected("var-node")).isEqualTo("host1");
        assertThat(selected("var-port")).isEqualTo("9100");
        // Two open rows: five gauges and two stats, four graphs; the collapsed row waits.
        assertNodeStatsAndEveryPanelDrawn(11);
        assertThat(gaugePercents()).satisfiesExactly(cpu -> assertThat(cpu).isCloseTo(50, within(0.5)),
                memory -> assertThat(memory).isCloseTo(50, within(0.5)), swap -> assertThat(swap).isCloseTo(20, within(0.5)),
                root -> assertThat(root).isCloseTo(60, within(0.5)), load -> assertThat(load).isCloseTo(50, within(0.5)));
        // The two stats are a twelfth wide: their titles show and their values fit without scrolling.
        for (String narrow : List.of("Uptime", "CPUs")) {
            assertThat(panel(narrow).findElement(By.tagName("h3")).getSize().getWidth()).as(narrow).isGreaterThan(20);
            assertThat(ui.script("const b = arguments[0]; return b.scrollWidth <= b.clientWidth && b.scrollHeight <= b.clientHeight",
                    panel(narrow).findElement(By.cssSelector(".panel-body")))).as(narrow).isEqualTo(true);
        }
        assertThat(ui.paintedPixels(".panel[data-type=timeseries]")).isGreaterThan(100L);
        ui.screenshot("dashboard-node-legacy.png");
        assertThat(ui.severe()).isEmpty();

        browser.findElement(By.xpath("//button[text()='node_exporter itself']")).click();
        wait.until(d -> "drawn".equals(panel("Collector scrape duration").getAttribute("data-state"))
                && "drawn".equals(panel("Failed collectors").getAttribute("data-state")));
        assertThat(ui.severe()).isEmpty();
    }

    @Test
    void theModernGrafanaExportOpensOnTheNodeDataWithItsRepeat() throws Exception {
        open("/dashboards/node-grid");
        assertThat(browser.findElement(By.id("dash-title")).getText()).isEqualTo("Node exporter (grid)");
        assertThat(selected("var-job")).isEqualTo("node");
        assertThat(selected("var-instance")).isEqualTo("host1:9100");
        assertThat(new Select(browser.findElement(By.id("var-device"))).getOptions()).extracting(WebElement::getText)
                .containsExactly("All", "eth0", "eth1");
        assertThat(browser.getCurrentUrl()).contains("var-device=%24__all").contains("range=1h");
        // Overview (8) and Network: the traffic panel once per interface, the table; the collapsed row waits.
        assertNodeStatsAndEveryPanelDrawn(11);
        assertThat(gaugePercents()).satisfiesExactly(cpu -> assertThat(cpu).isCloseTo(50, within(0.5)),
                memory -> assertThat(memory).isCloseTo(50, within(0.5)), swap -> assertThat(swap).isCloseTo(20, within(0.5)));
        // The bar gauge: one bar per filesystem, its share used.
        List<WebElement> bars = panel("Filesystems used").findElements(By.cssSelector(".bar-row"));
        assertThat(bars).extracting(b -> b.findElement(By.cssSelector(".bar-name")).getText()).containsExactly("/", "/home");
        assertThat(bars).extracting(b -> number(b.findElement(By.cssSelector(".bar-value")).getText()))
                .satisfiesExactly(root -> assertThat(root).isCloseTo(60, within(0.5)), home -> assertThat(home).isCloseTo(25, within(0.5)));
        assertThat(panel("Traffic on eth0").getAttribute("data-type")).isEqualTo("timeseries");
        assertThat(panel("Traffic on eth1").getAttribute("data-type")).isEqualTo("timeseries");
        assertThat(panel("Interfaces").findElements(By.cssSelector("tbody tr"))).extracting(WebElement::getText)
                .hasSize(3).anySatisfy(r -> assertThat(r).contains("eth0")).anySatisfy(r -> assertThat(r).contains("lo"));
        assertThat(ui.paintedPixels(".panel[data-type=timeseries]")).isGreaterThan(100L);
        assertThat(browser.findElements(By.cssSelector(".dash-row h2")).stream().map(WebElement::getText).toList())
                .containsExactly("Overview", "Network", "Disk and node_exporter");
        ui.screenshot("dashboard-node-grid.png");
        assertThat(ui.severe()).isEmpty();

        // One interface picked: the repeat draws one traffic panel.
        Select device = new Select(browser.findElement(By.id("var-device")));
        device.deselectAll();
        device.selectByValue("eth1");
        wait.until(d -> d.getCurrentUrl().contains("var-device=eth1"));
        wait.until(d -> d.findElements(By.xpath("//article[contains(@class,'panel')][.//h3[starts-with(text(),'Traffic on')]]")).size() == 1
                && "drawn".equals(panel("Traffic on eth1").getAttribute("data-state")));
        ui.screenshot("dashboard-node-grid-eth1.png");
        assertThat(ui.severe()).isEmpty();
    }

    @Test
    void anUnknownPanelTypeStaysInItsPanel() throws Exception {
        open("/dashboards/odd");
        assertThat(panel("Unknown").getAttribute("data-state")).isEqualTo("error");
        assertThat(panel("Unknown").findElement(By.cssSelector(".panel-error")).getText()).startsWith("no panel module for type \"nosuchviz\"");
        // The only console error is the module's 404.
        assertThat(ui.severe()).allSatisfy(e -> assertThat(e.getMessage()).contains("/ui/panels/nosuchviz.js").contains("404"));
    }

    @Test
    void aPastedGrafanaExportOpensConvertedWithItsYamlAndWhatWasLeftOut() throws Exception {
        browser.executeCdpCommand("Emulation.setEmulatedMedia",
                Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", "dark"))));
        ui.open(server.uri("/dashboards"));
        browser.findElement(By.cssSelector("details.import summary")).click();
        type(browser.findElement(By.id("grafana-json")), """
                {"title": "Pasted", "uid": "pasted", "time": {"from": "now-30m", "to": "now"}, "panels": [
                  {"type": "stat", "title": "Rooms", "gridPos": {"x": 0, "y": 0, "w": 12, "h": 6},
                   "targets": [{"expr": "count(dash_temp)"}]},
                  {"type": "text", "title": "Notes", "gridPos": {"x": 12, "y": 0, "w": 12, "h": 6}}]}""");
        browser.findElement(By.id("import")).click();
        wait.until(d -> d.findElement(By.id("yaml")).getText().startsWith("uid: pasted\ntitle: Pasted\ntime:\n  range: 30m\n"));
        wait.until(d -> panel("Rooms").findElement(By.cssSelector(".stat-value")).getText().equals("2"));
        assertThat(browser.findElement(By.cssSelector("details.notes")).getText()).contains("1 part(s) of the export not converted");
        assertThat(browser.findElement(By.cssSelector("details.notes")).getAttribute("textContent"))
                .contains("panel \"Notes\": panel type \"text\" is not supported; left out");
        ui.screenshot("dashboard-imported-dark.png");
        assertThat(ui.severe()).isEmpty();
    }

    /**
     * Sets a field's text at once, as a paste does: typed key by key, a slow machine would redraw with the half-typed
     * query, whose 400 is a console error.
     */
    private void type(WebElement field, String text) {
        ui.script("arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input'))", field, text);
    }

    /** Opens a dashboard URL and waits until every panel has resolved. */
    private void open(String path) {
        ui.open(server.uri(path));
        wait.until(d -> (Boolean) ui.script("return performance.getEntriesByName('sightline:panels-drawn').length > 0"));
    }

    /** As many panels as given, all drawn; the stats both node exporter dashboards have: up 3 days, one CPU. */
    private void assertNodeStatsAndEveryPanelDrawn(int count) {
        List<WebElement> panels = browser.findElements(By.cssSelector(".panel"));
        assertThat(panels).hasSize(count);
        assertThat(panels).allSatisfy(p -> assertThat(p.getAttribute("data-state")).as(p.getText()).isEqualTo("drawn"));
        assertThat(panel("Uptime").findElement(By.cssSelector(".stat-value")).getText()).isEqualTo("3 d");
        assertThat(panel("CPUs").findElement(By.cssSelector(".stat-value")).getText()).isEqualTo("1");
    }

    /** The values of every drawn gauge, from their labels "{...}: 50.0%". */
    private List<Double> gaugePercents() {
        return browser.findElements(By.cssSelector(".panel svg.gauge")).stream().map(g -> g.getAttribute("aria-label"))
                .map(label -> number(label.substring(label.lastIndexOf(' ') + 1))).toList();
    }

    /** "60.0%" or "60%" as 60. */
    private static double number(String percent) {
        return Double.parseDouble(percent.substring(0, percent.length() - 1));
    }

    private String selected(String select) {
        return new Select(browser.findElement(By.id(select))).getFirstSelectedOption().getText();
    }

    private WebElement panel(String title) {
        return browser.findElement(By.xpath("//article[contains(@class,'panel')][.//h3[text()='" + title + "']]"));
    }
}
