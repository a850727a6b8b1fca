#!/usr/bin/env bash
# Block read benchmark: times bulk reads of every block under a Sightline data directory (all samples, one hour
# mid-block, one metric), median of --reps after two warm-ups. Point it at the sightline/ directory a kept disk
# benchmark left (benchmarks/disk.sh --keep --data-dir D), from this build and from an older one, to compare encodings.
#
#   benchmarks/block-read.sh DATA_DIR [--reps R (7)]
#
# Environment: SIGHTLINE_BUILD (build folder name, default target), MVN_ARGS (e.g. -o), JAVA_OPTS (JVM flags).
set -euo pipefail
. "$(dirname "$0")/bench.sh" benchmarks
# shellcheck disable=SC2086
exec "$java" "${unsafe[@]}" ${JAVA_OPTS:-} -cp "$jar" dev.sightline.benchmarks.BlockReadBenchmark "$@"
