package dev.sightline.logs.logql;

import dev.sightline.core.Labels;
import dev.sightline.logs.InMemoryLogStore;
import dev.sightline.logs.LogAppender;
import dev.sightline.logs.LogSelection;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** A small store of realistic lines (JSON, logfmt, plain) and helpers to read results compactly. */
final class LogQlFixture {
    static final long T0 = 1_700_000_000L * 1_000_000_000L;
    static final Labels PAYMENT = Labels.of("service", "payment", "env", "prod");
    static final Labels CHECKOUT = Labels.of("service", "checkout", "env", "prod");
    static final Labels WEB = Labels.of("service", "web", "env", "prod");

    private LogQlFixture() {
    }

    static long at(double seconds) {
        return T0 + Math.round(seconds * 1e9);
    }

    static InMemoryLogStore store() {
        InMemoryLogStore store = new InMemoryLogStore();
        LogAppender a = store.appender();
        a.append(PAYMENT, at(1), "{\"level\":\"info\",\"status\":\"ok\",\"amount\":50,\"trace_id\":\"abc123\","
                + "\"duration_ms\":120,\"user\":{\"id\":7},\"items\":[{\"sku\":\"A1\"},{\"sku\":\"B2\"}]}", Labels.EMPTY);
        a.append(PAYMENT, at(2), "{\"level\":\"error\",\"status\":\"failed\",\"amount\":150.5,\"trace_id\":\"def456\","
                + "\"duration_ms\":1500,\"env\":\"dev\"}", Labels.EMPTY);
        a.append(PAYMENT, at(3), "{\"level\":\"error\",\"status\":\"failed\",\"amount\":80,\"duration_ms\":30}",
                Labels.EMPTY);
        a.append(PAYMENT, at(4), "{\"level\":\"warn\",\"status\":\"failed\",\"amount\":\"lots\"}", Labels.EMPTY);
        a.append(PAYMENT, at(5), "panic: runtime error: index out of range", Labels.EMPTY);
        a.append(CHECKOUT, at(1), "level=info msg=\"order placed\" duration_ms=200 trace_id=abc123 took=200ms size=1.5KB",
                Labels.of("detected_level", "info"));
        a.append(CHECKOUT, at(6), "level=error msg=\"payment timeout\" duration_ms=3000 took=3s size=20MB",
                Labels.of("detected_level", "error"));
        a.append(WEB, at(2), "10.0.0.1 - - [10/Oct/2023:13:55:36 +0000] \"GET /api/users HTTP/1.1\" 200 512",
                Labels.of("trace_id", "abc123"));
        a.append(WEB, at(7), "\u001b[31mERROR\u001b[0m disk full on /var", Labels.EMPTY);
        commit(a);
        return store;
    }

    static void commit(LogAppender a) {
        try {
            a.commit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every line of a log query over the fixture's whole time, oldest first, as "labels line". */
    static List<String> lines(LogQlEngine engine, String query) {
        return lines(engine.range(query, T0, at(100), 1, LogSelection.Direction.FORWARD, 1000));
    }

    static List<String> lines(LogQlResult result) {
        List<String> out = new ArrayList<>();
        for (LogQlResult.Stream s : ((LogQlResult.Streams) result).streams()) {
            for (LogQlResult.Line l : s.lines()) {
                out.add(s.labels() + " " + l.text());
            }
        }
        return out;
    }

    /** The lines' times in seconds after T0, in result order (streams in label order, lines in query order). */
    static List<Double> seconds(LogQlResult result) {
        List<Double> out = new ArrayList<>();
        for (LogQlResult.Stream s : ((LogQlResult.Streams) result).streams()) {
            for (LogQlResult.Line l : s.lines()) {
                out.add((l.timeNanos() - T0) / 1e9);
            }
        }
        return out;
    }
}
