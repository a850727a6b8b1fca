package dev.sightline.demo.sim;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A sink that keeps everything: counter totals, last gauge values, every histogram observation. */
final class Recorder implements MetricSink {
    final Map<Series, Long> totals = new HashMap<>();
    final Map<Series, Double> gauges = new HashMap<>();
    final Map<Series, List<Double>> observations = new HashMap<>();
    /** Every call in order, for comparing two runs. */
    final List<String> log = new ArrayList<>();

    @Override
    public void add(Series s, long increment) {
        if (increment < 0) {
            throw new AssertionError("negative increment " + increment + " for " + s);
        }
        totals.merge(s, increment, Long::sum);
        log.add("add " + s.name() + s.labels() + " " + increment);
    }

    @Override
    public void set(Series s, double value) {
        gauges.put(s, value);
        log.add("set " + s.name() + s.labels() + " " + value);
    }

    @Override
    public void observe(Series s, double value) {
        observations.computeIfAbsent(s, k -> new ArrayList<>()).add(value);
        log.add("observe " + s.name() + s.labels() + " " + value);
    }

    long total(String name, String labelKey, String labelValue) {
        return totals.entrySet().stream()
                .filter(e -> e.getKey().name().equals(name) && labelValue.equals(e.getKey().labels().get(labelKey)))
                .mapToLong(Map.Entry::getValue).sum();
    }

    double gauge(String name, String labelKey, String labelValue) {
        return gauges.entrySet().stream()
                .filter(e -> e.getKey().name().equals(name) && labelValue.equals(e.getKey().labels().get(labelKey)))
                .mapToDouble(Map.Entry::getValue).max().orElseThrow();
    }

    List<Double> observed(String name, String labelKey, String labelValue) {
        List<Double> out = new ArrayList<>();
        observations.forEach((s, v) -> {
            if (s.name().equals(name) && labelValue.equals(s.labels().get(labelKey))) {
                out.addAll(v);
            }
        });
        return out;
    }
}
