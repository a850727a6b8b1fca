package dev.sightline.server.logapi;

import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.logs.LogQuerier;
import dev.sightline.logs.LogSelection;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Loki's log volume ({@code index/volume}, {@code index/volume_range}): the bytes of line text of the selected
 * streams, summed into series by label. By default a series per combination of the values of the labels the query
 * names; {@code targetLabels} names the labels instead; {@code aggregateBy=labels} gives one series per label name
 * (value "") with the bytes of the streams that have it. A range splits the time into steps: the point at
 * {@code t} holds the lines in {@code (t - step, t]}. The biggest {@code limit} series are kept.
 */
final class Volume {
    /** Loki's seriesvolume.DefaultLimit. */
    static final int DEFAULT_LIMIT = 100;

    /** One result series: its labels and bytes per point (one point for an instant volume). */
    record Series(Labels labels, long[] bytes, long total) {
    }

    private Volume() {
    }

    /**
     * @param step 0 for one point over {@code [start, end]}; otherwise points at {@code start, start+step, ... <= end}
     */
    static List<Series> compute(LogQuerier q, List<LabelMatcher> matchers, long start, long end, long step,
                                List<String> targetLabels, boolean byLabelNames, int limit) {
        int points = step == 0 ? 1 : (int) ((end - start) / step + 1);
        long from = step == 0 ? start : start - step + 1;
        Map<Labels, long[]> perStream = new HashMap<>();
        // Samples come in time order within each stream, so the stream's accumulator is found once per run of it.
        Labels[] lastStream = {null};
        long[][] acc = {null};
        q.samples(LogSelection.streams(from, end, matchers), (stream, metadata, time, bytes) -> {
            if (stream != lastStream[0]) {
                lastStream[0] = stream;
                acc[0] = perStream.get(stream);
                if (acc[0] == null) {
                    acc[0] = new long[points];
                    perStream.put(stream, acc[0]);
                }
            }
            int i = step == 0 ? 0 : (int) Math.ceilDiv(time - start, step);
            acc[0][i] += bytes;
            return true;
        });
        Set<String> names = new LinkedHashSet<>(targetLabels);
        if (names.isEmpty()) {
            matchers.forEach(m -> names.add(m.name()));
        }
        String[] keep = names.toArray(String[]::new);
        Map<Labels, long[]> groups = new HashMap<>();
        perStream.forEach((stream, bytes) -> {
            for (Labels key : keys(stream, keep, byLabelNames)) {
                long[] sum = groups.computeIfAbsent(key, k -> new long[points]);
                for (int i = 0; i < points; i++) {
                    sum[i] += bytes[i];
                }
            }
        });
        List<Series> out = new ArrayList<>();
        groups.forEach((labels, bytes) -> {
            long total = 0;
            for (long b : bytes) {
                total += b;
            }
            out.add(new Series(labels, bytes, total));
        });
        // Biggest first as Loki answers; equal volumes by labels, so the answer is deterministic.
        out.sort((a, b) -> a.total() != b.total() ? Long.compare(b.total(), a.total()) : a.labels().compareTo(b.labels()));
        return out.size() > limit ? out.subList(0, limit) : out;
    }

    /** The series a stream counts into. */
    private static List<Labels> keys(Labels stream, String[] keep, boolean byLabelNames) {
        if (!byLabelNames) {
            return List.of(keep.length == 0 ? stream : stream.keep(keep));
        }
        List<Labels> keys = new ArrayList<>();
        if (keep.length == 0) {
            stream.forEach((n, v) -> keys.add(Labels.of(n, "")));
        } else {
            for (String n : keep) {
                if (stream.has(n)) {
                    keys.add(Labels.of(n, ""));
                }
            }
        }
        return keys;
    }
}
