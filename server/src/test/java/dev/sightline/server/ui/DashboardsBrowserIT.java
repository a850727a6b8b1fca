package dev.sightline.server.ui;

import dev.sightline.core.Labels;
import dev.sightline.metricstore.Appender;
import dev.sightline.server.RunningServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

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
 * is redrawn, the panel editor shows the YAML to save, a Grafana export opens. Screenshots go to
 * {@code <build dir>/ui-screenshots}.
 */
class DashboardsBrowserIT {
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
    @RegisterExtension
    final Browser ui = new Browser();

    private ChromeDriver browser;
    private WebDriverWait wait;

    @BeforeAll
    static void start() throws Exception {
        Path dashboards = Files.createDirectories(dir.resolve("dash"));
        Files.writeString(dashboards.resolve("rooms.yml"), ROOMS);
        Files.writeString(dashboards.resolve("broken.yml"), "uid: broken\nrows:\n  - panels: [{type: stat, span: 0}]\n");
        Files.writeString(dashboards.resolve("odd.yml"), "uid: odd\nrows:\n  - panels: [{title: Unknown, type: nosuchviz, targets: [{expr: up}]}]\n");
        try (InputStream in = DashboardsBrowserIT.class.getResourceAsStream("/dev/sightline/server/dashboards/grafana/node-exporter-full.json")) {
            Files.write(dashboards.resolve("node-exporter-full.json"), in.readAllBytes());
        }
        server.start(dir, "dashboards:\n  directory: dash\n");
        Appender app = server.storage().appender();
        long now = System.currentTimeMillis();
        // Twenty minutes at 15 s ending now: kitchen ends at 21.5, hall at 30.
        for (int i = 80; i >= 0; i--) {
            app.append(0, Labels.of("__name__", "dash_temp", "room", "kitchen"), now - i * 15_000L, i == 0 ? 21.5 : 18 + i % 5);
            app.append(0, Labels.of("__name__", "dash_temp", "room", "hall"), now - i * 15_000L, i == 0 ? 30 : 20 + i % 3);
            // One node_exporter host for the Grafana export: 1 CPU idle half the time, memory half used, swap 20%,
            // root filesystem 60%, load 0.5 (so every gauge of its first row reads 50, 20 or 60 percent).
            long t = now - i * 15_000L;
            String[] host = {"job", "node", "instance", "host1:9100"};
            app.append(0, node("node_boot_time_seconds", host), t, 1.7e9);
            app.append(0, node("node_cpu_seconds_total", host, "cpu", "0", "mode", "idle"), t, (80 - i) * 7.5);
            app.append(0, node("node_cpu_seconds_total", host, "cpu", "0", "mode", "user"), t, (80 - i) * 7.5);
            app.append(0, node("node_load1", host), t, 0.5);
            app.append(0, node("node_load5", host), t, 0.5);
            app.append(0, node("node_memory_MemTotal_bytes", host), t, 8e9);
            app.append(0, node("node_memory_MemFree_bytes", host), t, 2e9);
            app.append(0, node("node_memory_MemAvailable_bytes", host), t, 4e9);
            app.append(0, node("node_memory_SwapTotal_bytes", host), t, 1e9);
            app.append(0, node("node_memory_SwapFree_bytes", host), t, 0.8e9);
            app.append(0, node("node_filesystem_avail_bytes", host, "mountpoint", "/", "fstype", "ext4"), t, 40e9);
            app.append(0, node("node_filesystem_size_bytes", host, "mountpoint", "/", "fstype", "ext4"), t, 100e9);
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

    @BeforeEach
    void openBrowser() {
        browser = ui.driver();
        // Auto-refresh and variable changes redraw panels while a wait looks at them.
        wait = ui.waiting();
        wait.ignoring(StaleElementReferenceException.class);
    }

    @Test
    void theListShowsEveryFileWithLoadErrors() throws Exception {
        ui.open(server.uri("/dashboards"));
        List<WebElement> rows = browser.findElements(By.cssSelector("#dashboards tbody tr"));
        assertThat(rows).extracting(r -> r.getAttribute("data-uid")).containsExactly("broken", "node-exporter-full", "odd", "rooms");
        assertThat(rows.get(0).getText()).contains("broken.yml:3:27: rows[0].panels[0].span: expected a whole number from 1 to 12");
        assertThat(rows.get(3).findElement(By.tagName("a")).getAttribute("href")).endsWith("/dashboards/rooms");
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
    void aGrafanaExportOpensAndAnUnknownPanelTypeStaysInItsPanel() throws Exception {
        open("/dashboards/node-exporter-full");
        assertThat(browser.findElement(By.id("dash-title")).getText()).isEqualTo("Node Exporter Full New");
        // The variables resolve as in Grafana: job from label_values, host and port cut out of instance by their regexes.
        assertThat(new Select(browser.findElement(By.id("var-job"))).getFirstSelectedOption().getText()).isEqualTo("node");
        assertThat(new Select(browser.findElement(By.id("var-node"))).getFirstSelectedOption().getText()).isEqualTo("host1");
        assertThat(new Select(browser.findElement(By.id("var-port"))).getFirstSelectedOption().getText()).isEqualTo("9100");
        // The first row's six gauges draw the host's values; the collapsed row waits.
        List<WebElement> gauges = browser.findElements(By.cssSelector(".panel svg.gauge"));
        assertThat(gauges).extracting(g -> percent(g.getAttribute("aria-label"))).hasSize(6)
                .satisfiesExactly(cpu -> assertThat(cpu).isCloseTo(50, within(0.5)), ram -> assertThat(ram).isCloseTo(50, within(0.5)),
                        swap -> assertThat(swap).isCloseTo(20, within(0.5)), root -> assertThat(root).isCloseTo(60, within(0.5)),
                        load1 -> assertThat(load1).isCloseTo(50, within(0.5)), load5 -> assertThat(load5).isCloseTo(50, within(0.5)));
        assertThat(browser.findElements(By.cssSelector(".panel"))).hasSize(6);
        ui.screenshot("dashboard-node-exporter.png");
        assertThat(ui.severe()).isEmpty();

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

    /** The number of a gauge's label "{}: 50.0%". */
    private static double percent(String label) {
        return Double.parseDouble(label.substring(label.lastIndexOf(' ') + 1, label.length() - 1));
    }

    private WebElement panel(String title) {
        return browser.findElement(By.xpath("//article[contains(@class,'panel')][.//h3[text()='" + title + "']]"));
    }
}
