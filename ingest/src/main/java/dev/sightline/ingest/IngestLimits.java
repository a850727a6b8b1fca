package dev.sightline.ingest;

import dev.sightline.core.LabelLimits;

/**
 * What one request and one series may be. {@code maxDecompressedBytes} is checked against the size a compressed body
 * declares before anything is decompressed; {@code maxReportedErrors} caps how many refusals a response spells out
 * (all are counted). The series-per-metric limit is not here: it counts a metric's series across every protocol, so
 * the storage side enforces it ({@link SeriesLimiter}), and a decoder reports its refusals as any other.
 */
public record IngestLimits(LabelLimits labelLimits, long maxDecompressedBytes, int maxReportedErrors) {
    public static final IngestLimits DEFAULT = new IngestLimits(LabelLimits.DEFAULT, 64L << 20, 10);

    public IngestLimits {
        if (labelLimits == null) {
            throw new IllegalArgumentException("labelLimits is required");
        }
        if (maxDecompressedBytes <= 0 || maxDecompressedBytes > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("maxDecompressedBytes must be in (0, 2 GiB), got " + maxDecompressedBytes);
        }
        if (maxReportedErrors < 0) {
            throw new IllegalArgumentException("maxReportedErrors must be >= 0, got " + maxReportedErrors);
        }
    }

    public IngestLimits withLabelLimits(LabelLimits l) {
        return new IngestLimits(l, maxDecompressedBytes, maxReportedErrors);
    }

    public IngestLimits withMaxDecompressedBytes(long n) {
        return new IngestLimits(labelLimits, n, maxReportedErrors);
    }

    public IngestLimits withMaxReportedErrors(int n) {
        return new IngestLimits(labelLimits, maxDecompressedBytes, n);
    }
}
