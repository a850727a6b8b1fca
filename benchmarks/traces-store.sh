#!/usr/bin/env bash
# Span store benchmark: N realistic spans appended to the Lucene span store on disk (commits of B spans, each
# returning after its WAL fsync), then trace-by-id and search latencies. Prints spans/s, bytes on disk per span
# against the OTLP protobuf size, and p50/p99 of trace by id and of a search (service + attribute + min duration).
#
#   benchmarks/traces-store.sh [--spans N (1000000)] [--threads T (2)] [--batch B (500)] [--queries Q (300)] [--dir D]
#
# Environment: SIGHTLINE_BUILD (build folder name, default target), MVN_ARGS (e.g. -o), JAVA_OPTS (JVM flags).
set -euo pipefail
. "$(dirname "$0")/bench.sh" benchmarks
# shellcheck disable=SC2086
exec "$java" "${unsafe[@]}" ${JAVA_OPTS:-} --enable-native-access=ALL-UNNAMED -cp "$jar" \
    dev.sightline.benchmarks.traces.TracesStoreBenchmark "$@"
