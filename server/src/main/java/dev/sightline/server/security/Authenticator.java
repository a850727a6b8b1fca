package dev.sightline.server.security;

import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks the credentials of one web config: basic-auth passwords against bcrypt hashes, bearer tokens against
 * SHA-256 hashes. A bcrypt check costs tens of milliseconds by design, so each (user, password) outcome is cached,
 * as exporter-toolkit does; the cache holds digests, never passwords, and lives as long as the config.
 * <p>
 * Tokens are hashed with plain SHA-256 rather than bcrypt: a token is high-entropy random text (32 bytes from
 * {@code sightline hash-token}), so no dictionary or brute force search of its hash is feasible, and a fast hash lets
 * every request be checked without a cache. Passwords are chosen by people and need bcrypt's cost.
 */
final class Authenticator {
    /** Outcomes kept at most; a full cache is emptied (an attacker cycling passwords pays bcrypt either way). */
    private static final int MAX_CACHED = 4096;
    /**
     * Checked for unknown users, so the time of an answer does not tell which user names exist. Made on first use:
     * as a field of this class it ran bcrypt at every start, and loading Bouncy Castle (a signed jar) made the JDK
     * verify its signature and keep its 5,933-entry manifest, config with users or not.
     */
    private static final class Dummy {
        static final String HASH = OpenBSDBCrypt.generate("2y", new char[] {'x'}, new byte[16], 10);
    }

    private final Map<String, WebConfig.User> users;
    private final Map<String, WebConfig.Token> tokens = new HashMap<>();
    private final Map<String, Boolean> verified = new ConcurrentHashMap<>();

    Authenticator(WebConfig config) {
        this.users = config.users();
        for (WebConfig.Token t : config.tokens()) {
            tokens.put(HexFormat.of().formatHex(t.sha256()), t);
        }
    }

    /** Basic credentials decoded from an Authorization header's value after "Basic ". */
    record Basic(String user, String password) {
        @Override
        public String toString() {
            return "Basic[" + user + "]"; // never the password
        }
    }

    /** The user and password of a {@code Basic} header value, or null when it is not one. */
    static Basic decodeBasic(String encoded) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(encoded.trim());
        } catch (IllegalArgumentException e) {
            return null;
        }
        String s = new String(raw, StandardCharsets.UTF_8);
        int colon = s.indexOf(':');
        return colon < 0 ? null : new Basic(s.substring(0, colon), s.substring(colon + 1));
    }

    /** Whether {@link #basic} would answer from the cache, without running bcrypt. */
    boolean isCached(Basic b) {
        return verified.containsKey(cacheKey(b));
    }

    /** The user's principal when the password matches, else null. May run bcrypt: call off the event loop unless cached. */
    Principal basic(Basic b) {
        WebConfig.User user = users.get(b.user());
        String key = cacheKey(b);
        Boolean ok = verified.get(key);
        if (ok == null) {
            char[] password = b.password().toCharArray();
            if (user != null) {
                ok = OpenBSDBCrypt.checkPassword(user.bcryptHash(), password);
            } else {
                OpenBSDBCrypt.checkPassword(Dummy.HASH, password);
                ok = false;
            }
            if (verified.size() >= MAX_CACHED) {
                verified.clear();
            }
            verified.put(key, ok);
        }
        return ok && user != null ? new Principal(user.name(), user.scopes(), user.tenant()) : null;
    }

    /** The token's principal when its SHA-256 is configured, else null. */
    Principal bearer(String token) {
        // A map lookup by the hash leaks no usable timing: the caller cannot steer the hash's bytes.
        WebConfig.Token t = tokens.get(HexFormat.of().formatHex(sha256(token.trim())));
        return t == null ? null : new Principal(t.name(), t.scopes(), t.tenant());
    }

    /** The cache key of one credential: a digest of user, NUL, password. */
    private static String cacheKey(Basic b) {
        return HexFormat.of().formatHex(sha256(b.user() + '\0' + b.password()));
    }

    static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    /** The lower-case hex SHA-256 of {@code text}, as bearer_tokens lists it. */
    static String sha256Hex(String text) {
        return HexFormat.of().formatHex(sha256(text)).toLowerCase(Locale.ROOT);
    }
}
