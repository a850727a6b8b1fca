package dev.sightline.metricstore;

/** Something that opens queriers: what the PromQL engine needs of storage, and nothing more. */
@FunctionalInterface
public interface Queryable {
    Querier querier(long mint, long maxt);
}
