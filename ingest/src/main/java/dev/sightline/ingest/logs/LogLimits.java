package dev.sightline.ingest.logs;

/**
 * What one log entry may look like, with Loki's names and meaning: {@code max_line_size} (UTF-8 bytes of the line),
 * {@code max_label_names_per_series}, {@code max_label_name_length}, {@code max_label_value_length} (stream labels),
 * {@code reject_old_samples_max_age} (an entry older than now minus it is refused; 0 turns the check off) and
 * {@code creation_grace_period} (an entry newer than now plus it is refused). 0 for a size or count means no limit.
 */
public record LogLimits(long maxLineSize, int maxLabelNames, int maxLabelNameLength, int maxLabelValueLength,
                        long rejectOldSamplesMaxAgeNanos, long creationGracePeriodNanos) {
    /** Loki's defaults: 256KB lines, 15 labels of names up to 1024 and values up to 2048 characters, 1 week, 10 minutes. */
    public static final LogLimits DEFAULT = new LogLimits(256 * 1024, 15, 1024, 2048,
            7L * 24 * 3600 * 1_000_000_000L, 10L * 60 * 1_000_000_000L);

    public LogLimits {
        if (maxLineSize < 0 || maxLabelNames < 0 || maxLabelNameLength < 0 || maxLabelValueLength < 0
                || rejectOldSamplesMaxAgeNanos < 0 || creationGracePeriodNanos < 0) {
            throw new IllegalArgumentException("log limits must be >= 0: " + this);
        }
    }
}
