package dev.sightline.synthetics.canary;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.jayway.jsonpath.InvalidPathException;
import com.jayway.jsonpath.JsonPath;
import dev.sightline.core.text.PromDurations;
import dev.sightline.core.text.Regex;

import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One entry of {@code canaries:} in sightline.yml (issue 16's contract; keys may be added, these stay):
 * <pre>
 * canaries:
 *   - name: product-cache
 *     interval: 30s
 *     timeout: 10s
 *     write:  {http: {method: POST, url: "http://app:8080/canary"}}   # the request body is the canary value
 *     readers:
 *       - {name: eu, http: {url: "http://cache-eu:8080/canary"}}     # the response body holds the value read
 *       - {name: us, http: {url: "http://cache-us:8080/canary", jsonpath: "$.value"}}
 * </pre>
 * The write and each reader name exactly one kind: {@code http}, {@code sql} or {@code redis}; kinds mix freely (a
 * cache in front of a database: write {@code sql}, read {@code http}). Every check runs here, when the file is read,
 * and an error names its key relative to the entry ("readers[1].http.jsonpath: ..."), so the loader can point at it.
 */
public record CanaryConfig(
        @JsonProperty("name") String name,
        @JsonProperty("interval") Duration interval,
        @JsonProperty("timeout") Duration timeout,
        @JsonProperty("write") Write write,
        @JsonProperty("readers") List<Reader> readers) {

    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    /** Names go into the canary value ("sightline-canary/NAME/...") and into label values: no slash, no spaces. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:-]+");

    public CanaryConfig {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name: a canary needs a name of letters, digits and _ . : -, got "
                    + (name == null ? "none" : "\"" + name + "\""));
        }
        interval = interval == null ? DEFAULT_INTERVAL : interval;
        if (interval.toMillis() <= 0) {
            throw new IllegalArgumentException("interval: must be greater than 0");
        }
        timeout = timeout != null ? timeout : DEFAULT_TIMEOUT.compareTo(interval) > 0 ? interval : DEFAULT_TIMEOUT;
        if (timeout.toMillis() <= 0) {
            throw new IllegalArgumentException("timeout: must be greater than 0");
        }
        if (timeout.compareTo(interval) > 0) {
            // Rounds do not overlap: a round waits at most the timeout, then the next one starts on time.
            throw new IllegalArgumentException("timeout: " + PromDurations.format(timeout.toMillis())
                    + " is longer than the interval " + PromDurations.format(interval.toMillis()));
        }
        if (write == null) {
            throw new IllegalArgumentException("write: a canary needs a write target ({http: ...}, {sql: ...} or {redis: ...})");
        }
        if (readers == null || readers.isEmpty()) {
            throw new IllegalArgumentException("readers: a canary needs at least one reader");
        }
        readers = uniquelyNamed(readers, "readers", "reader", Reader::name);
    }

    /** Checks a whole {@code canaries:} list (names unique) and copies it; null is an empty list. */
    public static List<CanaryConfig> checkList(List<CanaryConfig> canaries) {
        return canaries == null ? List.of() : uniquelyNamed(canaries, "canaries", "canary", CanaryConfig::name);
    }

    /** A copy of a list of named entries, none empty, no name twice; errors name the entry ("readers[1].name: ..."). */
    private static <T> List<T> uniquelyNamed(List<T> entries, String key, String what, Function<T, String> name) {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < entries.size(); i++) {
            T e = entries.get(i);
            if (e == null) {
                throw new IllegalArgumentException(key + "[" + i + "]: empty " + what);
            }
            if (!names.add(name.apply(e))) {
                throw new IllegalArgumentException(key + "[" + i + "].name: " + what + " \"" + name.apply(e) + "\" is named twice");
            }
        }
        return List.copyOf(entries);
    }

    /** {@code write:} where the canary value goes: exactly one kind. */
    public record Write(@JsonProperty("http") Http http, @JsonProperty("sql") Sql sql, @JsonProperty("redis") Redis redis,
                        @JsonAnySetter Map<String, Object> otherKeys) {
        public Write {
            refuseOtherKeys(otherKeys, "a write", "http, redis, sql");
            requireOneKind(http, sql, redis);
            if (http != null) {
                http.checkWrite();
            }
        }

        public Write(Http http, Sql sql, Redis redis) {
            this(http, sql, redis, null);
        }

        /** The kind's name, for the API and the log. */
        public String kind() {
            return kindOf(http, sql);
        }
    }

    /**
     * {@code readers[i]:} a named place the value is read back from: exactly one kind, and {@code labels} added to
     * its series (a region, say, for alerts that page per region).
     */
    public record Reader(@JsonProperty("name") String name, @JsonProperty("labels") Map<String, String> labels,
                         @JsonProperty("http") Http http, @JsonProperty("sql") Sql sql, @JsonProperty("redis") Redis redis,
                         @JsonAnySetter Map<String, Object> otherKeys) {
        public Reader {
            refuseOtherKeys(otherKeys, "a reader", "http, labels, name, redis, sql");
            if (name == null || !NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("name: a reader needs a name of letters, digits and _ . : -, got "
                        + (name == null ? "none" : "\"" + name + "\""));
            }
            labels = labels == null ? Map.of() : Map.copyOf(labels);
            for (String l : labels.keySet()) {
                if (!l.matches("[a-zA-Z_][a-zA-Z0-9_]*") || l.equals("canary") || l.equals("reader") || l.equals("reason")
                        || l.startsWith("__")) {
                    throw new IllegalArgumentException("labels: \"" + l + "\" cannot be a reader label");
                }
            }
            requireOneKind(http, sql, redis);
            if (http != null) {
                http.checkRead();
            }
        }

        public Reader(String name, Map<String, String> labels, Http http, Sql sql, Redis redis) {
            this(name, labels, http, sql, redis, null);
        }

        /** The kind's name, for the API and the log. */
        public String kind() {
            return kindOf(http, sql);
        }
    }

    /**
     * {@code http:} a write is a request ({@code method}, POST unless given) whose body is the canary value; a read is
     * a GET whose body holds it, found by {@code jsonpath} or {@code regex} (its first group, or the whole match), or
     * anywhere in the body when neither is given.
     */
    public record Http(@JsonProperty("method") String method, @JsonProperty("url") String url,
                       @JsonProperty("headers") Map<String, String> headers,
                       @JsonProperty("jsonpath") String jsonpath, @JsonProperty("regex") String regex) {
        public Http {
            if (url == null) {
                throw new IllegalArgumentException("url: an http target needs a url");
            }
            URI u;
            try {
                u = URI.create(url);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("url: invalid URL \"" + url + "\": " + e.getMessage());
            }
            if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
                throw new IllegalArgumentException("url: expected an http:// or https:// URL with a host, got \"" + url + "\"");
            }
            headers = headers == null ? Map.of() : Map.copyOf(headers);
            if (jsonpath != null && regex != null) {
                throw new IllegalArgumentException("regex: give jsonpath or regex, not both");
            }
            if (jsonpath != null) {
                try {
                    JsonPath.compile(jsonpath);
                } catch (InvalidPathException | IllegalArgumentException e) {
                    throw new IllegalArgumentException("jsonpath: invalid JSONPath \"" + jsonpath + "\": " + e.getMessage());
                }
            }
            if (regex != null) {
                try {
                    Regex.compile(regex, 0);
                } catch (PatternSyntaxException e) {
                    throw new IllegalArgumentException("regex: invalid regular expression: " + e.getDescription());
                }
            }
        }

        void checkWrite() {
            if (jsonpath != null || regex != null) {
                throw new IllegalArgumentException("http." + (jsonpath != null ? "jsonpath" : "regex")
                        + ": only a reader finds the value in a body; a write sends it as the body");
            }
            if (method != null && !method.matches("POST|PUT|PATCH")) {
                throw new IllegalArgumentException("http.method: a write sends the value as a body: POST, PUT or PATCH, got \""
                        + method + "\"");
            }
        }

        void checkRead() {
            if (method != null && !method.equals("GET")) {
                throw new IllegalArgumentException("http.method: a reader only reads (GET), got \"" + method + "\"");
            }
        }

        /** The write's method. */
        public String writeMethod() {
            return method == null ? "POST" : method;
        }
    }

    /**
     * {@code sql:} a PostgreSQL (JDBC) database: {@code url} (jdbc:postgresql://host:port/db), {@code user},
     * {@code password}, {@code table} (created by the write if missing; default sightline_canary). The write inserts
     * into the primary and keeps only the newest rows of its canary; a reader selects the newest, read-only.
     */
    public record Sql(@JsonProperty("url") String url, @JsonProperty("user") String user,
                      @JsonProperty("password") String password, @JsonProperty("table") String table) {
        public static final String DEFAULT_TABLE = "sightline_canary";
        /** A plain (optionally schema-qualified) identifier: the table name goes into SQL text, so nothing else may. */
        private static final Pattern TABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}(\\.[A-Za-z_][A-Za-z0-9_]{0,62})?");

        public Sql {
            if (url == null || !url.startsWith("jdbc:postgresql:")) {
                throw new IllegalArgumentException("url: expected a PostgreSQL JDBC URL (jdbc:postgresql://host:port/db), got "
                        + (url == null ? "none" : "\"" + url + "\""));
            }
            table = table == null ? DEFAULT_TABLE : table;
            if (!TABLE.matcher(table).matches()) {
                throw new IllegalArgumentException("table: expected a plain table name (letters, digits, _; optionally schema.table), got \""
                        + table + "\"");
            }
        }
    }

    /**
     * {@code redis:} {@code url} (redis://[user:password@]host:port[/db]) and {@code key} (default
     * sightline:canary:NAME): the write SETs the key on the primary, a reader GETs it.
     */
    public record Redis(@JsonProperty("url") String url, @JsonProperty("key") String key) {
        public Redis {
            URI u;
            try {
                u = url == null ? null : URI.create(url);
            } catch (IllegalArgumentException e) {
                u = null;
            }
            if (u == null || !"redis".equals(u.getScheme()) && !"rediss".equals(u.getScheme()) || u.getHost() == null) {
                throw new IllegalArgumentException("url: expected redis://host:port, got " + (url == null ? "none" : "\"" + url + "\""));
            }
            if (key != null && key.isEmpty()) {
                throw new IllegalArgumentException("key: must not be empty");
            }
        }

        /** The key, given or the default one of the canary. */
        public String keyFor(String canary) {
            return key != null ? key : "sightline:canary:" + canary;
        }
    }

    /**
     * Refuses a key none of the fields takes, naming it, before the kind check: {@code mongo: ...} is an unknown
     * kind, not a reader without one. (Bound as "any" keys because a record's checks run before Jackson reports
     * unknown keys.)
     */
    private static void refuseOtherKeys(Map<String, Object> otherKeys, String what, String known) {
        if (otherKeys != null && !otherKeys.isEmpty()) {
            String key = otherKeys.keySet().iterator().next();
            throw new IllegalArgumentException(key + ": unknown key \"" + key + "\" in " + what
                    + " (known keys: " + known + "; the kinds are http, sql and redis)");
        }
    }

    private static String kindOf(Http http, Sql sql) {
        return http != null ? "http" : sql != null ? "sql" : "redis";
    }

    private static void requireOneKind(Http http, Sql sql, Redis redis) {
        if (http == null && sql == null && redis == null) {
            throw new IllegalArgumentException("no kind given: expected one of http, sql or redis");
        }
        // The second kind given is the one in excess: the error points at it.
        String extra = http != null && sql != null ? "sql" : (http != null || sql != null) && redis != null ? "redis" : null;
        if (extra != null) {
            throw new IllegalArgumentException(extra + ": give exactly one kind of http, sql or redis");
        }
    }
}
