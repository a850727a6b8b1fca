package dev.sightline.server.synthetics;

import dev.sightline.core.Labels;
import dev.sightline.core.span.Attributes;
import dev.sightline.core.span.InstrumentationScope;
import dev.sightline.core.span.Span;
import dev.sightline.core.span.SpanIds;
import dev.sightline.core.span.SpanKind;
import dev.sightline.core.span.SpanResource;
import dev.sightline.core.span.StatusCode;
import dev.sightline.logs.LogAppender;
import dev.sightline.logs.LogStore;
import dev.sightline.traces.SpanAppender;
import dev.sightline.traces.SpanStore;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * How synthetic checks (journey runs, canary rounds) write what they found beyond the metrics: each run as a trace in
 * the span store (resource {@code service.name} = the check's service) and its failures as logfmt lines in the log
 * store carrying the trace id. A store that is not open (null) is skipped; a failed write is logged, never thrown.
 */
public final class SyntheticsTelemetry {
    /** The service names Sightline's own checks write their spans and log lines under. */
    public static final String CANARIES = "sightline-canaries";
    public static final String JOURNEYS = "sightline-journeys";
    public static final Set<String> SERVICES = Set.of(CANARIES, JOURNEYS);

    private static final Logger LOG = Logger.getLogger(SyntheticsTelemetry.class.getName());
    private static final InstrumentationScope SCOPE = new InstrumentationScope("dev.sightline.synthetics", "",
            Attributes.EMPTY, 0, "");

    private final String service;
    private final SpanResource resource;
    private final Supplier<SpanStore> spans;
    private final Supplier<LogStore> logs;

    SyntheticsTelemetry(String service, Supplier<SpanStore> spans, Supplier<LogStore> logs) {
        this.service = service;
        this.resource = new SpanResource(new Attributes.Builder().addString("service.name", service).build(), 0, "");
        this.spans = spans;
        this.logs = logs;
    }

    /** A new trace to collect one run's spans and lines into. */
    Trace trace() {
        return new Trace(ThreadLocalRandom.current().nextLong() | 1, ThreadLocalRandom.current().nextLong() | 1);
    }

    private record Line(Labels stream, long atMs, String text) {
    }

    /** One run's spans and failure lines, written together by {@link #write}. */
    final class Trace {
        private final long hi;
        private final long lo;
        private final List<Span> spanList = new ArrayList<>();
        private final List<Line> lines = new ArrayList<>();

        private Trace(long hi, long lo) {
            this.hi = hi;
            this.lo = lo;
        }

        /** The trace id in hex, as log lines and the UI's /traces/&lt;id&gt; name it. */
        String id() {
            return SpanIds.traceIdHex(hi, lo);
        }

        /** Adds a span (parent 0 for the root); {@code error} non-null sets status ERROR with it. Returns its id. */
        long span(long parent, String name, SpanKind kind, long startMs, long endMs, Attributes attributes, String error) {
            long id = ThreadLocalRandom.current().nextLong() | 1;
            spanList.add(new Span(hi, lo, id, parent, "", 1, name, kind, startMs * 1_000_000,
                    Math.max(startMs, endMs) * 1_000_000, attributes, 0, List.of(), 0, List.of(), 0,
                    error != null ? StatusCode.ERROR : StatusCode.OK, error != null ? error : ""));
            return id;
        }

        /**
         * Adds a log line to the stream {@code {service_name=<service>, <key>=<value>, level=error}}: logfmt of the
         * key/value pairs (a null value leaves its key out), ending with {@code trace_id}.
         */
        void failure(String key, String value, long atMs, String... pairs) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < pairs.length; i += 2) {
                if (pairs[i + 1] != null) {
                    logfmt(line, pairs[i], pairs[i + 1]);
                }
            }
            logfmt(line, "trace_id", id());
            lines.add(new Line(Labels.of("service_name", service, key, value, "level", "error"), atMs, line.toString()));
        }

        /** Writes the spans, then the lines; {@code what} names the run in a warning. True when the spans were stored. */
        boolean write(String what) {
            boolean stored = false;
            SpanStore spanStore = spans.get();
            if (spanStore != null && !spanList.isEmpty()) {
                SpanAppender app = spanStore.appender();
                try {
                    for (Span s : spanList) {
                        app.append(resource, SCOPE, s);
                    }
                    app.commit();
                    stored = true;
                } catch (IOException | RuntimeException e) {
                    app.rollback();
                    LOG.log(Level.WARNING, what + ": cannot write its spans: " + e.getMessage(), e);
                }
            }
            LogStore logStore = logs.get();
            if (logStore != null && !lines.isEmpty()) {
                LogAppender app = logStore.appender();
                try {
                    for (Line l : lines) {
                        app.append(l.stream(), l.atMs() * 1_000_000, l.text(), Labels.EMPTY);
                    }
                    app.commit();
                } catch (IOException | RuntimeException e) {
                    app.rollback();
                    LOG.log(Level.WARNING, what + ": cannot write its failure lines: " + e.getMessage(), e);
                }
            }
            return stored;
        }
    }

    private static void logfmt(StringBuilder sb, String key, String v) {
        if (!sb.isEmpty()) {
            sb.append(' ');
        }
        sb.append(key).append('=');
        if (v.isEmpty() || v.chars().anyMatch(c -> c == ' ' || c == '"' || c == '=' || c < 0x20)) {
            sb.append('"');
            for (int i = 0; i < v.length(); i++) {
                char c = v.charAt(i);
                switch (c) {
                    case '"' -> sb.append("\\\"");
                    case '\\' -> sb.append("\\\\");
                    case '\n' -> sb.append("\\n");
                    case '\r' -> sb.append("\\r");
                    case '\t' -> sb.append("\\t");
                    default -> sb.append(c);
                }
            }
            sb.append('"');
        } else {
            sb.append(v);
        }
    }
}
