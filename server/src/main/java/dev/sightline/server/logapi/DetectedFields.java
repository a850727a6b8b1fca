package dev.sightline.server.logapi;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.sightline.core.Labels;
import dev.sightline.logs.LogFields;
import dev.sightline.server.promapi.PromApiJsonWriter;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Loki's {@code detected_fields}: the fields of sampled lines, as its querier finds them. Each line's structured
 * metadata counts as fields without a parser; its text is read as JSON, or failing that as logfmt (the one
 * definition of both in {@link LogFields}), and each field found is listed with the parser that found it. A field
 * named as one of the line's stream labels is the parser's {@code name_extracted}, as LogQL's parsers rename it.
 * Empty values are skipped. The type is Loki's determineType of the latest value seen (int, float, boolean, duration, bytes, else string);
 * the cardinality is the exact number of distinct values (Loki estimates it with a HyperLogLog sketch).
 */
final class DetectedFields {
    /** Loki's defaults: lines sampled and fields listed. */
    static final int DEFAULT_LINE_LIMIT = 1000;
    static final int DEFAULT_FIELD_LIMIT = 1000;

    private static final class Field {
        final Set<String> values = new HashSet<>();
        final Set<String> parsers = new TreeSet<>();
        String type = "string";
    }

    private final Map<String, Field> fields = new TreeMap<>();
    private final int limit;

    DetectedFields(int limit) {
        this.limit = limit;
    }

    /** Adds one line: its stream labels (for renaming), metadata and text. */
    void add(Labels stream, Labels metadata, String line) {
        metadata.forEach((n, v) -> field(n, v, null));
        Map<String, String> parsed = LogFields.json(line);
        String parser = "json";
        if (parsed == null) {
            parsed = LogFields.logfmt(line);
            parser = "logfmt";
        }
        if (parsed == null) {
            return;
        }
        for (Map.Entry<String, String> e : parsed.entrySet()) {
            String name = stream.has(e.getKey()) ? e.getKey() + "_extracted" : e.getKey();
            field(name, e.getValue(), parser);
        }
    }

    private void field(String name, String value, String parser) {
        if (value.isEmpty()) {
            return; // a label with an empty value is no label in Loki (its parsers drop empty values too)
        }
        Field f = fields.get(name);
        if (f == null) {
            if (fields.size() >= limit) {
                return;
            }
            f = new Field();
            fields.put(name, f);
        }
        f.values.add(value);
        f.type = type(value);
        if (parser != null) {
            f.parsers.add(parser);
        }
    }

    /** Loki's determineType: Go's ParseInt, ParseFloat, ParseBool, time.ParseDuration, humanize.ParseBytes in turn. */
    static String type(String v) {
        if (isInt(v)) {
            return "int";
        }
        if (!Double.isNaN(LogFields.number(v)) || v.equalsIgnoreCase("nan")) {
            return "float";
        }
        switch (v) {
            case "1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False" -> {
                return "boolean";
            }
            default -> {
            }
        }
        if (!Double.isNaN(LogFields.durationSeconds(v))) {
            return "duration";
        }
        if (!Double.isNaN(LogFields.bytes(v))) {
            return "bytes";
        }
        return "string";
    }

    private static boolean isInt(String v) {
        int i = v.startsWith("+") || v.startsWith("-") ? 1 : 0;
        if (i == v.length()) {
            return false;
        }
        for (int j = i; j < v.length(); j++) {
            if (v.charAt(j) < '0' || v.charAt(j) > '9') {
                return false;
            }
        }
        try {
            Long.parseLong(v);
            return true;
        } catch (NumberFormatException e) {
            return false; // out of int64's range: Go's ParseFloat takes it next
        }
    }

    /** {@code {"fields":[{"label","type","cardinality","parsers"}],"limit":N}}; parsers null for metadata only. */
    Buffer json() {
        return PromApiJsonWriter.render(g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("fields");
            for (Map.Entry<String, Field> e : fields.entrySet()) {
                write(g, e.getKey(), e.getValue());
            }
            g.writeEndArray();
            g.writeNumberField("limit", limit);
            g.writeEndObject();
        });
    }

    /** {@code {"values":[...]}}: the distinct values of one field, sorted, at most {@code limit}. */
    Buffer values(String name, int limit) {
        Field f = fields.get(name);
        List<String> values = f == null ? List.of() : f.values.stream().sorted().limit(limit).toList();
        return PromApiJsonWriter.render(g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("values");
            for (String v : values) {
                g.writeString(v);
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    private static void write(JsonGenerator g, String name, Field f) throws IOException {
        g.writeStartObject();
        g.writeStringField("label", name);
        g.writeStringField("type", f.type);
        g.writeNumberField("cardinality", f.values.size());
        if (f.parsers.isEmpty()) {
            g.writeNullField("parsers");
        } else {
            g.writeArrayFieldStart("parsers");
            for (String p : f.parsers) {
                g.writeString(p);
            }
            g.writeEndArray();
        }
        g.writeEndObject();
    }
}
