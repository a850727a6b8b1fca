package dev.sightline.logs.logql;

import dev.sightline.core.Labels;

import java.util.List;

/** What a LogQL query gives: lines grouped by their labels, a matrix, a vector or a scalar (Loki's result types). */
public sealed interface LogQlResult {
    /** Lines of a log query: each stream's labels are the stream's with what the pipeline added, dropped or changed. */
    record Streams(List<Stream> streams) implements LogQlResult {
        public Streams {
            streams = List.copyOf(streams);
        }
    }

    /** One result stream: its lines in the query's direction order. */
    record Stream(Labels labels, List<Line> lines) {
        public Stream {
            lines = List.copyOf(lines);
        }
    }

    /** A line as the pipeline left it ({@code line_format} may have rewritten it); time in unix nanoseconds. */
    record Line(long timeNanos, String text) {
    }

    /** A range metric query's result: series sorted by labels. */
    record Matrix(List<Series> series) implements LogQlResult {
        public Matrix {
            series = List.copyOf(series);
        }
    }

    /** One series of a matrix: parallel arrays of unix milliseconds and values, times ascending. */
    record Series(Labels labels, long[] timesMillis, double[] values) {
    }

    /** An instant metric query's result. */
    record Vector(List<Sample> samples) implements LogQlResult {
        public Vector {
            samples = List.copyOf(samples);
        }
    }

    record Sample(Labels labels, long timeMillis, double value) {
    }

    record Scalar(long timeMillis, double value) implements LogQlResult {
    }
}
