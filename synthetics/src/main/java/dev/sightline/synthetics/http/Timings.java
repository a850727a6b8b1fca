package dev.sightline.synthetics.http;

/**
 * Where the time of one HTTP exchange went, in nanoseconds, measured at the socket: {@code dns} the name lookup
 * (through the JVM's resolver and its cache: a cached name shows near 0), {@code connect} the TCP handshake,
 * {@code tls} the TLS handshake (-1 without TLS), {@code firstByte} from the connection being ready (request writing
 * included) to the first response byte, {@code download} from there to the body's last byte, {@code total} the
 * whole exchange. A phase not reached (the exchange failed before it) is -1. With redirects followed, each phase is
 * the sum over the hops, as blackbox_exporter reports them.
 */
public final class Timings {
    public long dns = -1;
    public long connect = -1;
    public long tls = -1;
    public long firstByte = -1;
    public long download = -1;
    public long total = -1;

    /** The phase names as metrics label them, in order. */
    public static final String[] PHASES = {"dns", "connect", "tls", "first_byte", "download", "total"};

    /** The phase at {@code i} of {@link #PHASES}, -1 when not measured. */
    public long phase(int i) {
        return switch (i) {
            case 0 -> dns;
            case 1 -> connect;
            case 2 -> tls;
            case 3 -> firstByte;
            case 4 -> download;
            default -> total;
        };
    }

    /** Adds another hop's phases (redirects); a phase measured in neither stays -1. */
    void add(Timings hop) {
        dns = sum(dns, hop.dns);
        connect = sum(connect, hop.connect);
        tls = sum(tls, hop.tls);
        firstByte = sum(firstByte, hop.firstByte);
        download = sum(download, hop.download);
    }

    private static long sum(long a, long b) {
        if (a < 0) {
            return b;
        }
        return b < 0 ? a : a + b;
    }
}
