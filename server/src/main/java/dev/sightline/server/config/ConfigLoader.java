package dev.sightline.server.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.UnaryOperator;

/**
 * Reads {@code sightline.yml}. Unknown keys, duplicate keys and bad values are errors located at FILE:LINE:COL,
 * so keys of features not built yet are refused rather than silently ignored.
 */
public final class ConfigLoader {
    private final ObjectMapper mapper;
    /** Environment variables for ${NAME} in secret fields. */
    private final UnaryOperator<String> env;

    public ConfigLoader() {
        this(System::getenv);
    }

    /** A loader reading ${NAME} in secret fields from {@code env} (tests give their own). */
    public ConfigLoader(UnaryOperator<String> env) {
        this.env = env;
        YAMLFactory yaml = YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
        mapper = new ObjectMapper(yaml)
                .registerModule(ConfigDeserializers.module())
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
    }

    /** The folder paths in the configuration are relative to: the file's, or the working directory without one. */
    public static Path baseDir(Path configFile) {
        Path dir = configFile == null ? null : configFile.toAbsolutePath().getParent();
        return dir != null ? dir : Path.of("").toAbsolutePath();
    }

    /** Loads the file; a missing file is an error, an empty one means all defaults. */
    public SightlineConfig load(Path file) throws ConfigException {
        String name = file.toString();
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(name, "configuration file not found", e);
        } catch (IOException e) {
            throw new ConfigException(name, "cannot read configuration file: " + e.getMessage(), e);
        }
        return parse(name, content, baseDir(file));
    }

    /** Parses YAML text; {@code name} is used in error messages, secret files are read from the working directory. */
    public SightlineConfig parse(String name, byte[] content) throws ConfigException {
        return parse(name, content, Path.of("").toAbsolutePath());
    }

    /**
     * Parses YAML text; {@code name} is used in error messages, secret files ({@code password_file} and the like,
     * see {@link Secrets}) are read relative to {@code baseDir}.
     */
    public SightlineConfig parse(String name, byte[] content, Path baseDir) throws ConfigException {
        SightlineConfig config = bind(name, content, baseDir, null, SightlineConfig.class);
        return config == null ? SightlineConfig.defaults() : config;
    }

    /**
     * Parses a file that holds one section of sightline.yml on its own (a tenant's {@code alertmanager.yml} is the
     * {@code alertmanager:} section): bound, checked, located and with its secrets read as that section is in
     * sightline.yml. Null for an empty document.
     */
    public <T> T parseSection(String name, byte[] content, Path baseDir, String section, Class<T> type)
            throws ConfigException {
        return bind(name, content, baseDir, section, type);
    }

    /** Binds the document to {@code type}; {@code section} (or null: the document is the root) is where it sits. */
    private <T> T bind(String name, byte[] content, Path baseDir, String section, Class<T> type) throws ConfigException {
        try {
            Map<String, JsonLocation> keys = scanKeys(name, content);
            if (keys == null) {
                return null;
            }
            JsonNode tree = mapper.readTree(content);
            boolean secretsRead;
            try {
                // Secret fields are known by their path from sightline.yml's root, so a section is judged where it sits.
                secretsRead = Secrets.resolve(section == null ? tree : mapper.createObjectNode().set(section, tree),
                        baseDir, env);
            } catch (Secrets.Unresolved e) {
                String prefix = section == null ? "" : section + ".";
                throw located(name, keys.get(e.key.substring(prefix.length())), e.getMessage().substring(prefix.length()));
            }
            try {
                // Bound from the text when no secret was read in, so value errors keep their exact positions.
                return secretsRead ? mapper.treeToValue(tree, type) : mapper.readValue(content, type);
            } catch (JsonMappingException e) {
                String nested = nestedKey(e, keys);
                if (nested != null) {
                    String msg = e.getCause().getMessage();
                    throw located(name, keys.get(nested), nested + msg.substring(msg.indexOf(": ")));
                }
                throw located(name, locationOf(e, keys), describe(e));
            }
        } catch (JsonProcessingException e) {
            throw located(name, e.getLocation(), "invalid YAML: " + firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new ConfigException(name, "cannot read configuration: " + e.getMessage(), e);
        }
    }

    /**
     * Streams the document once to note where every key is, by dotted path. The YAML parser reads ahead, so data
     * binding only knows positions after the fact; an unknown key or a failed section check is reported at its key.
     * Returns null for an empty document.
     */
    private Map<String, JsonLocation> scanKeys(String name, byte[] content) throws IOException, ConfigException {
        try (JsonParser p = mapper.getFactory().createParser(content)) {
            try {
                JsonToken t = p.nextToken();
                if (t == null || t == JsonToken.VALUE_NULL) {
                    return null;
                }
                if (t != JsonToken.START_OBJECT) {
                    throw located(name, p.currentTokenLocation(), "the configuration must be a mapping of sections");
                }
                Map<String, JsonLocation> keys = new HashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    keys.put(key, p.currentTokenLocation());
                    p.nextToken();
                    scanValue(p, key, keys);
                }
                return keys;
            } catch (JsonProcessingException e) {
                if (e.getLocation() != null) {
                    throw e;
                }
                // A read limit (nesting deeper than 1000, a name too long) carries no location: where the parser stopped.
                throw located(name, p.currentLocation(), "invalid YAML: " + firstLine(e.getOriginalMessage()));
            }
        }
    }

    private static void scanValue(JsonParser p, String path, Map<String, JsonLocation> keys) throws IOException {
        if (p.currentToken() == JsonToken.START_OBJECT) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String child = path + "." + p.currentName();
                keys.putIfAbsent(child, p.currentTokenLocation());
                p.nextToken();
                scanValue(p, child, keys);
            }
        } else if (p.currentToken() == JsonToken.START_ARRAY) {
            int i = 0;
            while (p.nextToken() != JsonToken.END_ARRAY) {
                // Elements too: a list entry that fails as a whole (a relabel step) is reported where it starts.
                String element = path + "[" + i++ + "]";
                keys.putIfAbsent(element, p.currentTokenLocation());
                scanValue(p, element, keys);
            }
        }
    }

    /**
     * Where to report a binding error: a scalar value's own position when Jackson has it right (the value was just
     * read), otherwise the position of the key the error is about.
     */
    private static JsonLocation locationOf(JsonMappingException e, Map<String, JsonLocation> keys) {
        boolean valueError = e instanceof MismatchedInputException && !(e instanceof UnrecognizedPropertyException);
        if (valueError && e.getLocation() != null) {
            return e.getLocation();
        }
        JsonLocation key = keys.get(path(e));
        if (key == null && e instanceof ValueInstantiationException && e.getCause() instanceof IllegalArgumentException iae) {
            // A check across a section (e.g. duplicate job names) names the key it is about: "scrape_configs[1].job_name: ...".
            String msg = String.valueOf(iae.getMessage());
            int colon = msg.indexOf(": ");
            key = colon > 0 ? keys.get(msg.substring(0, colon)) : null;
        }
        return key != null ? key : e.getLocation();
    }

    /**
     * The full path of the key a section's own check names relative to the section (the alertmanager section says
     * "route.routes[0].receiver: ..."), when that key is in the file; otherwise null.
     */
    private static String nestedKey(JsonMappingException e, Map<String, JsonLocation> keys) {
        if (!(e instanceof ValueInstantiationException) || !(e.getCause() instanceof IllegalArgumentException iae)
                || iae.getMessage() == null || path(e).isEmpty()) {
            return null;
        }
        int colon = iae.getMessage().indexOf(": ");
        String key = colon > 0 ? path(e) + "." + iae.getMessage().substring(0, colon) : null;
        return key != null && keys.containsKey(key) ? key : null;
    }

    private static String describe(JsonMappingException e) {
        String path = path(e);
        if (e instanceof UnrecognizedPropertyException u) {
            String where = path.contains(".") ? " in " + path.substring(0, path.lastIndexOf('.')) : " at top level";
            StringJoiner known = new StringJoiner(", ");
            u.getKnownPropertyIds().stream().map(String::valueOf).sorted().forEach(known::add);
            return "unknown key \"" + u.getPropertyName() + "\"" + where + " (known keys: " + known + ")";
        }
        String prefix = path.isEmpty() ? "" : path + ": ";
        if (e instanceof ValueInstantiationException && e.getCause() instanceof IllegalArgumentException iae) {
            return prefix + iae.getMessage();
        }
        if (e instanceof ConfigDeserializers.BadValue) {
            return prefix + e.getOriginalMessage();
        }
        if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
            return prefix + "expected " + expected(m.getTargetType());
        }
        return prefix + firstLine(e.getOriginalMessage());
    }

    private static String expected(Class<?> type) {
        if (type.isRecord()) {
            return "a mapping of keys";
        }
        if (Map.class.isAssignableFrom(type)) {
            return "a mapping of names to values";
        }
        if (type == String.class) {
            return "a string";
        }
        if (Number.class.isAssignableFrom(type) || type.isPrimitive()) {
            return "a number";
        }
        return "a value of type " + type.getSimpleName();
    }

    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "malformed input";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static ConfigException located(String name, JsonLocation loc, String detail) {
        if (loc == null || loc.getLineNr() <= 0) {
            return new ConfigException(name, 0, 0, detail);
        }
        return new ConfigException(name, loc.getLineNr(), loc.getColumnNr(), detail);
    }
}
