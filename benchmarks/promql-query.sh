#!/usr/bin/env bash
# Query benchmark: builds the server distribution and the benchmarks jar, loads the same N series x H hours (15 s
# interval) into Sightline (Tsdb, persisted to blocks), the real Prometheus (remote-write in time order, then served
# from a snapshot with its head) and VictoriaMetrics (remote-write, then flushed and force-merged), starts each as a
# server process and times /api/v1/query_range over HTTP the same way for all (24 h at 60 s step by default): per
# query the median [min-max] ms per server, Sightline/Prometheus (target <= 0.5) and Sightline/VictoriaMetrics (only
# where VictoriaMetrics' answer agrees with Prometheus's; answers are compared numerically), then the large answer
# with gzip asked for.
#
#   benchmarks/promql-query.sh [--series N (10000)] [--hours H (24)] [--reps R (9)]
#                              [--peers prometheus,victoria-metrics] [--prometheus /usr/bin/prometheus]
#                              [--victoria-metrics /usr/bin/victoria-metrics] [--data-dir D] [--keep] [--start-timestamps]
#
# Needs Prometheus 2.33+ (Debian/Ubuntu: apt-get install prometheus) and VictoriaMetrics (apt-get install
# victoria-metrics), or --peers naming the ones installed. A --keep'd --data-dir is reused: a server whose data for
# the same shape is there is not loaded again.
# Environment: SIGHTLINE_BUILD (build folder name, default target), MVN_ARGS (e.g. -o), JAVA_OPTS (client JVM flags),
# SIGHTLINE_JAVA_OPTS (the Sightline server's JVM flags, as the ./sightline launcher uses them).
set -euo pipefail
. "$(dirname "$0")/bench.sh" server,benchmarks
server_cp="$(server_cp)"
# shellcheck disable=SC2086
exec "$java" "${unsafe[@]}" ${JAVA_OPTS:-} -cp "$jar" dev.sightline.benchmarks.query.PromqlQueryBenchmark \
    --sightline-cp "$server_cp" "$@"
