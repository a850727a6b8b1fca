package dev.sightline.core;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Checks label sets before they reach storage. Names follow Prometheus's classic rules by default
 * ({@code [a-zA-Z_:][a-zA-Z0-9_:]*} for metric names, no colon in label names) or its UTF-8 scheme; values must be
 * valid UTF-8 (Java strings may carry lone surrogates, which are not); counts and lengths are bounded.
 */
public record LabelLimits(NameScheme scheme, int maxLabelNames, int maxNameLength, int maxValueLength) {
    public enum NameScheme { LEGACY, UTF8 }

    public static final LabelLimits DEFAULT = new LabelLimits(NameScheme.LEGACY, 64, 256, 4096);

    public void validate(Labels labels) {
        validate(labels, true);
    }

    /**
     * {@link #validate(Labels)} for a set whose strings were decoded from bytes already checked as strict UTF-8 (no
     * surrogates: they cannot decode into a lone one), so their characters are not walked again.
     */
    public void validateDecodedFromUtf8(Labels labels) {
        validate(labels, false);
    }

    private void validate(Labels labels, boolean checkUtf8) {
        LabelLimits passed = labels.passed;
        if (passed == this || equals(passed)) {
            return;
        }
        String metric = labels.metricName();
        if (metric == null) {
            throw new ValidationException(ValidationException.Reason.MISSING_METRIC_NAME, Labels.METRIC_NAME,
                    "series has no metric name (__name__): " + labels);
        }
        if (labels.size() > maxLabelNames) {
            throw new ValidationException(ValidationException.Reason.TOO_MANY_LABELS, null,
                    "series has " + labels.size() + " labels, more than the limit of " + maxLabelNames + ": " + abbreviate(labels));
        }
        for (int i = 0; i < labels.size(); i++) {
            String name = labels.name(i);
            String value = labels.value(i);
            if (name.length() > maxNameLength) {
                throw new ValidationException(ValidationException.Reason.LABEL_NAME_TOO_LONG, abbreviate(name),
                        "label name of " + name.length() + " characters is longer than the limit of " + maxNameLength);
            }
            if (value.length() > maxValueLength) {
                throw new ValidationException(ValidationException.Reason.LABEL_VALUE_TOO_LONG, name,
                        "value of label \"" + name + "\" has " + value.length() + " characters, more than the limit of " + maxValueLength);
            }
            if (checkUtf8 && !isValidUtf8(value)) {
                throw new ValidationException(ValidationException.Reason.INVALID_LABEL_VALUE, name,
                        "value of label \"" + name + "\" is not valid UTF-8");
            }
            if (name.equals(Labels.METRIC_NAME)) {
                if (!isValidMetricName(value, checkUtf8)) {
                    throw new ValidationException(ValidationException.Reason.INVALID_METRIC_NAME, Labels.METRIC_NAME,
                            "invalid metric name \"" + value + "\"");
                }
            } else if (!isValidLabelName(name, checkUtf8)) {
                throw new ValidationException(ValidationException.Reason.INVALID_LABEL_NAME, name,
                        "invalid label name \"" + name + "\"");
            }
        }
        labels.passed = this;
    }

    public boolean isValidMetricName(String name) {
        return isValidMetricName(name, true);
    }

    public boolean isValidLabelName(String name) {
        return isValidLabelName(name, true);
    }

    private boolean isValidMetricName(String name, boolean checkUtf8) {
        if (scheme == NameScheme.UTF8) {
            return !name.isEmpty() && (!checkUtf8 || isValidUtf8(name));
        }
        return isLegacyName(name, true);
    }

    private boolean isValidLabelName(String name, boolean checkUtf8) {
        if (scheme == NameScheme.UTF8) {
            return !name.isEmpty() && (!checkUtf8 || isValidUtf8(name));
        }
        return isLegacyName(name, false);
    }

    public static boolean isLegacyName(String name, boolean allowColon) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'
                    || (allowColon && c == ':') || (i > 0 && c >= '0' && c <= '9');
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    public static boolean isValidUtf8(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isSurrogate(s.charAt(i))) {
                // Only a well-formed surrogate pair is a real code point.
                if (!Character.isHighSurrogate(s.charAt(i)) || i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            }
        }
        return true;
    }

    /** Decodes UTF-8 bytes strictly, for decoders that must refuse malformed input rather than replace it. */
    public static String decodeUtf8Strict(byte[] b, int off, int len) throws CharacterCodingException {
        CharBuffer cb = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(b, off, len));
        return cb.toString();
    }

    private static String abbreviate(Object o) {
        String s = String.valueOf(o);
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
