package dev.sightline.server.security;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The one table of what each endpoint of the main listener needs: {@code open} (no credentials), {@code read},
 * {@code write} or {@code admin}. Every route the server registers must be listed (RouteScopesTest fails otherwise);
 * a path matching no entry needs {@code admin}, so that an endpoint the table misses is closed, not open. The OTLP
 * listeners only ingest: all their requests need {@code write}.
 * <p>
 * Classification: {@code write} is ingest of telemetry (samples, spans, logs) and of alerts sent by Prometheus to the
 * Alertmanager API, what a sender's key does; {@code admin} changes how the server behaves (reload, silences that mute
 * alerts, dashboards written to disk) or deletes data (Prometheus's TSDB admin API, Loki's log deletion, whose
 * listing shows what was deleted); the rest reads. {@code /probe} reads too although it makes the server send
 * requests to the target it names, as blackbox_exporter does: Prometheus scrapes it with its read credential.
 */
final class RouteScopes {
    /** Health and readiness: answered without credentials, for load balancers and orchestrators. */
    private static final Set<String> OPEN_PATHS = Set.of("/-/healthy", "/-/ready");

    /** METHOD pattern scope; GET covers HEAD; ":x" is one path segment, a final "*" any rest. */
    static final String TABLE = """
            GET    /-/healthy                                   open
            GET    /-/ready                                     open
            GET    /ready                                       read
            GET    /metrics                                     read
            GET    /api/v1/status/buildinfo                     read
            GET    /api/v1/status/functions                     read
            GET    /api/v1/status/config                        read
            GET    /api/v1/status/flags                         read
            GET    /api/v1/status/runtimeinfo                   read
            GET    /api/v1/status/tsdb                          read
            GET    /api/v1/query                                read
            POST   /api/v1/query                                read
            GET    /api/v1/query_range                          read
            POST   /api/v1/query_range                          read
            GET    /api/v1/series                               read
            POST   /api/v1/series                               read
            GET    /api/v1/labels                               read
            POST   /api/v1/labels                               read
            GET    /api/v1/label/:name/values                   read
            GET    /api/v1/metadata                             read
            GET    /api/v1/format_query                         read
            POST   /api/v1/format_query                         read
            GET    /api/v1/query_exemplars                      read
            POST   /api/v1/query_exemplars                      read
            GET    /api/v1/targets                              read
            GET    /api/v1/rules                                read
            GET    /api/v1/alerts                               read
            GET    /api/v1/notifications                        read
            GET    /api/v1/canaries                             read
            GET    /api/v1/services                             read
            GET    /api/v1/services/:name/dashboard             read
            GET    /api/v1/maturity                             read
            GET    /api/v1/drills/results                       read
            POST   /api/v1/drills/results                       write
            GET    /api/v1/journeys                             read
            GET    /probe                                       read
            GET    /api/v1/dashboards                           read
            GET    /api/v1/dashboards/:uid                      read
            GET    /api/v1/dashboards/:uid/yaml                 read
            GET    /api/v2/alerts                               read
            GET    /api/v2/alerts/groups                        read
            GET    /api/v2/receivers                            read
            GET    /api/v2/silences                             read
            GET    /api/v2/silence/:silenceID                   read
            GET    /api/v2/status                               read
            GET    /api/services                                read
            GET    /api/services/:service/operations            read
            GET    /api/operations                              read
            GET    /api/traces                                  read
            GET    /api/dependencies                            read
            GET    /api/traces/:traceID                         read
            GET    /api/traces/:traceID/logs                    read
            GET    /api/v2/traces/:traceID                      read
            GET    /api/search                                  read
            GET    /api/search/tags                             read
            GET    /api/v2/search/tags                          read
            GET    /api/search/tag/:tag/values                  read
            GET    /api/v2/search/tag/:tag/values               read
            GET    /api/metrics/query_range                     read
            GET    /api/metrics/query                           read
            GET    /api/echo                                    read
            GET    /api/status/buildinfo                        read
            GET    /jaeger/api/services                         read
            GET    /jaeger/api/services/:service/operations     read
            GET    /jaeger/api/operations                       read
            GET    /jaeger/api/traces                           read
            GET    /jaeger/api/dependencies                     read
            GET    /jaeger/api/traces/:traceID                  read
            GET    /tempo/api/traces/:traceID                   read
            GET    /tempo/api/v2/traces/:traceID                read
            GET    /tempo/api/search                            read
            GET    /tempo/api/search/tags                       read
            GET    /tempo/api/v2/search/tags                    read
            GET    /tempo/api/search/tag/:tag/values            read
            GET    /tempo/api/v2/search/tag/:tag/values         read
            GET    /tempo/api/metrics/query_range               read
            GET    /tempo/api/metrics/query                     read
            GET    /tempo/api/echo                              read
            GET    /tempo/api/status/buildinfo                  read
            GET    /loki/api/v1/query                           read
            POST   /loki/api/v1/query                           read
            GET    /loki/api/v1/query_range                     read
            POST   /loki/api/v1/query_range                     read
            GET    /loki/api/v1/labels                          read
            POST   /loki/api/v1/labels                          read
            GET    /loki/api/v1/label/:name/values              read
            POST   /loki/api/v1/label/:name/values              read
            GET    /loki/api/v1/series                          read
            POST   /loki/api/v1/series                          read
            GET    /loki/api/v1/index/stats                     read
            POST   /loki/api/v1/index/stats                     read
            GET    /loki/api/v1/index/volume                    read
            POST   /loki/api/v1/index/volume                    read
            GET    /loki/api/v1/index/volume_range              read
            POST   /loki/api/v1/index/volume_range              read
            GET    /loki/api/v1/detected_labels                 read
            POST   /loki/api/v1/detected_labels                 read
            GET    /loki/api/v1/detected_fields                 read
            POST   /loki/api/v1/detected_fields                 read
            GET    /loki/api/v1/detected_field/:name/values     read
            POST   /loki/api/v1/detected_field/:name/values     read
            GET    /loki/api/v1/patterns                        read
            POST   /loki/api/v1/patterns                        read
            GET    /loki/api/v1/tail                            read
            GET    /loki/api/v1/status/buildinfo                read
            POST   /loki/api/v1/delete                          admin
            GET    /loki/api/v1/delete                          admin
            GET    /                                            read
            GET    /ui/*                                        read
            GET    /explore                                     read
            GET    /explore/*                                   read
            GET    /dashboards                                  read
            GET    /dashboards/*                                read
            GET    /services                                    read
            GET    /services/*                                  read
            GET    /alerts                                      read
            GET    /alerts/*                                    read
            GET    /traces                                      read
            GET    /traces/*                                    read
            GET    /logs                                        read
            GET    /logs/*                                      read
            GET    /synthetics                                  read
            GET    /synthetics/*                                read
            GET    /maturity                                    read
            GET    /maturity/*                                  read
            GET    /status                                      read
            GET    /status/*                                    read
            POST   /api/v1/write                                write
            POST   /v1/metrics                                  write
            POST   /v1/traces                                   write
            POST   /v1/logs                                     write
            POST   /loki/api/v1/push                            write
            POST   /api/v1/logs/ndjson                          write
            POST   /api/v2/spans                                write
            POST   /api/v2/alerts                               write
            POST   /-/reload                                    admin
            POST   /api/v2/silences                             admin
            DELETE /api/v2/silence/:silenceID                   admin
            POST   /api/v1/dashboards/import                    admin
            POST   /api/v1/dashboards/yaml                      admin
            POST   /api/v1/admin/tsdb/delete_series             admin
            PUT    /api/v1/admin/tsdb/delete_series             admin
            POST   /api/v1/admin/tsdb/clean_tombstones          admin
            PUT    /api/v1/admin/tsdb/clean_tombstones          admin
            """;

    /** One entry: its method, the pattern's segments, and the scope (null for open). */
    record Entry(String method, String pattern, List<String> segments, Scope scope) {
        /** Fewer parameters and wildcards first: a literal segment wins over ":x" as in the router. */
        int generality() {
            int n = 0;
            for (String s : segments) {
                n += s.startsWith(":") ? 1 : s.equals("*") ? 100 : 0;
            }
            return n;
        }

        boolean matches(List<String> path) {
            for (int i = 0; i < segments.size(); i++) {
                String s = segments.get(i);
                if (s.equals("*")) {
                    return true;
                }
                if (i >= path.size()) {
                    return false;
                }
                if (s.startsWith(":") ? path.get(i).isEmpty() : !s.equals(path.get(i))) {
                    return false;
                }
            }
            return segments.size() == path.size();
        }
    }

    static final Map<String, Entry> ENTRIES = parse(TABLE);
    /** Entries without parameters or wildcards, by "METHOD path": most requests are answered by one lookup. */
    private static final Map<String, Entry> LITERAL = new HashMap<>();
    /** The others, most specific first. */
    private static final List<Entry> PATTERNS = new ArrayList<>();

    static {
        for (Entry e : ENTRIES.values()) {
            if (e.generality() == 0) {
                LITERAL.put(e.method() + " " + e.pattern(), e);
            } else {
                PATTERNS.add(e);
            }
        }
        PATTERNS.sort(Comparator.comparingInt(Entry::generality));
    }

    private RouteScopes() {
    }

    private static Map<String, Entry> parse(String table) {
        Map<String, Entry> m = new LinkedHashMap<>();
        for (String line : table.strip().split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length != 3) {
                throw new IllegalStateException("route table line is not METHOD PATTERN SCOPE: " + line);
            }
            Scope scope = f[2].equals("open") ? null : Scope.parse(f[2]);
            if (scope == null && !f[2].equals("open")) {
                throw new IllegalStateException("route table: unknown scope in " + line);
            }
            if (m.put(f[0] + " " + f[1], new Entry(f[0], f[1], segments(f[1]), scope)) != null) {
                throw new IllegalStateException("route table: listed twice: " + line);
            }
        }
        return m;
    }

    /** Path segments after the leading slash; a trailing slash is dropped, as the router matches "/x/" to "/x". */
    static List<String> segments(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        if (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p.isEmpty() ? List.of() : List.of(p.split("/", -1));
    }

    /** Whether a (normalized) path is answered without credentials. */
    static boolean isOpen(String path) {
        return OPEN_PATHS.contains(path);
    }

    /** The entry a request matches, or null; the most specific of those that match. */
    static Entry match(String method, String path) {
        String m = method.toUpperCase(Locale.ROOT);
        if (m.equals("HEAD")) {
            m = "GET";
        }
        String trimmed = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        Entry literal = LITERAL.get(m + " " + trimmed);
        if (literal != null) {
            return literal;
        }
        List<String> segs = segments(path);
        for (Entry e : PATTERNS) {
            if (e.method().equals(m) && e.matches(segs)) {
                return e;
            }
        }
        return null;
    }

    /** The scope a request needs: its entry's, or admin when none matches (an unlisted endpoint stays closed). */
    static Scope required(String method, String path) {
        Entry e = match(method, path);
        return e == null ? Scope.ADMIN : e.scope() == null ? Scope.READ : e.scope();
    }

    /** Every listed route as "METHOD pattern". */
    static List<String> listed() {
        return new ArrayList<>(ENTRIES.keySet());
    }
}
