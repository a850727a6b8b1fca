package dev.sightline.server.security;

import dev.sightline.server.SightlineServer;
import dev.sightline.server.config.SightlineConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RouteScopesTest {
    @TempDir
    Path tmp;

    /** A route added without a line in RouteScopes.TABLE fails here, as does a line left after its route went. */
    @Test
    void theTableListsEveryRouteOfTheServerAndNoOther() throws Exception {
        List<String> routes;
        try (SightlineServer server = SightlineServer.start(new SightlineServer.Settings(tmp, "127.0.0.1", 0,
                SightlineConfig.defaults()))) {
            routes = server.routes();
        }
        assertThat(routes).hasSizeGreaterThan(100);
        List<String> unclassified = new ArrayList<>(routes);
        unclassified.removeAll(RouteScopes.listed());
        assertThat(unclassified).as("routes missing from RouteScopes.TABLE: classify each as read, write or admin").isEmpty();
        List<String> stale = RouteScopes.listed();
        stale.removeAll(routes);
        assertThat(stale).as("RouteScopes.TABLE lines without a route").isEmpty();
    }

    /** The request-level matcher finds each route's own line for a path the router would send to that route. */
    @Test
    void aConcretePathOfEachRouteMatchesItsOwnLine() {
        for (RouteScopes.Entry e : RouteScopes.ENTRIES.values()) {
            String path = e.pattern().replaceAll(":[A-Za-z]+", "x1").replace("*", "a/b.js");
            assertThat(RouteScopes.match(e.method(), path)).as(e.method() + " " + path).isSameAs(e);
        }
    }

    @Test
    void scopesOfReadsWritesAndAdministration() {
        assertThat(RouteScopes.required("GET", "/api/v1/query")).isEqualTo(Scope.READ);
        assertThat(RouteScopes.required("HEAD", "/api/v1/query")).isEqualTo(Scope.READ);
        assertThat(RouteScopes.required("POST", "/api/v1/query")).isEqualTo(Scope.READ);
        assertThat(RouteScopes.required("POST", "/api/v1/write")).isEqualTo(Scope.WRITE);
        assertThat(RouteScopes.required("POST", "/loki/api/v1/push")).isEqualTo(Scope.WRITE);
        assertThat(RouteScopes.required("POST", "/-/reload")).isEqualTo(Scope.ADMIN);
        assertThat(RouteScopes.required("DELETE", "/api/v2/silence/abc")).isEqualTo(Scope.ADMIN);
        assertThat(RouteScopes.required("GET", "/api/v2/silence/abc")).isEqualTo(Scope.READ);
        // a literal segment wins over a parameter: the import is not the dashboard "import"
        assertThat(RouteScopes.required("POST", "/api/v1/dashboards/import")).isEqualTo(Scope.ADMIN);
        assertThat(RouteScopes.required("GET", "/api/v1/dashboards/import")).isEqualTo(Scope.READ);
        // the router's trailing slash
        assertThat(RouteScopes.required("POST", "/api/v1/write/")).isEqualTo(Scope.WRITE);
        // not listed: closed
        assertThat(RouteScopes.required("GET", "/api/v1/nothing")).isEqualTo(Scope.ADMIN);
        assertThat(RouteScopes.required("PUT", "/api/v1/query")).isEqualTo(Scope.ADMIN);
        assertThat(RouteScopes.required("GET", "/api/v1/label//values")).isEqualTo(Scope.ADMIN);
        assertThat(RouteScopes.isOpen("/-/healthy")).isTrue();
        assertThat(RouteScopes.isOpen("/-/healthy/x")).isFalse();
    }
}
