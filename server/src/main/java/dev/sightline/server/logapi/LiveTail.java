package dev.sightline.server.logapi;

import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.core.TenantScope;
import dev.sightline.logs.LineFilter;
import dev.sightline.logs.LogEntry;
import dev.sightline.logs.LogSelection;
import dev.sightline.logs.LogStore;
import dev.sightline.server.http.HttpApi;
import dev.sightline.server.logapi.LokiParams.BadRequest;
import dev.sightline.server.query.RangeLimits;
import dev.sightline.server.tenants.Tenant;
import dev.sightline.server.tenants.TenantException;
import dev.sightline.server.tenants.Tenants;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * {@code /loki/api/v1/tail}, Loki's live tail over a websocket: first the newest {@code limit} lines since
 * {@code start} (default an hour ago), oldest first, then every line committed from then on that meets the query's
 * stream selector and line filters, in frames of {@code {"streams":[...],"dropped_entries":[...]}}. Live lines come
 * from {@link LiveLines} as they are committed, so a line reaches the client as soon as its push is acknowledged
 * (plus {@code delay_for} seconds when asked, at most 5 as Loki). A client that reads too slowly has lines dropped
 * rather than buffered without bound; they are listed in the next frame's {@code dropped_entries}. Other pipeline
 * stages (parsers, label filters, formatting) are refused with a message naming them: the engine answers queries
 * over stored lines, not over a live batch.
 */
final class LiveTail {
    static final int MAX_DELAY_SECONDS = 5;
    /** Dropped entries listed at most per frame, as Loki's tailer caps them. */
    static final int MAX_DROPPED = 100;

    private final Supplier<? extends LogStore> store;
    private final LiveLines live;
    private final LongSupplier nowNanos;
    private final Tenants tenants;

    /** {@code tenants} null: every tail sees every line, as with multitenancy off. */
    LiveTail(Supplier<? extends LogStore> store, LiveLines live, LongSupplier nowNanos, Tenants tenants) {
        this.store = store;
        this.live = live;
        this.nowNanos = nowNanos;
        this.tenants = tenants;
    }

    void handle(RoutingContext ctx) {
        Tenant tenant;
        try {
            tenant = tenants == null ? null : tenants.of(ctx.request());
        } catch (TenantException e) {
            text(ctx, e.status(), e.getMessage());
            return;
        }
        // Live lines come as stored, a tenant's tagged with its label: its tail keeps only those, shown untagged.
        TenantScope scope = tenant == null || tenant.id() == null ? null : new TenantScope(tenant.id());
        long now = nowNanos.getAsLong();
        LokiParams p = new LokiParams(ctx, now, RangeLimits.DEFAULT);
        LogSelection history;
        LogSelection filter;
        long delayMs;
        try {
            LogSelector selector = LogSelector.parse("query", p.required("query"));
            List<LineFilter> filters = selector.lineFiltersOrNull();
            if (filters == null) {
                throw new BadRequest("live tail takes a stream selector and line filters (|= != |~ !~); not \""
                        + selector.pipeline() + "\": run it as a query_range instead");
            }
            int limit = p.limit();
            int delay = p.integer("delay_for", 0, 0, "delay_for must not be negative");
            if (delay > MAX_DELAY_SECONDS) {
                throw new BadRequest("delay_for can't be greater than " + MAX_DELAY_SECONDS);
            }
            delayMs = delay * 1000L;
            long start = p.time("start", now - LokiParams.HOUR);
            if (start > now) {
                throw new BadRequest("start must not be in the future");
            }
            history = new LogSelection(start, now, selector.matchers(), filters, List.of(),
                    LogSelection.Direction.BACKWARD, limit);
            List<LabelMatcher> matchers = scope == null ? selector.matchers() : scope.matchers(selector.matchers());
            // A selector on the reserved label alone that rejects the empty string: no live line can match.
            filter = matchers == null ? null : new LogSelection(Long.MIN_VALUE, Long.MAX_VALUE, matchers, filters, List.of(),
                    LogSelection.Direction.FORWARD, Integer.MAX_VALUE);
        } catch (BadRequest e) {
            text(ctx, 400, e.getMessage());
            return;
        }
        // Parameters are checked first, so a plain GET tells a client (a browser, whose WebSocket API hides a
        // failed handshake's answer) why its tail would be refused.
        String upgrade = ctx.request().getHeader("Upgrade");
        if (upgrade == null || !upgrade.equalsIgnoreCase("websocket")) {
            text(ctx, 400, "tail is a websocket endpoint: connect with Upgrade: websocket");
            return;
        }
        LogStore shared = store.get();
        if (shared == null) {
            text(ctx, 503, "the log store is not open yet");
            return;
        }
        LogStore s = tenant == null ? shared : tenant.logs(shared);
        ctx.request().toWebSocket().onSuccess(ws -> new Session(ctx.vertx(), ws, filter, scope != null, delayMs).start(s, history))
                .onFailure(ctx::fail);
    }

    private static void text(RoutingContext ctx, int status, String msg) {
        HttpApi.respond(ctx, status, "text/plain; charset=utf-8", Buffer.buffer(msg + "\n"));
    }

    /** One tail connection: the lines of history, then live lines; runs on the connection's event loop. */
    private final class Session implements Consumer<List<LogEntry>> {
        private final Vertx vertx;
        private final Context context;
        private final ServerWebSocket ws;
        /** Null: no live line can match. */
        private final LogSelection filter;
        /** Whether live lines carry a tenant label to take off before they are sent. */
        private final boolean strip;
        private final long delayMs;
        private final Object lock = new Object();
        /** Live lines that arrived while the history was read; sent after it, less what it already held. */
        private List<LogEntry> early = new ArrayList<>();
        private final List<LogEntry> dropped = new ArrayList<>();
        private LiveLines.Subscription subscription;

        Session(Vertx vertx, ServerWebSocket ws, LogSelection filter, boolean strip, long delayMs) {
            this.vertx = vertx;
            this.context = vertx.getOrCreateContext();
            this.ws = ws;
            this.filter = filter;
            this.strip = strip;
            this.delayMs = delayMs;
        }

        void start(LogStore s, LogSelection history) {
            // Subscribed before the history is read, so no line committed in between is missed.
            subscription = live.subscribe(this);
            ws.closeHandler(v -> subscription.close());
            ws.exceptionHandler(e -> subscription.close());
            vertx.executeBlocking(() -> {
                List<LogEntry> lines = new ArrayList<>();
                s.querier().select(history, e -> lines.add(e));
                return lines.reversed();
            }, false).onComplete(ar -> {
                if (ar.failed()) {
                    subscription.close();
                    ws.close((short) 1011, "reading history failed: " + ar.cause().getMessage());
                    return;
                }
                List<LogEntry> first = new ArrayList<>(ar.result());
                // Sent under the lock, so that no live frame is queued before it.
                synchronized (lock) {
                    Set<LogEntry> seen = new HashSet<>(first);
                    for (LogEntry e : early) {
                        if (!seen.contains(e)) {
                            first.add(e);
                        }
                    }
                    early = null;
                    send(first);
                }
            });
        }

        /** A committed batch, on the committing thread: keeps the matching lines and sends them on. */
        @Override
        public void accept(List<LogEntry> batch) {
            if (filter == null) {
                return;
            }
            List<LogEntry> matching = new ArrayList<>();
            for (LogEntry e : batch) {
                if (filter.matches(e)) {
                    // Untagged as the history's lines are, so a line in both is recognised and sent once.
                    matching.add(strip ? new LogEntry(e.timeNanos(), TenantScope.strip(e.stream()), e.metadata(), e.line()) : e);
                }
            }
            if (matching.isEmpty()) {
                return;
            }
            synchronized (lock) {
                if (early != null) {
                    early.addAll(matching);
                    return;
                }
                if (ws.writeQueueFull()) {
                    for (LogEntry e : matching) {
                        if (dropped.size() < MAX_DROPPED) {
                            dropped.add(e);
                        }
                    }
                    return;
                }
            }
            send(matching);
        }

        private void send(List<LogEntry> lines) {
            Map<Labels, List<LogEntry>> streams = new LinkedHashMap<>();
            for (LogEntry e : lines) {
                streams.computeIfAbsent(LokiJson.labels(e), k -> new ArrayList<>()).add(e);
            }
            List<LogEntry> lost;
            synchronized (lock) {
                lost = List.copyOf(dropped);
                dropped.clear();
            }
            if (streams.isEmpty() && lost.isEmpty()) {
                return;
            }
            String frame = LokiJson.tailFrame(streams, lost).toString();
            context.runOnContext(v -> {
                if (delayMs > 0) {
                    vertx.setTimer(delayMs, t -> write(frame));
                } else {
                    write(frame);
                }
            });
        }

        private void write(String frame) {
            if (!ws.isClosed()) {
                ws.writeTextMessage(frame);
            }
        }
    }
}
