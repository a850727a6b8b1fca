package dev.sightline.traces.metrics;

import dev.sightline.core.Histogram;
import dev.sightline.core.Labels;
import dev.sightline.core.span.Attributes;
import dev.sightline.core.span.Span;
import dev.sightline.core.span.SpanKind;
import dev.sightline.core.span.SpanResource;
import dev.sightline.core.span.StatusCode;
import dev.sightline.metricstore.Appender;

import java.util.ArrayList;
import java.util.List;

/** Spans, resources and a recording appender for the generator's tests. */
final class TestSpans {
    static final long T0_NANOS = 1_700_000_000_000_000_000L;

    private TestSpans() {
    }

    static SpanResource resource(String service, String... kv) {
        Attributes.Builder b = new Attributes.Builder().addString("service.name", service);
        for (int i = 0; i < kv.length; i += 2) {
            b.addString(kv[i], kv[i + 1]);
        }
        return new SpanResource(b.build(), 0, "");
    }

    static Attributes attrs(String... kv) {
        Attributes.Builder b = new Attributes.Builder();
        for (int i = 0; i < kv.length; i += 2) {
            b.addString(kv[i], kv[i + 1]);
        }
        return b.build();
    }

    /** A span of trace (0, traceLo) starting at T0 + startMs, lasting durationMs. */
    static Span span(long traceLo, long spanId, long parentId, String name, SpanKind kind, StatusCode status,
                     long startMs, double durationMs, Attributes attributes) {
        long start = T0_NANOS + startMs * 1_000_000;
        return new Span(0, traceLo, spanId, parentId, "", 0, name, kind, start, start + Math.round(durationMs * 1_000_000),
                attributes, 0, List.of(), 0, List.of(), 0, status, "");
    }

    static Span span(long traceLo, long spanId, long parentId, String name, SpanKind kind, double durationMs) {
        return span(traceLo, spanId, parentId, name, kind, StatusCode.UNSET, 0, durationMs, Attributes.EMPTY);
    }

    /** What a collection wrote. */
    record Sample(Labels labels, long timestampMs, double value, Histogram histogram) {
    }

    record WrittenExemplar(Labels series, Labels labels, long timestampMs, double value) {
    }

    /** An appender that keeps everything it is given, committed or not. */
    static final class Recorder implements Appender {
        final List<Sample> samples = new ArrayList<>();
        final List<WrittenExemplar> exemplars = new ArrayList<>();
        int commits;

        @Override
        public long append(long ref, Labels labels, long startTimestampMs, long timestampMs, double value) {
            samples.add(new Sample(labels, timestampMs, value, null));
            return 1;
        }

        @Override
        public long appendHistogram(long ref, Labels labels, long startTimestampMs, long timestampMs, Histogram histogram) {
            samples.add(new Sample(labels, timestampMs, 0, histogram));
            return 1;
        }

        @Override
        public boolean appendExemplar(long ref, Labels series, Labels exemplarLabels, long timestampMs, double value) {
            exemplars.add(new WrittenExemplar(series, exemplarLabels, timestampMs, value));
            return true;
        }

        @Override
        public void commit() {
            commits++;
        }

        @Override
        public void rollback() {
        }

        /** The samples of series {@code labels} at {@code timestampMs}. */
        List<Sample> at(Labels labels, long timestampMs) {
            return samples.stream().filter(s -> s.labels().equals(labels) && s.timestampMs() == timestampMs).toList();
        }

        double value(long timestampMs, String... labels) {
            List<Sample> s = at(Labels.of(labels), timestampMs);
            if (s.size() != 1) {
                throw new AssertionError("want one sample of " + Labels.of(labels) + " at " + timestampMs + ", got " + s
                        + "; all: " + samples);
            }
            return s.get(0).value();
        }

        Histogram histogram(long timestampMs, String... labels) {
            List<Sample> s = at(Labels.of(labels), timestampMs);
            if (s.size() != 1 || s.get(0).histogram() == null) {
                throw new AssertionError("want one histogram of " + Labels.of(labels) + " at " + timestampMs + ", got " + s);
            }
            return s.get(0).histogram();
        }
    }
}
