package dev.sightline.synthetics.journey;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sightline.core.text.Regex;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A YAML document as a tree whose every node knows where it was written, so a check made after parsing (a missing
 * key, a bad regex, an unknown variable) still reports FILE:LINE:COL. Jackson's tree model drops positions; this
 * reads the token stream once and keeps them.
 */
public final class YamlNode {
    private static final YAMLFactory YAML = YAMLFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    /** Prometheus's duration units (as blackbox_exporter and sightline.yml take them). */
    private static final Pattern DURATION = Pattern.compile("(?:(\\d+)ms|(\\d+)s|(\\d+)m|(\\d+)h|(\\d+)d)+");
    private static final Pattern DURATION_PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private final String file;
    private final int line;
    private final int column;
    private final Map<String, YamlNode> map;
    private final List<YamlNode> list;
    private final JsonToken scalarToken;
    private final String text;

    private YamlNode(String file, JsonLocation at, Map<String, YamlNode> map, List<YamlNode> list,
                     JsonToken scalarToken, String text) {
        this.file = file;
        this.line = at.getLineNr();
        this.column = at.getColumnNr();
        this.map = map;
        this.list = list;
        this.scalarToken = scalarToken;
        this.text = text;
    }

    /** Parses one YAML document; null for an empty one. {@code file} names it in errors. */
    public static YamlNode parse(String file, byte[] content) throws JourneyException {
        try (JsonParser p = YAML.createParser(content)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                return null;
            }
            return read(file, p);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String detail = "invalid YAML: " + e.getOriginalMessage().lines().findFirst().orElse("");
            if (at == null) {
                throw new JourneyException(file, detail, e);
            }
            throw new JourneyException(file, at.getLineNr(), at.getColumnNr(), detail);
        } catch (IOException e) {
            throw new JourneyException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    private static YamlNode read(String file, JsonParser p) throws IOException {
        JsonLocation at = p.currentTokenLocation();
        JsonToken t = p.currentToken();
        if (t == JsonToken.START_OBJECT) {
            Map<String, YamlNode> map = new LinkedHashMap<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                JsonLocation keyAt = p.currentTokenLocation();
                String key = p.currentName();
                p.nextToken();
                YamlNode value = read(file, p);
                // A key with no value reads as null at the key's own place, which is where the user looks.
                map.put(key, value.isNull() ? new YamlNode(file, keyAt, null, null, JsonToken.VALUE_NULL, null) : value);
            }
            return new YamlNode(file, at, Collections.unmodifiableMap(map), null, null, null);
        }
        if (t == JsonToken.START_ARRAY) {
            List<YamlNode> list = new ArrayList<>();
            while (p.nextToken() != JsonToken.END_ARRAY) {
                list.add(read(file, p));
            }
            return new YamlNode(file, at, null, List.copyOf(list), null, null);
        }
        return new YamlNode(file, at, null, null, t, t == JsonToken.VALUE_NULL ? null : p.getText());
    }

    /** FILE:LINE:COL of this node. */
    public String where() {
        return file + ":" + line + ":" + column;
    }

    public String file() {
        return file;
    }

    /** An error located at this node. */
    public JourneyException error(String message) {
        return new JourneyException(file, line, column, message);
    }

    public boolean isMap() {
        return map != null;
    }

    public boolean isList() {
        return list != null;
    }

    public boolean isNull() {
        return scalarToken == JsonToken.VALUE_NULL;
    }

    public boolean isScalar() {
        return scalarToken != null && !isNull();
    }

    /** The child under {@code key}, or null when absent or written as null. */
    public YamlNode get(String key) {
        YamlNode n = map.get(key);
        return n == null || n.isNull() ? null : n;
    }

    /** The child under {@code key}; an error naming the key when it is missing. */
    public YamlNode require(String key) throws JourneyException {
        YamlNode n = get(key);
        if (n == null) {
            throw error("missing required key \"" + key + "\"");
        }
        return n;
    }

    /** This node as a mapping whose keys are all among {@code known}; an unknown key is an error at that key. */
    public Map<String, YamlNode> mapOf(String what, Set<String> known) throws JourneyException {
        if (map == null) {
            throw error(what + ": expected a mapping of keys");
        }
        for (Map.Entry<String, YamlNode> e : map.entrySet()) {
            if (!known.contains(e.getKey())) {
                throw e.getValue().error("unknown key \"" + e.getKey() + "\" in " + what + " (known keys: "
                        + String.join(", ", new TreeSet<>(known)) + ")");
            }
        }
        return map;
    }

    /** This node as a mapping with any keys (headers, variables). */
    public Map<String, YamlNode> entries(String what) throws JourneyException {
        if (map == null) {
            throw error(what + ": expected a mapping");
        }
        return map;
    }

    public List<YamlNode> list(String what) throws JourneyException {
        if (list == null) {
            throw error(what + ": expected a list");
        }
        return list;
    }

    /** A scalar as text (numbers and booleans as written). */
    public String string(String what) throws JourneyException {
        if (!isScalar()) {
            throw error(what + ": expected a string");
        }
        return text;
    }

    public int integer(String what, int min) throws JourneyException {
        if (scalarToken != JsonToken.VALUE_NUMBER_INT) {
            throw error(what + ": expected an integer");
        }
        int v;
        try {
            v = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw error(what + ": integer out of range");
        }
        if (v < min) {
            throw error(what + ": must be at least " + min);
        }
        return v;
    }

    public double number(String what) throws JourneyException {
        if (scalarToken != JsonToken.VALUE_NUMBER_INT && scalarToken != JsonToken.VALUE_NUMBER_FLOAT) {
            throw error(what + ": expected a number");
        }
        return Double.parseDouble(text);
    }

    public boolean bool(String what) throws JourneyException {
        if (scalarToken != JsonToken.VALUE_TRUE && scalarToken != JsonToken.VALUE_FALSE) {
            throw error(what + ": expected true or false");
        }
        return scalarToken == JsonToken.VALUE_TRUE;
    }

    /** A Prometheus duration ("1m30s", "500ms"), positive. */
    public Duration duration(String what) throws JourneyException {
        String s = isScalar() ? text : "";
        if (!DURATION.matcher(s).matches()) {
            throw error(what + ": expected a duration such as 30s, 1m30s or 500ms, got \"" + s + "\"");
        }
        Duration d = Duration.ZERO;
        Matcher m = DURATION_PART.matcher(s);
        while (m.find()) {
            long n = Long.parseLong(m.group(1));
            d = d.plus(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            });
        }
        if (d.isZero()) {
            throw error(what + ": must be longer than 0");
        }
        return d;
    }

    public Pattern regex(String what) throws JourneyException {
        String s = string(what);
        try {
            return Regex.compile(s, 0);
        } catch (PatternSyntaxException e) {
            throw error(what + ": invalid regular expression: " + e.getDescription());
        }
    }

    /** A scalar as a JSON-comparable value: Long or Double for numbers, Boolean, String, or null. */
    public Object value() {
        if (scalarToken == null) {
            return null;
        }
        return switch (scalarToken) {
            // Past a long's range a number compares as a double, as JSONPath reads it.
            case VALUE_NUMBER_INT -> text.length() < 19 ? (Object) Long.parseLong(text) : (Object) Double.parseDouble(text);
            case VALUE_NUMBER_FLOAT -> Double.parseDouble(text);
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            default -> text;
        };
    }
}
