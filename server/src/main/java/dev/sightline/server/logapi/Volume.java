package dev.sightline.server.logapi;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.logs.LogQuerier;
import dev.sightline.logs.LogSelection;
import dev.sightline.server.promapi.PromApiJsonWriter;

import java.io.IOException;

import java.util.ArrayList;
import java.util.Comparator;
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

    /**
     * One result series: its labels, or with {@code aggregateBy=labels} the one label name it stands for (written
     * with the value "", which Labels cannot hold), and bytes per point (one point for an instant volume).
     */
    record Series(Labels labels, String labelName, long[] bytes, long total) {
        void writeMetric(JsonGenerator g) throws IOException {
            if (labelName == null) {
                PromApiJsonWriter.labels(g, labels);
            } else {
                g.writeStartObject();
                g.writeStringField(labelName, "");
                g.writeEndObject();
            }
        }
    }

    /** A series' key: a label set, or a label name. */
    private record Key(Labels labels, String labelName) {
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
        // The last point's time: lines after it (end not on a step) belong to no point.
        long to = step == 0 ? end : start + (points - 1) * step;
        Map<Labels, long[]> perStream = new HashMap<>();
        // Samples come in time order within each stream, so the stream's accumulator is found once per run of it.
        Labels[] lastStream = {null};
        long[][] acc = {null};
        q.samples(LogSelection.streams(from, to, matchers), (stream, metadata, time, bytes) -> {
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
        Map<Key, long[]> groups = new HashMap<>();
        perStream.forEach((stream, bytes) -> {
            for (Key key : keys(stream, keep, byLabelNames)) {
                long[] sum = groups.computeIfAbsent(key, k -> new long[points]);
                for (int i = 0; i < points; i++) {
                    sum[i] += bytes[i];
                }
            }
        });
        List<Series> out = new ArrayList<>();
        groups.forEach((key, bytes) -> {
            long total = 0;
            for (long b : bytes) {
                total += b;
            }
            out.add(new Series(key.labels(), key.labelName(), bytes, total));
        });
        // Biggest first as Loki answers; equal volumes by labels, so the answer is deterministic.
        out.sort(Comparator.comparingLong(Series::total).reversed()
                .thenComparing(Series::labels).thenComparing(x -> String.valueOf(x.labelName())));
        return out.size() > limit ? out.subList(0, limit) : out;
    }

    /** The series a stream counts into. */
    private static List<Key> keys(Labels stream, String[] keep, boolean byLabelNames) {
        if (!byLabelNames) {
            return List.of(new Key(keep.length == 0 ? stream : stream.keep(keep), null));
        }
        List<Key> keys = new ArrayList<>();
        if (keep.length == 0) {
            stream.forEach((n, v) -> keys.add(new Key(Labels.EMPTY, n)));
        } else {
            for (String n : keep) {
                if (stream.has(n)) {
                    keys.add(new Key(Labels.EMPTY, n));
                }
            }
        }
        return keys;
    }
}
