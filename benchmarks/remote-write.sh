#!/usr/bin/env bash
# Remote-write ingestion benchmark: builds the server distribution and the benchmarks jar, pre-builds snappy
# WriteRequests (batches of 2000 samples, node_exporter / cAdvisor / kube-state-metrics label sets, 15 s apart) and
# replays the same requests with concurrent senders against Sightline, then the real Prometheus
# (--web.enable-remote-write-receiver), then VictoriaMetrics (/api/v1/write), each a separate process on 127.0.0.1.
# Prints accepted samples/s, errors by status and the server's VmRSS at the end, then Sightline/Prometheus ratios
# (targets: >= 2x samples/s, <= 0.5x RSS) and Sightline/VictoriaMetrics ratios.
#
#   benchmarks/remote-write.sh [--series N (default 1000000)] [--rounds R (10)] [--batch B (2000)] [--senders S (4)]
#                              [--max-seconds T (300, per peer)] [--repeat K (1)] [--settle S (0)]
#                              [--prometheus /usr/bin/prometheus]
#                              [--victoria-metrics /usr/bin/victoria-metrics] [--peers prometheus,victoria-metrics]
#                              [--only sightline|prometheus|victoria-metrics] [--data-dir D] [--keep]
#
# Needs Prometheus >= 2.33 (Debian/Ubuntu: apt-get install prometheus) and VictoriaMetrics (apt-get install
# victoria-metrics), or --peers naming the ones installed.
# Environment: SIGHTLINE_BUILD (build folder name, default target), MVN_ARGS (e.g. -o), JAVA_OPTS (load generator's
# JVM flags), SIGHTLINE_JAVA_OPTS (the Sightline server's JVM flags, as the ./sightline launcher uses them).
set -euo pipefail
. "$(dirname "$0")/bench.sh" server,benchmarks
server_cp="$(server_cp)"
# shellcheck disable=SC2086
exec "$java" "${unsafe[@]}" ${JAVA_OPTS:-} -cp "$jar" dev.sightline.benchmarks.remotewrite.RemoteWriteBenchmark \
    --sightline-cp "$server_cp" "$@"
