package dev.sightline.core;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What a tenant's view of a shared store does to labels, the same for series (metrics) and streams (logs): writes get
 * the reserved label {@value #LABEL} set to the tenant (replacing any the writer sent); reads get the matcher
 * {@code __tenant__="<id>"} added, and the label is stripped from what they return. To the tenant the label does not
 * exist: a matcher of its own on it is judged against the empty string (dropped when it accepts it, an empty answer
 * when not), so no selector or regex can reach another tenant's data.
 */
public final class TenantScope {
    /** The reserved label that carries the tenant in a shared store. */
    public static final String LABEL = "__tenant__";
    /** Mimir's limit on a tenant id's length. */
    public static final int MAX_ID_LENGTH = 150;
    /** Mimir's allowed characters: letters, digits and !-_.*'(). */
    private static final Pattern ID = Pattern.compile("[a-zA-Z0-9!\\-_.*'()]+");

    private final String tenant;
    private final LabelMatcher own;

    /** The scope of a tenant id, checked with {@link #validate}. */
    public TenantScope(String tenant) {
        this.tenant = validate(tenant);
        this.own = LabelMatcher.eq(LABEL, tenant);
    }

    /**
     * Checks a tenant id as Mimir does: 1 to 150 characters among letters, digits and {@code !-_.*'()}, and not
     * {@code .} or {@code ..}; returns the id. Throws IllegalArgumentException saying what is wrong.
     */
    public static String validate(String id) {
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("no org id");
        }
        if (id.length() > MAX_ID_LENGTH) {
            throw new IllegalArgumentException("tenant ID is too long: max " + MAX_ID_LENGTH + " characters, got "
                    + id.length());
        }
        if (id.equals(".") || id.equals("..")) {
            throw new IllegalArgumentException("tenant ID is '.' or '..'");
        }
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("tenant ID '" + id + "' contains unsupported characters: allowed are"
                    + " letters, digits and !-_.*'()");
        }
        return id;
    }

    public String tenant() {
        return tenant;
    }

    /** The labels as stored: with the tenant label set. */
    public Labels tag(Labels labels) {
        return labels.toBuilder().set(LABEL, tenant).build();
    }

    /** The labels as the tenant sees them. */
    public static Labels strip(Labels labels) {
        return labels.has(LABEL) ? labels.without(LABEL) : labels;
    }

    /**
     * The caller's matchers with the tenant's own added, and any of the caller's on {@value #LABEL} judged against the
     * empty string: null when one of those rejects it, so nothing can match.
     */
    public LabelMatcher[] matchers(LabelMatcher... given) {
        LabelMatcher[] out = new LabelMatcher[given.length + 1];
        int n = 0;
        for (LabelMatcher m : given) {
            if (!m.name().equals(LABEL)) {
                out[n++] = m;
            } else if (!m.matchesEmpty()) {
                return null;
            }
        }
        out[n++] = own;
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    /** {@link #matchers(LabelMatcher...)} over a list; null when nothing can match. */
    public List<LabelMatcher> matchers(List<LabelMatcher> given) {
        LabelMatcher[] m = matchers(given.toArray(LabelMatcher[]::new));
        return m == null ? null : List.of(m);
    }

    /** The label names as the tenant sees them (the reserved one removed). */
    public static List<String> stripNames(List<String> names) {
        if (!names.contains(LABEL)) {
            return names;
        }
        return names.stream().filter(n -> !n.equals(LABEL)).toList();
    }
}
