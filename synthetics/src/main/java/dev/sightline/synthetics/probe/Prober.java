package dev.sightline.synthetics.probe;

import dev.sightline.synthetics.http.PhasedHttpClient;
import dev.sightline.synthetics.http.PhasedHttpClient.Connection;
import dev.sightline.synthetics.http.PhasedHttpClient.ExchangeException;
import dev.sightline.synthetics.http.PhasedHttpClient.Response;
import dev.sightline.synthetics.http.Timings;

import javax.net.ssl.SSLSocket;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs one blackbox_exporter module against a target and answers what blackbox_exporter's /probe answers: gauges in
 * the Prometheus text format, with its metric names (probe_success, probe_duration_seconds,
 * probe_http_status_code, probe_http_duration_seconds{phase}, probe_ssl_earliest_cert_expiry...), so dashboards and
 * alerts written for it work on these.
 */
public final class Prober {
    private static final Logger LOG = Logger.getLogger(Prober.class.getName());
    /** What blackbox_exporter keeps back from the scrape timeout, so the answer arrives before Prometheus gives up. */
    private static final Duration TIMEOUT_OFFSET = Duration.ofMillis(500);
    /** With neither a module timeout nor a scrape timeout header: Prometheus's default scrape timeout. */
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    private static final long MAX_BODY_BYTES = 10L << 20;
    /** ${1} or $1 in a tcp query_response send line. */
    private static final Pattern GROUP_REF = Pattern.compile("\\$\\{(\\d+)}|\\$(\\d+)");

    private Prober() {
    }

    /** The module's timeout, bounded by the scraper's (Prometheus sends X-Prometheus-Scrape-Timeout-Seconds). */
    public static Duration timeout(BlackboxConfig.Module m, Duration scrapeTimeout) {
        Duration scrape = scrapeTimeout == null ? null : scrapeTimeout.minus(TIMEOUT_OFFSET);
        if (scrape != null && !scrape.isNegative() && !scrape.isZero()) {
            return m.timeout() == null || m.timeout().compareTo(scrape) > 0 ? scrape : m.timeout();
        }
        return m.timeout() != null ? m.timeout() : DEFAULT_TIMEOUT;
    }

    /** Probes {@code target} with the module and returns the exposition text. */
    public static String probe(BlackboxConfig.Module m, String target, Duration scrapeTimeout) {
        Gauges g = new Gauges();
        long start = System.nanoTime();
        Duration timeout = timeout(m, scrapeTimeout);
        boolean ok = m.prober().equals("http") ? http(m.http(), target, timeout, g) : tcp(m.tcp(), target, timeout, g);
        g.set("probe_duration_seconds", "Returns how long the probe took to complete in seconds",
                (System.nanoTime() - start) / 1e9);
        g.set("probe_success", "Displays whether or not the probe was a success", ok ? 1 : 0);
        return g.text();
    }

    private static boolean http(BlackboxConfig.Http h, String target, Duration timeout, Gauges g) {
        httpPhases(new Timings(), g);
        g.set("probe_http_status_code", "Response HTTP status code", 0);
        g.set("probe_http_content_length", "Length of http content response", 0);
        g.set("probe_http_uncompressed_body_length", "Length of uncompressed response body", 0);
        g.set("probe_http_redirects", "The number of redirects", 0);
        g.set("probe_http_ssl", "Indicates if SSL was used for the final redirect", 0);
        g.set("probe_http_version", "Returns the version of HTTP of the probe response", 0);
        g.set("probe_failed_due_to_regex", "Indicates if probe failed due to regex", 0);
        URI uri;
        try {
            uri = new URI(target.contains("://") ? target : "http://" + target);
            if (uri.getHost() == null) {
                throw new URISyntaxException(target, "no host");
            }
        } catch (URISyntaxException e) {
            LOG.fine("probe " + target + ": " + e.getMessage());
            return false;
        }
        PhasedHttpClient.Request req = new PhasedHttpClient.Request(h.method(), uri, h.headers(),
                h.body() == null ? null : h.body().getBytes(StandardCharsets.UTF_8), timeout, h.tls(),
                !h.noFollowRedirects(), MAX_BODY_BYTES, h.ip());
        Response r;
        try {
            r = PhasedHttpClient.execute(req);
        } catch (ExchangeException e) {
            LOG.fine("probe " + target + ": " + e.getMessage());
            httpPhases(e.timings(), g);
            return false;
        }
        Timings t = r.timings();
        httpPhases(t, g);
        g.set("probe_ip_protocol", "Specifies whether probe ip protocol is IP4 or IP6", ipProtocol(r.address()));
        g.set("probe_http_status_code", "Response HTTP status code", r.status());
        String cl = r.header("Content-Length");
        g.set("probe_http_content_length", "Length of http content response", cl == null ? -1 : parseOr(cl, -1));
        g.set("probe_http_uncompressed_body_length", "Length of uncompressed response body", r.body().length);
        g.set("probe_http_redirects", "The number of redirects", r.redirects());
        boolean ssl = r.url().getScheme().equalsIgnoreCase("https");
        g.set("probe_http_ssl", "Indicates if SSL was used for the final redirect", ssl ? 1 : 0);
        String version = r.version().substring("HTTP/".length());
        g.set("probe_http_version", "Returns the version of HTTP of the probe response", parseOr(version, 0));
        String lastModified = r.header("Last-Modified");
        if (lastModified != null) {
            try {
                g.set("probe_http_last_modified_timestamp_seconds", "Returns the Last-Modified HTTP response header in unixtime",
                        ZonedDateTime.parse(lastModified, DateTimeFormatter.RFC_1123_DATE_TIME).toEpochSecond());
            } catch (RuntimeException e) {
                // An unparsable date is left out, as blackbox_exporter does.
            }
        }
        certificates(r.peerCertificates(), r.tlsVersion(), g);
        boolean ok = h.validStatusCodes().isEmpty() ? r.status() / 100 == 2 : h.validStatusCodes().contains(r.status());
        if (!h.validHttpVersions().isEmpty() && !h.validHttpVersions().contains(r.version())) {
            ok = false;
        }
        if (ssl && h.failIfSsl() || !ssl && h.failIfNotSsl()) {
            ok = false;
        }
        String body = r.bodyText();
        boolean regexFailed = h.failIfBodyMatches().stream().anyMatch(p -> p.matcher(body).find())
                || h.failIfBodyNotMatches().stream().anyMatch(p -> !p.matcher(body).find());
        for (BlackboxConfig.HeaderMatch m : h.failIfHeaderMatches()) {
            List<String> values = r.headers().getOrDefault(m.header(), List.of());
            regexFailed |= values.isEmpty() ? !m.allowMissing() : values.stream().anyMatch(v -> m.regexp().matcher(v).find());
        }
        for (BlackboxConfig.HeaderMatch m : h.failIfHeaderNotMatches()) {
            List<String> values = r.headers().getOrDefault(m.header(), List.of());
            regexFailed |= values.isEmpty() ? !m.allowMissing() : values.stream().noneMatch(v -> m.regexp().matcher(v).find());
        }
        g.set("probe_failed_due_to_regex", "Indicates if probe failed due to regex", regexFailed ? 1 : 0);
        return ok && !regexFailed;
    }

    private static void httpPhases(Timings t, Gauges g) {
        long[] nanos = {t.dns, t.connect, t.tls, t.firstByte, t.download};
        String[] phases = {"resolve", "connect", "tls", "processing", "transfer"};
        for (int i = 0; i < phases.length; i++) {
            g.set("probe_http_duration_seconds", "Duration of http request by phase, summed over all redirects",
                    "phase", phases[i], Math.max(0, nanos[i]) / 1e9);
        }
        if (t.dns >= 0) {
            g.set("probe_dns_lookup_time_seconds", "Returns the time taken for probe dns lookup in seconds", t.dns / 1e9);
        }
    }

    private static boolean tcp(BlackboxConfig.Tcp c, String target, Duration timeout, Gauges g) {
        g.set("probe_failed_due_to_regex", "Indicates if probe failed due to regex", 0);
        int colon = target.lastIndexOf(':');
        int port;
        try {
            port = colon < 0 ? -1 : Integer.parseInt(target.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            LOG.fine("probe " + target + ": a tcp target is host:port");
            return false;
        }
        String host = target.substring(0, colon);
        long deadline = System.nanoTime() + timeout.toNanos();
        Timings t = new Timings();
        Connection conn;
        try {
            conn = PhasedHttpClient.connect(host, port, c.tls() ? c.tlsConfig() : null, c.ip(), deadline, t);
        } catch (IOException e) {
            if (t.dns >= 0) {
                g.set("probe_dns_lookup_time_seconds", "Returns the time taken for probe dns lookup in seconds", t.dns / 1e9);
            }
            LOG.fine("probe " + target + ": " + e.getMessage());
            return false;
        }
        g.set("probe_dns_lookup_time_seconds", "Returns the time taken for probe dns lookup in seconds", t.dns / 1e9);
        Socket s = conn.socket();
        try {
            g.set("probe_ip_protocol", "Specifies whether probe ip protocol is IP4 or IP6", ipProtocol(s.getInetAddress()));
            List<X509Certificate> certs = conn.peerCertificates();
            String tlsVersion = conn.tlsVersion();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = s.getOutputStream();
            Matcher last = null;
            for (BlackboxConfig.QueryStep q : c.queryResponse()) {
                if (q.expect() != null) {
                    last = expect(in, s, deadline, q);
                    if (last == null) {
                        g.set("probe_failed_due_to_regex", "Indicates if probe failed due to regex", 1);
                        return false;
                    }
                }
                if (q.send() != null) {
                    out.write((expand(q.send(), last) + "\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
                if (q.starttls()) {
                    SSLSocket ssl = PhasedHttpClient.upgrade(s, host, port, c.tlsConfig(), deadline, t);
                    s = ssl;
                    in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                    out = s.getOutputStream();
                    certs = PhasedHttpClient.peerCertificates(ssl, c.tlsConfig());
                    tlsVersion = ssl.getSession().getProtocol();
                }
            }
            certificates(certs, tlsVersion, g);
            return true;
        } catch (IOException e) {
            LOG.fine("probe " + target + ": " + e.getMessage());
            return false;
        } finally {
            try {
                s.close();
            } catch (IOException e) {
                // closing a probe's socket has nothing to report
            }
        }
    }

    /** Reads lines until one matches {@code expect} (the match, for ${n} in send) or the stream ends (null). */
    private static Matcher expect(BufferedReader in, Socket s, long deadline, BlackboxConfig.QueryStep q) throws IOException {
        for (String line; ; ) {
            PhasedHttpClient.setTimeout(s, deadline);
            line = in.readLine();
            if (line == null) {
                return null;
            }
            Matcher m = q.expect().matcher(line);
            if (m.find()) {
                return m;
            }
        }
    }

    /** ${1} or $1 in a send line is the expect match's group, as blackbox_exporter expands it. */
    private static String expand(String send, Matcher m) {
        if (m == null) {
            return send;
        }
        StringBuilder sb = new StringBuilder();
        Matcher ref = GROUP_REF.matcher(send);
        while (ref.find()) {
            int group = Integer.parseInt(ref.group(1) != null ? ref.group(1) : ref.group(2));
            String v = group <= m.groupCount() && m.group(group) != null ? m.group(group) : "";
            ref.appendReplacement(sb, Matcher.quoteReplacement(v));
        }
        ref.appendTail(sb);
        return sb.toString();
    }

    private static void certificates(List<X509Certificate> chain, String tlsVersion, Gauges g) {
        if (chain.isEmpty()) {
            return;
        }
        long earliest = chain.stream().mapToLong(c -> c.getNotAfter().getTime()).min().orElseThrow();
        g.set("probe_ssl_earliest_cert_expiry", "Returns last SSL chain expiry in unixtime", earliest / 1000.0);
        g.set("probe_ssl_last_chain_expiry_timestamp_seconds",
                "Returns last SSL chain expiry in timestamp", earliest / 1000.0);
        if (tlsVersion != null) {
            g.set("probe_tls_version_info", "Returns the TLS version used or NaN when unknown", "version",
                    tlsVersion.replace("TLSv", "TLS "), 1);
        }
    }

    private static int ipProtocol(InetAddress a) {
        return a instanceof Inet6Address ? 6 : 4;
    }

    private static double parseOr(String s, double fallback) {
        try {
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    /** Gauges by name then label, written sorted with HELP and TYPE lines, as the Go client orders them. */
    private static final class Gauges {
        private final Map<String, String> help = new TreeMap<>();
        private final Map<String, Map<String, Double>> values = new TreeMap<>();

        void set(String name, String helpText, double v) {
            set(name, helpText, null, null, v);
        }

        void set(String name, String helpText, String label, String labelValue, double v) {
            help.put(name, helpText);
            String key = label == null ? "" : "{" + label + "=\"" + labelValue + "\"}";
            values.computeIfAbsent(name, k -> new TreeMap<>()).put(key, v);
        }

        String text() {
            StringBuilder sb = new StringBuilder();
            for (Map.Entry<String, Map<String, Double>> e : values.entrySet()) {
                sb.append("# HELP ").append(e.getKey()).append(' ').append(help.get(e.getKey())).append('\n');
                sb.append("# TYPE ").append(e.getKey()).append(" gauge\n");
                for (Map.Entry<String, Double> v : e.getValue().entrySet()) {
                    sb.append(e.getKey()).append(v.getKey()).append(' ').append(format(v.getValue())).append('\n');
                }
            }
            return sb.toString();
        }

        private static String format(double v) {
            if (v == Math.rint(v) && Math.abs(v) < 1e15) {
                return Long.toString((long) v);
            }
            return String.format(Locale.ROOT, "%s", v);
        }
    }
}
