package dev.sightline.metricstore;

import dev.sightline.core.Histogram;
import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One tenant's share of a storage shared by several: the single choke point through which every read and write of a
 * tenant goes when multitenancy is on. Writes get the reserved label {@value #LABEL} set to the tenant (replacing any
 * the writer sent); every select, label name and label value lookup gets the matcher {@code __tenant__="<id>"} added,
 * and the label is stripped from what comes back. To the tenant the label does not exist: a matcher of its own on
 * {@value #LABEL} is judged against the empty string (dropped when it accepts it, an empty answer when not), so no
 * selector, regex or subquery can reach another tenant's series. A view owns nothing: closing it closes nothing.
 */
public final class TenantView {
    /** The reserved label that carries a series' tenant in the shared storage. */
    public static final String LABEL = "__tenant__";
    /** Mimir's limit on a tenant id's length. */
    public static final int MAX_ID_LENGTH = 150;
    /** Mimir's allowed characters (alphanumerics and !-_.*'()), minus the ids "." and ".." it refuses too. */
    private static final Pattern ID = Pattern.compile("[a-zA-Z0-9!\\-_.*'()]+");

    private TenantView() {
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

    /** The tenant's view of {@code storage}: its appender tags, its queriers filter. */
    public static Storage storage(Storage storage, String tenant) {
        Scope scope = new Scope(validate(tenant));
        return new Storage() {
            @Override
            public Appender appender() {
                return new TenantAppender(storage.appender(), scope);
            }

            @Override
            public Querier querier(long mint, long maxt) {
                return new TenantQuerier(storage.querier(mint, maxt), scope);
            }

            @Override
            public void close() {
                // The shared storage outlives every tenant's view of it.
            }
        };
    }

    /** The tenant's read-only view of {@code queryable}, for the query engine and rules. */
    public static Queryable queryable(Queryable queryable, String tenant) {
        Scope scope = new Scope(validate(tenant));
        return (mint, maxt) -> new TenantQuerier(queryable.querier(mint, maxt), scope);
    }

    /** The tenant's view of an exemplar store: exemplars are kept under the tagged series labels. */
    public static ExemplarStorage exemplars(ExemplarStorage exemplars, String tenant) {
        Scope scope = new Scope(validate(tenant));
        return new ExemplarStorage() {
            @Override
            public boolean enabled() {
                return exemplars.enabled();
            }

            @Override
            public ExemplarAppender appender() {
                ExemplarAppender inner = exemplars.appender();
                return new ExemplarAppender() {
                    @Override
                    public void add(Labels seriesLabels, Labels labels, double value, long timestampMs) {
                        inner.add(scope.tag(seriesLabels), labels, value, timestampMs);
                    }

                    @Override
                    public int commit() {
                        return inner.commit();
                    }

                    @Override
                    public void rollback() {
                        inner.rollback();
                    }
                };
            }

            @Override
            public List<ExemplarSeries> select(long startMs, long endMs, List<List<LabelMatcher>> matcherSets) {
                List<List<LabelMatcher>> scoped = new ArrayList<>();
                for (List<LabelMatcher> set : matcherSets) {
                    LabelMatcher[] m = scope.matchers(set.toArray(LabelMatcher[]::new));
                    if (m != null) {
                        scoped.add(List.of(m));
                    }
                }
                if (scoped.isEmpty()) {
                    return List.of();
                }
                List<ExemplarSeries> out = new ArrayList<>();
                for (ExemplarSeries s : exemplars.select(startMs, endMs, scoped)) {
                    out.add(new ExemplarSeries(s.seriesLabels().without(LABEL), s.exemplars()));
                }
                out.sort(Comparator.comparing(ExemplarSeries::seriesLabels));
                return out;
            }
        };
    }

    /** The tenant's matcher and label, shared by the view's appenders and queriers. */
    private record Scope(String tenant, LabelMatcher own) {
        Scope(String tenant) {
            this(tenant, LabelMatcher.eq(LABEL, tenant));
        }

        Labels tag(Labels labels) {
            return labels.toBuilder().set(LABEL, tenant).build();
        }

        /**
         * The caller's matchers with the tenant's own added, and any of the caller's on {@value #LABEL} judged
         * against the empty string (the label is absent to the tenant): null when one of those rejects it, so
         * nothing can match.
         */
        LabelMatcher[] matchers(LabelMatcher[] given) {
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
    }

    private static final class TenantAppender implements Appender {
        private final Appender inner;
        private final Scope scope;

        TenantAppender(Appender inner, Scope scope) {
            this.inner = inner;
            this.scope = scope;
        }

        // A known ref is the tagged series already: it is passed alone, and the labels are tagged only for a new
        // series or a ref storage no longer knows (IllegalArgumentException, as the contract says), so a steady
        // stream of known series allocates nothing here.
        @Override
        public long append(long ref, Labels labels, long startTimestampMs, long timestampMs, double value) {
            if (ref != 0) {
                try {
                    return inner.append(ref, null, startTimestampMs, timestampMs, value);
                } catch (IllegalArgumentException unknownRef) {
                    if (labels == null) {
                        throw unknownRef;
                    }
                }
            }
            return inner.append(0, scope.tag(labels), startTimestampMs, timestampMs, value);
        }

        @Override
        public long appendHistogram(long ref, Labels labels, long startTimestampMs, long timestampMs, Histogram h) {
            if (ref != 0) {
                try {
                    return inner.appendHistogram(ref, null, startTimestampMs, timestampMs, h);
                } catch (IllegalArgumentException unknownRef) {
                    if (labels == null) {
                        throw unknownRef;
                    }
                }
            }
            return inner.appendHistogram(0, scope.tag(labels), startTimestampMs, timestampMs, h);
        }

        @Override
        public boolean appendExemplar(long ref, Labels series, Labels exemplarLabels, long timestampMs, double value) {
            return inner.appendExemplar(ref, series == null ? null : scope.tag(series), exemplarLabels, timestampMs, value);
        }

        @Override
        public void commit() throws IOException {
            inner.commit();
        }

        @Override
        public void rollback() {
            inner.rollback();
        }
    }

    private static final class TenantQuerier implements Querier {
        private final Querier inner;
        private final Scope scope;

        TenantQuerier(Querier inner, Scope scope) {
            this.inner = inner;
            this.scope = scope;
        }

        @Override
        public SeriesSet select(boolean sorted, long mint, long maxt, LabelMatcher... matchers) {
            Querier.requireRestrictingMatcher(matchers);
            LabelMatcher[] scoped = scope.matchers(matchers);
            if (scoped == null) {
                return SeriesSet.EMPTY;
            }
            SeriesSet set = inner.select(sorted, mint, maxt, scoped);
            if (!sorted) {
                return new Stripped(set);
            }
            // Removing the same pair from every label set can change their order (a series with a label sorting
            // before __tenant__ against one without), so a sorted answer is sorted again once stripped.
            List<Series> all = new ArrayList<>();
            SeriesSet stripped = new Stripped(set);
            while (stripped.next()) {
                all.add(stripped.at());
            }
            all.sort(Comparator.comparing(Series::labels));
            List<String> warnings = set.warnings();
            SeriesSet of = SeriesSet.of(all);
            return new SeriesSet() {
                @Override
                public boolean next() {
                    return of.next();
                }

                @Override
                public Series at() {
                    return of.at();
                }

                @Override
                public List<String> warnings() {
                    return warnings;
                }
            };
        }

        @Override
        public List<String> labelNames(LabelMatcher... matchers) {
            LabelMatcher[] scoped = scope.matchers(matchers);
            if (scoped == null) {
                return List.of();
            }
            List<String> names = new ArrayList<>(inner.labelNames(scoped));
            names.remove(LABEL);
            return names;
        }

        @Override
        public List<String> labelValues(String name, LabelMatcher... matchers) {
            LabelMatcher[] scoped = scope.matchers(matchers);
            if (scoped == null || name.equals(LABEL)) {
                return List.of();
            }
            return inner.labelValues(name, scoped);
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    /** The inner set's series with the tenant label removed. */
    private record Stripped(SeriesSet inner) implements SeriesSet {
        @Override
        public boolean next() {
            return inner.next();
        }

        @Override
        public Series at() {
            Series s = inner.at();
            Labels labels = s.labels().without(LABEL);
            return new Series() {
                @Override
                public Labels labels() {
                    return labels;
                }

                @Override
                public SampleIterator iterator(SampleIterator reuse) {
                    return s.iterator(reuse);
                }
            };
        }

        @Override
        public List<String> warnings() {
            return inner.warnings();
        }
    }
}
