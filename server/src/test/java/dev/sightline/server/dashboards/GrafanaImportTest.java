package dev.sightline.server.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sightline.server.config.ConfigException;
import dev.sightline.server.dashboards.Dashboard.Panel;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

class GrafanaImportTest {
    static final String NODE_LEGACY = "/dev/sightline/server/dashboards/grafana/node-exporter-legacy.json";
    static final String NODE_MODERN = "/dev/sightline/server/dashboards/grafana/node-exporter-modern.json";

    static byte[] resource(String name) throws Exception {
        try (InputStream in = GrafanaImportTest.class.getResourceAsStream(name)) {
            return in.readAllBytes();
        }
    }

    /** A Grafana 10 export in the grid layout, written for this test: every panel type the import knows and some it does not. */
    static final String GRID = """
            {"dashboard": {
              "uid": "svc-overview", "title": "Service overview", "tags": ["svc"], "refresh": "1m",
              "time": {"from": "now-3h", "to": "now"},
              "templating": {"list": [
                {"type": "datasource", "name": "ds", "query": "prometheus"},
                {"type": "query", "name": "job", "query": {"query": "label_values(up, job)", "refId": "A"},
                 "multi": true, "includeAll": true, "allValue": ".*"},
                {"type": "custom", "name": "quantile", "query": "0.5,0.9,0.99"},
                {"type": "interval", "name": "win", "query": "1m,5m,10m", "auto": true},
                {"type": "adhoc", "name": "filters"},
                {"type": "query", "name": "metric", "query": "metrics(node_.*)", "current": {"value": "node_load1"}}
              ]},
              "panels": [
                {"type": "stat", "title": "Up", "gridPos": {"x": 0, "y": 0, "w": 6, "h": 4},
                 "fieldConfig": {"defaults": {"unit": "short", "thresholds": {"mode": "absolute", "steps": [
                   {"color": "green", "value": null}, {"color": "semi-dark-red", "value": 1}]}}},
                 "options": {"reduceOptions": {"calcs": ["mean"]}, "graphMode": "none"},
                 "targets": [{"expr": "sum(up{job=~\\"$job\\"})", "legendFormat": "__auto", "refId": "A"}]},
                {"type": "timeseries", "title": "Requests", "gridPos": {"x": 6, "y": 0, "w": 18, "h": 8},
                 "timeShift": "1d", "repeat": "job",
                 "fieldConfig": {"defaults": {"unit": "reqps", "min": 0,
                   "custom": {"stacking": {"mode": "normal"}, "scaleDistribution": {"type": "log", "log": 10}}}},
                 "targets": [{"expr": "sum(rate(http_requests_total{job=~\\"$job\\"}[$__rate_interval]))", "legendFormat": "{{job}}"},
                             {"expr": "hidden", "hide": true}]},
                {"type": "row", "title": "Details", "collapsed": true, "repeat": "job", "gridPos": {"x": 0, "y": 8, "w": 24, "h": 1},
                 "panels": [
                   {"type": "gauge", "title": "Load", "gridPos": {"x": 0, "y": 9, "w": 8, "h": 6},
                    "fieldConfig": {"defaults": {"unit": "percent", "min": 0, "max": 100}},
                    "targets": [{"expr": "avg(node_load1)"}]},
                   {"type": "bargauge", "title": "By code", "gridPos": {"x": 8, "y": 9, "w": 8, "h": 6},
                    "targets": [{"expr": "sum by (code) (increase(http_requests_total[$__range]))"}]},
                   {"type": "barchart", "title": "Bars", "gridPos": {"x": 16, "y": 9, "w": 8, "h": 6},
                    "targets": [{"expr": "sum by (code) (rate(http_requests_total[$__interval]))"}]}
                 ]},
                {"type": "row", "title": "More", "collapsed": false, "gridPos": {"x": 0, "y": 9, "w": 24, "h": 1}, "panels": []},
                {"type": "table", "title": "Targets", "gridPos": {"x": 0, "y": 10, "w": 12, "h": 8}, "targets": [{"expr": "up"}]},
                {"type": "heatmap", "title": "Latency", "gridPos": {"x": 12, "y": 10, "w": 12, "h": 8},
                 "options": {"yAxis": {"unit": "s"}},
                 "targets": [{"expr": "sum by (le) (rate(http_request_duration_seconds_bucket[5m]))", "format": "heatmap"}]},
                {"type": "text", "title": "Read me", "gridPos": {"x": 0, "y": 18, "w": 24, "h": 3}},
                {"type": "timeseries", "title": "Graphite", "gridPos": {"x": 0, "y": 21, "w": 24, "h": 8},
                 "targets": [{"target": "sumSeries(a.b.c)"}]}
              ]}}
            """;

    @Test
    void theLegacyRowsExportConvertsEveryPanel() throws Exception {
        byte[] export = resource(NODE_LEGACY);
        GrafanaImport.Result r = GrafanaImport.convert("node-exporter-legacy.json", export, "node-exporter-legacy");
        Dashboard d = r.dashboard();
        assertThat(r.notes()).isEmpty();
        assertThat(d.panels()).extracting(Panel::title).containsExactlyElementsOf(sourcePanelTitles(export)).hasSize(13);

        // A Grafana 4 export has no uid: the file's name gives it.
        assertThat(d.uid()).isEqualTo("node-exporter-legacy");
        assertThat(d.title()).isEqualTo("Node exporter (legacy rows)");
        assertThat(d.range()).isEqualTo("6h");
        assertThat(d.refresh()).isNull();
        assertThat(d.tags()).containsExactly("linux", "node_exporter");
        assertThat(d.variables()).extracting(Dashboard.Variable::name).containsExactly("job", "node", "port");
        assertThat(d.variables().get(0).query()).isEqualTo("label_values(node_uname_info, job)");
        assertThat(d.variables().get(1).query()).isEqualTo("label_values(node_uname_info{job=~\"$job\"}, instance)");
        assertThat(d.variables().get(1).regex()).isEqualTo("([^:]+):.*");
        assertThat(d.variables().get(2).regex()).isEqualTo("[^:]+:(.*)");
        assertThat(d.rows()).extracting(Dashboard.Row::title, Dashboard.Row::collapsed).containsExactly(
                tuple("Quick CPU / Mem / Disk", false), tuple("CPU, memory, network, disk", false), tuple("node_exporter itself", true));
        assertThat(d.rows()).extracting(row -> row.panels().stream().map(Panel::type).toList()).containsExactly(
                List.of("gauge", "gauge", "gauge", "gauge", "gauge", "stat", "stat"),
                List.of("timeseries", "timeseries", "timeseries", "timeseries"),
                List.of("timeseries", "timeseries"));

        // Singlestats with their gauge shown are gauges with the gauge's range, the format as unit and "70,90" with
        // the three colours as threshold steps; the row's "160px" is the height.
        Panel cpu = d.panels().getFirst();
        assertThat(cpu.span()).isEqualTo(2);
        assertThat(cpu.height()).isEqualTo(160);
        assertThat(cpu.description()).isEqualTo("Share of time the CPUs were not idle, averaged over the CPUs.");
        assertThat(cpu.options().toString()).isEqualTo("{\"unit\":\"percent\",\"min\":0.0,\"max\":100.0,\"thresholds\":["
                + "{\"value\":null,\"color\":\"rgba(50, 172, 45, 0.97)\"},{\"value\":70.0,\"color\":\"rgba(237, 129, 40, 0.89)\"},"
                + "{\"value\":90.0,\"color\":\"rgba(245, 54, 54, 0.9)\"}]}");
        assertThat(cpu.targets()).singleElement().satisfies(t -> assertThat(t.expr()).isEqualTo(
                "100 * (1 - avg without (cpu) (rate(node_cpu_seconds_total{mode=\"idle\", job=~\"$job\", instance=~\"$node:$port\"}[$__rate_interval])))"));
        // The hidden target A of "Memory used" (the estimate for old kernels) is left out; B is kept.
        assertThat(d.panels().get(1).targets()).singleElement()
                .satisfies(t -> assertThat(t.expr()).startsWith("100 * (1 - node_memory_MemAvailable_bytes{"));
        // Singlestats without a gauge are stats: valueName as the reduction, the sparkline, no thresholds for "".
        Panel uptime = d.panels().get(5);
        assertThat(uptime.span()).isEqualTo(1);
        assertThat(uptime.options().toString()).isEqualTo("{\"unit\":\"s\",\"reduce\":\"last\",\"sparkline\":false}");
        assertThat(d.panels().get(6).options().toString()).isEqualTo("{\"reduce\":\"max\",\"sparkline\":true}");

        // Graphs: the left y axis's format, min, max and log base, the stack, legends; a bare number is the row height.
        Panel modes = d.panels().get(7);
        assertThat(modes.height()).isEqualTo(280);
        assertThat(modes.options().toString()).isEqualTo("{\"unit\":\"percentunit\",\"stacked\":true,\"min\":0.0,\"max\":1.0}");
        assertThat(modes.targets()).singleElement().satisfies(t -> assertThat(t.legend()).isEqualTo("{{mode}}"));
        Panel network = d.panels().get(9);
        assertThat(network.targets()).extracting(Dashboard.Target::legend).containsExactly("{{device}} received", "{{device}} sent");
        assertThat(network.targets().getFirst().expr()).endsWith("[$__interval])");
        Panel scrape = d.panels().get(11);
        assertThat(scrape.height()).isEqualTo(250);
        assertThat(scrape.options().toString()).isEqualTo("{\"unit\":\"s\",\"log_scale\":true}");

        assertThat(DashboardReader.yaml("x.yml", d.yaml().getBytes(StandardCharsets.UTF_8), null).tree(true)).isEqualTo(d.tree(true));
    }

    @Test
    void theModernGridExportConvertsEveryPanelOrSaysWhyNot() throws Exception {
        byte[] export = resource(NODE_MODERN);
        GrafanaImport.Result r = GrafanaImport.convert("node-exporter-modern.json", export, "node-exporter-modern");
        Dashboard d = r.dashboard();
        assertThat(r.notes()).extracting(GrafanaImport.Note::toString).containsExactly(
                "variable $datasource: a datasource variable; dropped (Sightline is the one data source)",
                "panel \"CPU busy by core\": Grafana calculates this heatmap's buckets from plain series; not converted, "
                        + "the panel draws only histogram buckets its query returns",
                "panel \"About\": panel type \"text\" is not supported; left out");
        // Every panel of the export (rows' panels included) is converted, in grid order, except the one noted.
        List<String> titles = new ArrayList<>(sourcePanelTitles(export));
        assertThat(titles).hasSize(14).contains("About");
        titles.remove("About");
        assertThat(d.panels()).extracting(Panel::title).containsExactlyElementsOf(titles);

        // The export's own uid wins over the file's name.
        assertThat(d.uid()).isEqualTo("node-grid");
        assertThat(d.title()).isEqualTo("Node exporter (grid)");
        assertThat(d.range()).isEqualTo("1h");
        assertThat(d.refresh()).isEqualTo("30s");
        assertThat(d.variables()).extracting(Dashboard.Variable::name).containsExactly("job", "instance", "device");
        Dashboard.Variable device = d.variables().get(2);
        assertThat(device.query()).isEqualTo("label_values(node_network_receive_bytes_total{job=\"$job\", instance=\"$instance\", device!=\"lo\"}, device)");
        assertThat(device.multi()).isTrue();
        assertThat(device.includeAll()).isTrue();
        assertThat(d.rows()).extracting(Dashboard.Row::title, Dashboard.Row::collapsed).containsExactly(
                tuple("Overview", false), tuple("Network", false), tuple("Disk and node_exporter", true));
        assertThat(d.rows()).extracting(row -> row.panels().stream().map(Panel::type).toList()).containsExactly(
                List.of("stat", "stat", "gauge", "gauge", "gauge", "bar", "timeseries", "timeseries"),
                List.of("timeseries", "table"),
                List.of("timeseries", "heatmap", "timeseries"));

        // gridPos on 24 columns: w 4 is a span of 2, h 4 is 4 units of 30 px with 3 margins of 8.
        Panel uptime = d.panels().getFirst();
        assertThat(uptime.span()).isEqualTo(2);
        assertThat(uptime.height()).isEqualTo(144);
        assertThat(uptime.options().toString()).isEqualTo("{\"unit\":\"s\",\"reduce\":\"last\",\"sparkline\":false,\"thresholds\":"
                + "[{\"value\":null,\"color\":\"red\"},{\"value\":600.0,\"color\":\"green\"}]}");
        assertThat(uptime.targets()).singleElement().satisfies(t -> assertThat(t.legend()).isNull());
        assertThat(d.panels().get(1).options().toString()).isEqualTo("{\"reduce\":\"max\",\"sparkline\":true,\"thresholds\":"
                + "[{\"value\":null,\"color\":\"gray\"}]}");
        // Gauges: unit, min, max and threshold steps, Grafana's shades as their colour.
        assertThat(d.panels().get(4).options().toString()).isEqualTo("{\"unit\":\"percent\",\"min\":0.0,\"max\":100.0,\"thresholds\":["
                + "{\"value\":null,\"color\":\"green\"},{\"value\":10.0,\"color\":\"orange\"},{\"value\":25.0,\"color\":\"red\"}]}");
        Panel filesystems = d.panels().get(5);
        assertThat(filesystems.span()).isEqualTo(3);
        assertThat(filesystems.options().toString()).isEqualTo("{\"unit\":\"percentunit\"}");
        assertThat(filesystems.targets()).singleElement().satisfies(t -> assertThat(t.legend()).isEqualTo("{{mountpoint}}"));
        Panel modes = d.panels().get(6);
        assertThat(modes.span()).isEqualTo(6);
        assertThat(modes.height()).isEqualTo(296);
        assertThat(modes.options().toString()).isEqualTo("{\"unit\":\"percentunit\",\"stacked\":true,\"min\":0.0,\"max\":1.0}");

        // The panel repeated by $device keeps its repeat; the table its unit.
        Panel traffic = d.rows().get(1).panels().get(0);
        assertThat(traffic.title()).isEqualTo("Traffic on $device");
        assertThat(traffic.repeat()).isEqualTo("device");
        assertThat(traffic.options().toString()).isEqualTo("{\"unit\":\"Bps\"}");
        Panel table = d.rows().get(1).panels().get(1);
        assertThat(table.span()).isEqualTo(12);
        assertThat(table.options().toString()).isEqualTo("{\"unit\":\"Bps\"}");
        assertThat(table.targets()).singleElement().satisfies(t -> assertThat(t.expr()).endsWith("[$__range])"));

        // The collapsed row's panels come from inside the row panel.
        assertThat(d.rows().get(2).panels().get(1).options().toString()).isEqualTo("{\"unit\":\"percentunit\"}");
        assertThat(d.rows().get(2).panels().get(2).options().toString()).isEqualTo("{\"unit\":\"s\",\"log_scale\":true}");

        assertThat(DashboardReader.yaml("x.yml", d.yaml().getBytes(StandardCharsets.UTF_8), null).tree(true)).isEqualTo(d.tree(true));
    }

    /** The titles of an export's panels in Grafana's order, row panels left out and collapsed rows' panels in. */
    private static List<String> sourcePanelTitles(byte[] export) throws Exception {
        JsonNode source = new ObjectMapper().readTree(export);
        List<String> titles = new ArrayList<>();
        source.path("rows").forEach(row -> row.path("panels").forEach(p -> titles.add(p.path("title").asText())));
        source.path("panels").forEach(p -> {
            if (!p.path("type").asText().equals("row")) {
                titles.add(p.path("title").asText());
            }
            p.path("panels").forEach(inner -> titles.add(inner.path("title").asText()));
        });
        return titles;
    }

    @Test
    void theGridLayoutWithRowsRepeatsAndVariables() throws Exception {
        GrafanaImport.Result r = GrafanaImport.convert("grid.json", GRID.getBytes(StandardCharsets.UTF_8), null);
        Dashboard d = r.dashboard();
        assertThat(d.uid()).isEqualTo("svc-overview");
        assertThat(d.range()).isEqualTo("3h");
        assertThat(d.refresh()).isEqualTo("1m");
        assertThat(d.variables()).extracting(Dashboard.Variable::name).containsExactly("job", "quantile", "win", "metric");
        assertThat(d.variables().get(0).query()).isEqualTo("label_values(up, job)");
        assertThat(d.variables().get(0).allValue()).isEqualTo(".*");
        assertThat(d.variables().get(1).values()).containsExactly("0.5", "0.9", "0.99");
        assertThat(d.variables().get(2).values()).containsExactly("1m", "5m", "10m");
        assertThat(d.variables().get(3).values()).containsExactly("node_load1");

        assertThat(d.rows()).extracting(Dashboard.Row::title).containsExactly("", "Details", "More");
        assertThat(d.rows().get(0).panels()).extracting(Panel::type).containsExactly("stat", "timeseries");
        Panel up = d.rows().get(0).panels().get(0);
        assertThat(up.span()).isEqualTo(3);
        assertThat(up.height()).isEqualTo(4 * 30 + 3 * 8);
        assertThat(up.targets().getFirst().legend()).isNull();
        assertThat(up.options().toString()).isEqualTo("{\"reduce\":\"mean\",\"sparkline\":false,\"thresholds\":"
                + "[{\"value\":null,\"color\":\"green\"},{\"value\":1.0,\"color\":\"red\"}]}");
        Panel requests = d.rows().get(0).panels().get(1);
        assertThat(requests.span()).isEqualTo(9);
        assertThat(requests.timeShift()).isEqualTo("1d");
        assertThat(requests.repeat()).isEqualTo("job");
        // Grafana's interval variables stay for the page to fill in at query time.
        assertThat(requests.targets()).singleElement().satisfies(t -> assertThat(t.expr()).contains("[$__rate_interval]"));
        assertThat(requests.options().toString()).isEqualTo("{\"unit\":\"reqps\",\"stacked\":true,\"log_scale\":true,\"min\":0.0}");

        Dashboard.Row details = d.rows().get(1);
        assertThat(details.collapsed()).isTrue();
        assertThat(details.repeat()).isEqualTo("job");
        assertThat(details.panels()).extracting(Panel::type).containsExactly("gauge", "bar", "bar");
        assertThat(d.rows().get(2).panels()).extracting(Panel::type, Panel::title)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("table", "Targets"), org.assertj.core.groups.Tuple.tuple("heatmap", "Latency"),
                        org.assertj.core.groups.Tuple.tuple("timeseries", "Graphite"));
        assertThat(d.rows().get(2).panels().get(1).options().toString()).isEqualTo("{\"unit\":\"s\"}");

        assertThat(r.notes()).extracting(GrafanaImport.Note::toString).containsExactly(
                "variable $ds: a datasource variable; dropped (Sightline is the one data source)",
                "variable $win: the \"auto\" interval option is not converted",
                "variable $filters: a adhoc variable; not supported, dropped",
                "variable $metric: query \"metrics(node_.*)\" is not label_values(...); kept its saved values [node_load1]",
                "panel \"Read me\": panel type \"text\" is not supported; left out",
                "panel \"Graphite\": 1 target(s) without a PromQL expr left out",
                "panel \"Graphite\": no PromQL query; the panel is kept and shows none");
    }

    @Test
    void whatIsNoDashboardIsRefusedAtItsPosition() {
        assertThatThrownBy(() -> GrafanaImport.convert("x.json", "{\"title\": \"t\",\n \"panels\": [1,}".getBytes(StandardCharsets.UTF_8), null))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("x.json:2:").hasMessageContaining("invalid JSON");
        assertThatThrownBy(() -> GrafanaImport.convert("x.json", "{\"title\": \"t\"}".getBytes(StandardCharsets.UTF_8), null))
                .hasMessage("x.json:1:1: not a Grafana dashboard: expected an object with \"panels\" (or \"rows\")");
        assertThatThrownBy(() -> GrafanaImport.convert("x.json", "[]".getBytes(StandardCharsets.UTF_8), null))
                .hasMessage("x.json:1:1: not a Grafana dashboard: expected an object with \"panels\" (or \"rows\")");
    }
}
