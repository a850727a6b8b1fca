package dev.sightline.synthetics.canary;

import java.net.http.HttpClient;
import java.time.Duration;

/**
 * Where a canary writes its value or reads it back: one kind (http, sql, redis). Both calls block at most about
 * {@code timeout} (the caller also bounds them, for clients that would not), and touch only the URL, table or key
 * the configuration names.
 */
interface Target {
    /** Stores {@code value}. */
    void write(String value, Duration timeout) throws Exception;

    /** The text that holds the newest value this place serves (a body, a column, a key), or null for none. */
    String read(Duration timeout) throws Exception;

    /** The target of a write or reader section; {@code http} is shared by every HTTP target of the canaries. */
    static Target of(CanaryConfig.Http http, CanaryConfig.Sql sql, CanaryConfig.Redis redis, String canary, HttpClient client) {
        if (http != null) {
            return new HttpTarget(http, client);
        }
        if (sql != null) {
            return new SqlTarget(sql, canary);
        }
        return new RedisTarget(redis, canary);
    }
}
