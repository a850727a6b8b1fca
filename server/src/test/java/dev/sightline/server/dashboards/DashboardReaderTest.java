package dev.sightline.server.dashboards;

import dev.sightline.server.config.ConfigException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class DashboardReaderTest {
    static final String ORDERS = """
            uid: orders
            title: Order flow
            tags: [business]
            refresh: 30s
            time: {range: 6h}
            variables:
              - name: strategy
                label: Strategy
                query: label_values(orders_total, strategy)
                multi: true
                include_all: true
            rows:
              - title: Overview
                panels:
                  - title: Orders/s
                    type: timeseries
                    span: 8
                    targets:
                      - expr: sum by (strategy) (rate(orders_total{strategy=~"$strategy"}[5m]))
                        legend: "{{strategy}}"
                    options: {stacked: true, unit: ops}
                  - title: Halted
                    type: stat
                    span: 4
                    time_shift: 1d
                    targets: [{expr: max(trading_halted)}]
                    options:
                      reduce: last
                      thresholds: [{value: null, color: green}, {value: 1, color: red}]
              - title: Per strategy
                repeat: strategy
                collapsed: true
                panels:
                  - title: Nothing yet
                    type: table
            """;

    static Dashboard read(String yaml) throws ConfigException {
        return DashboardReader.yaml("orders.yml", yaml.getBytes(StandardCharsets.UTF_8), "from-file-name");
    }

    @Test
    void readsEveryPartOfTheModel() throws Exception {
        Dashboard d = read(ORDERS);
        assertThat(d.uid()).isEqualTo("orders");
        assertThat(d.title()).isEqualTo("Order flow");
        assertThat(d.tags()).containsExactly("business");
        assertThat(d.refresh()).isEqualTo("30s");
        assertThat(d.range()).isEqualTo("6h");
        assertThat(d.variables()).singleElement().satisfies(v -> {
            assertThat(v.query()).isEqualTo("label_values(orders_total, strategy)");
            assertThat(v.multi()).isTrue();
            assertThat(v.includeAll()).isTrue();
            assertThat(v.values()).isNull();
        });
        assertThat(d.rows()).hasSize(2);
        Dashboard.Panel orders = d.rows().get(0).panels().get(0);
        assertThat(orders.span()).isEqualTo(8);
        assertThat(orders.height()).isEqualTo(Dashboard.DEFAULT_HEIGHT);
        assertThat(orders.targets().getFirst().legend()).isEqualTo("{{strategy}}");
        assertThat(orders.options().get("stacked").booleanValue()).isTrue();
        assertThat(d.rows().get(0).panels().get(1).timeShift()).isEqualTo("1d");
        assertThat(d.rows().get(1).repeat()).isEqualTo("strategy");
        assertThat(d.rows().get(1).collapsed()).isTrue();
        // A panel with no targets is a panel (it shows none), not an error.
        assertThat(d.rows().get(1).panels().getFirst().targets()).isEmpty();
    }

    @Test
    void theYamlWrittenReadsBackToTheSameModel() throws Exception {
        Dashboard d = read(ORDERS);
        String yaml = d.yaml();
        Dashboard again = read(yaml);
        assertThat(again.tree(true)).isEqualTo(d.tree(true));
        // Defaults stay out of what a person saves.
        assertThat(yaml).doesNotContain("collapsed: false").doesNotContain("height:").contains("legend: \"{{strategy}}\"");
        // The API's full JSON (nulls and all) is accepted as the editor sends it back.
        byte[] json = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsBytes(d.tree(true));
        assertThat(DashboardReader.json("request", json).tree(true)).isEqualTo(d.tree(true));
    }

    @Test
    void aFileWithoutUidTakesItsFileName() throws Exception {
        assertThat(read("title: x\nrows: []\n").uid()).isEqualTo("from-file-name");
        assertThat(read("title: x\n").rows()).isEmpty();
    }

    @Test
    void errorsNameFileLineAndColumn() {
        assertError("""
                uid: a
                rows:
                  - title: r
                    panels:
                      - type: stat
                        span: 13
                """, "orders.yml:6:9: rows[0].panels[0].span: expected a whole number from 1 to 12");
        assertError("uid: a\nrows:\n  - title: r\n    pannels: []\n",
                "orders.yml:4:5: rows[0].pannels: unknown key (known: collapsed, panels, repeat, title)");
        assertError("uid: a\nrows:\n  - panels:\n      - title: no type\n",
                "orders.yml:4:9: rows[0].panels[0]: type is missing");
        assertError("uid: a\nrows:\n  - repeat: nope\n", "orders.yml:3:5: rows[0].repeat: repeat names \"nope\", which is no variable of this dashboard");
        assertError("uid: a\nrows:\n  - panels:\n      - type: stat\n        targets: [{legend: x}]\n",
                "orders.yml:5:19: rows[0].panels[0].targets[0]: expr is missing");
        assertError("uid: a\nrows:\n  - panels:\n      - type: stat\n        options: {reduce: median}\n",
                "orders.yml:5:19: rows[0].panels[0].options.reduce: expected one of last, mean, max, min");
        assertError("uid: a\nrows:\n  - panels:\n      - type: gauge\n        options: {colour: red}\n",
                "orders.yml:5:19: rows[0].panels[0].options.colour: unknown option \"colour\" for a gauge panel (known: max, min, thresholds, unit)");
        assertError("uid: a\nrows:\n  - panels:\n      - type: ../evil\n",
                "orders.yml:4:9: rows[0].panels[0].type: \"../evil\" is not a panel type (lower-case letters, digits, '_' or '-')");
        assertError("uid: a\ntime: {range: 6 hours}\n", "orders.yml:2:8: time.range: unknown unit \" hours\" in duration \"6 hours\"");
        assertError("uid: a b\n", "orders.yml:1:1: uid: \"a b\" is not a uid: use 1 to 64 letters, digits, '_' or '-'");
        assertError("uid: a\nuid: b\n", "orders.yml:2:1: uid: duplicate key (first at line 1)");
        assertError("variables:\n  - {name: x, query: 'label_values(a, b)'}\n  - {name: x, values: [a]}\n",
                "orders.yml:3:6: variables[1].name: variable \"x\" is defined twice");
    }

    @Test
    void aLongLiteralVariableRegexIsCheckedInLinearTime() {
        // The JDK compiles a pattern led by a long literal in quadratic time ("GET " and 65,000 '=' took 19 s).
        String regex = "GET " + "=".repeat(65_000);
        Dashboard d = assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> read("uid: a\nvariables:\n  - {name: x, values: [a], regex: '" + regex + "'}\n"));
        assertThat(d.variables().getFirst().regex()).isEqualTo(regex);
        assertError("uid: a\nvariables:\n  - {name: x, values: [a], regex: 'GET (('}\n",
                "orders.yml:3:28: variables[0].regex: invalid regular expression: Unclosed group");
    }

    @Test
    void garbageAndHugeFilesAreRefusedWithAReason() {
        assertThatThrownBy(() -> read("rows: [\n  - {{{\n")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("orders.yml:2:").hasMessageContaining("invalid YAML");
        assertThatThrownBy(() -> read("- just\n- a list\n")).hasMessage("orders.yml:1:1: expected a mapping of keys");
        assertThatThrownBy(() -> read("")).hasMessage("orders.yml:1:1: the file is empty");
        assertThatThrownBy(() -> read("\u0000\u0001binary")).isInstanceOf(ConfigException.class).hasMessageStartingWith("orders.yml:1:");
        byte[] huge = new byte[LocatedTree.MAX_BYTES + 1];
        java.util.Arrays.fill(huge, (byte) '#');
        assertThatThrownBy(() -> DashboardReader.yaml("big.yml", huge, "big"))
                .hasMessage("big.yml: file is " + huge.length + " bytes, over the limit of " + LocatedTree.MAX_BYTES);
        // Deep nesting stops at the parser's depth limit, with a position, not a stack overflow.
        assertThatThrownBy(() -> read("rows: " + "[".repeat(5000))).isInstanceOf(ConfigException.class)
                .hasMessage("orders.yml:1:71: nested deeper than 64 levels");
    }

    private static void assertError(String yaml, String message) {
        assertThatThrownBy(() -> read(yaml)).isInstanceOf(ConfigException.class).hasMessage(message);
    }
}
