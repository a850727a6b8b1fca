package dev.sightline.traces.store;

import dev.sightline.core.span.AttributeType;
import dev.sightline.traces.SpanCondition;
import dev.sightline.traces.SpanCondition.Op;
import dev.sightline.traces.SpanCondition.Scope;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.MultiTerms;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexOrDocValuesQuery;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.PrefixQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.NumericUtils;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns {@link SpanCondition}s into Lucene queries over one partition's reader, reproducing
 * {@link SpanCondition#matches}. Most conditions translate exactly. A few only narrow the candidates (values cut to
 * {@link SpanFields#MAX_VALUE_BYTES}, overlong keys, numbers beyond 2^52 where long/double rounding decides):
 * {@link Translated#exact()} is false then and the caller checks each candidate's stored span with
 * {@code matches}. String comparisons other than equality (regex, order) walk the key's value terms and test each
 * with the condition itself, so Java's regex and UTF-16 order apply, not Lucene's.
 */
final class SpanQueries {
    private static final long EXACT_LIMIT = 1L << 52;
    private static final long DOUBLE_MIN = NumericUtils.doubleToSortableLong(Double.NEGATIVE_INFINITY);
    private static final long DOUBLE_MAX = NumericUtils.doubleToSortableLong(Double.POSITIVE_INFINITY);

    /** A query and whether its hits are exactly the spans that meet the conditions. */
    record Translated(Query query, boolean exact) {
    }

    private final IndexReader reader;
    private boolean exact = true;

    private SpanQueries(IndexReader reader) {
        this.reader = reader;
    }

    /** Spans starting in {@code [from, to]} meeting every condition. */
    static Translated translate(IndexReader reader, List<SpanCondition> conditions, long from, long to)
            throws IOException {
        SpanQueries q = new SpanQueries(reader);
        BooleanQuery.Builder b = new BooleanQuery.Builder();
        boolean any = false;
        if (from != Long.MIN_VALUE || to != Long.MAX_VALUE) {
            b.add(longRange(SpanFields.START, from, to), Occur.FILTER);
            any = true;
        }
        for (SpanCondition c : conditions) {
            b.add(q.condition(c), Occur.FILTER);
            any = true;
        }
        return new Translated(any ? b.build() : MatchAllDocsQuery.INSTANCE, q.exact);
    }

    private Query condition(SpanCondition c) throws IOException {
        return switch (c.target()) {
            case NAME -> string(SpanFields.NAME, "", c, MatchAllDocsQuery.INSTANCE);
            case STATUS_MESSAGE -> string(SpanFields.STATUS_MESSAGE, "", c, MatchAllDocsQuery.INSTANCE);
            case KIND -> enumTerm(SpanFields.KIND, ((Enum<?>) c.value()).ordinal(), c.op());
            case STATUS -> enumTerm(SpanFields.STATUS, ((Enum<?>) c.value()).ordinal(), c.op());
            case DURATION -> longValued(SpanFields.DURATION, null, c, false, MatchAllDocsQuery.INSTANCE);
            case ATTRIBUTE -> c.scope() == Scope.ANY
                    ? or(attribute(SpanFields.SPAN, c), attribute(SpanFields.RESOURCE, c))
                    : attribute(c.scope() == Scope.SPAN ? SpanFields.SPAN : SpanFields.RESOURCE, c);
        };
    }

    private static Query enumTerm(String field, int ordinal, Op op) {
        Query t = new TermQuery(new Term(field, new BytesRef(new byte[] {(byte) ordinal})));
        return op == Op.EQ ? t : minus(MatchAllDocsQuery.INSTANCE, t);
    }

    private Query attribute(SpanFields.ScopeFields f, SpanCondition c) throws IOException {
        String key = c.key();
        if (SpanFields.utf8Length(key) > SpanFields.MAX_KEY_BYTES) {
            exact = false;
            return new TermQuery(new Term(SpanFields.OVERLONG, new BytesRef(new byte[] {1})));
        }
        if (c.op() == Op.EXISTS) {
            List<BytesRef> types = new ArrayList<>();
            for (AttributeType t : AttributeType.values()) {
                if (t != AttributeType.STRING) {
                    types.add(SpanFields.typedKey(t, key));
                }
            }
            return or(new TermInSetQuery(f.keys(), types), stringExists(f.values(), key));
        }
        return switch (c.value()) {
            case String s -> string(f.values(), key, c, stringExists(f.values(), key));
            case Boolean bool -> new TermQuery(new Term(f.values(), SpanFields.boolTerm(key, c.op() == Op.EQ == bool)));
            default -> or(longValued(f.longs(), key, c, true, typed(f, AttributeType.LONG, key)),
                    doubleValued(f.doubles(), key, c, typed(f, AttributeType.DOUBLE, key)));
        };
    }

    /** Spans whose attribute {@code key} is a string: any of its value terms, whole or cut. */
    static Query stringExists(String valuesField, String key) {
        return or(new PrefixQuery(new Term(valuesField, new BytesRef(SpanFields.keyPrefix(key, SpanFields.TAG_STRING)))),
                new PrefixQuery(new Term(valuesField, new BytesRef(SpanFields.keyPrefix(key, SpanFields.TAG_CUT)))));
    }

    private static Query typed(SpanFields.ScopeFields f, AttributeType t, String key) {
        return new TermQuery(new Term(f.keys(), SpanFields.typedKey(t, key)));
    }

    /** A string test on the value terms of {@code key} in {@code field}; {@code all} is every span with such a value. */
    private Query string(String field, String key, SpanCondition c, Query all) throws IOException {
        String value = (String) c.value();
        boolean cut = SpanFields.utf8Length(value) > SpanFields.MAX_VALUE_BYTES;
        switch (c.op()) {
            case EQ -> {
                exact &= !cut;
                return new TermQuery(new Term(field, SpanFields.stringTerm(key, value)));
            }
            case NEQ -> {
                if (cut) {
                    exact = false;
                    return all;
                }
                return minus(all, new TermQuery(new Term(field, SpanFields.stringTerm(key, value))));
            }
            default -> {
                // Regex and order: test each full value of the key; cut values stay candidates.
                List<BytesRef> hits = new ArrayList<>();
                Terms terms = MultiTerms.getTerms(reader, field);
                if (terms != null) {
                    collect(terms, SpanFields.keyPrefix(key, SpanFields.TAG_STRING), t -> c.matchesString(
                            new String(t.bytes, t.offset + prefixLength(key), t.length - prefixLength(key),
                                    StandardCharsets.UTF_8)), hits);
                    int before = hits.size();
                    collect(terms, SpanFields.keyPrefix(key, SpanFields.TAG_CUT), t -> true, hits);
                    exact &= hits.size() == before;
                }
                return hits.isEmpty() ? MatchNoDocsQuery.INSTANCE : new TermInSetQuery(field, hits);
            }
        }
    }

    private static int prefixLength(String key) {
        return SpanFields.keyPrefix(key, SpanFields.TAG_STRING).length;
    }

    private interface TermTest {
        boolean test(BytesRef term);
    }

    private static void collect(Terms terms, byte[] prefix, TermTest test, List<BytesRef> out) throws IOException {
        TermsEnum te = terms.iterator();
        BytesRef p = new BytesRef(prefix);
        if (te.seekCeil(p) == TermsEnum.SeekStatus.END) {
            return;
        }
        for (BytesRef t = te.term(); t != null && startsWith(t, p); t = te.next()) {
            if (test.test(t)) {
                out.add(BytesRef.deepCopyOf(t));
            }
        }
    }

    static boolean startsWith(BytesRef t, BytesRef prefix) {
        if (t.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (t.bytes[t.offset + i] != prefix.bytes[prefix.offset + i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * A number test on a long-valued field (long attributes, keyed by {@code key}'s hash; duration, unkeyed). Long
     * attributes against a Long compare exactly; otherwise the value is compared as a double, exact while it is
     * within 2^52 (where rounding cannot change the order), else a superset checked by the caller.
     */
    private Query longValued(String field, String key, SpanCondition c, boolean longAttribute, Query all) {
        Object v = c.value();
        long lo;
        long hi;
        boolean rangeExact = true;
        if (v instanceof Long l && (longAttribute || Math.abs(l) <= EXACT_LIMIT)) {
            lo = l;
            hi = l;
        } else {
            double d = ((Number) v).doubleValue();
            if (Double.isNaN(d)) {
                return c.op() == Op.NEQ ? all : MatchNoDocsQuery.INSTANCE;
            }
            if (d == 0 && 1 / d < 0) {
                lo = 0; // Double.compare puts -0.0 below 0: no long equals it, 0 is above it
                hi = -1;
            } else if (Math.abs(d) <= EXACT_LIMIT) {
                lo = (long) Math.ceil(d);
                hi = (long) Math.floor(d); // lo > hi: no integer equals d
            } else {
                rangeExact = false;
                lo = (long) (d - 4096);
                hi = (long) (d + 4096);
            }
        }
        if (!rangeExact) {
            exact = false;
            return switch (c.op()) {
                case NEQ -> all;
                case GT, GTE -> range(field, key, lo, Long.MAX_VALUE);
                case LT, LTE -> range(field, key, Long.MIN_VALUE, hi);
                default -> range(field, key, lo, hi);
            };
        }
        // lo is the smallest integer >= the value, hi the largest <= it.
        return switch (c.op()) {
            case EQ -> lo == hi ? range(field, key, lo, hi) : MatchNoDocsQuery.INSTANCE;
            case NEQ -> lo == hi ? minus(all, range(field, key, lo, hi)) : all;
            case GT -> hi == Long.MAX_VALUE ? MatchNoDocsQuery.INSTANCE : range(field, key, hi + 1, Long.MAX_VALUE);
            case GTE -> range(field, key, lo, Long.MAX_VALUE);
            case LT -> lo == Long.MIN_VALUE ? MatchNoDocsQuery.INSTANCE : range(field, key, Long.MIN_VALUE, lo - 1);
            case LTE -> range(field, key, Long.MIN_VALUE, hi);
            default -> throw new IllegalStateException(c.toString());
        };
    }

    /**
     * A number test on double attributes (sortable longs, in Double.compare's order). Against a Double: that order;
     * against a Long within 2^52: as real numbers (so -0.0 equals 0); beyond: every double of the key, checked.
     */
    private Query doubleValued(String field, String key, SpanCondition c, Query all) {
        long lo;
        long hi;
        if (c.value() instanceof Double d) {
            if (Double.isNaN(d)) {
                return c.op() == Op.NEQ ? all : MatchNoDocsQuery.INSTANCE;
            }
            lo = NumericUtils.doubleToSortableLong(d);
            hi = lo;
        } else {
            long l = (Long) c.value();
            if (Math.abs(l) > EXACT_LIMIT) {
                exact = false;
                return all;
            }
            lo = NumericUtils.doubleToSortableLong(l == 0 ? -0.0 : (double) l);
            hi = NumericUtils.doubleToSortableLong((double) l);
        }
        return switch (c.op()) {
            case EQ -> range(field, key, lo, hi);
            case NEQ -> minus(all, range(field, key, lo, hi));
            case GT -> hi == DOUBLE_MAX ? MatchNoDocsQuery.INSTANCE : range(field, key, hi + 1, DOUBLE_MAX);
            case GTE -> range(field, key, lo, DOUBLE_MAX);
            case LT -> lo == DOUBLE_MIN ? MatchNoDocsQuery.INSTANCE : range(field, key, DOUBLE_MIN, lo - 1);
            case LTE -> range(field, key, DOUBLE_MIN, hi);
            default -> throw new IllegalStateException(c.toString());
        };
    }

    private static Query range(String field, String key, long lo, long hi) {
        if (lo > hi) {
            return MatchNoDocsQuery.INSTANCE;
        }
        if (key == null) {
            return longRange(field, lo, hi);
        }
        long h = SpanFields.keyHash(key);
        return LongPoint.newRangeQuery(field, new long[] {h, lo}, new long[] {h, hi});
    }

    /**
     * A range on a field with points and doc values (start, duration): Lucene walks the points when the range leads
     * and checks doc values per candidate when a selective term (a service, a trace id) leads, instead of collecting
     * every span of a busy hour first.
     */
    static Query longRange(String field, long lo, long hi) {
        return new IndexOrDocValuesQuery(LongPoint.newRangeQuery(field, lo, hi),
                NumericDocValuesField.newSlowRangeQuery(field, lo, hi));
    }

    private static Query or(Query a, Query b) {
        return new BooleanQuery.Builder().add(a, Occur.SHOULD).add(b, Occur.SHOULD).build();
    }

    private static Query minus(Query all, Query not) {
        return new BooleanQuery.Builder().add(all, Occur.FILTER).add(not, Occur.MUST_NOT).build();
    }
}
