#!/usr/bin/env bash
# Disk benchmark: the same node_exporter-shaped data for each span (2 h and 24 h by default) into Sightline (Tsdb API,
# head persisted to blocks, compaction waited out), Prometheus (remote-write in time order, snapshot with its head)
# and VictoriaMetrics (remote-write, force_flush, force_merge); prints bytes on disk and bytes per sample per system
# with the ratios Sightline/Prometheus and Sightline/VictoriaMetrics.
#
#   benchmarks/disk.sh [--series N (2000)] [--spans 2,24] [--peers prometheus,victoria-metrics]
#                      [--prometheus /usr/bin/prometheus] [--victoria-metrics /usr/bin/victoria-metrics]
#                      [--data-dir D] [--keep]
#
# Needs Prometheus >= 2.33 (Debian/Ubuntu: apt-get install prometheus) and VictoriaMetrics (apt-get install
# victoria-metrics), or --peers naming the ones installed.
# Environment: SIGHTLINE_BUILD (build folder name, default target), MVN_ARGS (e.g. -o), JAVA_OPTS (JVM flags).
set -euo pipefail
. "$(dirname "$0")/bench.sh" benchmarks
# shellcheck disable=SC2086
exec "$java" "${unsafe[@]}" ${JAVA_OPTS:-} -cp "$jar" dev.sightline.benchmarks.DiskBenchmark "$@"
