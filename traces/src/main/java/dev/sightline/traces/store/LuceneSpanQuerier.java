package dev.sightline.traces.store;

import dev.sightline.core.span.AttributeType;
import dev.sightline.core.span.Attributes;
import dev.sightline.core.span.SpanKind;
import dev.sightline.timeindex.TimePartitions;
import dev.sightline.traces.SpanCondition;
import dev.sightline.traces.SpanCondition.Scope;
import dev.sightline.traces.SpanQuerier;
import dev.sightline.traces.SpanQuery;
import dev.sightline.traces.StoredSpan;
import dev.sightline.traces.TraceId;
import dev.sightline.traces.TraceSummary;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.index.DocValues;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.PointValues;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.index.StoredFieldVisitor;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.Weight;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.FixedBitSet;
import org.apache.lucene.util.NumericUtils;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Reads a {@link LuceneSpanStore}. Trace by id opens only the partitions whose Bloom filter may hold the trace.
 * Search collects the matching spans' start and trace id from doc values (no stored span is read unless a
 * condition needs checking, see {@link SpanQueries}), ranks traces by their earliest match and decodes only the
 * spans of the traces it returns. The listings read terms and points, decoding spans only for values that are not
 * indexed whole (bytes, arrays, values cut at {@link SpanFields#MAX_VALUE_BYTES}).
 */
final class LuceneSpanQuerier implements SpanQuerier {
    private final LuceneSpanStore store;

    LuceneSpanQuerier(LuceneSpanStore store) {
        this.store = store;
    }

    /** A partition's searcher held for one call. */
    private record Open(TimePartitions.Slot<SpanPartition> slot, IndexSearcher searcher) {
        /** The range to search in this partition: unbounded sides where the partition lies inside. */
        long from(long from) {
            return slot.start() >= from ? Long.MIN_VALUE : from;
        }

        long to(long to) {
            return slot.end() - 1 <= to ? Long.MAX_VALUE : to;
        }
    }

    private interface Work<T> {
        T run(List<Open> opened) throws IOException;
    }

    /** Runs {@code work} over the partitions overlapping the range, each held (and the store's read lock) meanwhile. */
    private <T> T withPartitions(long from, long to, Work<T> work) {
        store.lock.readLock().lock();
        List<Open> opened = new ArrayList<>();
        try {
            for (var slot : store.partitions.overlapping(from, to)) {
                try {
                    opened.add(new Open(slot, slot.partition().acquire()));
                } catch (IOException e) {
                    store.reportBroken(slot, e);
                }
            }
            return work.run(opened);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (Open o : opened) {
                try {
                    o.slot().partition().release(o.searcher());
                } catch (IOException e) {
                    store.reportBroken(o.slot(), e);
                }
            }
            store.lock.readLock().unlock();
        }
    }

    // --- trace by id ----------------------------------------------------------------------------------------------

    @Override
    public List<StoredSpan> trace(TraceId id, long fromNanos, long toNanos) {
        store.lock.readLock().lock();
        try {
            List<StoredSpan> out = new ArrayList<>();
            Query trace = traceQuery(id);
            forTracePartitions(id, fromNanos, toNanos, o -> {
                Query range = range(o, fromNanos, toNanos);
                // A partition inside the range needs the trace's term alone (no boolean query to rewrite per call).
                forEachMatch(o.searcher(), range instanceof MatchAllDocsQuery ? trace : new BooleanQuery.Builder()
                        .add(trace, Occur.FILTER).add(range, Occur.FILTER).build(), new DecodingVisitor(out::add));
            });
            out.sort(StoredSpan.BY_START);
            return out;
        } finally {
            store.lock.readLock().unlock();
        }
    }

    private static Query traceQuery(TraceId id) {
        return new TermQuery(new Term(SpanFields.TRACE_ID, SpanFields.traceIdBytes(id.hi(), id.lo())));
    }

    private interface PartitionWork {
        void run(Open o) throws IOException;
    }

    /** Runs {@code work} on each partition overlapping the range whose Bloom filter may hold the trace (read lock held). */
    private void forTracePartitions(TraceId id, long fromNanos, long toNanos, PartitionWork work) {
        long key = SpanFields.traceKey(id.hi(), id.lo());
        for (var slot : store.partitions.overlapping(fromNanos, toNanos)) {
            if (!slot.partition().mayHoldTrace(key)) {
                continue;
            }
            try {
                IndexSearcher s = slot.partition().acquire();
                try {
                    work.run(new Open(slot, s));
                } finally {
                    slot.partition().release(s);
                }
            } catch (IOException e) {
                store.reportBroken(slot, e);
            }
        }
    }

    private static Query range(Open o, long from, long to) {
        long f = o.from(from);
        long t = o.to(to);
        return f == Long.MIN_VALUE && t == Long.MAX_VALUE ? MatchAllDocsQuery.INSTANCE
                : SpanQueries.longRange(SpanFields.START, f, t);
    }

    // --- search ---------------------------------------------------------------------------------------------------

    /** A trace's matches so far: the earliest start and where each matching span is (partition, doc, start). */
    private static final class Match {
        final TraceId id;
        long earliest = Long.MAX_VALUE;
        long[] refs = new long[4];
        long[] starts = new long[4];
        int count;

        Match(TraceId id) {
            this.id = id;
        }

        void add(long start, int partition, int doc) {
            earliest = Math.min(earliest, start);
            if (count == refs.length) {
                refs = Arrays.copyOf(refs, count * 2);
                starts = Arrays.copyOf(starts, count * 2);
            }
            starts[count] = start;
            refs[count++] = (long) partition << 32 | doc;
        }
    }

    @Override
    public List<TraceSummary> search(SpanQuery query) {
        return withPartitions(query.fromNanos(), query.toNanos(), opened -> {
            Map<TraceId, Match> matches = new HashMap<>();
            for (int i = 0; i < opened.size(); i++) {
                Open o = opened.get(i);
                int partition = i;
                try {
                    var t = SpanQueries.translate(o.searcher().getIndexReader(), query.conditions(),
                            o.from(query.fromNanos()), o.to(query.toNanos()));
                    forEachMatch(o.searcher(), t.query(), new Visitor() {
                        NumericDocValues starts;
                        SortedDocValues traceIds;
                        StoredFields stored;
                        int base;
                        int lastOrd;
                        Match last;

                        @Override
                        public void leaf(LeafReaderContext leaf) throws IOException {
                            starts = DocValues.getNumeric(leaf.reader(), SpanFields.START);
                            traceIds = DocValues.getSorted(leaf.reader(), SpanFields.TRACE_ID);
                            // A stored fields reader has its own decompression buffers: only made when read.
                            stored = t.exact() ? null : leaf.reader().storedFields();
                            base = leaf.docBase;
                            lastOrd = -1;
                        }

                        @Override
                        public void doc(int doc) throws IOException {
                            if (!t.exact() && !matchesAll(decode(stored, doc), query.conditions())) {
                                return;
                            }
                            starts.advanceExact(doc);
                            traceIds.advanceExact(doc);
                            int ord = traceIds.ordValue();
                            // A trace's spans are mostly neighbours: skip the id lookup for the same trace again.
                            if (ord != lastOrd) {
                                TraceId id = SpanFields.traceId(traceIds.lookupOrd(ord));
                                last = matches.computeIfAbsent(id, Match::new);
                                lastOrd = ord;
                            }
                            last.add(starts.longValue(), partition, base + doc);
                        }
                    });
                } catch (IOException e) {
                    store.reportBroken(o.slot(), e);
                }
            }
            List<TraceSummary> out = new ArrayList<>();
            StoredFields[] stored = new StoredFields[opened.size()];
            for (Match m : newest(matches.values(), query.traceLimit())) {
                out.add(summary(m, opened, stored, query.spansPerTrace()));
            }
            return out;
        });
    }

    private static final Comparator<Match> NEWEST_FIRST =
            Comparator.comparingLong((Match m) -> -m.earliest).thenComparing(m -> m.id);

    /** The first {@code limit} matches in {@link #NEWEST_FIRST} order, kept in a bounded heap rather than sorting all. */
    private static List<Match> newest(Collection<Match> matches, int limit) {
        PriorityQueue<Match> worstFirst = new PriorityQueue<>(NEWEST_FIRST.reversed());
        for (Match m : matches) {
            if (worstFirst.size() < limit) {
                worstFirst.add(m);
            } else if (NEWEST_FIRST.compare(m, worstFirst.peek()) < 0) {
                worstFirst.poll();
                worstFirst.add(m);
            }
        }
        List<Match> out = new ArrayList<>(worstFirst);
        out.sort(NEWEST_FIRST);
        return out;
    }

    /**
     * A found trace's summary. Only the spans it returns are read: the earliest matches (more only where starts tie,
     * for the span id order) and the root span; the trace's extent comes from start and duration doc values.
     */
    private TraceSummary summary(Match m, List<Open> opened, StoredFields[] stored, int spansPerTrace) {
        Integer[] order = new Integer[m.count];
        for (int i = 0; i < m.count; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingLong(i -> m.starts[i]));
        List<StoredSpan> matched = new ArrayList<>();
        for (int k = 0; k < m.count; k++) {
            int i = order[k];
            if (k >= spansPerTrace && m.starts[i] != m.starts[order[spansPerTrace - 1]]) {
                break;
            }
            int p = (int) (m.refs[i] >>> 32);
            Open o = opened.get(p);
            try {
                if (stored[p] == null) { // one per partition for the whole search: each has its own buffers
                    stored[p] = o.searcher().storedFields();
                }
                matched.add(decode(stored[p], (int) m.refs[i]));
            } catch (IOException e) {
                store.reportBroken(o.slot(), e);
            }
        }
        matched.sort(StoredSpan.BY_START);
        long[] extent = {Long.MAX_VALUE, Long.MIN_VALUE};
        List<StoredSpan> roots = new ArrayList<>();
        Query trace = traceQuery(m.id);
        Term root = new Term(SpanFields.ROOT, SpanFields.ENUM_TERMS[1]);
        // Every partition of the trace, also outside the query's range: the summary covers the whole trace. One pass
        // over the trace's spans reads the extent and finds the roots by stepping along the root term's postings.
        forTracePartitions(m.id, Long.MIN_VALUE, Long.MAX_VALUE, o -> forEachMatch(o.searcher(), trace, new Visitor() {
            NumericDocValues starts;
            NumericDocValues durations;
            PostingsEnum rootDocs;
            LeafReaderContext leaf;
            StoredFields stored;

            @Override
            public void leaf(LeafReaderContext leaf) throws IOException {
                starts = DocValues.getNumeric(leaf.reader(), SpanFields.START);
                durations = DocValues.getNumeric(leaf.reader(), SpanFields.DURATION);
                rootDocs = leaf.reader().postings(root, PostingsEnum.NONE);
                this.leaf = leaf;
                stored = null;
            }

            @Override
            public void doc(int doc) throws IOException {
                starts.advanceExact(doc);
                durations.advanceExact(doc);
                extent[0] = Math.min(extent[0], starts.longValue());
                extent[1] = Math.max(extent[1], starts.longValue() + durations.longValue());
                if (rootDocs != null && (rootDocs.docID() >= doc ? rootDocs.docID() : rootDocs.advance(doc)) == doc) {
                    if (stored == null) {
                        stored = leaf.reader().storedFields();
                    }
                    roots.add(decode(stored, doc));
                }
            }
        }));
        roots.sort(StoredSpan.BY_START);
        StoredSpan first = roots.isEmpty() ? null : roots.get(0);
        return new TraceSummary(m.id, first == null ? "" : first.serviceName(), first == null ? "" : first.span().name(),
                extent[0], extent[1], matched.subList(0, Math.min(spansPerTrace, matched.size())), m.count);
    }

    static boolean matchesAll(StoredSpan s, List<SpanCondition> conditions) {
        for (SpanCondition c : conditions) {
            if (!c.matches(s)) {
                return false;
            }
        }
        return true;
    }

    // --- listings -------------------------------------------------------------------------------------------------

    @Override
    public List<String> serviceNames(long fromNanos, long toNanos) {
        TreeSet<String> out = new TreeSet<>();
        withPartitions(fromNanos, toNanos, opened -> {
            for (Open o : opened) {
                Query range = range(o, fromNanos, toNanos);
                values(o, List.of(SpanFields.RESOURCE), "service.name", List.of(),
                        SpanQueries.translate(o.searcher().getIndexReader(), List.of(), o.from(fromNanos), o.to(toNanos)),
                        true, out);
                // Spans without a string service.name list as "", as SpanQuerier's reference does.
                Query named = SpanQueries.stringExists(SpanFields.RESOURCE.values(), "service.name");
                boolean allNamed = range instanceof MatchAllDocsQuery
                        ? o.searcher().count(named) == o.searcher().getIndexReader().numDocs()
                        : o.searcher().count(new BooleanQuery.Builder().add(range, Occur.FILTER)
                                .add(named, Occur.MUST_NOT).build()) == 0;
                if (!allNamed) {
                    out.add("");
                }
            }
            return null;
        });
        return List.copyOf(out);
    }

    @Override
    public List<Operation> operations(String serviceName, long fromNanos, long toNanos) {
        TreeSet<Operation> out = new TreeSet<>(Comparator.comparing(Operation::name).thenComparing(Operation::kind));
        List<SpanCondition> conditions = serviceName.isEmpty() ? List.of() : List.of(SpanCondition.service(serviceName));
        withPartitions(fromNanos, toNanos, opened -> {
            for (Open o : opened) {
                var t = SpanQueries.translate(o.searcher().getIndexReader(), conditions, o.from(fromNanos), o.to(toNanos));
                if (!t.exact()) {
                    forEachMatch(o.searcher(), t.query(), new DecodingVisitor(s -> {
                        if (matchesAll(s, conditions)) {
                            out.add(new Operation(s.span().name(), s.span().kind()));
                        }
                    }));
                    continue;
                }
                Weight w = weight(o.searcher(), t.query());
                for (LeafReaderContext leaf : o.searcher().getIndexReader().leaves()) {
                    Bits filter = bits(w, t.query(), leaf);
                    Terms terms = leaf.reader().terms(SpanFields.OPERATION);
                    if (terms == null) {
                        continue;
                    }
                    StoredFields stored = leaf.reader().storedFields();
                    TermsEnum te = terms.iterator();
                    for (BytesRef term = te.next(); term != null; term = te.next()) {
                        var v = SpanFields.ValueTerm.parse(term);
                        SpanKind kind = SpanKind.values()[Integer.parseInt(v.key())];
                        if (v.tag() == SpanFields.TAG_STRING) {
                            if (anyDoc(te, filter)) {
                                out.add(new Operation(v.value(term), kind));
                            }
                        } else {
                            eachDoc(te, filter, doc -> out.add(new Operation(decode(stored, doc).span().name(), kind)));
                        }
                    }
                }
            }
            return null;
        });
        return List.copyOf(out);
    }

    @Override
    public List<String> attributeKeys(Scope scope, long fromNanos, long toNanos) {
        TreeSet<String> out = new TreeSet<>();
        withPartitions(fromNanos, toNanos, opened -> {
            for (Open o : opened) {
                Query range = range(o, fromNanos, toNanos);
                Weight w = weight(o.searcher(), range);
                for (LeafReaderContext leaf : o.searcher().getIndexReader().leaves()) {
                    Bits filter = bits(w, range, leaf);
                    for (SpanFields.ScopeFields f : scopes(scope)) {
                        Terms terms = leaf.reader().terms(f.keys());
                        if (terms != null) {
                            TermsEnum te = terms.iterator();
                            for (BytesRef term = te.next(); term != null; term = te.next()) {
                                if (anyDoc(te, filter)) {
                                    out.add(new String(term.bytes, term.offset + 1, term.length - 1, StandardCharsets.UTF_8));
                                }
                            }
                        }
                        stringKeys(leaf.reader().terms(f.values()), filter, out);
                    }
                }
            }
            return null;
        });
        return List.copyOf(out);
    }

    /** Adds the keys with a string value in a document passing the filter, seeking past each key's values. */
    private static void stringKeys(Terms values, Bits filter, Set<String> out) throws IOException {
        if (values == null) {
            return;
        }
        TermsEnum te = values.iterator();
        BytesRef term = te.next();
        while (term != null) {
            var v = SpanFields.ValueTerm.parse(term);
            boolean string = v.tag() == SpanFields.TAG_STRING || v.tag() == SpanFields.TAG_CUT;
            if (!string || out.contains(v.key()) || !anyDoc(te, filter)) {
                term = te.next();
                continue;
            }
            out.add(v.key());
            // Tags are 0 to 3: the key's prefix with tag 4 sorts after all its values.
            if (te.seekCeil(new BytesRef(SpanFields.keyPrefix(v.key(), (byte) 4))) == TermsEnum.SeekStatus.END) {
                return;
            }
            term = te.term();
        }
    }

    @Override
    public List<String> attributeValues(Scope scope, String key, List<SpanCondition> conditions, long fromNanos,
                                        long toNanos, int limit) {
        TreeSet<String> out = new TreeSet<>();
        withPartitions(fromNanos, toNanos, opened -> {
            for (Open o : opened) {
                values(o, scopes(scope), key, conditions, SpanQueries.translate(o.searcher().getIndexReader(),
                        conditions, o.from(fromNanos), o.to(toNanos)), false, out);
            }
            return null;
        });
        return out.stream().limit(limit).toList();
    }

    private static List<SpanFields.ScopeFields> scopes(Scope scope) {
        return switch (scope) {
            case SPAN -> List.of(SpanFields.SPAN);
            case RESOURCE -> List.of(SpanFields.RESOURCE);
            case ANY -> List.of(SpanFields.SPAN, SpanFields.RESOURCE);
        };
    }

    private static Function<StoredSpan, Attributes> attributesOf(SpanFields.ScopeFields f) {
        return f == SpanFields.SPAN ? s -> s.span().attributes() : s -> s.resource().attributes();
    }

    /**
     * Adds the text of {@code key}'s first value in each scope, over the spans {@code t} matches: strings and bools
     * from their terms, numbers from their points, the rest (and cut strings) from the stored spans.
     */
    private void values(Open o, List<SpanFields.ScopeFields> scopes, String key, List<SpanCondition> conditions,
                        SpanQueries.Translated t, boolean stringsOnly, Set<String> out) throws IOException {
        if (!t.exact() || SpanFields.utf8Length(key) > SpanFields.MAX_KEY_BYTES) {
            forEachMatch(o.searcher(), t.query(), new DecodingVisitor(s -> {
                if (matchesAll(s, conditions)) {
                    for (SpanFields.ScopeFields f : scopes) {
                        Attributes a = attributesOf(f).apply(s);
                        int i = a.indexOf(key);
                        if (i >= 0 && (!stringsOnly || a.type(i) == AttributeType.STRING)) {
                            out.add(a.valueText(i));
                        }
                    }
                }
            }));
            return;
        }
        Weight w = weight(o.searcher(), t.query());
        for (LeafReaderContext leaf : o.searcher().getIndexReader().leaves()) {
            Bits filter = bits(w, t.query(), leaf);
            StoredFields stored = leaf.reader().storedFields();
            for (SpanFields.ScopeFields f : scopes) {
                Function<StoredSpan, Attributes> attrs = attributesOf(f);
                DocSink fromStored = doc -> {
                    Attributes a = attrs.apply(decode(stored, doc));
                    out.add(a.valueText(a.indexOf(key)));
                };
                Terms terms = leaf.reader().terms(f.values());
                if (terms != null) {
                    TermsEnum te = terms.iterator();
                    BytesRef whole = new BytesRef(SpanFields.keyPrefix(key, SpanFields.TAG_STRING));
                    if (te.seekCeil(whole) != TermsEnum.SeekStatus.END) {
                        for (BytesRef term = te.term(); term != null && SpanQueries.startsWith(term, whole);
                             term = te.next()) {
                            if (anyDoc(te, filter)) {
                                out.add(new String(term.bytes, term.offset + whole.length, term.length - whole.length,
                                        StandardCharsets.UTF_8));
                            }
                        }
                    }
                    BytesRef cut = new BytesRef(SpanFields.keyPrefix(key, SpanFields.TAG_CUT));
                    if (te.seekCeil(cut) != TermsEnum.SeekStatus.END) {
                        for (BytesRef term = te.term(); term != null && SpanQueries.startsWith(term, cut);
                             term = te.next()) {
                            eachDoc(te, filter, fromStored);
                        }
                    }
                    if (!stringsOnly) {
                        if (te.seekExact(SpanFields.boolTerm(key, false)) && anyDoc(te, filter)) {
                            out.add("false");
                        }
                        if (te.seekExact(SpanFields.boolTerm(key, true)) && anyDoc(te, filter)) {
                            out.add("true");
                        }
                    }
                }
                if (stringsOnly) {
                    continue;
                }
                points(leaf, f.longs(), key, filter, v -> out.add(Long.toString(v)));
                points(leaf, f.doubles(), key, filter,
                        v -> out.add(Double.toString(NumericUtils.sortableLongToDouble(v))));
                Terms keys = leaf.reader().terms(f.keys());
                if (keys != null) {
                    TermsEnum te = keys.iterator();
                    for (AttributeType type : List.of(AttributeType.BYTES, AttributeType.ARRAY, AttributeType.KVLIST)) {
                        if (te.seekExact(SpanFields.typedKey(type, key))) {
                            eachDoc(te, filter, fromStored);
                        }
                    }
                }
            }
        }
    }

    private interface LongSink {
        void accept(long v);
    }

    /** The values of {@code key} in a (key hash, value) point field, for documents passing the filter. */
    private static void points(LeafReaderContext leaf, String field, String key, Bits filter, LongSink sink)
            throws IOException {
        PointValues pv = leaf.reader().getPointValues(field);
        if (pv == null) {
            return;
        }
        long h = SpanFields.keyHash(key);
        pv.intersect(new PointValues.IntersectVisitor() {
            @Override
            public void visit(int docID) {
                throw new IllegalStateException("no cell is reported inside");
            }

            @Override
            public void visit(int docID, byte[] packed) {
                if (LongPoint.decodeDimension(packed, 0) == h && (filter == null || filter.get(docID))) {
                    sink.accept(LongPoint.decodeDimension(packed, Long.BYTES));
                }
            }

            @Override
            public PointValues.Relation compare(byte[] min, byte[] max) {
                return h < LongPoint.decodeDimension(min, 0) || h > LongPoint.decodeDimension(max, 0)
                        ? PointValues.Relation.CELL_OUTSIDE_QUERY : PointValues.Relation.CELL_CROSSES_QUERY;
            }
        });
    }

    // --- Lucene plumbing ------------------------------------------------------------------------------------------

    private interface Visitor {
        void leaf(LeafReaderContext leaf) throws IOException;

        void doc(int doc) throws IOException;
    }

    private interface SpanSink {
        void accept(StoredSpan s) throws IOException;
    }

    private interface DocSink {
        void accept(int doc) throws IOException;
    }

    /** Hands every matching document's decoded span to a sink. */
    private static final class DecodingVisitor implements Visitor {
        private final SpanSink sink;
        private StoredFields stored;

        DecodingVisitor(SpanSink sink) {
            this.sink = sink;
        }

        @Override
        public void leaf(LeafReaderContext leaf) throws IOException {
            stored = leaf.reader().storedFields();
        }

        @Override
        public void doc(int doc) throws IOException {
            sink.accept(decode(stored, doc));
        }
    }

    private static Weight weight(IndexSearcher s, Query q) throws IOException {
        return s.createWeight(s.rewrite(q), ScoreMode.COMPLETE_NO_SCORES, 1f);
    }

    private static void forEachMatch(IndexSearcher s, Query q, Visitor v) throws IOException {
        Weight w = weight(s, q);
        for (LeafReaderContext leaf : s.getIndexReader().leaves()) {
            Scorer scorer = w.scorer(leaf);
            if (scorer == null) {
                continue;
            }
            v.leaf(leaf);
            Bits live = leaf.reader().getLiveDocs();
            DocIdSetIterator it = scorer.iterator();
            for (int d = it.nextDoc(); d != DocIdSetIterator.NO_MORE_DOCS; d = it.nextDoc()) {
                if (live == null || live.get(d)) {
                    v.doc(d);
                }
            }
        }
    }

    /** The documents of a leaf that match; null when every document does. */
    private static Bits bits(Weight w, Query q, LeafReaderContext leaf) throws IOException {
        if (q instanceof MatchAllDocsQuery) {
            return leaf.reader().getLiveDocs();
        }
        FixedBitSet set = new FixedBitSet(leaf.reader().maxDoc());
        Scorer scorer = w.scorer(leaf);
        if (scorer != null) {
            set.or(scorer.iterator());
            // A scorer also finds deleted spans (a delete): they stay in the segment until merged away.
            Bits live = leaf.reader().getLiveDocs();
            for (int d = set.nextSetBit(0); d != DocIdSetIterator.NO_MORE_DOCS && live != null;
                 d = d + 1 < set.length() ? set.nextSetBit(d + 1) : DocIdSetIterator.NO_MORE_DOCS) {
                if (!live.get(d)) {
                    set.clear(d);
                }
            }
        }
        return set;
    }

    private static boolean anyDoc(TermsEnum te, Bits filter) throws IOException {
        PostingsEnum p = te.postings(null, PostingsEnum.NONE);
        for (int d = p.nextDoc(); d != DocIdSetIterator.NO_MORE_DOCS; d = p.nextDoc()) {
            if (filter == null || filter.get(d)) {
                return true;
            }
        }
        return false;
    }

    private static void eachDoc(TermsEnum te, Bits filter, DocSink sink) throws IOException {
        PostingsEnum p = te.postings(null, PostingsEnum.NONE);
        for (int d = p.nextDoc(); d != DocIdSetIterator.NO_MORE_DOCS; d = p.nextDoc()) {
            if (filter == null || filter.get(d)) {
                sink.accept(d);
            }
        }
    }

    static StoredSpan decode(StoredFields stored, int doc) throws IOException {
        byte[][] record = new byte[1][];
        stored.document(doc, new StoredFieldVisitor() {
            @Override
            public Status needsField(FieldInfo field) {
                return field.name.equals(SpanFields.STORED) ? Status.YES : Status.NO;
            }

            @Override
            public void binaryField(FieldInfo field, byte[] value) {
                record[0] = value;
            }
        });
        if (record[0] == null) {
            throw new IOException("document " + doc + " holds no span record");
        }
        try {
            return SpanCodec.decode(record[0], 0, record[0].length);
        } catch (IllegalArgumentException e) {
            throw new IOException("document " + doc + ": " + e.getMessage(), e);
        }
    }
}
