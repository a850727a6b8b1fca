package dev.sightline.synthetics.journey;

import com.jayway.jsonpath.JsonPath;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A loaded, checked journey: steps run in order, a failed step skips the rest, cleanup steps run after in any case.
 * {@code source} is where it was read (FILE:LINE:COL of its start), {@code alertAfter} the consecutive failed runs
 * after which the example rule pages, {@code services} the services a passing run proves work (empty: the product
 * as a whole, not one service).
 */
public record Journey(String name, String source, Duration interval, int alertAfter, Map<String, Template> variables,
                      List<Step> steps, List<Step> cleanup, List<String> services) {

    /**
     * One HTTP step. {@code retries} more attempts after a failed one, waiting {@code backoff} doubled each time;
     * {@code degradedAfter} (or null) marks a step that passed but took longer as degraded, not failed.
     */
    public record Step(String name, Request request, List<Assertion> assertions, Map<String, Extract> extract,
                       int retries, Duration backoff, Duration degradedAfter) {
    }

    /** The request of a step; url, header values and body are templates. */
    public record Request(String method, Template url, Map<String, Template> headers, Template body, Duration timeout,
                          boolean insecure, String caFile, String serverName, boolean followRedirects) {
    }

    /** A variable read from a response: by JSONPath, by regex (its first group, or the whole match) or a header. */
    public record Extract(JsonPath jsonPath, String jsonPathSource, Pattern regex, String header, boolean secret) {
        String describe() {
            return jsonPath != null ? "jsonpath " + jsonPathSource : regex != null ? "regex /" + regex.pattern() + "/"
                    : "header " + header;
        }
    }
}
