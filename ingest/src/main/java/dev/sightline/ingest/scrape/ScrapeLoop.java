package dev.sightline.ingest.scrape;

import dev.sightline.core.Labels;
import dev.sightline.core.Staleness;
import dev.sightline.core.ValidationException;
import dev.sightline.ingest.MetricType;
import dev.sightline.ingest.exposition.ExpositionException;
import dev.sightline.ingest.exposition.ExpositionParser;
import dev.sightline.metricstore.Appender;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.zip.GZIPInputStream;

/**
 * Scrapes one target every interval on a virtual thread of its own, starting at a per-target offset within the
 * interval, and writes each scrape (samples, stale markers, the five report series) as one committed batch.
 */
final class ScrapeLoop {
    private static final Logger LOG = Logger.getLogger(ScrapeLoop.class.getName());
    /** Prometheus 2.x's Accept header: OpenMetrics 1.0 preferred, then the text format 0.0.4. */
    static final String ACCEPT = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
            + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
    private static final String[] REPORT_NAMES = {"up", "scrape_duration_seconds", "scrape_samples_scraped",
            "scrape_samples_post_metric_relabeling", "scrape_series_added"};

    private final Target target;
    private final ScrapeConfig cfg;
    private final HttpClient client;
    private final ScrapeStorage storage;
    private final SeriesCache cache;
    private final long[] reportRefs;
    private final Labels[] reportLabels = new Labels[REPORT_NAMES.length];
    private long iteration;
    private volatile boolean stopping;
    /** Wakes the loop's sleep at stop. The loop is never interrupted: an interrupt during the commit's WAL write
     *  would close the storage's file channel for every writer. */
    private final java.util.concurrent.CountDownLatch stopSignal = new java.util.concurrent.CountDownLatch(1);
    private volatile CompletableFuture<HttpResponse<byte[]>> inFlight;
    private Thread thread;

    ScrapeLoop(Target target, ScrapeConfig cfg, HttpClient client, ScrapeStorage storage, SeriesCache inherited) {
        this.target = target;
        this.cfg = cfg;
        this.client = client;
        this.storage = storage;
        this.cache = inherited != null ? inherited : new SeriesCache();
        this.reportRefs = cache.reportRefs;
        for (int i = 0; i < REPORT_NAMES.length; i++) {
            reportLabels[i] = target.labels().toBuilder().set(Labels.METRIC_NAME, REPORT_NAMES[i]).build();
        }
    }

    Target target() {
        return target;
    }

    SeriesCache cache() {
        return cache;
    }

    /** Prometheus's offset: the target hash (mixed with the instance's seed) picks a fixed phase within the interval. */
    static long offsetMillis(long nowMs, long intervalMs, long targetHash, long jitterSeed) {
        long base = intervalMs - Math.floorMod(nowMs, intervalMs);
        long offset = Long.remainderUnsigned(targetHash ^ jitterSeed, intervalMs);
        long next = base + offset;
        return next > intervalMs ? next - intervalMs : next;
    }

    void start(long jitterSeed) {
        long interval = target.interval().toMillis();
        long first = System.currentTimeMillis() + offsetMillis(System.currentTimeMillis(), interval, target.hash(), jitterSeed);
        thread = Thread.ofVirtual().name("scrape-" + target.scrapePool() + "-" + target.url()).start(() -> run(first, interval));
    }

    private void run(long first, long interval) {
        long next = first;
        while (!stopping) {
            long wait = next - System.currentTimeMillis();
            if (wait > 0) {
                try {
                    if (stopSignal.await(wait, TimeUnit.MILLISECONDS)) {
                        return;
                    }
                } catch (InterruptedException e) {
                    return;
                }
            }
            if (stopping) {
                return;
            }
            try {
                scrapeOnce();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "scrape of " + target.url() + " failed unexpectedly", e);
            }
            long now = System.currentTimeMillis();
            next += interval;
            if (next <= now) {
                next += ((now - next) / interval + 1) * interval; // skip ticks missed by a slow scrape
            }
        }
    }

    /** Stops the loop; with {@code writeStaleness} the target's series (and report series) are marked stale. */
    void stop(boolean writeStaleness) {
        stopping = true;
        stopSignal.countDown();
        CompletableFuture<HttpResponse<byte[]>> f = inFlight;
        if (f != null) {
            f.cancel(true);
        }
        if (thread != null) {
            try {
                thread.join(target.timeout().toMillis() + 5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (writeStaleness && cache.lastScrapeMs >= 0) {
            long ts = Math.max(System.currentTimeMillis(), cache.lastScrapeMs + 1);
            Appender batch = storage.begin();
            staleAll(batch, ts);
            for (int i = 0; i < reportLabels.length; i++) {
                appendQuietly(batch, reportRefs[i], reportLabels[i], ts, Staleness.STALE_NAN);
            }
            commit(batch);
        }
    }

    /** Counters of one scrape. */
    record Result(String error, int scraped, int postRelabel, int added) {
    }

    /** One scrape now: fetch, parse, append, stale markers, report series, one commit. */
    Result scrapeOnce() {
        long startNanos = System.nanoTime();
        long ts = System.currentTimeMillis();
        if (ts <= cache.lastScrapeMs) {
            ts = cache.lastScrapeMs + 1;
        }
        iteration++;
        String error = null;
        byte[] body = null;
        String contentType = null;
        try {
            HttpResponse<byte[]> r = fetch();
            contentType = r.headers().firstValue("Content-Type").orElse(null);
            body = decode(r);
            if (r.statusCode() != 200) {
                error = "server returned HTTP status " + r.statusCode() + statusText(r.statusCode());
            }
        } catch (IOException e) {
            error = "Get \"" + target.url() + "\": " + describe(e);
        }
        if (stopping) {
            // Cut short by stop(): nothing is written, the successor or stop() itself writes what is due.
            iteration--;
            return new Result("scrape loop stopped", 0, 0, 0);
        }
        int[] counts = new int[4];
        Appender batch = storage.begin();
        if (error == null) {
            try {
                appendBody(batch, body, contentType, ts, counts);
                sweepAfterSuccess(batch, ts);
            } catch (ExpositionException | ScrapeFailure e) {
                error = e.getMessage();
                batch.rollback();
                batch = storage.begin();
            }
        }
        if (error != null) {
            staleAll(batch, ts);
        }
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        double[] report = {error == null ? 1 : 0, seconds, counts[0], counts[1], counts[2]};
        for (int i = 0; i < report.length; i++) {
            reportRefs[i] = appendQuietly(batch, reportRefs[i], reportLabels[i], ts, report[i]);
        }
        commit(batch);
        if (counts[3] > 0) {
            LOG.warning("scrape of " + target.url() + ": storage refused " + counts[3] + " samples (out of order, duplicate or too old)");
        }
        cache.lastScrapeMs = ts;
        target.report(Instant.ofEpochMilli(ts), seconds, error);
        return new Result(error, counts[0], counts[1], counts[2]);
    }

    private HttpResponse<byte[]> fetch() throws IOException {
        long timeoutMs = target.timeout().toMillis();
        HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(target.url())).GET()
                .timeout(target.timeout())
                .header("Accept", ACCEPT)
                .header("Accept-Encoding", "gzip")
                .header("User-Agent", "Sightline")
                .header("X-Prometheus-Scrape-Timeout-Seconds", String.format(Locale.ROOT, "%g", timeoutMs / 1000.0));
        String auth = authorizationHeader();
        if (auth != null) {
            rb.header("Authorization", auth);
        }
        CompletableFuture<HttpResponse<byte[]>> f = client.sendAsync(rb.build(), HttpResponse.BodyHandlers.ofByteArray());
        inFlight = f;
        if (stopping) {
            f.cancel(true);
        }
        try {
            // The whole response, body included, must arrive within the timeout.
            return f.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new IOException("context deadline exceeded");
        } catch (java.util.concurrent.CancellationException e) {
            throw new IOException("scrape loop stopped");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof IOException io ? io : new IOException(String.valueOf(c), c);
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new IOException("scrape interrupted");
        }
    }

    private String authorizationHeader() throws IOException {
        if (cfg.basicAuth() != null) {
            BasicAuth b = cfg.basicAuth();
            String pw = b.passwordFile() != null ? readSecret(b.passwordFile()) : b.password() == null ? "" : b.password();
            return "Basic " + Base64.getEncoder().encodeToString((b.username() + ":" + pw).getBytes(StandardCharsets.UTF_8));
        }
        if (cfg.authorization() != null) {
            Authorization a = cfg.authorization();
            String cred = a.credentialsFile() != null ? readSecret(a.credentialsFile()) : a.credentials() == null ? "" : a.credentials();
            return a.type() + " " + cred;
        }
        if (cfg.bearerToken() != null) {
            return "Bearer " + cfg.bearerToken();
        }
        if (cfg.bearerTokenFile() != null) {
            return "Bearer " + readSecret(cfg.bearerTokenFile());
        }
        return null;
    }

    /** Secret files are read at every scrape, so a rotated secret needs no reload; surrounding space is trimmed. */
    private static String readSecret(String file) throws IOException {
        try {
            return Files.readString(Path.of(file)).strip();
        } catch (IOException e) {
            throw new IOException("unable to read secret file " + file + ": " + e.getMessage(), e);
        }
    }

    private static byte[] decode(HttpResponse<byte[]> r) throws IOException {
        byte[] b = r.body();
        if (r.headers().firstValue("Content-Encoding").map(v -> v.equalsIgnoreCase("gzip")).orElse(false)) {
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(b))) {
                return in.readAllBytes();
            }
        }
        return b;
    }

    private static String statusText(int code) {
        return switch (code) {
            case 401 -> " Unauthorized";
            case 403 -> " Forbidden";
            case 404 -> " Not Found";
            case 500 -> " Internal Server Error";
            case 503 -> " Service Unavailable";
            default -> "";
        };
    }

    private static String describe(IOException e) {
        if (e instanceof ConnectException) {
            return "connect: connection refused";
        }
        if (e instanceof java.net.http.HttpTimeoutException) {
            return "context deadline exceeded";
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /** A scrape that must not be stored (sample or label limits), as Prometheus fails it. */
    static final class ScrapeFailure extends Exception {
        ScrapeFailure(String msg) {
            super(msg, null, false, false);
        }
    }

    private void appendBody(Appender batch, byte[] body, String contentType, long ts, int[] counts)
            throws ExpositionException, ScrapeFailure {
        ExpositionParser p = new ExpositionParser(ExpositionParser.formatOf(contentType), body, 0, body.length);
        boolean honorTs = cfg.honorTimestamps();
        long sampleLimit = cfg.sampleLimit();
        // HELP, TYPE and UNIT of one family come together in any order: they are gathered and sent once, when the
        // next family's line, a sample or the end comes, so the sink sees one complete description per family.
        String mdFamily = null;
        MetricType mdType = MetricType.UNKNOWN;
        String mdHelp = "";
        String mdUnit = "";
        ExpositionParser.Entry e;
        while ((e = p.next()) != ExpositionParser.Entry.EOF) {
            switch (e) {
                case HELP, TYPE, UNIT -> {
                    if (!p.family().equals(mdFamily)) {
                        if (mdFamily != null) {
                            storage.context().metadata(mdFamily, mdType, mdHelp, mdUnit);
                        }
                        mdFamily = p.family();
                        mdType = MetricType.UNKNOWN;
                        mdHelp = "";
                        mdUnit = "";
                    }
                    switch (e) {
                        case HELP -> mdHelp = p.text();
                        case TYPE -> mdType = p.type();
                        default -> mdUnit = p.text();
                    }
                }
                case SAMPLE -> {
                    if (mdFamily != null) {
                        storage.context().metadata(mdFamily, mdType, mdHelp, mdUnit);
                        mdFamily = null;
                    }
                    counts[0]++;
                    byte[] buf = p.buffer();
                    SeriesCache.Entry ce = cache.get(buf, p.seriesStart(), p.seriesEnd());
                    if (ce == null) {
                        Labels l = mutate(p.labels());
                        ce = cache.put(buf, p.seriesStart(), p.seriesEnd(), l, l == null ? null : limitError(l), iteration);
                    }
                    ce.lastSeen = iteration;
                    if (ce.labels == null) {
                        continue;
                    }
                    if (ce.limitError != null) {
                        throw new ScrapeFailure(ce.limitError);
                    }
                    counts[1]++;
                    if (sampleLimit > 0 && counts[1] > sampleLimit) {
                        throw new ScrapeFailure("sample limit exceeded");
                    }
                    boolean explicitTs = honorTs && p.hasTimestamp();
                    ce.explicitTs = explicitTs;
                    try {
                        long sampleTs = explicitTs ? p.timestamp() : ts;
                        // OpenMetrics _created: a start after the sample's time is none, as for OTLP.
                        long st = p.startTimestamp();
                        ce.ref = batch.append(ce.ref, ce.labels, st <= sampleTs ? st : 0, sampleTs, p.value());
                        if (ce.born == iteration) {
                            counts[2]++;
                        }
                        if (p.hasExemplar()) {
                            // An exemplar without a timestamp takes its sample's, as in Prometheus.
                            batch.appendExemplar(ce.ref, ce.labels, p.exemplarLabels(),
                                    p.exemplarHasTimestamp() ? p.exemplarTimestamp() : sampleTs, p.exemplarValue());
                        }
                    } catch (ValidationException ve) {
                        // Out of order, duplicate or too old: Prometheus counts and skips such a sample too.
                        counts[3]++;
                    }
                }
                default -> {
                }
            }
        }
        if (mdFamily != null) {
            storage.context().metadata(mdFamily, mdType, mdHelp, mdUnit);
        }
    }

    /** After a committed parse: stale markers for live series not seen now; the seen ones become live. */
    private void sweepAfterSuccess(Appender batch, long ts) {
        long it = iteration;
        cache.sweep(en -> {
            boolean seen = en.lastSeen == it;
            if (!seen && en.live) {
                en.ref = appendQuietly(batch, en.ref, en.labels, ts, Staleness.STALE_NAN);
            }
            // Samples with their own timestamps are not tracked for staleness, as in Prometheus.
            en.live = seen && en.labels != null && !en.explicitTs;
        }, en -> en.lastSeen != it);
    }

    /** A failed scrape or a vanished target: every live series gets a stale marker. */
    private void staleAll(Appender batch, long ts) {
        long it = iteration;
        cache.sweep(en -> {
            if (en.live) {
                en.ref = appendQuietly(batch, en.ref, en.labels, ts, Staleness.STALE_NAN);
                en.live = false;
            }
        }, en -> en.lastSeen < it - 1);
    }

    private static long appendQuietly(Appender batch, long ref, Labels labels, long ts, double v) {
        try {
            return batch.append(ref, labels, ts, v);
        } catch (ValidationException e) {
            return ref;
        }
    }

    private void commit(Appender batch) {
        try {
            batch.commit();
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "cannot store scrape of " + target.url() + ": " + e.getMessage(), e);
            batch.rollback();
        }
    }

    /** Target labels onto a scraped series (honor_labels decides conflicts), then metric_relabel_configs. */
    Labels mutate(Labels exposed) {
        TreeMap<String, String> m = new TreeMap<>(exposed.toMap());
        Labels tl = target.labels();
        if (cfg.honorLabels()) {
            tl.forEach((n, v) -> m.putIfAbsent(n, v));
        } else {
            java.util.List<String> conflicts = new java.util.ArrayList<>();
            tl.forEach((n, v) -> {
                if (exposed.has(n)) {
                    conflicts.add(n);
                }
                m.put(n, v);
            });
            for (String n : conflicts) {
                String name = n;
                while (true) {
                    name = "exported_" + name;
                    if (!exposed.has(name) && !tl.has(name) && !conflicts.contains(name)) {
                        m.put(name, exposed.get(n));
                        break;
                    }
                }
            }
        }
        if (!Relabeler.apply(m, cfg.metricRelabelConfigs())) {
            return null;
        }
        return Labels.fromMap(m);
    }

    private String limitError(Labels l) {
        if (cfg.labelLimit() > 0 && l.size() > cfg.labelLimit()) {
            return "label_limit exceeded (metric: " + l.metricName() + ", number of labels: " + l.size() + ", limit: "
                    + cfg.labelLimit() + ")";
        }
        for (int i = 0; i < l.size(); i++) {
            if (cfg.labelNameLengthLimit() > 0 && l.name(i).length() > cfg.labelNameLengthLimit()) {
                return "label_name_length_limit exceeded (metric: " + l.metricName() + ", label name: " + l.name(i)
                        + ", length: " + l.name(i).length() + ", limit: " + cfg.labelNameLengthLimit() + ")";
            }
            if (cfg.labelValueLengthLimit() > 0 && l.value(i).length() > cfg.labelValueLengthLimit()) {
                return "label_value_length_limit exceeded (metric: " + l.metricName() + ", label name: " + l.name(i)
                        + ", value: \"" + l.value(i) + "\", length: " + l.value(i).length() + ", limit: "
                        + cfg.labelValueLengthLimit() + ")";
            }
        }
        return null;
    }
}
