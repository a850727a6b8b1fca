#!/usr/bin/env bash
# Alert dispatching benchmark: N alerts (half inhibited by the other half), grouped by instance; prints the time to
# take them in, flush the groups and list them, per round.
#
#   benchmarks/alert-dispatch.sh [--alerts N (10000)] [--rounds R (5)]
#
# Environment: SIGHTLINE_BUILD (build folder name, default target), MVN_ARGS (e.g. -o), JAVA_OPTS (JVM flags).
set -euo pipefail
. "$(dirname "$0")/bench.sh" benchmarks
# shellcheck disable=SC2086
exec "$java" ${JAVA_OPTS:-} -cp "$jar" dev.sightline.benchmarks.alerting.DispatcherBenchmark "$@"
