#!/usr/bin/env bash
# Query benchmark: builds what it needs, loads the same N series x H hours (15 s interval) into Sightline (Tsdb,
# persisted to blocks) and into the real Prometheus (remote-write in time order, then served from a snapshot with its
# head, so both read blocks only), and prints per range query (24 h at 60 s step by default) the median Sightline ms,
# Prometheus ms (HTTP API, client-side) and the ratio Sightline/Prometheus (target <= 0.5).
#
#   benchmarks/promql-query.sh [--series N (default 10000)] [--hours H (24)] [--reps R (5)] [--prometheus /usr/bin/prometheus] [--data-dir D] [--keep] [--start-timestamps]
#
# Needs Prometheus 2.33+ (remote-write receiver, admin snapshot API; Debian/Ubuntu: apt-get install prometheus).
# Environment: SIGHTLINE_BUILD (build folder name, default target), MVN_ARGS (e.g. -o), JAVA_OPTS (JVM flags).
set -euo pipefail
. "$(dirname "$0")/bench.sh" benchmarks
# shellcheck disable=SC2086
exec "$java" "${unsafe[@]}" ${JAVA_OPTS:-} -cp "$jar" dev.sightline.benchmarks.query.PromqlQueryBenchmark "$@"
