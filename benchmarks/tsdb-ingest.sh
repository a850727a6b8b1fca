#!/usr/bin/env bash
# Storage benchmark: builds what it needs, then appends a node_exporter-shaped data set through the Tsdb API and
# prints append throughput, heap per series, WAL replay time and bytes per sample on disk, each next to its target.
#
#   benchmarks/tsdb-ingest.sh [--series N] [--duration 2h] [--interval 15s] [--fsync ALWAYS|BATCH|NEVER] [--data-dir D] [--keep]
#   benchmarks/tsdb-ingest.sh --chunks [JMH args]     # JMH ChunkBenchmark (XOR append/iterate ns per sample)
#
# Environment: SIGHTLINE_BUILD (build folder name, default target), MVN_ARGS (e.g. -o), JAVA_OPTS (JVM flags).
set -euo pipefail
. "$(dirname "$0")/bench.sh" benchmarks

if [[ "${1:-}" == "--chunks" ]]; then
    shift
    # shellcheck disable=SC2086
    exec "$java" ${JAVA_OPTS:-} -jar "$jar" ChunkBenchmark "$@"
fi
# shellcheck disable=SC2086
exec "$java" ${JAVA_OPTS:-} -cp "$jar" dev.sightline.benchmarks.TsdbIngestBenchmark "$@"
