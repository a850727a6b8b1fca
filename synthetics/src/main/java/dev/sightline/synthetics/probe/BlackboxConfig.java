package dev.sightline.synthetics.probe;

import dev.sightline.synthetics.http.PhasedHttpClient.IpPreference;
import dev.sightline.synthetics.http.TlsOptions;
import dev.sightline.synthetics.journey.JourneyException;
import dev.sightline.synthetics.journey.YamlNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * blackbox_exporter's configuration file ({@code modules:} of prober http or tcp), so an existing blackbox.yml is
 * read as it is. Keys of the http and tcp probers that change what is checked are supported; keys this does not
 * implement (proxies, client certificates, the dns/icmp/grpc probers) are refused at FILE:LINE:COL rather than
 * silently ignored, so a probe never passes by skipping a check it was asked for.
 */
public record BlackboxConfig(Map<String, Module> modules) {
    private static final Set<String> MODULE_KEYS = Set.of("prober", "timeout", "http", "tcp");
    private static final Set<String> HTTP_KEYS = Set.of("valid_status_codes", "valid_http_versions", "method", "headers",
            "body", "no_follow_redirects", "fail_if_ssl", "fail_if_not_ssl", "fail_if_body_matches_regexp",
            "fail_if_body_not_matches_regexp", "fail_if_header_matches", "fail_if_header_not_matches", "tls_config",
            "basic_auth", "bearer_token", "bearer_token_file", "preferred_ip_protocol", "ip_protocol_fallback");
    private static final Set<String> TCP_KEYS = Set.of("query_response", "tls", "tls_config", "preferred_ip_protocol",
            "ip_protocol_fallback");
    private static final Set<String> TLS_KEYS = Set.of("insecure_skip_verify", "ca_file", "server_name");
    private static final Set<String> HEADER_MATCH_KEYS = Set.of("header", "regexp", "allow_missing");
    private static final Set<String> QUERY_KEYS = Set.of("expect", "send", "starttls");

    /** One module; {@code timeout} null means the scrape's timeout decides. */
    public record Module(String name, String prober, Duration timeout, Http http, Tcp tcp) {
    }

    /** An empty {@code validStatusCodes} means any 2xx, as blackbox_exporter's default. */
    public record Http(Set<Integer> validStatusCodes, List<String> validHttpVersions, String method,
                       Map<String, String> headers, String body, boolean noFollowRedirects, boolean failIfSsl,
                       boolean failIfNotSsl, List<Pattern> failIfBodyMatches, List<Pattern> failIfBodyNotMatches,
                       List<HeaderMatch> failIfHeaderMatches, List<HeaderMatch> failIfHeaderNotMatches,
                       TlsOptions tls, IpPreference ip) {
    }

    public record HeaderMatch(String header, Pattern regexp, boolean allowMissing) {
    }

    public record Tcp(List<QueryStep> queryResponse, boolean tls, TlsOptions tlsConfig, IpPreference ip) {
    }

    /** One step of a TCP dialogue: wait for a line matching {@code expect}, then {@code send}, then maybe STARTTLS. */
    public record QueryStep(Pattern expect, String send, boolean starttls) {
    }

    public static BlackboxConfig load(Path file) throws JourneyException {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new JourneyException(file.toString(), "cannot read blackbox configuration: " + e.getMessage(), e);
        }
        return parse(YamlNode.parse(file.toString(), content), file.toAbsolutePath().getParent());
    }

    /** Reads a parsed configuration (null: empty); {@code base} resolves relative file names. */
    public static BlackboxConfig parse(YamlNode root, Path base) throws JourneyException {
        if (root == null) {
            return new BlackboxConfig(Map.of());
        }
        root.mapOf("blackbox configuration", Set.of("modules"));
        Map<String, Module> modules = new LinkedHashMap<>();
        if (root.get("modules") != null) {
            for (Map.Entry<String, YamlNode> e : root.get("modules").entries("modules").entrySet()) {
                modules.put(e.getKey(), module(e.getKey(), e.getValue(), base));
            }
        }
        return new BlackboxConfig(Map.copyOf(modules));
    }

    private static Module module(String name, YamlNode n, Path base) throws JourneyException {
        n.mapOf("module " + name, MODULE_KEYS);
        String prober = n.require("prober").string("prober");
        if (!prober.equals("http") && !prober.equals("tcp")) {
            throw n.require("prober").error("prober: \"" + prober + "\" is not supported here (http or tcp)");
        }
        Duration timeout = n.get("timeout") != null ? n.get("timeout").duration("timeout") : null;
        if (prober.equals("http")) {
            return new Module(name, prober, timeout, http(n.get("http"), base), null);
        }
        if (n.get("http") != null) {
            throw n.get("http").error("http: the module's prober is tcp");
        }
        return new Module(name, prober, timeout, null, tcp(n.get("tcp"), base));
    }

    private static Http http(YamlNode n, Path base) throws JourneyException {
        if (n == null) {
            return new Http(Set.of(), List.of(), "GET", Map.of(), null, false, false, false, List.of(), List.of(),
                    List.of(), List.of(), TlsOptions.DEFAULT, new IpPreference("ip6", true));
        }
        n.mapOf("http", HTTP_KEYS);
        Set<Integer> codes = new HashSet<>();
        if (n.get("valid_status_codes") != null) {
            for (YamlNode c : n.get("valid_status_codes").list("valid_status_codes")) {
                codes.add(c.integer("valid_status_codes", 100));
            }
        }
        List<String> versions = new ArrayList<>();
        if (n.get("valid_http_versions") != null) {
            for (YamlNode v : n.get("valid_http_versions").list("valid_http_versions")) {
                versions.add(v.string("valid_http_versions"));
            }
        }
        String method = n.get("method") != null ? n.get("method").string("method").toUpperCase(Locale.ROOT) : "GET";
        Map<String, String> headers = new LinkedHashMap<>();
        if (n.get("headers") != null) {
            for (Map.Entry<String, YamlNode> h : n.get("headers").entries("headers").entrySet()) {
                headers.put(h.getKey(), h.getValue().string("headers." + h.getKey()));
            }
        }
        if (n.get("basic_auth") != null) {
            YamlNode b = n.get("basic_auth");
            b.mapOf("basic_auth", Set.of("username", "password", "password_file"));
            String user = b.get("username") != null ? b.get("username").string("username") : "";
            String pass = b.get("password") != null ? b.get("password").string("password")
                    : b.get("password_file") != null ? readSecret(b.get("password_file"), base) : "";
            headers.put("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString((user + ":" + pass).getBytes(StandardCharsets.UTF_8)));
        }
        if (n.get("bearer_token") != null) {
            headers.put("Authorization", "Bearer " + n.get("bearer_token").string("bearer_token"));
        } else if (n.get("bearer_token_file") != null) {
            headers.put("Authorization", "Bearer " + readSecret(n.get("bearer_token_file"), base));
        }
        String body = n.get("body") != null ? n.get("body").string("body") : null;
        return new Http(Set.copyOf(codes), List.copyOf(versions), method, headers, body,
                flag(n, "no_follow_redirects"), flag(n, "fail_if_ssl"), flag(n, "fail_if_not_ssl"),
                regexes(n.get("fail_if_body_matches_regexp"), "fail_if_body_matches_regexp"),
                regexes(n.get("fail_if_body_not_matches_regexp"), "fail_if_body_not_matches_regexp"),
                headerMatches(n.get("fail_if_header_matches"), "fail_if_header_matches"),
                headerMatches(n.get("fail_if_header_not_matches"), "fail_if_header_not_matches"),
                tls(n.get("tls_config"), base), ip(n));
    }

    private static Tcp tcp(YamlNode n, Path base) throws JourneyException {
        if (n == null) {
            return new Tcp(List.of(), false, TlsOptions.DEFAULT, new IpPreference("ip6", true));
        }
        n.mapOf("tcp", TCP_KEYS);
        List<QueryStep> steps = new ArrayList<>();
        if (n.get("query_response") != null) {
            for (YamlNode q : n.get("query_response").list("query_response")) {
                q.mapOf("query_response item", QUERY_KEYS);
                steps.add(new QueryStep(q.get("expect") != null ? q.get("expect").regex("expect") : null,
                        q.get("send") != null ? q.get("send").string("send") : null, flag(q, "starttls")));
            }
        }
        return new Tcp(List.copyOf(steps), flag(n, "tls"), tls(n.get("tls_config"), base), ip(n));
    }

    private static TlsOptions tls(YamlNode n, Path base) throws JourneyException {
        if (n == null) {
            return TlsOptions.DEFAULT;
        }
        n.mapOf("tls_config", TLS_KEYS);
        Path ca = n.get("ca_file") != null ? base.resolve(n.get("ca_file").string("ca_file")) : null;
        return new TlsOptions(flag(n, "insecure_skip_verify"), ca,
                n.get("server_name") != null ? n.get("server_name").string("server_name") : null);
    }

    private static IpPreference ip(YamlNode n) throws JourneyException {
        String p = n.get("preferred_ip_protocol") != null ? n.get("preferred_ip_protocol").string("preferred_ip_protocol") : "ip6";
        if (!p.equals("ip4") && !p.equals("ip6")) {
            throw n.get("preferred_ip_protocol").error("preferred_ip_protocol: \"" + p + "\" (ip4 or ip6)");
        }
        return new IpPreference(p, n.get("ip_protocol_fallback") == null || n.get("ip_protocol_fallback").bool("ip_protocol_fallback"));
    }

    private static boolean flag(YamlNode n, String key) throws JourneyException {
        return n.get(key) != null && n.get(key).bool(key);
    }

    private static List<Pattern> regexes(YamlNode n, String what) throws JourneyException {
        List<Pattern> out = new ArrayList<>();
        if (n != null) {
            for (YamlNode r : n.list(what)) {
                out.add(r.regex(what));
            }
        }
        return List.copyOf(out);
    }

    private static List<HeaderMatch> headerMatches(YamlNode n, String what) throws JourneyException {
        List<HeaderMatch> out = new ArrayList<>();
        if (n != null) {
            for (YamlNode m : n.list(what)) {
                m.mapOf(what + " item", HEADER_MATCH_KEYS);
                out.add(new HeaderMatch(m.require("header").string("header"), m.require("regexp").regex("regexp"),
                        flag(m, "allow_missing")));
            }
        }
        return List.copyOf(out);
    }

    private static String readSecret(YamlNode n, Path base) throws JourneyException {
        Path p = base.resolve(n.string("file"));
        try {
            return Files.readString(p).strip();
        } catch (IOException e) {
            throw n.error("cannot read " + p + ": " + e.getMessage());
        }
    }
}
