package dev.sightline.rules;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML document as a small tree whose every node and key keeps its 1-based line, so rule file errors can name
 * FILE:LINE the way promtool does. Built from Jackson's streaming parser (data binding would lose positions).
 */
sealed interface YamlNode {
    int line();

    record Scalar(int line, String text, boolean isNull) implements YamlNode {
    }

    record Seq(int line, List<YamlNode> items) implements YamlNode {
    }

    record Entry(int keyLine, YamlNode value) {
    }

    record MapNode(int line, Map<String, Entry> entries) implements YamlNode {
    }

    /** Thrown for a YAML syntax error or duplicate key, with its line. */
    final class YamlException extends Exception {
        private final int line;

        YamlException(int line, String message) {
            super(message);
            this.line = line;
        }

        int line() {
            return line;
        }
    }

    YAMLFactory FACTORY = new YAMLFactory();

    /** Parses the document; null when it is empty. */
    static YamlNode parse(byte[] content) throws YamlException {
        try (JsonParser p = FACTORY.createParser(content)) {
            try {
                JsonToken t = p.nextToken();
                if (t == null) {
                    return null;
                }
                return read(p);
            } catch (JsonProcessingException e) {
                // A read limit (nesting deeper than 1000, a name too long) carries no location: where the parser stopped.
                int line = (e.getLocation() != null ? e.getLocation() : p.currentLocation()).getLineNr();
                String msg = e.getOriginalMessage();
                int nl = msg.indexOf('\n');
                throw new YamlException(line, "yaml: " + (nl < 0 ? msg : msg.substring(0, nl)));
            }
        } catch (IOException e) {
            throw new YamlException(0, "yaml: " + e.getMessage());
        }
    }

    private static YamlNode read(JsonParser p) throws IOException, YamlException {
        int line = p.currentTokenLocation().getLineNr();
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT -> {
                Map<String, Entry> entries = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    int keyLine = p.currentTokenLocation().getLineNr();
                    p.nextToken();
                    YamlNode value = read(p);
                    if (entries.putIfAbsent(key, new Entry(keyLine, value)) != null) {
                        throw new YamlException(keyLine, "yaml: mapping key \"" + key + "\" already defined");
                    }
                }
                return new MapNode(line, entries);
            }
            case START_ARRAY -> {
                List<YamlNode> items = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    items.add(read(p));
                }
                return new Seq(line, items);
            }
            case VALUE_NULL -> {
                return new Scalar(line, "", true);
            }
            default -> {
                return new Scalar(line, p.getText(), false);
            }
        }
    }
}
