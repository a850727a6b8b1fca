package dev.sightline.synthetics.journey;

import com.jayway.jsonpath.JsonPath;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** One check of a step's response; {@link #check} answers null when it holds, else what was wrong. */
sealed interface Assertion {
    /** The assertion as written, for reports ("status 200", "jsonpath $.ok equals true"). */
    String describe();

    String check(ResponseView r, long nowMs);

    record Status(Set<Integer> codes) implements Assertion {
        public String describe() {
            return "status " + (codes.size() == 1 ? codes.iterator().next() : codes.stream().sorted().toList());
        }

        public String check(ResponseView r, long nowMs) {
            return codes.contains(r.response.status()) ? null : "status is " + r.response.status();
        }
    }

    record Header(String name, Comparison expected) implements Assertion {
        public String describe() {
            return "header " + name + " " + expected.describe();
        }

        public String check(ResponseView r, long nowMs) {
            String v = r.response.header(name);
            String why = expected.check(v != null, v);
            return why == null ? null : "header " + name + " " + why;
        }
    }

    /** body_contains / body_matches, or with {@code negate} body_not_contains / body_not_matches. */
    record BodyText(boolean negate, String text, Pattern regex) implements Assertion {
        public String describe() {
            return "body " + (negate ? "not " : "") + what();
        }

        private String what() {
            return regex != null ? "matching /" + regex.pattern() + "/" : "containing " + Comparison.show(text);
        }

        public String check(ResponseView r, long nowMs) {
            boolean hit = regex != null ? regex.matcher(r.text()).find() : r.text().contains(text);
            // The body itself is shown as the step's excerpt; the failure says what was looked for.
            return hit == negate ? "body " + (negate ? "is " : "is not ") + what() : null;
        }
    }

    record Json(String source, JsonPath path, Comparison expected) implements Assertion {
        public String describe() {
            return "jsonpath " + source + " " + expected.describe();
        }

        public String check(ResponseView r, long nowMs) {
            ResponseView.Lookup l;
            try {
                l = r.read(path);
            } catch (ResponseView.NotJsonException e) {
                return "jsonpath " + source + ": " + e.getMessage();
            }
            String why = expected.check(l.found(), l.value());
            return why == null ? null : "jsonpath " + source + " " + why;
        }
    }

    /** A hard limit on the step's time (degraded_after is the soft one). */
    record ResponseTime(Duration max) implements Assertion {
        public String describe() {
            return "response time < " + max.toMillis() + "ms";
        }

        public String check(ResponseView r, long nowMs) {
            long ms = r.response.timings().total / 1_000_000;
            return ms < max.toMillis() ? null : "response time " + ms + "ms, limit " + max.toMillis() + "ms";
        }
    }

    /** Every certificate the server sent must stay valid at least {@code minDays} more days. */
    record CertExpiry(double minDays) implements Assertion {
        public String describe() {
            return "certificate valid >= " + Comparison.show(minDays) + " days";
        }

        public String check(ResponseView r, long nowMs) {
            List<X509Certificate> chain = r.response.peerCertificates();
            if (chain.isEmpty()) {
                return "no TLS certificate (not an https URL)";
            }
            X509Certificate first = chain.getFirst();
            for (X509Certificate c : chain) {
                if (c.getNotAfter().before(first.getNotAfter())) {
                    first = c;
                }
            }
            double days = (first.getNotAfter().getTime() - nowMs) / 86_400_000.0;
            if (days >= minDays) {
                return null;
            }
            String left = days < 0 ? "expired " + String.format("%.1f", -days) + " days ago"
                    : "expires in " + String.format("%.1f", days) + " days";
            return "certificate " + first.getSubjectX500Principal().getName() + " " + left + " (not after "
                    + first.getNotAfter().toInstant() + "), need >= " + Comparison.show(minDays) + " days";
        }
    }
}
