package dev.sightline.metricstore;

import dev.sightline.core.Histogram;
import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.core.TenantScope;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One tenant's share of a storage shared by several: the single choke point through which every read and write of a
 * tenant goes when multitenancy is on. Every appended series is tagged, and every select, label name and label value
 * lookup scoped, as {@link TenantScope} says, so no selector, regex or subquery can reach another tenant's series.
 * A view owns nothing: closing it closes nothing.
 */
public final class TenantView {
    private TenantView() {
    }

    /** The tenant's view of {@code storage}: its appender tags, its queriers filter. */
    public static Storage storage(Storage storage, String tenant) {
        TenantScope scope = new TenantScope(tenant);
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
        TenantScope scope = new TenantScope(tenant);
        return (mint, maxt) -> new TenantQuerier(queryable.querier(mint, maxt), scope);
    }

    /**
     * The tenant's deletes: its matchers scoped as a select's are, so a delete only ever reaches the tenant's own
     * series (a matcher of its own on the tenant label is judged against the empty string: one that rejects it
     * deletes nothing). Cleaning tombstones rewrites the shared storage, which changes no tenant's answers.
     */
    public static Deletable deletable(Deletable deletable, String tenant) {
        TenantScope scope = new TenantScope(tenant);
        return new Deletable() {
            @Override
            public void deleteSeries(long mint, long maxt, LabelMatcher... matchers) throws IOException {
                Querier.requireRestrictingMatcher(matchers);
                if (mint > maxt) {
                    throw new IllegalArgumentException("delete start " + mint + " is after its end " + maxt);
                }
                LabelMatcher[] scoped = scope.matchers(matchers);
                if (scoped != null) {
                    deletable.deleteSeries(mint, maxt, scoped);
                }
            }

            @Override
            public void cleanTombstones() throws IOException {
                deletable.cleanTombstones();
            }
        };
    }

    /** The tenant's view of an exemplar store: exemplars are kept under the tagged series labels. */
    public static ExemplarStorage exemplars(ExemplarStorage exemplars, String tenant) {
        TenantScope scope = new TenantScope(tenant);
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
                    out.add(new ExemplarSeries(TenantScope.strip(s.seriesLabels()), s.exemplars()));
                }
                out.sort(Comparator.comparing(ExemplarSeries::seriesLabels));
                return out;
            }
        };
    }

    private static final class TenantAppender implements Appender {
        private final Appender inner;
        private final TenantScope scope;

        TenantAppender(Appender inner, TenantScope scope) {
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
        public void prefetch(long[] refs, int n) {
            inner.prefetch(refs, n);
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
        private final TenantScope scope;

        TenantQuerier(Querier inner, TenantScope scope) {
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
            return TenantScope.stripNames(inner.labelNames(scoped));
        }

        @Override
        public List<String> labelValues(String name, LabelMatcher... matchers) {
            LabelMatcher[] scoped = scope.matchers(matchers);
            if (scoped == null || name.equals(TenantScope.LABEL)) {
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
            Labels labels = TenantScope.strip(s.labels());
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
