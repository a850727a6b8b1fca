package dev.sightline.server.dashboards;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sightline.server.config.ConfigException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.MarkedYAMLException;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * A YAML or JSON document read into a Jackson tree together with where each value sits, by path
 * ({@code rows[0].panels[2].span}): data binding only knows positions after the fact, and every check of a
 * dashboard names the line and column of what it refuses. Duplicate keys and nesting deeper than {@link #MAX_DEPTH}
 * are errors; documents over
 * {@link #MAX_BYTES} are refused before parsing.
 */
final class LocatedTree {
    /** Far above any real dashboard (Grafana's largest exports are under 1 MiB); bounds the memory one file takes. */
    static final int MAX_BYTES = 4 << 20;
    /** A dashboard is a few levels deep; far deeper is garbage, refused at its position before the stack suffers. */
    static final int MAX_DEPTH = 64;
    // Duplicate keys are found while building the tree, where the key's own position is known.
    private static final JsonFactory JSON = JsonFactory.builder().build();
    private static final YAMLFactory YAML = YAMLFactory.builder().loaderOptions(loaderOptions()).build();

    final String file;
    final JsonNode root;
    private final Map<String, JsonLocation> locations;

    private LocatedTree(String file, JsonNode root, Map<String, JsonLocation> locations) {
        this.file = file;
        this.root = root;
        this.locations = locations;
    }

    private static LoaderOptions loaderOptions() {
        LoaderOptions o = new LoaderOptions();
        // SnakeYAML's own limit (3 MiB of code points) would cut in below ours with a less clear message.
        o.setCodePointLimit(2 * MAX_BYTES);
        return o;
    }

    static LocatedTree yaml(String file, byte[] content) throws ConfigException {
        return parse(file, content, YAML);
    }

    static LocatedTree json(String file, byte[] content) throws ConfigException {
        return parse(file, content, JSON);
    }

    private static LocatedTree parse(String file, byte[] content, JsonFactory factory) throws ConfigException {
        if (content.length > MAX_BYTES) {
            throw new ConfigException(file, 0, 0, "file is " + content.length + " bytes, over the limit of " + MAX_BYTES);
        }
        Map<String, JsonLocation> locations = new HashMap<>();
        try (JsonParser p = factory.createParser(content)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new ConfigException(file, 1, 1, "the file is empty");
            }
            locations.put("", p.currentTokenLocation());
            JsonNode root = read(file, p, "", locations, 0);
            if (p.nextToken() != null) {
                JsonLocation l = p.currentTokenLocation();
                throw new ConfigException(file, l.getLineNr(), l.getColumnNr(), "more than one document in the file");
            }
            return new LocatedTree(file, root, locations);
        } catch (JsonProcessingException e) {
            if (e.getCause() instanceof MarkedYAMLException m && m.getProblemMark() != null) {
                // SnakeYAML's own position of the problem; Jackson's is where the enclosing construct began.
                throw new ConfigException(file, m.getProblemMark().getLine() + 1, m.getProblemMark().getColumn() + 1,
                        "invalid YAML: " + m.getProblem() + (m.getContext() == null ? "" : " (" + m.getContext() + ")"));
            }
            JsonLocation l = e.getLocation();
            String msg = e.getOriginalMessage();
            int nl = msg == null ? -1 : msg.indexOf('\n');
            throw new ConfigException(file, l == null ? 0 : l.getLineNr(), l == null ? 0 : l.getColumnNr(),
                    "invalid " + (factory == YAML ? "YAML" : "JSON") + ": " + (nl < 0 ? msg : msg.substring(0, nl)));
        } catch (IOException e) {
            throw new ConfigException(file, 0, 0, "cannot read: " + e.getMessage());
        }
    }

    /** Reads the value at the current token, noting where each member and element starts. */
    private static JsonNode read(String file, JsonParser p, String path, Map<String, JsonLocation> locations, int depth)
            throws IOException, ConfigException {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (depth > MAX_DEPTH && (p.currentToken() == JsonToken.START_OBJECT || p.currentToken() == JsonToken.START_ARRAY)) {
            JsonLocation l = p.currentTokenLocation();
            throw new ConfigException(file, l.getLineNr(), l.getColumnNr(), "nested deeper than " + MAX_DEPTH + " levels");
        }
        switch (p.currentToken()) {
            case START_OBJECT -> {
                ObjectNode o = f.objectNode();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    String child = path.isEmpty() ? key : path + "." + key;
                    JsonLocation at = p.currentTokenLocation();
                    if (o.has(key)) {
                        throw new ConfigException(file, at.getLineNr(), at.getColumnNr(),
                                child + ": duplicate key (first at line " + locations.get(child).getLineNr() + ")");
                    }
                    locations.put(child, at);
                    p.nextToken();
                    o.set(key, read(file, p, child, locations, depth + 1));
                }
                return o;
            }
            case START_ARRAY -> {
                ArrayNode a = f.arrayNode();
                int i = 0;
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    String child = path + "[" + i++ + "]";
                    locations.put(child, p.currentTokenLocation());
                    a.add(read(file, p, child, locations, depth + 1));
                }
                return a;
            }
            case VALUE_STRING -> {
                return f.textNode(p.getText());
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? f.numberNode(p.getDecimalValue())
                        : p.currentToken() == JsonToken.VALUE_NUMBER_INT ? f.numberNode(p.getLongValue())
                        : f.numberNode(p.getDoubleValue());
            }
            case VALUE_TRUE, VALUE_FALSE -> {
                return f.booleanNode(p.getBooleanValue());
            }
            case VALUE_NULL -> {
                return f.nullNode();
            }
            default -> {
                // YAML's embedded binary and the like: nothing a dashboard holds.
                return f.textNode(p.getText());
            }
        }
    }

    /** An error at the value (or key) {@code path} names, or at the closest enclosing one that has a position. */
    ConfigException error(String path, String reason) {
        String p = path;
        JsonLocation l = locations.get(p);
        while (l == null && !p.isEmpty()) {
            int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
            p = cut < 0 ? "" : p.substring(0, cut);
            l = locations.get(p);
        }
        return new ConfigException(file, l == null ? 0 : l.getLineNr(), l == null ? 0 : l.getColumnNr(),
                path.isEmpty() ? reason : path + ": " + reason);
    }
}
