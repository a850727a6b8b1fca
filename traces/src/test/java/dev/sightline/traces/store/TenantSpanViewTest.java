package dev.sightline.traces.store;

import dev.sightline.core.span.SpanKind;
import dev.sightline.core.span.StatusCode;
import dev.sightline.traces.SpanAppender;
import dev.sightline.traces.SpanQuerier;
import dev.sightline.traces.SpanStore;
import dev.sightline.traces.TenantSpanView;
import dev.sightline.traces.conformance.SpanStoreConformanceTest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.sightline.traces.conformance.SpanData.HOUR;
import static dev.sightline.traces.conformance.SpanData.T0;
import static dev.sightline.traces.conformance.SpanData.attrs;
import static dev.sightline.traces.conformance.SpanData.resource;
import static dev.sightline.traces.conformance.SpanData.span;

/**
 * The conformance suite through one tenant's view of a disk store that also holds another tenant's spans and
 * untenanted ones, over the suite's hours, with services, names and attributes of their own: any of them leaking into
 * the view would break the suite's exact answers.
 */
class TenantSpanViewTest extends SpanStoreConformanceTest {
    @Override
    protected SpanStore open(Path dir) throws IOException {
        boolean fresh;
        try (var files = Files.list(dir)) {
            fresh = files.findAny().isEmpty();
        }
        SpanStore shared = LuceneSpanStore.open(dir, LuceneSpanStore.defaultOptions());
        if (fresh) {
            seed(TenantSpanView.store(shared, "b").appender(), "noise-b");
            seed(shared.appender(), "noise-untenanted");
        }
        SpanStore view = TenantSpanView.store(shared, "a");
        return new SpanStore() {
            @Override
            public SpanAppender appender() {
                return view.appender();
            }

            @Override
            public SpanQuerier querier() {
                return view.querier();
            }

            @Override
            public void close() throws IOException {
                shared.close();
            }
        };
    }

    private static void seed(SpanAppender app, String service) throws IOException {
        for (int i = 0; i < 40; i++) {
            app.append(resource(service, "noise.attr", "x"), dev.sightline.core.span.InstrumentationScope.EMPTY,
                    span(0x7000_0000L + service.length() * 1000L + i, 1 + i, 0, "noise op", SpanKind.SERVER,
                            T0 - HOUR + i * HOUR / 4, 1_000_000, StatusCode.ERROR, attrs("http.status_code", 500L,
                                    "noise.span", "y")));
        }
        app.commit();
    }
}
