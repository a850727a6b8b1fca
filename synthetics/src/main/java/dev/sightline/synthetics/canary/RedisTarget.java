package dev.sightline.synthetics.canary;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.JedisURIHelper;

import java.net.URI;
import java.time.Duration;

/**
 * One Redis key: the write SETs it on the primary (each value replaces the last, so nothing accumulates), a reader
 * GETs it from a replica. Each call opens its own connection, bounded by the timeout.
 */
final class RedisTarget implements Target {
    private final URI url;
    private final String key;

    RedisTarget(CanaryConfig.Redis spec, String canary) {
        this.url = URI.create(spec.url());
        this.key = spec.keyFor(canary);
    }

    @Override
    public void write(String value, Duration timeout) throws Exception {
        try (Jedis j = connect(timeout)) {
            j.set(key, value);
        }
    }

    @Override
    public String read(Duration timeout) throws Exception {
        try (Jedis j = connect(timeout)) {
            return j.get(key);
        }
    }

    private Jedis connect(Duration timeout) {
        int ms = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(ms).socketTimeoutMillis(ms)
                .user(JedisURIHelper.getUser(url)).password(JedisURIHelper.getPassword(url))
                .database(JedisURIHelper.getDBIndex(url)).ssl(JedisURIHelper.isRedisSSLScheme(url))
                .clientName("sightline-canary");
        return new Jedis(JedisURIHelper.getHostAndPort(url), config.build());
    }
}
