package dev.sightline.ingest.logs;

/** Why one log entry was refused; {@link #reason} is Loki's name for it (its discarded-samples reason label). */
public enum LogRejection {
    LINE_TOO_LONG("line_too_long"),
    TOO_MANY_LABELS("max_label_names_per_series"),
    LABEL_NAME_TOO_LONG("label_name_too_long"),
    LABEL_VALUE_TOO_LONG("label_value_too_long"),
    INVALID_LABELS("invalid_labels"),
    TOO_OLD("greater_than_max_sample_age"),
    TOO_NEW("too_far_in_future");

    private final String reason;

    LogRejection(String reason) {
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
