package dev.sightline.alerting;

import dev.sightline.alerting.config.AlertmanagerConfig;
import dev.sightline.core.Labels;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RouteTest {
    private static final String RECEIVERS = "'receivers':[{'name':'root'},{'name':'a'},{'name':'b'},{'name':'c'},{'name':'all'}]";

    private static Route tree(String route) {
        return Route.tree(TestConfigs.parse("{'route':" + route + "," + RECEIVERS + "}").route());
    }

    private static List<String> receivers(Route tree, String... labels) {
        return tree.match(Labels.of(labels)).stream().map(Route::receiver).toList();
    }

    @Test
    void firstMatchingSiblingWinsUnlessContinue() {
        Route t = tree("{'receiver':'root','routes':["
                + "{'receiver':'a','matchers':['team=x'],'continue':true},"
                + "{'receiver':'b','match':{'team':'x'}},"
                + "{'receiver':'c','match_re':{'team':'x|y'}}]}");
        assertThat(receivers(t, "team", "x")).containsExactly("a", "b");
        assertThat(receivers(t, "team", "y")).containsExactly("c");
        assertThat(receivers(t, "team", "z")).containsExactly("root");
    }

    @Test
    void nestedRoutesInheritAndTheDeepestMatchTakesTheAlert() {
        Route t = tree("{'receiver':'root','group_by':['alertname'],'group_wait':'10s','routes':["
                + "{'matchers':['env=prod'],'receiver':'a','group_interval':'1m','routes':["
                + "  {'matchers':['severity=~crit.*'],'receiver':'b','repeat_interval':'1h'}]}]}");
        List<Route> prodCrit = t.match(Labels.of("env", "prod", "severity", "critical"));
        assertThat(prodCrit).hasSize(1);
        Route r = prodCrit.get(0);
        assertThat(r.receiver()).isEqualTo("b");
        assertThat(r.groupWaitMs()).isEqualTo(10_000);
        assertThat(r.groupIntervalMs()).isEqualTo(60_000);
        assertThat(r.repeatIntervalMs()).isEqualTo(3_600_000);
        assertThat(r.groupLabels(Labels.of("alertname", "X", "env", "prod"))).isEqualTo(Labels.of("alertname", "X"));
        assertThat(r.key()).isEqualTo("{}/{env=\"prod\"}/{severity=~\"crit.*\"}");
        assertThat(receivers(t, "env", "prod")).containsExactly("a");
        Route root = t.match(Labels.of("env", "dev")).get(0);
        assertThat(root.groupIntervalMs()).isEqualTo(300_000);
        assertThat(root.repeatIntervalMs()).isEqualTo(4 * 3_600_000);
    }

    @Test
    void groupByEllipsisGroupsByAllLabels() {
        Route t = tree("{'receiver':'all','group_by':['...']}");
        Labels l = Labels.of("alertname", "A", "instance", "i1");
        assertThat(t.match(l).get(0).groupLabels(l)).isEqualTo(l);
    }

    @Test
    void configChecksNameTheKey() {
        assertThatThrownBy(() -> TestConfigs.parse("{'route':{'receiver':'nope'}," + RECEIVERS + "}"))
                .hasMessageContaining("route.receiver: undefined receiver \"nope\"");
        assertThatThrownBy(() -> TestConfigs.parse("{'route':{'receiver':'a','routes':[{'receiver':'q'}]}," + RECEIVERS + "}"))
                .hasMessageContaining("route.routes[0].receiver: undefined receiver \"q\"");
        assertThatThrownBy(() -> TestConfigs.parse("{'route':{'receiver':'a','group_by':['...','x']}," + RECEIVERS + "}"))
                .hasMessageContaining("group_by: cannot have \"...\"");
        assertThatThrownBy(() -> TestConfigs.parse("{'route':{'receiver':'a','matchers':['a~b']}," + RECEIVERS + "}"))
                .hasMessageContaining("matchers[0]: bad matcher");
        assertThatThrownBy(() -> TestConfigs.parse("{'route':{'receiver':'a'},'receivers':[{'name':'a'},{'name':'a'}]}"))
                .hasMessageContaining("receivers[1].name: notification config name \"a\" is not unique");
        assertThatThrownBy(() -> TestConfigs.parse("{'route':{'receiver':'a'},'receivers':[{'name':'a','email_configs':[]}]}"))
                .hasMessageContaining("email_configs");
        AlertmanagerConfig ok = TestConfigs.parse("{'route':{'receiver':'a'},'receivers':[{'name':'a','webhook_configs':[{'url':'http://h/x'}]}]}");
        assertThat(ok.receivers().get(0).webhookConfigs().get(0).sendResolved()).isTrue();
    }
}
