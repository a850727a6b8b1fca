package dev.sightline.synthetics.canary;

import com.jayway.jsonpath.Configuration;
import com.jayway.jsonpath.InvalidJsonException;
import com.jayway.jsonpath.JsonPath;
import com.jayway.jsonpath.PathNotFoundException;
import com.jayway.jsonpath.spi.json.JacksonJsonProvider;
import com.jayway.jsonpath.spi.mapper.JacksonMappingProvider;
import dev.sightline.core.text.Regex;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** An HTTP write (the request body is the value) or read (the value is found in the response body). */
final class HttpTarget implements Target {
    /** A canary value is short; a reader's body is read up to this much, so a huge page cannot exhaust memory. */
    private static final int MAX_BODY_BYTES = 1 << 20;
    private static final Configuration JSON = Configuration.builder()
            .jsonProvider(new JacksonJsonProvider()).mappingProvider(new JacksonMappingProvider()).build();

    private final CanaryConfig.Http spec;
    private final URI url;
    private final HttpClient client;
    private final JsonPath jsonPath;
    private final Pattern regex;

    HttpTarget(CanaryConfig.Http spec, HttpClient client) {
        this.spec = spec;
        this.url = URI.create(spec.url());
        this.client = client;
        this.jsonPath = spec.jsonpath() == null ? null : JsonPath.compile(spec.jsonpath());
        this.regex = spec.regex() == null ? null : Regex.compile(spec.regex(), 0);
    }

    @Override
    public void write(String value, Duration timeout) throws Exception {
        HttpRequest.Builder req = request(timeout)
                .method(spec.writeMethod(), HttpRequest.BodyPublishers.ofString(value, StandardCharsets.UTF_8));
        if (!spec.headers().containsKey("Content-Type")) {
            req.header("Content-Type", "text/plain; charset=utf-8");
        }
        HttpResponse<Void> resp = client.send(req.build(), HttpResponse.BodyHandlers.discarding());
        checkStatus(resp.statusCode());
    }

    @Override
    public String read(Duration timeout) throws Exception {
        HttpResponse<InputStream> resp = client.send(request(timeout).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        String body;
        try (InputStream in = resp.body()) {
            checkStatus(resp.statusCode());
            body = new String(in.readNBytes(MAX_BODY_BYTES), StandardCharsets.UTF_8);
        }
        return extract(body);
    }

    /** The part of the body that holds the value: the JSONPath's result, the regex's first group or match, or all. */
    String extract(String body) throws CanaryException {
        if (jsonPath != null) {
            Object found;
            try {
                found = JsonPath.using(JSON).parse(body).read(jsonPath);
            } catch (PathNotFoundException e) {
                return null;
            } catch (InvalidJsonException e) {
                throw new CanaryException(CanaryException.Reason.NO_VALUE, "the body is not JSON, so "
                        + spec.jsonpath() + " finds nothing");
            }
            return found == null ? null : String.valueOf(found);
        }
        if (regex != null) {
            Matcher m = regex.matcher(body);
            if (!m.find()) {
                return null;
            }
            return m.groupCount() >= 1 ? m.group(1) : m.group();
        }
        return body;
    }

    private HttpRequest.Builder request(Duration timeout) {
        HttpRequest.Builder req = HttpRequest.newBuilder(url).timeout(timeout);
        spec.headers().forEach(req::header);
        return req;
    }

    private void checkStatus(int status) throws CanaryException {
        if (status / 100 != 2) {
            throw new CanaryException(CanaryException.Reason.BAD_STATUS, "HTTP " + status + " from " + spec.url());
        }
    }
}
