package dev.sightline.metricstore;

/** What a {@link SampleIterator} is positioned on. */
public enum ValueType { NONE, FLOAT, HISTOGRAM }
