#!/usr/bin/env bash
# Restart benchmark: writes a node_exporter-shaped data set into a Sightline data directory (WAL + chunks_head) and,
# through remote-write, into VictoriaMetrics; then times Sightline's crash restart (the whole WAL replayed,
# single-threaded and with sharded workers), its clean shutdown (head snapshot written) and clean restart (snapshot
# loaded), in-process and from JVM start, and VictoriaMetrics' start until /health answers, each figure with the
# load average, and prints medians and ratios.
#
#   benchmarks/wal-replay.sh [--series N] [--duration 2h] [--interval 15s] [--workers 0,2] [--rounds 3]
#                            [--victoria /usr/bin/victoria-metrics|none] [--data-dir D] [--keep]
#
# Needs VictoriaMetrics (`apt-get install victoria-metrics`) unless --victoria none.
# Environment: SIGHTLINE_BUILD (build folder name, default target), MVN_ARGS (e.g. -o), JAVA_OPTS (JVM flags).
set -euo pipefail
. "$(dirname "$0")/bench.sh" benchmarks

victoria=/usr/bin/victoria-metrics
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
    [[ "${args[$i]}" == "--victoria" && $((i + 1)) -lt ${#args[@]} ]] && victoria="${args[$((i + 1))]}"
done
if [[ "$victoria" != none && ! -x "$victoria" ]]; then
    echo "VictoriaMetrics not found at $victoria: install it with 'apt-get install victoria-metrics'," \
         "point --victoria at it, or pass --victoria none" >&2
    exit 2
fi
# shellcheck disable=SC2086
exec "$java" "${unsafe[@]}" ${JAVA_OPTS:-} -cp "$jar" dev.sightline.benchmarks.WalReplayBenchmark "$@"
