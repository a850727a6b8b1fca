/**
 * Synthetic checks: freshness canaries ({@code canary}) and scripted user journeys ({@code journey}), configured in
 * sightline.yml and run on schedules; every result becomes samples in the metric store.
 */
package dev.sightline.synthetics;
