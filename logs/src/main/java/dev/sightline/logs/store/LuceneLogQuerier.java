package dev.sightline.logs.store;

import dev.sightline.core.Deadline;
import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.logs.FieldCondition;
import dev.sightline.logs.LineFilter;
import dev.sightline.logs.LogEntry;
import dev.sightline.logs.LogQuerier;
import dev.sightline.logs.LogSelection;
import dev.sightline.timeindex.TimePartitions;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.DocValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads a {@link LuceneLogStore}. Streams are matched in memory (a partition knows its streams), blocks are chosen
 * by their doc values (stream, time range) and, for line filters and field conditions, by their
 * {@link BlockSummary}; only the blocks left are inflated and every line is checked with the contract's own
 * {@link LineFilter#matches} and {@link FieldCondition#matches}, so answers are exact. Samples read only the columns
 * section (times, lengths, metadata) when nothing needs the line. With a limit, blocks are read in time order and
 * reading stops once no further block can hold a line that sorts before the last one kept. With a {@link Deadline},
 * every block listed and every line read ticks it, so a scan whose lines all fail the selection stops in time too.
 */
final class LuceneLogQuerier implements LogQuerier {
    private final LuceneLogStore store;
    /** Ticked per block and per line a scan reads; null: none. */
    private final Deadline deadline;

    LuceneLogQuerier(LuceneLogStore store, Deadline deadline) {
        this.store = store;
        this.deadline = deadline;
    }

    /** Throws {@link Deadline.Exceeded} once the deadline has passed (the clock read every few thousand calls). */
    private void tick() {
        if (deadline != null) {
            deadline.tickCheck();
        }
    }

    /** One block of one stream: stored (leaf and doc) or a head copy. */
    private static final class Chunk {
        final int partition;
        final LogPartition.Stream stream;
        final int bseq;
        final long minTime;
        final long maxTime;
        final long count;
        final long bytes;
        final LeafReader leaf;
        final int doc;
        LogBlock block;

        Chunk(int partition, LogPartition.Stream stream, int bseq, long minTime, long maxTime, long count, long bytes,
              LeafReader leaf, int doc, LogBlock head) {
            this.partition = partition;
            this.stream = stream;
            this.bseq = bseq;
            this.minTime = minTime;
            this.maxTime = maxTime;
            this.count = count;
            this.bytes = bytes;
            this.leaf = leaf;
            this.doc = doc;
            this.block = head;
        }

        boolean inside(long from, long to) {
            return minTime >= from && maxTime <= to;
        }

        LogBlock columns() throws IOException {
            if (block == null) {
                BinaryDocValues cols = leaf.getBinaryDocValues(LogPartition.COLUMNS);
                if (cols == null || !cols.advanceExact(doc)) {
                    throw new IOException("block document " + doc + " has no columns");
                }
                BytesRef b = cols.binaryValue();
                block = LogBlock.decodeColumns(b.bytes, b.offset, b.length);
            }
            return block;
        }

        LogBlock lines() throws IOException {
            LogBlock b = columns();
            if (leaf != null && b.bytes.length != b.used) {
                BytesRef stored = leaf.storedFields().document(doc, Set.of(LogPartition.LINES))
                        .getBinaryValue(LogPartition.LINES);
                if (stored == null) {
                    throw new IOException("block document " + doc + " has no lines");
                }
                b.inflateLines(stored.bytes, stored.offset, stored.length);
            }
            return b;
        }
    }

    /** A line found: enough to sort it as the contract orders and to hand it on. */
    private record Hit(long time, LogPartition.Stream stream, int bseq, int index, Labels metadata, int bytes,
                       String line) {
    }

    private static final Comparator<Hit> FORWARD = Comparator.comparingLong(Hit::time)
            .thenComparing((a, b) -> a.stream == b.stream ? 0 : a.stream.labels.compareTo(b.stream.labels))
            .thenComparingInt(Hit::bseq).thenComparingInt(Hit::index);

    /** The partitions overlapping a range, each with its heads copied and then its searcher held. */
    private final class Open implements AutoCloseable {
        final List<TimePartitions.Slot<LogPartition>> slots = new ArrayList<>();
        final List<IndexSearcher> searchers = new ArrayList<>();
        final List<Map<Integer, LogPartition.Head>> heads = new ArrayList<>();

        Open(long from, long to, List<LabelMatcher> matchers, boolean oldestFirst) {
            store.lock.readLock().lock();
            List<TimePartitions.Slot<LogPartition>> all = store.partitions.overlapping(from, to);
            if (oldestFirst) {
                java.util.Collections.reverse(all);
            }
            for (var slot : all) {
                List<LogPartition.Stream> selected = new ArrayList<>();
                for (LogPartition.Stream s : slot.partition().streams()) {
                    if (matches(matchers, s.labels)) {
                        selected.add(s);
                    }
                }
                if (selected.isEmpty()) {
                    continue;
                }
                // Heads first: a head stored after the copy has a number the copy excludes from the search.
                Map<Integer, LogPartition.Head> h = new HashMap<>();
                for (LogPartition.Head head : LogPartition.heads(selected)) {
                    h.put(head.stream().sid, head);
                }
                try {
                    searchers.add(slot.partition().acquire());
                } catch (IOException e) {
                    store.reportBroken(slot, e);
                    continue;
                }
                slots.add(slot);
                heads.add(h);
            }
        }

        /** The chunks of partition {@code i} overlapping the range, narrowed by the selection's summary checks. */
        List<Chunk> chunks(int i, long from, long to, LogSelection narrowing) {
            List<Chunk> out = new ArrayList<>();
            Map<Integer, LogPartition.Head> h = heads.get(i);
            try {
                for (LeafReaderContext ctx : searchers.get(i).getIndexReader().leaves()) {
                    LeafReader leaf = ctx.reader();
                    NumericDocValues sids = DocValues.getNumeric(leaf, LogPartition.SID);
                    NumericDocValues bseqs = DocValues.getNumeric(leaf, LogPartition.BSEQ);
                    NumericDocValues tmins = DocValues.getNumeric(leaf, LogPartition.TMIN);
                    NumericDocValues tmaxs = DocValues.getNumeric(leaf, LogPartition.TMAX);
                    NumericDocValues counts = DocValues.getNumeric(leaf, LogPartition.COUNT);
                    NumericDocValues bytes = DocValues.getNumeric(leaf, LogPartition.BYTES);
                    BinaryDocValues summaries = narrowing != null ? DocValues.getBinary(leaf, LogPartition.SUMMARY)
                            : null;
                    Bits live = leaf.getLiveDocs(); // deleted blocks (a delete) stay in a segment until merged
                    for (int d = sids.nextDoc(); d != DocIdSetIterator.NO_MORE_DOCS; d = sids.nextDoc()) {
                        tick();
                        LogPartition.Head head = h.get((int) sids.longValue());
                        if (head == null || live != null && !live.get(d) || !bseqs.advanceExact(d) || bseqs.longValue() >= head.bseq()
                                || !tmins.advanceExact(d) || !tmaxs.advanceExact(d)
                                || tmins.longValue() > to || tmaxs.longValue() < from) {
                            continue;
                        }
                        if (summaries != null && summaries.advanceExact(d)) {
                            BytesRef b = summaries.binaryValue();
                            if (!mayMatch(new BlockSummary.Stored(b.bytes, b.offset, b.length), narrowing,
                                    head.stream().labels)) {
                                continue;
                            }
                        }
                        counts.advanceExact(d);
                        bytes.advanceExact(d);
                        out.add(new Chunk(i, head.stream(), (int) bseqs.longValue(), tmins.longValue(),
                                tmaxs.longValue(), counts.longValue(), bytes.longValue(), leaf, d, null));
                    }
                }
            } catch (Deadline.Exceeded e) {
                throw e; // the query's time, not the partition, is at fault
            } catch (IOException | RuntimeException e) {
                store.reportBroken(slots.get(i), e);
                return List.of();
            }
            for (LogPartition.Head head : h.values()) {
                LogBlock b = head.lines();
                if (b != null && b.minTime <= to && b.maxTime >= from) {
                    out.add(new Chunk(i, head.stream(), head.bseq(), b.minTime, b.maxTime, b.count, b.used, null, -1,
                            b));
                }
            }
            return out;
        }

        @Override
        public void close() {
            try {
                for (int i = 0; i < slots.size(); i++) {
                    try {
                        slots.get(i).partition().release(searchers.get(i));
                    } catch (IOException e) {
                        store.reportBroken(slots.get(i), e);
                    }
                }
            } finally {
                store.lock.readLock().unlock();
            }
        }
    }

    private static boolean matches(List<LabelMatcher> matchers, Labels stream) {
        for (LabelMatcher m : matchers) {
            String v = stream.get(m.name());
            if (!m.matches(v == null ? "" : v)) {
                return false;
            }
        }
        return true;
    }

    private static boolean mayMatch(BlockSummary.Stored summary, LogSelection s, Labels stream) {
        for (LineFilter f : s.lineFilters()) {
            if (!summary.mayMatch(f)) {
                return false;
            }
        }
        for (FieldCondition c : s.fieldConditions()) {
            if (!summary.mayMatch(c, stream)) {
                return false;
            }
        }
        return true;
    }

    // --- select, samples ------------------------------------------------------------------------------------------

    @Override
    public void select(LogSelection selection, EntrySink sink) {
        run(selection, true, h -> sink.accept(new LogEntry(h.time, h.stream.labels, h.metadata, h.line)));
    }

    @Override
    public void samples(LogSelection selection, SampleSink sink) {
        boolean needLines = !selection.lineFilters().isEmpty() || !selection.fieldConditions().isEmpty();
        run(selection, needLines, h -> sink.accept(h.stream.labels, h.metadata, h.time, h.bytes));
    }

    private interface HitSink {
        boolean accept(Hit h);
    }

    private void run(LogSelection s, boolean needLines, HitSink sink) {
        boolean forward = s.direction() == LogSelection.Direction.FORWARD;
        boolean narrow = !s.lineFilters().isEmpty() || !s.fieldConditions().isEmpty();
        Comparator<Hit> order = forward ? FORWARD : FORWARD.reversed();
        try (Open open = new Open(s.fromNanos(), s.toNanos(), s.streamMatchers(), forward)) {
            List<Chunk> chunks = new ArrayList<>();
            for (int i = 0; i < open.slots.size(); i++) {
                chunks.addAll(open.chunks(i, s.fromNanos(), s.toNanos(), narrow ? s : null));
            }
            if (s.limit() == Integer.MAX_VALUE && !needLines) {
                samplesByStream(open, chunks, s, forward, sink);
                return;
            }
            chunks.sort(forward ? Comparator.comparingLong((Chunk c) -> c.minTime)
                    : Comparator.comparingLong((Chunk c) -> c.maxTime).reversed());
            List<Hit> hits = new ArrayList<>();
            boolean bounded = false;
            long bound = 0;
            for (Chunk c : chunks) {
                if (bounded && (forward ? c.minTime > bound : c.maxTime < bound)) {
                    break; // this chunk and every later one only holds lines sorting after the limit
                }
                read(open, c, s, needLines, hits);
                if (s.limit() != Integer.MAX_VALUE && hits.size() >= s.limit()
                        && (!bounded || hits.size() >= 2 * s.limit())) {
                    hits.sort(order);
                    hits.subList(s.limit(), hits.size()).clear();
                    bounded = true;
                    bound = hits.get(hits.size() - 1).time;
                }
            }
            hits.sort(order);
            for (int i = 0; i < Math.min(s.limit(), hits.size()); i++) {
                if (!sink.accept(hits.get(i))) {
                    return;
                }
            }
        }
    }

    /** All samples, one stream of one partition at a time, so memory holds one stream's share. */
    private void samplesByStream(Open open, List<Chunk> chunks, LogSelection s, boolean forward, HitSink sink) {
        Map<Long, List<Chunk>> groups = new LinkedHashMap<>();
        for (Chunk c : chunks) {
            groups.computeIfAbsent((long) c.partition << 32 | c.stream.sid, k -> new ArrayList<>()).add(c);
        }
        Comparator<Hit> order = forward ? FORWARD : FORWARD.reversed();
        List<Hit> hits = new ArrayList<>();
        for (List<Chunk> group : groups.values()) {
            hits.clear();
            for (Chunk c : group) {
                read(open, c, s, false, hits);
            }
            hits.sort(order);
            for (Hit h : hits) {
                if (!sink.accept(h)) {
                    return;
                }
            }
        }
    }

    /** Adds the chunk's lines meeting the selection to {@code out}; a block that fails to read quarantines its partition. */
    private void read(Open open, Chunk c, LogSelection s, boolean needLines, List<Hit> out) {
        LogBlock b;
        try {
            b = needLines ? c.lines() : c.columns();
        } catch (IOException | RuntimeException e) {
            store.reportBroken(open.slots.get(c.partition), e);
            return;
        }
        Map<FieldCondition.Parser, Map<String, String>> parsed = new java.util.EnumMap<>(FieldCondition.Parser.class);
        for (int i = 0; i < b.count; i++) {
            tick();
            long t = b.times[i];
            if (t < s.fromNanos() || t > s.toNanos()) {
                continue;
            }
            String line = needLines ? b.line(i) : null;
            if (line != null && !passes(s, c.stream.labels, b.metadata[i], t, line, parsed)) {
                continue;
            }
            out.add(new Hit(t, c.stream, c.bseq, i, b.metadata[i], b.lengths[i], line));
        }
    }

    /** Marks a line its parser could not read (compared by identity). */
    private static final Map<String, String> UNREADABLE = new HashMap<>();

    private static boolean passes(LogSelection s, Labels stream, Labels metadata, long t, String line,
                                  Map<FieldCondition.Parser, Map<String, String>> parsed) {
        for (LineFilter f : s.lineFilters()) {
            if (!f.matches(line)) {
                return false;
            }
        }
        if (s.fieldConditions().isEmpty()) {
            return true;
        }
        parsed.clear();
        LogEntry e = new LogEntry(t, stream, metadata, line);
        for (FieldCondition c : s.fieldConditions()) {
            // Each parser reads the line once, however many conditions use it.
            Map<String, String> fields = parsed.computeIfAbsent(c.parser(), p -> {
                Map<String, String> m = p.parse(line);
                return m == null ? UNREADABLE : m;
            });
            if (fields != UNREADABLE && !c.matches(e, fields)) { // a line the parser cannot read passes
                return false;
            }
        }
        return true;
    }

    // --- listings -------------------------------------------------------------------------------------------------

    /** Visits each stream of each partition that has a line in the range, with its chunks in the range. */
    private interface StreamVisitor {
        void visit(LogPartition.Stream stream, List<Chunk> chunks) throws IOException;
    }

    private void forStreams(long from, long to, List<LabelMatcher> matchers, StreamVisitor visitor) {
        try (Open open = new Open(from, to, matchers, true)) {
            for (int i = 0; i < open.slots.size(); i++) {
                Map<Integer, List<Chunk>> byStream = new HashMap<>();
                for (Chunk c : open.chunks(i, from, to, null)) {
                    byStream.computeIfAbsent(c.stream.sid, k -> new ArrayList<>()).add(c);
                }
                for (List<Chunk> chunks : byStream.values()) {
                    visitor.visit(chunks.get(0).stream, chunks);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Lines and bytes of the chunks within the range: doc values for a block inside it, its columns otherwise. */
    private static long[] count(List<Chunk> chunks, long from, long to) throws IOException {
        long lines = 0;
        long bytes = 0;
        for (Chunk c : chunks) {
            if (c.inside(from, to)) {
                lines += c.count;
                bytes += c.bytes;
                continue;
            }
            LogBlock b = c.columns();
            for (int i = 0; i < b.count; i++) {
                if (b.times[i] >= from && b.times[i] <= to) {
                    lines++;
                    bytes += b.lengths[i];
                }
            }
        }
        return new long[] {lines, bytes};
    }

    private static boolean anyLine(List<Chunk> chunks, long from, long to) throws IOException {
        for (Chunk c : chunks) {
            if (c.inside(from, to)) {
                return true;
            }
        }
        return count(chunks, from, to)[0] > 0;
    }

    @Override
    public List<Labels> series(long from, long to, List<LabelMatcher> matchers) {
        Set<Labels> out = new TreeSet<>();
        forStreams(from, to, matchers, (stream, chunks) -> {
            if (!out.contains(stream.labels) && anyLine(chunks, from, to)) {
                out.add(stream.labels);
            }
        });
        return List.copyOf(out);
    }

    @Override
    public List<String> labelNames(long from, long to, List<LabelMatcher> matchers) {
        Set<String> names = new TreeSet<>();
        for (Labels l : series(from, to, matchers)) {
            l.forEach((n, v) -> names.add(n));
        }
        return List.copyOf(names);
    }

    @Override
    public List<String> labelValues(String name, long from, long to, List<LabelMatcher> matchers) {
        Set<String> values = new TreeSet<>();
        for (Labels l : series(from, to, matchers)) {
            String v = l.get(name);
            if (v != null) {
                values.add(v);
            }
        }
        return List.copyOf(values);
    }

    @Override
    public Stats stats(long from, long to, List<LabelMatcher> matchers) {
        Set<Labels> streams = new HashSet<>();
        long[] totals = new long[3];
        forStreams(from, to, matchers, (stream, chunks) -> {
            long[] n = count(chunks, from, to);
            if (n[0] > 0) {
                streams.add(stream.labels);
                totals[0]++;
                totals[1] += n[0];
                totals[2] += n[1];
            }
        });
        return new Stats(streams.size(), totals[0], totals[1], totals[2]);
    }
}
