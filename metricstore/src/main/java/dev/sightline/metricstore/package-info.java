/**
 * The metric storage contract shared by the storage (tsdb), the query engine (promql), rules, ingestion and the
 * server: {@link dev.sightline.metricstore.Storage} with its {@link dev.sightline.metricstore.Appender} and
 * {@link dev.sightline.metricstore.Querier}, and {@link dev.sightline.metricstore.ExemplarStorage} for exemplars.
 * The module's test-jar holds the conformance suites every implementation runs.
 */
package dev.sightline.metricstore;
