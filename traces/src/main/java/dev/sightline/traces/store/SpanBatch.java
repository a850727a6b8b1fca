package dev.sightline.traces.store;

import dev.sightline.core.span.InstrumentationScope;
import dev.sightline.core.span.Span;
import dev.sightline.core.span.SpanResource;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.util.BytesRef;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The spans of one commit as one WAL record and as Lucene documents. The record is
 * {@code [count] ([resource number][resource, the first time] [scope number][scope, the first time] [span])*}, so a
 * resource shared by a request's spans is written once. A document's stored record is its resource's, scope's and
 * span's bytes cut from the WAL record, so each span is encoded once. Replay rebuilds the same documents from the
 * record.
 */
final class SpanBatch {
    final byte[] record;
    final int recordLength;
    final List<Span> spans = new ArrayList<>();
    final List<Document> docs = new ArrayList<>();
    /** Each document's WAL record number field, set when the record is numbered. */
    final List<LongPoint> seqs = new ArrayList<>();

    private SpanBatch(byte[] record, int recordLength) {
        this.record = record;
        this.recordLength = recordLength;
    }

    /** Byte ranges in the record: resources, scopes (by number) and spans (with their numbers). */
    private static final class Layout {
        int[] resources = new int[16];
        int[] scopes = new int[16];
        int[] spanRanges = new int[64];
        final List<SpanResource> spanResources = new ArrayList<>();
        int resourceCount;
        int scopeCount;
        int spanCount;

        static int[] put(int[] a, int i, int off, int len) {
            if (2 * i + 2 > a.length) {
                a = Arrays.copyOf(a, a.length * 2 + 2);
            }
            a[2 * i] = off;
            a[2 * i + 1] = len;
            return a;
        }

        void span(Span s, SpanResource r, int resource, int scope, int off, int len) {
            if (4 * spanCount + 4 > spanRanges.length) {
                spanRanges = Arrays.copyOf(spanRanges, spanRanges.length * 2);
            }
            spanRanges[4 * spanCount] = resource;
            spanRanges[4 * spanCount + 1] = scope;
            spanRanges[4 * spanCount + 2] = off;
            spanRanges[4 * spanCount + 3] = len;
            spanResources.add(r);
            spanCount++;
        }
    }

    /** Encodes an appender's spans (parallel lists) into {@code out} and makes their documents. */
    static SpanBatch encode(List<SpanResource> resources, List<InstrumentationScope> scopes, List<Span> spans,
                            SpanCodec.Writer out) {
        out.reset();
        out.writeVarLong(spans.size());
        Layout layout = new Layout();
        Map<SpanResource, Integer> resourceNumbers = new IdentityHashMap<>();
        Map<InstrumentationScope, Integer> scopeNumbers = new IdentityHashMap<>();
        for (int i = 0; i < spans.size(); i++) {
            SpanResource r = resources.get(i);
            Integer rn = resourceNumbers.get(r);
            if (rn == null) {
                rn = layout.resourceCount++;
                resourceNumbers.put(r, rn);
                out.writeVarLong(rn);
                int at = out.length();
                out.writeResource(r);
                layout.resources = Layout.put(layout.resources, rn, at, out.length() - at);
            } else {
                out.writeVarLong(rn);
            }
            InstrumentationScope s = scopes.get(i);
            Integer sn = scopeNumbers.get(s);
            if (sn == null) {
                sn = layout.scopeCount++;
                scopeNumbers.put(s, sn);
                out.writeVarLong(sn);
                int at = out.length();
                out.writeScope(s);
                layout.scopes = Layout.put(layout.scopes, sn, at, out.length() - at);
            } else {
                out.writeVarLong(sn);
            }
            int at = out.length();
            out.writeSpan(spans.get(i));
            layout.span(spans.get(i), r, rn, sn, at, out.length() - at);
        }
        SpanBatch b = new SpanBatch(out.array(), out.length());
        b.spans.addAll(spans);
        b.makeDocuments(layout);
        return b;
    }

    /** Reads a WAL record back into its spans and documents. */
    static SpanBatch decode(ByteBuffer payload) {
        byte[] rec = new byte[payload.remaining()];
        payload.get(rec);
        SpanCodec.Reader in = new SpanCodec.Reader(rec, 0, rec.length);
        int n = in.readVarInt();
        Layout layout = new Layout();
        List<SpanResource> resources = new ArrayList<>();
        SpanBatch b = new SpanBatch(rec, rec.length);
        for (int i = 0; i < n; i++) {
            int rn = in.readVarInt();
            if (rn == layout.resourceCount) {
                int at = in.position();
                resources.add(in.readResource());
                layout.resources = Layout.put(layout.resources, layout.resourceCount++, at, in.position() - at);
            } else if (rn > layout.resourceCount) {
                throw new IllegalArgumentException("WAL record: resource " + rn + " before its definition");
            }
            int sn = in.readVarInt();
            if (sn == layout.scopeCount) {
                int at = in.position();
                in.readScope();
                layout.scopes = Layout.put(layout.scopes, layout.scopeCount++, at, in.position() - at);
            } else if (sn > layout.scopeCount) {
                throw new IllegalArgumentException("WAL record: scope " + sn + " before its definition");
            }
            int at = in.position();
            Span s = in.readSpan();
            b.spans.add(s);
            layout.span(s, resources.get(rn), rn, sn, at, in.position() - at);
        }
        b.makeDocuments(layout);
        return b;
    }

    /** One buffer holds every document's stored record (resource, scope, span), each document a slice of it. */
    private void makeDocuments(Layout layout) {
        int total = 0;
        for (int i = 0; i < layout.spanCount; i++) {
            int[] r = layout.spanRanges;
            total += layout.resources[2 * r[4 * i] + 1] + layout.scopes[2 * r[4 * i + 1] + 1] + r[4 * i + 3];
        }
        byte[] stored = new byte[total];
        SpanCodec.Writer terms = new SpanCodec.Writer();
        // A request's spans mostly share a few resources: their index fields are made once per resource.
        SpanFields.ResourceFields[] resourceFields = new SpanFields.ResourceFields[layout.resourceCount];
        int pos = 0;
        for (int i = 0; i < layout.spanCount; i++) {
            int[] r = layout.spanRanges;
            int start = pos;
            pos = copy(layout.resources, r[4 * i], stored, pos);
            pos = copy(layout.scopes, r[4 * i + 1], stored, pos);
            System.arraycopy(record, r[4 * i + 2], stored, pos, r[4 * i + 3]);
            pos += r[4 * i + 3];
            LongPoint seq = new LongPoint(SpanFields.SEQ, 0);
            seqs.add(seq);
            int rn = r[4 * i];
            if (resourceFields[rn] == null) {
                resourceFields[rn] = SpanFields.resourceFields(layout.spanResources.get(i), terms);
            }
            docs.add(SpanFields.document(spans.get(i), resourceFields[rn], new BytesRef(stored, start, pos - start),
                    seq, terms));
        }
    }

    private int copy(int[] ranges, int n, byte[] to, int pos) {
        System.arraycopy(record, ranges[2 * n], to, pos, ranges[2 * n + 1]);
        return pos + ranges[2 * n + 1];
    }
}
