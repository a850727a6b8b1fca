package dev.sightline.server.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import dev.sightline.core.LabelLimits;
import dev.sightline.core.text.PromDurations;
import dev.sightline.tsdb.wal.FsyncPolicy;

import java.io.IOException;
import java.time.Duration;
import java.util.Locale;

/**
 * Scalar parsers for the YAML configuration. Each throws at the value's own position, so the loader can report
 * FILE:LINE:COL for a bad value.
 */
final class ConfigDeserializers {
    private ConfigDeserializers() {
    }

    static SimpleModule module() {
        SimpleModule m = new SimpleModule("sightline-config");
        m.addDeserializer(Duration.class, new DurationDeserializer());
        m.addDeserializer(FsyncPolicy.class, new LowerCaseEnumDeserializer<>(FsyncPolicy.class));
        m.addDeserializer(LabelLimits.NameScheme.class, new LowerCaseEnumDeserializer<>(LabelLimits.NameScheme.class));
        return m;
    }

    /** A bad value found by these parsers; its message is written for the user, unlike Jackson's own. */
    static final class BadValue extends InvalidFormatException {
        BadValue(JsonParser p, String msg, Object value, Class<?> targetType) {
            super(p, msg, value, targetType);
        }
    }

    private static String scalar(JsonParser p, String expected, Class<?> type) throws IOException {
        if (!p.currentToken().isScalarValue()) {
            throw new BadValue(p, "expected " + expected + ", found " + describe(p.currentToken()), null, type);
        }
        return p.getText();
    }

    private static String describe(JsonToken t) {
        return switch (t) {
            case START_OBJECT -> "a mapping";
            case START_ARRAY -> "a list";
            default -> t.asString() == null ? t.name() : t.asString();
        };
    }

    static final class DurationDeserializer extends JsonDeserializer<Duration> {
        @Override
        public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String text = scalar(p, "a duration such as 15s, 1m or 1h30m", Duration.class);
            try {
                return Duration.ofMillis(PromDurations.parseMillis(text));
            } catch (PromDurations.InvalidDuration e) {
                // Where Prometheus says only "not a valid duration string", say what and where.
                throw new BadValue(p, "invalid duration \"" + text + "\": " + e.explanation(), text, Duration.class);
            }
        }
    }

    static final class ByteSizeDeserializer extends JsonDeserializer<Long> {
        @Override
        public Long deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String text = scalar(p, "a size such as 512MB or 10GB", Long.class);
            try {
                return ByteSize.parseBytes(text);
            } catch (IllegalArgumentException e) {
                throw new BadValue(p, e.getMessage(), text, Long.class);
            }
        }
    }

    static final class PositiveIntDeserializer extends JsonDeserializer<Integer> {
        @Override
        public Integer deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String text = scalar(p, "a positive integer", Integer.class);
            int value;
            try {
                value = Integer.parseInt(text.trim());
            } catch (NumberFormatException e) {
                throw new BadValue(p, "expected a positive integer, got \"" + text + "\"", text, Integer.class);
            }
            if (value <= 0) {
                throw new BadValue(p, "expected a positive integer, got " + value, text, Integer.class);
            }
            return value;
        }
    }

    /** Enums spelled in lower case in YAML (always|batch|never, legacy|utf8). */
    static final class LowerCaseEnumDeserializer<E extends Enum<E>> extends JsonDeserializer<E> {
        private final Class<E> type;

        LowerCaseEnumDeserializer(Class<E> type) {
            this.type = type;
        }

        @Override
        public E deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String text = scalar(p, "one of " + choices(), type);
            for (E e : type.getEnumConstants()) {
                if (e.name().toLowerCase(Locale.ROOT).equals(text)) {
                    return e;
                }
            }
            throw new BadValue(p, "\"" + text + "\" is not one of " + choices(), text, type);
        }

        private String choices() {
            StringBuilder sb = new StringBuilder();
            for (E e : type.getEnumConstants()) {
                if (!sb.isEmpty()) {
                    sb.append('|');
                }
                sb.append(e.name().toLowerCase(Locale.ROOT));
            }
            return sb.toString();
        }
    }
}
