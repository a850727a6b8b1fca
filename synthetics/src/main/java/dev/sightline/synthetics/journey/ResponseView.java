package dev.sightline.synthetics.journey;

import com.jayway.jsonpath.Configuration;
import com.jayway.jsonpath.InvalidJsonException;
import com.jayway.jsonpath.JsonPath;
import com.jayway.jsonpath.PathNotFoundException;
import com.jayway.jsonpath.spi.json.JacksonJsonProvider;
import com.jayway.jsonpath.spi.mapper.JacksonMappingProvider;
import dev.sightline.synthetics.http.PhasedHttpClient.Response;

/** A response as assertions and extracts read it: the body parsed as JSON once, on first use. */
final class ResponseView {
    /** JSONPath over Jackson (json-smart is left out of the build). */
    static final Configuration JSON = Configuration.builder()
            .jsonProvider(new JacksonJsonProvider())
            .mappingProvider(new JacksonMappingProvider())
            .build();

    /** A JSONPath lookup: {@code found} false when the path matched nothing. */
    record Lookup(boolean found, Object value) {
    }

    final Response response;
    private final String text;
    private Object document;
    private String jsonError;

    ResponseView(Response response) {
        this.response = response;
        this.text = response.bodyText();
    }

    String text() {
        return text;
    }

    /** Reads {@code path}; throws with a readable reason when the body is not JSON. */
    Lookup read(JsonPath path) throws NotJsonException {
        if (document == null && jsonError == null) {
            try {
                document = JSON.jsonProvider().parse(text);
            } catch (InvalidJsonException e) {
                jsonError = "the body is not JSON";
            }
        }
        if (jsonError != null) {
            throw new NotJsonException(jsonError);
        }
        try {
            return new Lookup(true, path.read(document, JSON));
        } catch (PathNotFoundException e) {
            return new Lookup(false, null);
        }
    }

    static final class NotJsonException extends Exception {
        private static final long serialVersionUID = 1L;

        NotJsonException(String message) {
            super(message);
        }
    }
}
