package dev.sightline.metricstore;

import dev.sightline.core.Labels;

import java.util.List;

/** The exemplars of one series within a queried time range, oldest first. */
public record ExemplarSeries(Labels seriesLabels, List<Exemplar> exemplars) {
    public ExemplarSeries {
        exemplars = List.copyOf(exemplars);
    }
}
