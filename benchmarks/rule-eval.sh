#!/usr/bin/env bash
# Rule evaluation benchmark: 1,000 alerting rules (half of them anomaly functions over 7-day lookbacks) on 10k
# series, evaluated every 15 s by a server in process; prints evaluation time per cycle and the alert latency
# (sample in, webhook out).
#
#   benchmarks/rule-eval.sh [--series N (10000)] [--rules R (1000)] [--groups G (10)] [--days D (7)]
#                           [--resolution S (60)] [--cycles C (4)] [--interval S (15)] [--data-dir D]
#
# Environment: SIGHTLINE_BUILD (build folder name, default target), MVN_ARGS (e.g. -o), JAVA_OPTS (JVM flags).
set -euo pipefail
. "$(dirname "$0")/bench.sh" benchmarks
# shellcheck disable=SC2086
exec "$java" ${JAVA_OPTS:-} -cp "$jar" dev.sightline.benchmarks.rules.RuleEvalBenchmark "$@"
