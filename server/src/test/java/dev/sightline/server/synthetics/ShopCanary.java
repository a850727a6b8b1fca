package dev.sightline.server.synthetics;

import dev.sightline.synthetics.canary.CanaryValue;
import dev.sightline.synthetics.canary.StaleCacheApp;

import java.io.IOException;

/**
 * A canary {@code shop} over two in-test apps: reader {@code fresh} reads a cache that shows each round's value,
 * reader {@code stale} (label region=us) a cache serving a value written an hour ago, with 200 OK.
 */
public final class ShopCanary implements AutoCloseable {
    private final StaleCacheApp app;
    private final StaleCacheApp stale;

    public ShopCanary() throws IOException {
        String hourOld = CanaryValue.next("shop", System.currentTimeMillis() - 3_600_000).toString();
        app = StaleCacheApp.inMemory();
        stale = StaleCacheApp.over(() -> hourOld, Long.MAX_VALUE);
    }

    /** The app the canary writes to (its {@code /db}), whose {@code /cache} is the fresh reader. */
    public String appUrl(String path) {
        return app.url(path);
    }

    /** The {@code canaries:} section of sightline.yml; a 2 s interval and timeout leave room on a loaded machine. */
    public String config() {
        return """
                canaries:
                  - name: shop
                    interval: 2s
                    timeout: 2s
                    write: {http: {url: "%s"}}
                    readers:
                      - {name: fresh, http: {url: "%s", jsonpath: "$.value"}}
                      - {name: stale, labels: {region: us}, http: {url: "%s", jsonpath: "$.value"}}
                """.formatted(app.url("/db"), app.url("/cache"), stale.url("/cache"));
    }

    @Override
    public void close() {
        app.close();
        stale.close();
    }
}
