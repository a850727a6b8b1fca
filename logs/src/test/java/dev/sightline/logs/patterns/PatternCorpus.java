package dev.sightline.logs.patterns;

import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.function.Function;

/**
 * Twenty line templates as real services write them (Spring and Logback text, nginx access, logfmt, JSON, klog,
 * Kafka, GC), each filled with random variables, among them words from small vocabularies that no mask catches and
 * the miner has to find varying by itself (user names, banks, hosts, job names).
 */
final class PatternCorpus {
    private static final String[] NAMES = {"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan",
            "judy", "mallory", "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter", "zoe"};
    private static final String[] BANKS = {"chase", "barclays", "santander", "ing", "hsbc", "citi", "monzo", "revolut"};
    private static final String[] POOLS = {"primary", "replica", "analytics", "billing"};
    private static final String[] TABLES = {"orders", "payments", "customers", "invoices", "shipments"};
    private static final String[] METHODS = {"GET", "POST", "PUT", "DELETE"};
    private static final String[] HOSTS = {"payments.internal", "inventory.internal", "search.internal", "auth.internal"};
    private static final String[] JOBS = {"cleanup-sessions", "rebuild-index", "send-digest", "expire-carts"};
    private static final String[] GROUPS = {"orders-consumer", "audit-consumer", "email-consumer"};
    private static final String[] AGENTS = {"curl/8.5.0", "python-requests/2.31.0", "Go-http-client/1.1", "okhttp/4.12.0"};

    private final SplittableRandom r;

    PatternCorpus(long seed) {
        r = new SplittableRandom(seed);
    }

    static final List<Function<PatternCorpus, String>> TEMPLATES = List.of(
            c -> c.ts() + " INFO [main] o.s.b.w.e.tomcat.TomcatWebServer: Tomcat started on port(s): " + c.n(9000)
                    + " (http) with context path ''",
            c -> c.ts() + " WARN [pool-" + c.n(9) + "-thread-" + c.n(20) + "] c.e.cache.RedisCache: cache miss for key user:"
                    + c.uuid() + ", loading from database",
            c -> c.ts() + " ERROR [http-nio-8080-exec-" + c.n(50) + "] c.e.payment.PaymentService: payment " + c.uuid()
                    + " failed: card declined by issuer " + c.pick(BANKS),
            c -> c.ip() + " - - [06/Dec/2026:11:" + c.n(60) + ":" + c.n(60) + " +0000] \"" + c.pick(METHODS)
                    + " /api/v1/products/" + c.n(100000) + " HTTP/1.1\" " + (200 + c.n(5)) + " " + c.n(50000) + " \"-\" \""
                    + c.pick(AGENTS) + "\"",
            c -> "ts=" + c.ts() + " level=info caller=server.go:" + c.n(400) + " msg=\"request served\" method="
                    + c.pick(METHODS) + " path=/api/users/" + c.n(9999) + " status=" + (200 + c.n(4)) + " duration="
                    + c.n(900) + "ms",
            c -> "ts=" + c.ts() + " level=warn caller=pool.go:" + c.n(400) + " msg=\"connection pool exhausted, waiting\" pool="
                    + c.pick(POOLS) + " waiters=" + c.n(64),
            c -> "ts=" + c.ts() + " level=error caller=db.go:" + c.n(400) + " msg=\"query failed\" err=\"pq: deadlock detected\" table="
                    + c.pick(TABLES) + " attempt=" + c.n(5),
            c -> "ts=" + c.ts() + " level=debug msg=\"cache refreshed\" entries=" + c.n(100000) + " took=" + c.n(999) + "."
                    + c.n(999) + "ms",
            c -> "ts=" + c.ts() + " level=info msg=\"user logged in\" user=" + c.pick(NAMES) + " ip=" + c.ip()
                    + " session=" + Long.toHexString(c.r.nextLong()),
            c -> "{\"timestamp\":\"" + c.ts() + "\",\"level\":\"INFO\",\"logger\":\"com.shop.checkout.CartService\",\"thread\":\"http-"
                    + c.n(50) + "\",\"message\":\"Added " + (1 + c.n(9)) + " items to cart " + c.uuid() + "\",\"user\":\""
                    + c.pick(NAMES) + "\"}",
            c -> "{\"timestamp\":\"" + c.ts() + "\",\"level\":\"ERROR\",\"logger\":\"com.shop.checkout.CartService\",\"thread\":\"http-"
                    + c.n(50) + "\",\"message\":\"Cart " + c.uuid() + " not found\",\"user\":\"" + c.pick(NAMES) + "\"}",
            c -> "{\"time\":\"" + c.ts() + "\",\"severity\":\"warning\",\"service\":\"inventory\",\"msg\":\"stock below threshold\",\"sku\":\"SKU-"
                    + c.n(99999) + "\",\"remaining\":" + c.n(10) + "}",
            c -> "{\"time\":\"" + c.ts() + "\",\"severity\":\"info\",\"service\":\"inventory\",\"msg\":\"stock replenished\",\"sku\":\"SKU-"
                    + c.n(99999) + "\",\"added\":" + c.n(500) + "}",
            c -> "{\"ts\":" + (1765000000 + c.n(100000)) + "." + c.n(1000) + ",\"lvl\":\"error\",\"msg\":\"upstream timeout\",\"upstream\":\""
                    + c.pick(HOSTS) + "\",\"elapsed_ms\":" + c.n(30000) + ",\"retry\":" + (c.n(2) == 0) + "}",
            c -> c.ts() + " [kafka-coordinator-heartbeat-thread | " + c.pick(GROUPS) + "] INFO o.a.k.c.consumer.KafkaConsumer - "
                    + "[Consumer clientId=consumer-" + c.n(9) + ", groupId=" + c.pick(GROUPS) + "] Seeking to offset " + c.n(1000000)
                    + " for partition orders-" + c.n(12),
            c -> String.format(Locale.ROOT, "E1206 11:%02d:%02d.%06d %7d reflector.go:%d] k8s.io/client-go/informers/factory.go:%d: "
                    + "Failed to watch *v1.Pod: the server could not find the requested resource", c.n(60), c.n(60), c.n(999999),
                    c.n(99999), c.n(400), c.n(200)),
            c -> c.ts() + " INFO GC pause (G1 Evacuation Pause) (young) " + c.n(900) + "M->" + c.n(900) + "M(" + c.n(4096) + "M) "
                    + c.n(99) + "." + c.n(999) + "ms",
            c -> c.ts() + " ERROR Exception in thread \"main\" java.lang.IllegalStateException: Connection refused: "
                    + c.pick(HOSTS) + "/" + c.ip() + ":" + c.n(65535),
            c -> c.ts() + " INFO Scheduled job " + c.pick(JOBS) + " completed successfully in " + c.n(60) + "." + c.n(9)
                    + "s, next run at " + c.ts(),
            c -> c.ts() + " DEBUG [" + c.pick(NAMES) + "-worker] c.e.mail.Mailer: sending " + c.pick(JOBS)
                    + " mail to " + c.pick(NAMES) + "@example.com via smtp relay");

    String line(int template) {
        return TEMPLATES.get(template).apply(this);
    }

    int n(int bound) {
        return r.nextInt(bound);
    }

    private String pick(String[] words) {
        return words[r.nextInt(words.length)];
    }

    private String uuid() {
        return new UUID(r.nextLong(), r.nextLong()).toString();
    }

    private String ip() {
        return (10 + n(200)) + "." + n(256) + "." + n(256) + "." + n(256);
    }

    private String ts() {
        return String.format(Locale.ROOT, "2026-12-06T%02d:%02d:%02d.%03dZ", n(24), n(60), n(60), n(1000));
    }
}
