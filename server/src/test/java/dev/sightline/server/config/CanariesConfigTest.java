package dev.sightline.server.config;

import dev.sightline.synthetics.canary.CanaryConfig;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** {@code canaries:} read from sightline.yml: the contract shape, and bad entries refused at FILE:LINE:COL. */
class CanariesConfigTest {
    private final ConfigLoader loader = new ConfigLoader();

    private SightlineConfig parse(String yaml) throws ConfigException {
        return loader.parse("s.yml", yaml.getBytes(StandardCharsets.UTF_8));
    }

    private String failure(String yaml) {
        return catchThrowableOfType(ConfigException.class, () -> parse(yaml)).getMessage();
    }

    @Test
    void readsTheContractShape() throws Exception {
        SightlineConfig c = parse("""
                canaries:
                  - name: product-cache
                    interval: 30s
                    timeout: 10s
                    write:  {http: {method: POST, url: "http://app:8080/canary"}}   # the request body is the canary value
                    readers:
                      - {name: eu, http: {url: "http://cache-eu:8080/canary"}}     # the response body holds the value read
                      - {name: us, http: {url: "http://cache-us:8080/canary", jsonpath: "$.value"}}
                  - name: orders-db
                    interval: 15s
                    write: {sql: {url: "jdbc:postgresql://db-primary:5432/shop", user: canary, password: s3cret, table: ops_canary}}
                    readers:
                      - {name: replica-eu, labels: {region: eu}, sql: {url: "jdbc:postgresql://db-eu:5432/shop", user: canary, table: ops_canary}}
                      - {name: cache, http: {url: "http://cache:8080/product/canary", regex: "value=(\\\\S+)"}}
                      - {name: sessions, redis: {url: "redis://redis-replica:6379", key: "canary:orders"}}
                """);
        assertThat(c.canaries()).hasSize(2);
        CanaryConfig pc = c.canaries().get(0);
        assertThat(pc.name()).isEqualTo("product-cache");
        assertThat(pc.interval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(pc.timeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(pc.write().http().url()).isEqualTo("http://app:8080/canary");
        assertThat(pc.readers().get(1).http().jsonpath()).isEqualTo("$.value");
        CanaryConfig db = c.canaries().get(1);
        assertThat(db.timeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(db.write().sql().table()).isEqualTo("ops_canary");
        assertThat(db.readers()).extracting(CanaryConfig.Reader::kind).containsExactly("sql", "http", "redis");
        assertThat(db.readers().get(0).labels()).containsEntry("region", "eu");
        assertThat(db.readers().get(1).http().regex()).isEqualTo("value=(\\S+)");
        assertThat(parse("global: {}\n").canaries()).isEmpty();
    }

    @Test
    void theShippedExampleLoads() throws Exception {
        SightlineConfig c = loader.load(java.nio.file.Path.of("../examples/sightline-canaries.yml"));
        assertThat(c.canaries()).extracting(CanaryConfig::name).containsExactly("product-cache", "orders-db", "catalog-cache", "sessions");
        assertThat(c.canaries().get(2).readers().get(0).http().regex()).isEqualTo("canary=(\\S+)");
        assertThat(c.ruleFiles()).containsExactly("rules/canaries.yml");
    }

    /** The canary configurations README.md and docs/synthetics.md show are ones Sightline accepts. */
    @Test
    void theDocumentedConfigurationsLoad() throws Exception {
        int blocks = 0;
        for (String doc : new String[]{"../README.md", "../docs/synthetics.md"}) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("```yaml\n(canaries:\n.*?)```", java.util.regex.Pattern.DOTALL)
                    .matcher(java.nio.file.Files.readString(java.nio.file.Path.of(doc)));
            while (m.find()) {
                assertThat(parse(m.group(1)).canaries()).as(doc).isNotEmpty();
                blocks++;
            }
        }
        assertThat(blocks).isEqualTo(2);
    }

    @Test
    void anUnknownKindIsRefusedAtItsKey() {
        assertThat(failure("""
                canaries:
                  - name: c
                    write: {http: {url: "http://app/canary"}}
                    readers:
                      - {name: eu, mongo: {url: "mongodb://x"}}
                """)).isEqualTo("s.yml:5:20: canaries[0].readers[0].mongo: unknown key \"mongo\" in a reader"
                        + " (known keys: http, labels, name, redis, sql; the kinds are http, sql and redis)");
    }

    @Test
    void missingReadersAreRefusedAtTheCanary() {
        assertThat(failure("""
                global: {}
                canaries:
                  - name: c
                    write: {http: {url: "http://app/canary"}}
                """)).isEqualTo("s.yml:3:5: canaries[0]: readers: a canary needs at least one reader");
        assertThat(failure("""
                canaries:
                  - name: c
                    write: {http: {url: "http://app/canary"}}
                    readers: []
                """)).isEqualTo("s.yml:4:5: canaries[0].readers: a canary needs at least one reader");
    }

    @Test
    void aBadIntervalIsRefusedAtItsValue() {
        assertThat(failure("""
                canaries:
                  - name: c
                    interval: soon
                    write: {http: {url: "http://app/canary"}}
                    readers: [{name: eu, http: {url: "http://cache/canary"}}]
                """)).startsWith("s.yml:3:15: canaries[0].interval: invalid duration \"soon\"");
        assertThat(failure("""
                canaries:
                  - name: c
                    interval: 1s
                    timeout: 5s
                    write: {http: {url: "http://app/canary"}}
                    readers: [{name: eu, http: {url: "http://cache/canary"}}]
                """)).isEqualTo("s.yml:4:5: canaries[0].timeout: 5s is longer than the interval 1s");
    }

    @Test
    void nestedChecksPointAtTheirKey() {
        assertThat(failure("""
                canaries:
                  - name: c
                    write: {http: {url: "http://app/canary"}}
                    readers:
                      - {name: eu, http: {url: "http://cache/canary"}}
                      - {name: us, http: {url: "http://cache/canary", jsonpath: "$..["}}
                """)).startsWith("s.yml:6:55: canaries[0].readers[1].http.jsonpath: invalid JSONPath");
        assertThat(failure("""
                canaries:
                  - name: c
                    write: {sql: {url: "jdbc:postgresql://db/shop", table: "users; DROP TABLE users"}}
                    readers: [{name: eu, http: {url: "http://cache/canary"}}]
                """)).startsWith("s.yml:3:53: canaries[0].write.sql.table: expected a plain table name");
        assertThat(failure("""
                canaries:
                  - name: c
                    write: {http: {url: "http://app/canary"}}
                    readers: [{name: eu, http: {url: "http://cache/canary"}}]
                  - name: c
                    write: {http: {url: "http://app/canary"}}
                    readers: [{name: eu, http: {url: "http://cache/canary"}}]
                """)).isEqualTo("s.yml:5:5: canaries[1].name: canary \"c\" is named twice");
    }
}
