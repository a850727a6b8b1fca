package dev.sightline.ingest.logs;

import dev.sightline.core.LabelLimits;
import dev.sightline.core.Labels;
import dev.sightline.ingest.Utf8;
import dev.sightline.logs.LogEntry;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The one gate every decoded log line passes, whatever protocol brought it: it completes the line as Loki does
 * (a stream without {@code service_name} gets one from its {@code service}, {@code app}, ... label or
 * {@code unknown_service}; metadata without {@code detected_level} gets it from {@link LogLevels#detect}), checks it
 * against the {@link LogLimits} and hands it on or refuses it alone, counting both. One batch per request; not
 * thread-safe.
 */
public final class LogBatch implements LogSink {
    public static final String SERVICE_NAME = "service_name";
    public static final String UNKNOWN_SERVICE = "unknown_service";
    /** Loki's discover_service_name: the labels a service name is taken from, in order. */
    private static final String[] SERVICE_LABELS = {"service", "app", "application", "name", "app_kubernetes_io_name",
            "container", "container_name", "k8s_container_name", "component", "workload", "job"};

    private final LogLimits limits;
    private final long oldestNanos;
    private final long newestNanos;
    private final int maxReportedErrors;
    private final LogSink target;

    // The last stream seen and what became of it: lines of one stream share the instance.
    private Labels lastIn;
    private Labels lastOut;
    private LogRejection lastRejection;
    private String lastReason;
    /** Empty metadata completed with a level, per level: most lines of Loki push and NDJSON have no other metadata. */
    private final Map<String, Labels> levelOnly = new HashMap<>();

    private long lineNumber = -1;
    private long accepted;
    private long rejected;
    private long acceptedBytes;
    private long rejectedBytes;
    private final Map<LogRejection, Long> rejectedBy = new EnumMap<>(LogRejection.class);
    private final List<String> errors = new ArrayList<>();

    /** {@code nowNanos} is the time the age limits count from; accepted lines go to {@code target}. */
    public LogBatch(LogLimits limits, long nowNanos, int maxReportedErrors, LogSink target) {
        this.limits = limits;
        this.oldestNanos = limits.rejectOldSamplesMaxAgeNanos() == 0 ? Long.MIN_VALUE
                : nowNanos - limits.rejectOldSamplesMaxAgeNanos();
        this.newestNanos = nowNanos + limits.creationGracePeriodNanos();
        this.maxReportedErrors = maxReportedErrors;
        this.target = target;
    }

    @Override
    public void at(long line) {
        this.lineNumber = line;
    }

    @Override
    public void accept(Labels stream, long timeNanos, String line, Labels metadata) {
        if (stream != lastIn) {
            lastIn = stream;
            lastOut = withServiceName(stream);
            lastReason = checkStream(lastOut);
        }
        long bytes = Utf8.encodedLength(line);
        if (lastReason != null) {
            reject(lastRejection, bytes, lastReason);
        } else if (limits.maxLineSize() > 0 && bytes > limits.maxLineSize()) {
            reject(LogRejection.LINE_TOO_LONG, bytes, "line of " + bytes + " bytes is longer than max_line_size ("
                    + limits.maxLineSize() + " bytes), stream " + lastOut);
        } else if (timeNanos < oldestNanos) {
            reject(LogRejection.TOO_OLD, bytes, "entry of stream " + lastOut + " at " + time(timeNanos)
                    + " is older than reject_old_samples_max_age allows (oldest accepted " + time(oldestNanos) + ")");
        } else if (timeNanos > newestNanos) {
            reject(LogRejection.TOO_NEW, bytes, "entry of stream " + lastOut + " at " + time(timeNanos)
                    + " is further in the future than creation_grace_period allows (newest accepted "
                    + time(newestNanos) + ")");
        } else {
            target.accept(lastOut, timeNanos, line, withLevel(lastOut, metadata, line));
            accepted++;
            acceptedBytes += bytes;
        }
    }

    private static Labels withServiceName(Labels stream) {
        if (stream.has(SERVICE_NAME)) {
            return stream;
        }
        String name = UNKNOWN_SERVICE;
        for (String l : SERVICE_LABELS) {
            String v = stream.get(l);
            if (v != null && !v.isEmpty()) {
                name = v;
                break;
            }
        }
        return stream.toBuilder().set(SERVICE_NAME, name).build();
    }

    /** Why a stream is refused (setting {@link #lastRejection}), or null. */
    private String checkStream(Labels s) {
        if (limits.maxLabelNames() > 0 && s.size() > limits.maxLabelNames()) {
            lastRejection = LogRejection.TOO_MANY_LABELS;
            return "stream " + s + " has " + s.size() + " labels, more than max_label_names_per_series ("
                    + limits.maxLabelNames() + ")";
        }
        for (int i = 0; i < s.size(); i++) {
            String name = s.name(i);
            if (!LabelLimits.isLegacyName(name, false)) {
                lastRejection = LogRejection.INVALID_LABELS;
                return "stream " + s + " has an invalid label name \"" + name + "\"";
            }
            if (limits.maxLabelNameLength() > 0 && name.length() > limits.maxLabelNameLength()) {
                lastRejection = LogRejection.LABEL_NAME_TOO_LONG;
                return "stream " + s + ": label name of " + name.length() + " characters is longer than max_label_name_length ("
                        + limits.maxLabelNameLength() + ")";
            }
            if (limits.maxLabelValueLength() > 0 && s.value(i).length() > limits.maxLabelValueLength()) {
                lastRejection = LogRejection.LABEL_VALUE_TOO_LONG;
                return "stream " + s + ": value of label \"" + name + "\" has " + s.value(i).length()
                        + " characters, more than max_label_value_length (" + limits.maxLabelValueLength() + ")";
            }
        }
        return null;
    }

    private Labels withLevel(Labels stream, Labels metadata, String line) {
        if (metadata.has(LogEntry.LEVEL)) {
            return metadata;
        }
        String level = LogLevels.detect(stream, metadata, line);
        if (metadata.isEmpty()) {
            return levelOnly.computeIfAbsent(level, l -> Labels.of(LogEntry.LEVEL, l));
        }
        return metadata.toBuilder().set(LogEntry.LEVEL, level).build();
    }

    private static String time(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L)).toString();
    }

    private void reject(LogRejection why, long bytes, String message) {
        rejected++;
        rejectedBytes += bytes;
        rejectedBy.merge(why, 1L, Long::sum);
        if (errors.size() < maxReportedErrors) {
            errors.add(lineNumber >= 0 ? "line " + lineNumber + ": " + message : message);
        }
    }

    public LogResult result() {
        String message = "";
        if (rejected > 0) {
            StringBuilder sb = new StringBuilder().append(rejected).append(rejected == 1 ? " entry" : " entries")
                    .append(" refused: ").append(String.join("; ", errors));
            if (rejected > errors.size()) {
                sb.append("; and ").append(rejected - errors.size()).append(" more");
            }
            message = sb.toString();
        }
        return new LogResult(accepted, rejected, acceptedBytes, rejectedBytes, rejectedBy, message);
    }
}
