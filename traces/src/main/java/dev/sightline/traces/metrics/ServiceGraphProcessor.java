package dev.sightline.traces.metrics;

import dev.sightline.core.Labels;
import dev.sightline.core.span.Attributes;
import dev.sightline.core.span.Span;
import dev.sightline.core.span.SpanResource;
import dev.sightline.core.span.StatusCode;
import dev.sightline.traces.metrics.EdgeStore.Edge;


/**
 * The service graph, as Tempo's service graph processor builds it: a CLIENT (or PRODUCER) span and the SERVER (or
 * CONSUMER) span whose parent it is make one request from the client's service to the server's. The first half seen
 * waits in a bounded store, whichever side arrives first, until its other half comes or it expires. A client span of a
 * database call (db.name or db.system) completes at once, towards the database named by peer.service, server.address,
 * network.peer.address[:network.peer.port] or db.name. An edge that expires unpaired still counts when its missing side
 * can be inferred (connection_type "virtual_node"): a root server span was called by "user", a client span with a
 * peer attribute (peer.service, db.name, db.system by default) called that peer. A request is failed when either span
 * has status ERROR. Not thread-safe: the generator serialises access.
 */
final class ServiceGraphProcessor {
    static final String TOTAL = "traces_service_graph_request_total";
    static final String FAILED = "traces_service_graph_request_failed_total";
    static final String SERVER_SECONDS = "traces_service_graph_request_server_seconds";
    static final String CLIENT_SECONDS = "traces_service_graph_request_client_seconds";
    static final String MESSAGING = "messaging_system";
    static final String DATABASE = "database";
    static final String VIRTUAL_NODE = "virtual_node";
    private static final int FIXED = 3;

    private final String[] dimensions;
    private final String[] labelNames;
    private final String[] peerAttributes;
    private final long waitMs;
    private final HistogramFamily serverSeconds;
    private final HistogramFamily clientSeconds;
    private final EdgeStore edges;
    private final SeriesTable<Series> table;
    private long now;
    private long expired;
    private long dropped;

    ServiceGraphProcessor(GeneratorConfig.ServiceGraphs config, HistogramMode mode, int schema, int maxBuckets) {
        this.dimensions = config.dimensions().toArray(new String[0]);
        this.labelNames = GeneratedSeries.labelNames(config.dimensions(), "client", "server", "connection_type");
        this.peerAttributes = config.peerAttributes().toArray(new String[0]);
        this.waitMs = config.waitDuration().toMillis();
        this.serverSeconds = new HistogramFamily(SERVER_SECONDS, config.histogramBuckets(), mode, schema, maxBuckets);
        this.clientSeconds = new HistogramFamily(CLIENT_SECONDS, config.histogramBuckets(), mode, schema, maxBuckets);
        this.edges = new EdgeStore(config.maxItems(), dimensions.length);
        this.table = new SeriesTable<>(labelNames.length, this::newSeries);
    }

    private final class Series extends GeneratedSeries {
        final Counter total;
        /** Written from its first failure on, as Tempo's failed series appears with its first increment. */
        final Counter failed;
        final HistogramSeries server;
        final HistogramSeries client;
        /** When the first failure was counted: the failed series starts from 0 then. */
        long firstFailureMs;
        boolean failedStarted;

        Series(String[] values) {
            super(now);
            Labels.Builder b = labels(labelNames, values);
            Labels base = b.build();
            this.server = serverSeconds.newSeries(base);
            this.client = clientSeconds.newSeries(base);
            this.total = new Counter(b.set(Labels.METRIC_NAME, TOTAL).build());
            this.failed = new Counter(b.set(Labels.METRIC_NAME, FAILED).build());
        }

        @Override
        void writeStart(SampleWriter w, long timestampMs) {
            total.writeZero(w, timestampMs);
            server.writeStart(w, timestampMs);
            client.writeStart(w, timestampMs);
        }

        @Override
        void write(SampleWriter w, long timestampMs) {
            if (failed.value > 0 && !failedStarted) {
                failed.writeZero(w, Math.min(firstFailureMs, timestampMs - 1));
                failedStarted = true;
            }
            total.write(w, timestampMs);
            if (failedStarted) {
                failed.write(w, timestampMs);
            }
            server.write(w, timestampMs);
            client.write(w, timestampMs);
        }
    }

    private Series newSeries(String[] values) {
        return new Series(values);
    }

    void consume(SpanResource resource, Span span, long nowMs) {
        now = nowMs;
        expire(nowMs);
        String service = resource.serviceName();
        if (service.isEmpty()) {
            return;
        }
        boolean clientSide;
        String connection = "";
        switch (span.kind()) {
            case PRODUCER -> {
                connection = MESSAGING;
                clientSide = true;
            }
            case CLIENT -> clientSide = true;
            case CONSUMER -> {
                connection = MESSAGING;
                clientSide = false;
            }
            case SERVER -> clientSide = false;
            default -> {
                return;
            }
        }
        long key = clientSide ? span.spanId() : span.parentSpanId();
        Edge e = edges.find(span.traceIdHi(), span.traceIdLo(), key);
        boolean isNew = e == null;
        if (isNew) {
            e = edges.acquire(span.traceIdHi(), span.traceIdLo(), key, nowMs + waitMs);
        }
        e.connectionType = connection;
        e.failed |= span.statusCode() == StatusCode.ERROR;
        e.endMs = Math.max(e.endMs, span.endUnixNano() / 1_000_000);
        double seconds = span.durationNanos() > 0 ? span.durationNanos() / 1e9 : 0;
        Attributes attrs = span.attributes();
        for (int i = 0; i < dimensions.length; i++) {
            String v = SpanAttributes.find(dimensions[i], resource.attributes(), attrs);
            if (v != null) {
                e.dimensions[i] = v;
            }
        }
        for (String peer : peerAttributes) {
            String v = SpanAttributes.find(peer, attrs);
            if (v != null && !v.isEmpty()) {
                e.peerNode = v;
                break;
            }
        }
        if (clientSide) {
            e.client = service;
            e.clientSeconds = seconds;
            database(e, resource.attributes(), attrs, seconds);
        } else {
            e.server = service;
            e.serverSeconds = seconds;
        }
        if (e.complete()) {
            record(e);
            if (isNew) {
                edges.release(e);
            } else {
                edges.remove(e);
            }
        } else if (isNew && !edges.add(e)) {
            dropped++;
            edges.release(e);
        }
    }

    /** A client span that names a database (db.name or db.system) is the whole request: the database sends no span. */
    private static void database(Edge e, Attributes resource, Attributes span, double seconds) {
        String dbName = SpanAttributes.find("db.name", resource, span);
        if (dbName == null && SpanAttributes.find("db.system", resource, span) == null) {
            return;
        }
        e.connectionType = DATABASE;
        e.serverSeconds = seconds;
        String server = SpanAttributes.find("peer.service", resource, span);
        if (server == null) {
            server = SpanAttributes.find("server.address", resource, span);
        }
        if (server == null) {
            String host = SpanAttributes.find("network.peer.address", resource, span);
            String port = host == null ? null : SpanAttributes.find("network.peer.port", resource, span);
            server = port == null ? host : host + ":" + port;
        }
        if (server == null) {
            server = dbName;
        }
        if (server != null) {
            e.server = server;
        }
    }

    /** Expires the edges whose wait is over, counting each and recording the ones whose other side can be inferred. */
    void expire(long nowMs) {
        for (Edge e = edges.oldest(); e != null && e.expiresAtMs <= nowMs; e = edges.oldest()) {
            expired++;
            e.connectionType = VIRTUAL_NODE;
            if (e.client.isEmpty()) {
                if (e.spanId == 0) {
                    e.client = "user";
                    record(e);
                }
            } else if (e.server.isEmpty() && !e.peerNode.isEmpty()) {
                e.server = e.peerNode;
                record(e);
            }
            edges.remove(e);
        }
    }

    private void record(Edge e) {
        String[] v = table.values();
        v[0] = e.client;
        v[1] = e.server;
        v[2] = e.connectionType;
        System.arraycopy(e.dimensions, 0, v, FIXED, dimensions.length);
        Series s = table.get();
        s.total.value++;
        if (e.failed && s.failed.value++ == 0) {
            s.firstFailureMs = now;
        }
        s.server.observe(e.serverSeconds, e.traceIdHi, e.traceIdLo, e.endMs);
        s.client.observe(e.clientSeconds, e.traceIdHi, e.traceIdLo, e.endMs);
        s.updatedMs = now;
    }

    int series() {
        return table.size();
    }

    int pending() {
        return edges.size();
    }

    /** Edges that expired before their other half came (recorded as a virtual node or not). */
    long expired() {
        return expired;
    }

    /** Spans that found the store full and were not kept. */
    long dropped() {
        return dropped;
    }

    void collect(SampleWriter w, long timestampMs, long staleBeforeMs) {
        now = timestampMs;
        expire(timestampMs);
        table.collect(w, timestampMs, staleBeforeMs);
    }
}
