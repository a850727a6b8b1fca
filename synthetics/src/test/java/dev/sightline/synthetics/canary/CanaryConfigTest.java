package dev.sightline.synthetics.canary;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** Every check of a canary entry, each error naming its key relative to the entry (the loader locates it). */
class CanaryConfigTest {
    private static final CanaryConfig.Write WRITE = new CanaryConfig.Write(http("POST", "http://app:8080/canary", null, null), null, null);
    private static final CanaryConfig.Reader READER = reader("eu", http(null, "http://cache-eu:8080/canary", null, null));

    static CanaryConfig.Http http(String method, String url, String jsonpath, String regex) {
        return new CanaryConfig.Http(method, url, null, jsonpath, regex);
    }

    static CanaryConfig.Reader reader(String name, CanaryConfig.Http http) {
        return new CanaryConfig.Reader(name, null, http, null, null);
    }

    @Test
    void aLongLiteralRegexIsCompiledInLinearTime() {
        // The JDK compiles a pattern led by a long literal in quadratic time ("GET " and 65,000 '=' took 19 s).
        String regex = "GET " + "=".repeat(65_000);
        HttpTarget target = assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> new HttpTarget(reader("eu", http(null, "http://a/", null, regex)).http(), null));
        assertThat(target).isNotNull();
        assertThatThrownBy(() -> reader("eu", http(null, "http://a/", null, "GET ((")))
                .hasMessage("regex: invalid regular expression: Unclosed group");
    }

    @Test
    void contractShapeWithDefaults() {
        CanaryConfig c = new CanaryConfig("product-cache", null, null, WRITE, List.of(READER));
        assertThat(c.interval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.timeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.write().http().writeMethod()).isEqualTo("POST");
        assertThat(c.readers().get(0).kind()).isEqualTo("http");
        // A short interval shortens the default timeout with it.
        assertThat(new CanaryConfig("c", Duration.ofSeconds(2), null, WRITE, List.of(READER)).timeout()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void refusesBadEntries() {
        assertThatThrownBy(() -> new CanaryConfig("c", null, null, WRITE, List.of()))
                .hasMessage("readers: a canary needs at least one reader");
        assertThatThrownBy(() -> new CanaryConfig("c", null, null, WRITE, null))
                .hasMessage("readers: a canary needs at least one reader");
        assertThatThrownBy(() -> new CanaryConfig("c", null, null, null, List.of(READER)))
                .hasMessageStartingWith("write: a canary needs a write target");
        assertThatThrownBy(() -> new CanaryConfig("a/b", null, null, WRITE, List.of(READER)))
                .hasMessageStartingWith("name: a canary needs a name");
        assertThatThrownBy(() -> new CanaryConfig("c", Duration.ZERO, null, WRITE, List.of(READER)))
                .hasMessage("interval: must be greater than 0");
        assertThatThrownBy(() -> new CanaryConfig("c", Duration.ofSeconds(1), Duration.ofSeconds(2), WRITE, List.of(READER)))
                .hasMessage("timeout: 2s is longer than the interval 1s");
        assertThatThrownBy(() -> new CanaryConfig("c", null, null, WRITE, List.of(READER, READER)))
                .hasMessage("readers[1].name: reader \"eu\" is named twice");
        CanaryConfig c = new CanaryConfig("c", null, null, WRITE, List.of(READER));
        assertThatThrownBy(() -> CanaryConfig.checkList(List.of(c, c))).hasMessage("canaries[1].name: canary \"c\" is named twice");
    }

    @Test
    void refusesBadKinds() {
        assertThatThrownBy(() -> new CanaryConfig.Reader("eu", null, null, null, null))
                .hasMessage("no kind given: expected one of http, sql or redis");
        assertThatThrownBy(() -> new CanaryConfig.Reader("eu", null, http(null, "http://a/", null, null),
                new CanaryConfig.Sql("jdbc:postgresql://db/x", null, null, null), null))
                .hasMessage("sql: give exactly one kind of http, sql or redis");
        assertThatThrownBy(() -> reader("eu", http(null, "ftp://a/", null, null)))
                .hasMessage("url: expected an http:// or https:// URL with a host, got \"ftp://a/\"");
        assertThatThrownBy(() -> reader("eu", http(null, "http://a/", "$..[", null)))
                .hasMessageStartingWith("jsonpath: invalid JSONPath \"$..[\"");
        assertThatThrownBy(() -> reader("eu", http(null, "http://a/", null, "(")))
                .hasMessageStartingWith("regex: invalid regular expression");
        assertThatThrownBy(() -> reader("eu", http("DELETE", "http://a/", null, null)))
                .hasMessage("http.method: a reader only reads (GET), got \"DELETE\"");
        assertThatThrownBy(() -> new CanaryConfig.Write(http("GET", "http://a/", null, null), null, null))
                .hasMessage("http.method: a write sends the value as a body: POST, PUT or PATCH, got \"GET\"");
        assertThatThrownBy(() -> new CanaryConfig.Write(http(null, "http://a/", "$.v", null), null, null))
                .hasMessageStartingWith("http.jsonpath: only a reader finds the value");
        // The table name is spliced into SQL: only a plain identifier passes.
        assertThatThrownBy(() -> new CanaryConfig.Sql("jdbc:postgresql://db/x", null, null, "t; DROP TABLE users"))
                .hasMessageStartingWith("table: expected a plain table name");
        assertThatThrownBy(() -> new CanaryConfig.Sql("jdbc:mysql://db/x", null, null, null))
                .hasMessageStartingWith("url: expected a PostgreSQL JDBC URL");
        assertThatThrownBy(() -> new CanaryConfig.Redis("http://r:6379", null))
                .hasMessage("url: expected redis://host:port, got \"http://r:6379\"");
        assertThatThrownBy(() -> new CanaryConfig.Reader("eu", Map.of("reader", "x"), http(null, "http://a/", null, null), null, null))
                .hasMessage("labels: \"reader\" cannot be a reader label");
        assertThat(new CanaryConfig.Redis("redis://r:6379", null).keyFor("c")).isEqualTo("sightline:canary:c");
        assertThat(new CanaryConfig.Sql("jdbc:postgresql://db/x", null, null, "ops.canary").table()).isEqualTo("ops.canary");
    }
}
