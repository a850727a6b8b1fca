#!/usr/bin/env bash
# Writes the labelled anomaly corpus (NAB's layout) that `./sightline detect-eval OUT_DIR` scores detectors on:
# series of the shapes that break detectors, the seed's four incidents and quiet series; deterministic per seed.
#
#   benchmarks/anomaly-corpus.sh OUT_DIR [--seed N (42)]
#
# Environment: SIGHTLINE_BUILD (build folder name, default target), MVN_ARGS (e.g. -o), JAVA_OPTS (JVM flags).
set -euo pipefail
. "$(dirname "$0")/bench.sh" benchmarks
# shellcheck disable=SC2086
exec "$java" ${JAVA_OPTS:-} -cp "$jar" dev.sightline.benchmarks.anomaly.AnomalyCorpus "$@"
