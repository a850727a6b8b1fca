package dev.sightline.server.security;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sightline.core.TenantScope;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The web config file ({@code --web.config.file}): Prometheus exporter-toolkit's format ({@code tls_server_config},
 * {@code http_server_config}, {@code basic_auth_users}) plus Sightline's {@code basic_auth_scopes} and
 * {@code bearer_tokens}. Unknown keys are errors, as the toolkit's strict YAML decoding makes them, and every error
 * names its field. Files it names are read here, relative to the config file's directory, so that a config that
 * loads is complete: certificates are parsed when the listeners take it.
 *
 * @param tls     null: plain HTTP
 * @param headers added to every response, by name
 * @param users   basic-auth users by name
 * @param tokens  bearer tokens
 * @param files   every file this config was read from (itself, certificates), watched for changes
 */
public record WebConfig(Tls tls, boolean http2, Map<String, String> headers, Map<String, User> users,
                        List<Token> tokens, List<Path> files) {

    /** The config of no file: plain HTTP, no credentials asked. */
    public static final WebConfig OPEN = new WebConfig(null, true, Map.of(), Map.of(), List.of(), List.of());

    public WebConfig {
        headers = Map.copyOf(headers);
        users = Map.copyOf(users);
        tokens = List.copyOf(tokens);
        files = List.copyOf(files);
    }

    /** Whether requests must carry credentials: once any user or token is configured. */
    public boolean requiresCredentials() {
        return !users.isEmpty() || !tokens.isEmpty();
    }

    /** Go's crypto/tls client authentication policies, by their names in the file. */
    public enum ClientAuth {
        NoClientCert(false, false, false),
        RequestClientCert(true, false, false),
        RequireAnyClientCert(true, true, false),
        VerifyClientCertIfGiven(true, false, true),
        RequireAndVerifyClientCert(true, true, true);

        final boolean asks;
        final boolean requires;
        final boolean verifies;

        ClientAuth(boolean asks, boolean requires, boolean verifies) {
            this.asks = asks;
            this.requires = requires;
            this.verifies = verifies;
        }
    }

    /**
     * {@code tls_server_config}: PEM text of certificate chain, key and client CA (null when none), the JSSE protocol
     * names from min to max version, and the TLS 1.2 cipher suites (empty: the JVM's defaults).
     */
    public record Tls(String certPem, String keyPem, String clientCaPem, ClientAuth clientAuth, List<String> allowedSans,
                      List<String> protocols, List<String> cipherSuites) {
        public Tls {
            allowedSans = List.copyOf(allowedSans);
            protocols = List.copyOf(protocols);
            cipherSuites = List.copyOf(cipherSuites);
        }
    }

    /** A basic-auth user: its bcrypt hash, scopes and tenant (null: any). */
    public record User(String name, String bcryptHash, Set<Scope> scopes, String tenant) {
        public User {
            scopes = Set.copyOf(scopes);
        }
    }

    /** A bearer token, known by the SHA-256 of its text. */
    public record Token(String name, byte[] sha256, Set<Scope> scopes, String tenant) {
        public Token {
            sha256 = sha256.clone();
            scopes = Set.copyOf(scopes);
        }
    }

    /** The headers {@code http_server_config.headers} may set, as exporter-toolkit allows, with their allowed values (null: any). */
    static final Map<String, Set<String>> SETTABLE_HEADERS = settableHeaders();

    private static Map<String, Set<String>> settableHeaders() {
        Map<String, Set<String>> m = new LinkedHashMap<>();
        m.put("Content-Security-Policy", null);
        m.put("X-Frame-Options", Set.of("deny", "sameorigin"));
        m.put("X-Content-Type-Options", Set.of("nosniff"));
        m.put("X-XSS-Protection", null);
        m.put("Strict-Transport-Security", null);
        return m;
    }

    private static final Map<String, String> TLS_VERSIONS = Map.of(
            "TLS10", "TLSv1", "TLS11", "TLSv1.1", "TLS12", "TLSv1.2", "TLS13", "TLSv1.3");
    private static final List<String> VERSION_ORDER = List.of("TLS10", "TLS11", "TLS12", "TLS13");
    private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]?\\$\\d\\d\\$[./A-Za-z0-9]{53}");
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");
    private static final String HASH_HINT = " (make one with `sightline hash-password` or `htpasswd -nBC 10 \"\" | tr -d ':\\n'`)";

    private static final ObjectMapper YAML = new ObjectMapper(
            YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());

    /** Reads and checks {@code file}; an empty file is {@link #OPEN}. */
    public static WebConfig load(Path file) throws WebConfigException {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new WebConfigException("web config file " + file, "cannot read: " + e, e);
        }
        return parse(content, file.toAbsolutePath().getParent(), file);
    }

    /** Parses YAML text; relative file names resolve against {@code dir}; {@code self} (or null) is watched. */
    static WebConfig parse(byte[] content, Path dir, Path self) throws WebConfigException {
        JsonNode root;
        try {
            root = YAML.readTree(content);
        } catch (JsonProcessingException e) {
            throw new WebConfigException("web config", "invalid YAML: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new WebConfigException("web config", "cannot read: " + e, e);
        }
        List<Path> files = new ArrayList<>();
        if (self != null) {
            files.add(self);
        }
        if (root == null || root.isNull() || root.isMissingNode()) {
            return new WebConfig(null, true, Map.of(), Map.of(), List.of(), files);
        }
        object(root, "web config");
        known(root, "", Set.of("tls_server_config", "http_server_config", "basic_auth_users", "basic_auth_scopes",
                "bearer_tokens", "rate_limit"));
        if (root.has("rate_limit")) {
            throw new WebConfigException("rate_limit", "not supported by Sightline: limits are set in sightline.yml's limits section");
        }
        Tls tls = root.hasNonNull("tls_server_config") ? tls(root.get("tls_server_config"), dir, files) : null;
        boolean http2 = true;
        Map<String, String> headers = new LinkedHashMap<>();
        if (root.hasNonNull("http_server_config")) {
            JsonNode h = root.get("http_server_config");
            object(h, "http_server_config");
            known(h, "http_server_config.", Set.of("http2", "headers"));
            if (h.hasNonNull("http2")) {
                if (!h.get("http2").isBoolean()) {
                    throw new WebConfigException("http_server_config.http2", "must be true or false");
                }
                http2 = h.get("http2").booleanValue();
            }
            if (h.hasNonNull("headers")) {
                headers(h.get("headers"), headers);
            }
        }
        Map<String, User> users = users(root);
        List<Token> tokens = tokens(root.get("bearer_tokens"));
        return new WebConfig(tls, http2, headers, users, tokens, files);
    }

    private static Tls tls(JsonNode t, Path dir, List<Path> files) throws WebConfigException {
        String f = "tls_server_config";
        object(t, f);
        known(t, f + ".", Set.of("cert", "key", "client_ca", "cert_file", "key_file", "client_ca_file",
                "client_auth_type", "client_allowed_sans", "min_version", "max_version", "cipher_suites",
                "prefer_server_cipher_suites", "curve_preferences"));
        if (t.has("curve_preferences") && !t.get("curve_preferences").isEmpty()) {
            throw new WebConfigException(f + ".curve_preferences",
                    "not supported: the JVM's key exchange groups are used (set jdk.tls.namedGroups to restrict them)");
        }
        if (t.has("prefer_server_cipher_suites") && !t.get("prefer_server_cipher_suites").isBoolean()) {
            throw new WebConfigException(f + ".prefer_server_cipher_suites", "must be true or false");
        }
        String cert = pem(t, f, "cert", dir, files);
        String key = pem(t, f, "key", dir, files);
        String clientCa = pem(t, f, "client_ca", dir, files);
        String authName = string(t, f + ".client_auth_type");
        if (cert == null && key == null && clientCa == null && authName == null) {
            return null; // the toolkit serves plain HTTP for a TLS section without certificate or client settings
        }
        if (cert == null) {
            throw new WebConfigException(f + ".cert_file", "missing: TLS needs a certificate (cert_file or cert)");
        }
        if (key == null) {
            throw new WebConfigException(f + ".key_file", "missing: TLS needs the certificate's key (key_file or key)");
        }
        ClientAuth auth = ClientAuth.NoClientCert;
        if (authName != null) {
            try {
                auth = ClientAuth.valueOf(authName);
            } catch (IllegalArgumentException e) {
                throw new WebConfigException(f + ".client_auth_type", "\"" + authName + "\" is not one of "
                        + List.of(ClientAuth.values()), e);
            }
        }
        if (auth.verifies && clientCa == null) {
            throw new WebConfigException(f + ".client_ca_file", "missing: client_auth_type " + auth + " verifies client certificates against it");
        }
        if (clientCa != null && auth == ClientAuth.NoClientCert) {
            throw new WebConfigException(f + ".client_ca_file", "set but client_auth_type is NoClientCert: no client certificate is asked");
        }
        List<String> sans = strings(t, f + ".client_allowed_sans", "client_allowed_sans");
        if (!sans.isEmpty() && !auth.requires) {
            throw new WebConfigException(f + ".client_allowed_sans",
                    "needs client_auth_type RequireAnyClientCert or RequireAndVerifyClientCert: otherwise a client may send no certificate");
        }
        String min = version(t, f + ".min_version", "min_version", "TLS12");
        String max = version(t, f + ".max_version", "max_version", "TLS13");
        if (VERSION_ORDER.indexOf(min) > VERSION_ORDER.indexOf(max)) {
            throw new WebConfigException(f + ".min_version", min + " is above max_version " + max);
        }
        List<String> protocols = new ArrayList<>();
        for (String v : VERSION_ORDER.subList(VERSION_ORDER.indexOf(min), VERSION_ORDER.indexOf(max) + 1)) {
            protocols.add(TLS_VERSIONS.get(v));
        }
        List<String> suites = strings(t, f + ".cipher_suites", "cipher_suites");
        Set<String> supported = TlsSupport.supportedCipherSuites();
        for (int i = 0; i < suites.size(); i++) {
            if (!supported.contains(suites.get(i))) {
                throw new WebConfigException(f + ".cipher_suites[" + i + "]", "\"" + suites.get(i)
                        + "\" is not a cipher suite this JVM supports");
            }
        }
        return new Tls(cert, key, clientCa, auth, sans, protocols, suites);
    }

    /** PEM text from {@code name} (inline) or {@code name_file}, not both; null when neither is set. */
    private static String pem(JsonNode t, String f, String name, Path dir, List<Path> files) throws WebConfigException {
        String inline = string(t, f + "." + name);
        String file = string(t, f + "." + name + "_file");
        if (inline != null && file != null) {
            throw new WebConfigException(f + "." + name, "set " + name + " or " + name + "_file, not both");
        }
        if (file == null) {
            return inline == null || inline.isEmpty() ? null : inline;
        }
        if (file.isEmpty()) {
            return null;
        }
        Path p = dir == null ? Path.of(file) : dir.resolve(file);
        try {
            String text = Files.readString(p, StandardCharsets.US_ASCII);
            files.add(p);
            return text;
        } catch (IOException e) {
            throw new WebConfigException(f + "." + name + "_file", "cannot read " + p + ": " + e, e);
        }
    }

    private static String version(JsonNode t, String field, String key, String fallback) throws WebConfigException {
        String v = string(t, field);
        if (v == null) {
            return fallback;
        }
        if (!TLS_VERSIONS.containsKey(v)) {
            throw new WebConfigException(field, "\"" + v + "\" is not one of " + VERSION_ORDER);
        }
        return v;
    }

    private static void headers(JsonNode h, Map<String, String> out) throws WebConfigException {
        object(h, "http_server_config.headers");
        for (Map.Entry<String, JsonNode> e : h.properties()) {
            String field = "http_server_config.headers." + e.getKey();
            String name = null;
            for (String allowed : SETTABLE_HEADERS.keySet()) {
                if (allowed.equalsIgnoreCase(e.getKey())) {
                    name = allowed;
                }
            }
            if (name == null) {
                throw new WebConfigException(field, "this header cannot be set; settable: " + SETTABLE_HEADERS.keySet());
            }
            String value = string(h, field, e.getKey());
            if (value == null || value.isEmpty()) {
                continue; // blank: unset, as in the toolkit
            }
            Set<String> values = SETTABLE_HEADERS.get(name);
            if (values != null && !values.contains(value.toLowerCase(Locale.ROOT))) {
                throw new WebConfigException(field, "\"" + value + "\" is not one of " + values);
            }
            out.put(name, value);
        }
    }

    private static Map<String, User> users(JsonNode root) throws WebConfigException {
        Map<String, String> hashes = new LinkedHashMap<>();
        JsonNode u = root.get("basic_auth_users");
        if (u != null && !u.isNull()) {
            object(u, "basic_auth_users");
            for (Map.Entry<String, JsonNode> e : u.properties()) {
                String field = "basic_auth_users." + e.getKey();
                if (e.getKey().isEmpty() || e.getKey().indexOf(':') >= 0) {
                    throw new WebConfigException(field, "a user name must be non-empty and without ':' (basic auth splits at the first ':')");
                }
                String hash = string(u, field, e.getKey());
                if (hash == null || !BCRYPT.matcher(hash).matches()) {
                    throw new WebConfigException(field, "not a bcrypt hash" + HASH_HINT);
                }
                hashes.put(e.getKey(), hash);
            }
        }
        Map<String, User> users = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : hashes.entrySet()) {
            users.put(e.getKey(), new User(e.getKey(), e.getValue(), Scope.ALL, null));
        }
        JsonNode s = root.get("basic_auth_scopes");
        if (s != null && !s.isNull()) {
            object(s, "basic_auth_scopes");
            for (Map.Entry<String, JsonNode> e : s.properties()) {
                String field = "basic_auth_scopes." + e.getKey();
                User user = users.get(e.getKey());
                if (user == null) {
                    throw new WebConfigException(field, "no such user in basic_auth_users");
                }
                object(e.getValue(), field);
                known(e.getValue(), field + ".", Set.of("scopes", "tenant"));
                Set<Scope> scopes = e.getValue().has("scopes") ? scopes(e.getValue(), field) : Scope.ALL;
                users.put(user.name(), new User(user.name(), user.bcryptHash(), scopes, tenant(e.getValue(), field)));
            }
        }
        return users;
    }

    private static List<Token> tokens(JsonNode list) throws WebConfigException {
        if (list == null || list.isNull()) {
            return List.of();
        }
        if (!list.isArray()) {
            throw new WebConfigException("bearer_tokens", "must be a list of {name, sha256, scopes, tenant}");
        }
        List<Token> tokens = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Set<String> hashes = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode t = list.get(i);
            String field = "bearer_tokens[" + i + "]";
            object(t, field);
            known(t, field + ".", Set.of("name", "sha256", "scopes", "tenant"));
            String name = string(t, field + ".name");
            if (name == null || name.isEmpty()) {
                throw new WebConfigException(field + ".name", "missing: a token needs a name (logs and 403 messages show it, never the token)");
            }
            if (!names.add(name)) {
                throw new WebConfigException(field + ".name", "\"" + name + "\" is used by another token");
            }
            String hash = string(t, field + ".sha256");
            if (hash == null || !SHA256_HEX.matcher(hash).matches()) {
                throw new WebConfigException(field + ".sha256",
                        "must be the 64 hex digits of the token's SHA-256 (printf %s \"$TOKEN\" | sha256sum)");
            }
            if (!hashes.add(hash.toLowerCase(Locale.ROOT))) {
                throw new WebConfigException(field + ".sha256", "the same token is listed twice");
            }
            if (!t.has("scopes")) {
                throw new WebConfigException(field + ".scopes", "missing: list what the token may do (read, write, admin)");
            }
            tokens.add(new Token(name, HexFormat.of().parseHex(hash.toLowerCase(Locale.ROOT)), scopes(t, field),
                    tenant(t, field)));
        }
        return tokens;
    }

    private static Set<Scope> scopes(JsonNode parent, String field) throws WebConfigException {
        List<String> names = strings(parent, field + ".scopes", "scopes");
        if (names.isEmpty()) {
            throw new WebConfigException(field + ".scopes", "empty: list at least one of read, write, admin");
        }
        Set<Scope> scopes = new LinkedHashSet<>();
        for (int i = 0; i < names.size(); i++) {
            Scope s = Scope.parse(names.get(i));
            if (s == null) {
                throw new WebConfigException(field + ".scopes[" + i + "]", "\"" + names.get(i) + "\" is not one of read, write, admin");
            }
            scopes.add(s);
        }
        return scopes;
    }

    private static String tenant(JsonNode parent, String field) throws WebConfigException {
        String tenant = string(parent, field + ".tenant", "tenant");
        if (tenant != null) {
            try {
                TenantScope.validate(tenant);
            } catch (IllegalArgumentException e) {
                throw new WebConfigException(field + ".tenant", e.getMessage());
            }
        }
        return tenant;
    }

    private static void object(JsonNode n, String field) throws WebConfigException {
        if (!n.isObject()) {
            throw new WebConfigException(field, "must be a mapping");
        }
    }

    private static void known(JsonNode n, String prefix, Set<String> keys) throws WebConfigException {
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            String k = e.getKey();
            if (!keys.contains(k)) {
                throw new WebConfigException(prefix + k, "unknown field");
            }
        }
    }

    /** The string at the last segment of {@code field}, or null when absent. */
    private static String string(JsonNode parent, String field) throws WebConfigException {
        return string(parent, field, field.substring(field.lastIndexOf('.') + 1));
    }

    private static String string(JsonNode parent, String field, String key) throws WebConfigException {
        JsonNode v = parent.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new WebConfigException(field, "must be a string");
        }
        return v.textValue();
    }

    private static List<String> strings(JsonNode parent, String field, String key) throws WebConfigException {
        JsonNode v = parent.get(key);
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray()) {
            throw new WebConfigException(field, "must be a list of strings");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            if (!v.get(i).isTextual()) {
                throw new WebConfigException(field + "[" + i + "]", "must be a string");
            }
            out.add(v.get(i).textValue());
        }
        return out;
    }
}
