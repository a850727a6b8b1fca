package dev.sightline.promql.test;

import dev.sightline.core.Histogram;
import dev.sightline.core.Labels;
import dev.sightline.metricstore.Appender;
import dev.sightline.metricstore.Storage;
import dev.sightline.promql.engine.FloatHistograms;
import dev.sightline.promql.parser.SequenceValue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Carries out a script's {@code load}: appends its series to a storage in one commit (nothing on failure). */
final class ScriptLoader {
    private ScriptLoader() {
    }

    static void load(Storage storage, ScriptCommand.Load load) throws ScriptException {
        Map<Labels, List<SequenceValue>> defs = load.series();
        Map<Labels, List<Long>> startOffsets = load.startOffsets();
        long gap = load.gap();
        Appender app = storage.appender();
        try {
            for (var e : defs.entrySet()) {
                List<Long> starts = startOffsets.getOrDefault(e.getKey(), List.of());
                long t = 0;
                int idx = 0;
                for (SequenceValue v : e.getValue()) {
                    if (!v.omitted()) {
                        Long offset = idx < starts.size() ? starts.get(idx) : null;
                        long startT = offset == null ? 0 : t + offset;
                        if (v.histogram() != null) {
                            app.appendHistogram(0, e.getKey(), startT, t, v.histogram());
                        } else {
                            app.append(0, e.getKey(), startT, t, v.value());
                        }
                    }
                    t += gap;
                    idx++;
                }
            }
            if (load.nhcb()) {
                appendNhcb(app, defs, gap);
            }
            app.commit();
        } catch (IOException | RuntimeException e) {
            app.rollback();
            throw new ScriptException("load failed: " + e.getMessage());
        }
    }

    /** Converts classic histogram series (_bucket/_count/_sum) into native histograms with custom buckets. */
    private static void appendNhcb(Appender app, Map<Labels, List<SequenceValue>> defs, long gap) {
        record Acc(TreeMap<Double, Double> buckets, double[] countSum) {
        }
        Map<Labels, TreeMap<Long, Acc>> hist = new LinkedHashMap<>();
        for (var e : defs.entrySet()) {
            Labels l = e.getKey();
            String name = l.metricName();
            if (name == null) {
                continue;
            }
            String base;
            int kind;
            if (name.endsWith("_bucket")) {
                base = name.substring(0, name.length() - 7);
                kind = 0;
            } else if (name.endsWith("_count")) {
                base = name.substring(0, name.length() - 6);
                kind = 1;
            } else if (name.endsWith("_sum")) {
                base = name.substring(0, name.length() - 4);
                kind = 2;
            } else {
                continue;
            }
            double le = Double.NaN;
            if (kind == 0) {
                String les = l.get("le");
                if (les == null) {
                    continue;
                }
                try {
                    le = parseLe(les);
                } catch (NumberFormatException ex) {
                    continue;
                }
                if (Double.isNaN(le)) {
                    continue;
                }
            }
            Labels key = l.toBuilder().set(Labels.METRIC_NAME, base).remove("le").build();
            TreeMap<Long, Acc> byT = hist.computeIfAbsent(key, k -> new TreeMap<>());
            long t = 0;
            for (SequenceValue v : e.getValue()) {
                if (!v.omitted() && v.histogram() == null) {
                    Acc a = byT.computeIfAbsent(t, k -> new Acc(new TreeMap<>(), new double[]{Double.NaN, Double.NaN}));
                    switch (kind) {
                        case 0 -> a.buckets.put(le, v.value());
                        case 1 -> a.countSum[0] = v.value();
                        default -> a.countSum[1] = v.value();
                    }
                }
                t += gap;
            }
        }
        for (var e : hist.entrySet()) {
            for (var te : e.getValue().entrySet()) {
                Acc a = te.getValue();
                List<Double> bounds = new ArrayList<>();
                List<Double> counts = new ArrayList<>();
                double prev = 0;
                for (var b : a.buckets.entrySet()) {
                    if (b.getKey() != Double.POSITIVE_INFINITY) {
                        bounds.add(b.getKey());
                    }
                    counts.add(b.getValue() - prev);
                    prev = b.getValue();
                }
                double count = Double.isNaN(a.countSum[0]) ? prev : a.countSum[0];
                if (!a.buckets.containsKey(Double.POSITIVE_INFINITY)) {
                    counts.add(count - prev);
                }
                double sum = Double.isNaN(a.countSum[1]) ? 0 : a.countSum[1];
                double[] cv = bounds.stream().mapToDouble(Double::doubleValue).toArray();
                double[] bk = counts.stream().mapToDouble(Double::doubleValue).toArray();
                Histogram h = new Histogram(Histogram.CounterResetHint.UNKNOWN, Histogram.CUSTOM_BUCKETS_SCHEMA, 0, 0,
                        count, sum, new int[]{0}, new int[]{bk.length}, bk, null, null, null, cv);
                app.appendHistogram(0, e.getKey(), te.getKey(), FloatHistograms.compact(h));
            }
        }
    }

    private static double parseLe(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "+inf", "inf" -> Double.POSITIVE_INFINITY;
            case "-inf" -> Double.NEGATIVE_INFINITY;
            case "nan" -> Double.NaN;
            default -> Double.parseDouble(s.trim());
        };
    }
}
