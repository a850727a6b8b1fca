package dev.sightline.server.rules;

import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.logs.LogQuerier;
import dev.sightline.logs.LogSelection;
import dev.sightline.logs.logql.LogQlEngine;
import dev.sightline.logs.logql.LogQlException;
import dev.sightline.logs.logql.LogQlResult;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A LogQL engine for three query shapes, enough to drive the rules' LogQL adaptation over a real log store:
 * {@code count_over_time({service="S"}[Nm])} (lines per stream in the N minutes up to the time), {@code {service="S"}}
 * (a log query: its lines) and a plain number (a scalar). Anything else is a parse error at column 1, the way an
 * engine names a position.
 */
public final class CountOverTimeEngine implements LogQlEngine {
    private static final Pattern COUNT = Pattern.compile("count_over_time\\(\\{service=\"([^\"]*)\"}\\[(\\d+)m]\\)");
    private static final Pattern SELECTOR = Pattern.compile("\\{service=\"([^\"]*)\"}");
    private static final long NANOS_PER_MINUTE = 60_000_000_000L;
    private final LogQuerier querier;

    public CountOverTimeEngine(LogQuerier querier) {
        this.querier = querier;
    }

    @Override
    public LogQlResult instant(String query, long timeNanos, LogSelection.Direction direction, int limit) {
        String q = query.strip();
        Matcher count = COUNT.matcher(q);
        if (count.matches()) {
            LogSelection s = LogSelection.streams(timeNanos - Long.parseLong(count.group(2)) * NANOS_PER_MINUTE,
                    timeNanos, List.of(LabelMatcher.eq("service", count.group(1))));
            Map<Labels, Integer> perStream = new TreeMap<>();
            querier.samples(s, (stream, metadata, t, bytes) -> {
                perStream.merge(stream, 1, Integer::sum);
                return true;
            });
            return new LogQlResult.Vector(perStream.entrySet().stream()
                    .map(e -> new LogQlResult.Sample(e.getKey(), timeNanos / 1_000_000, e.getValue())).toList());
        }
        Matcher selector = SELECTOR.matcher(q);
        if (selector.matches()) {
            LogSelection s = LogSelection.streams(Long.MIN_VALUE, timeNanos,
                    List.of(LabelMatcher.eq("service", selector.group(1)))).withOrder(direction, limit);
            Map<Labels, List<LogQlResult.Line>> streams = new TreeMap<>();
            querier.select(s, e -> streams.computeIfAbsent(e.stream(), k -> new ArrayList<>())
                    .add(new LogQlResult.Line(e.timeNanos(), e.line())));
            return new LogQlResult.Streams(streams.entrySet().stream()
                    .map(e -> new LogQlResult.Stream(e.getKey(), e.getValue())).toList());
        }
        try {
            return new LogQlResult.Scalar(timeNanos / 1_000_000, Double.parseDouble(q));
        } catch (NumberFormatException e) {
            throw new LogQlException("parse error at line 1, col 1: syntax error: unexpected " + q);
        }
    }

    @Override
    public LogQlResult range(String query, long startNanos, long endNanos, long stepNanos,
                             LogSelection.Direction direction, int limit) {
        throw new LogQlException("range queries are not implemented by this test engine");
    }
}
