#!/usr/bin/env bash
# Traces benchmark (issue 13): Sightline against the Zipkin server (exec jar from Maven Central, its in-memory
# storage: its best case) on the same generated spans: traces of 5-30 spans over 8 services, 10-20 attributes and a
# few events per span, 400-600 bytes per span as OTLP protobuf. Sends them to Sightline over OTLP/gRPC and to Zipkin
# as proto3 on /api/v2/spans (both encoded before timing), each server alone on 127.0.0.1 with the same heap, one after
# the other. Prints acknowledged spans/s and spans per server CPU-second, VmRSS at the end, the span store's bytes on
# disk per span (after the server's own shutdown) against the OTLP size, trace-by-id and search (service + attribute
# + minDuration, last hour) p50/p99, each with Zipkin's figure and the ratio; every answer is checked (span count of
# the trace; at least one trace found), and any error or wrong answer fails the run.
#
#   benchmarks/traces.sh [--spans N (2000000; the latency targets are for >= 10000000)] [--batch B (512)]
#                        [--senders S (4)] [--seed X (1)] [--queries Q (1000)] [--searches Q (200)] [--heap H (4g)]
#                        [--only sightline|zipkin] [--zipkin-to-sightline] [--data-dir D] [--keep]
#
# The load generator holds every request in memory (about 0.5 GB per million spans): raise its heap for large runs,
# e.g. JAVA_OPTS=-Xmx12g for --spans 10000000 (and --heap for the servers).
# Environment: ZIPKIN_VERSION (3.5.1), BENCH_CACHE (where the Zipkin jar is kept, ~/.cache/sightline-bench),
# SIGHTLINE_BUILD, MVN_ARGS (e.g. -o), JAVA_OPTS (load generator's JVM flags, default -Xmx4g), SIGHTLINE_JAVA_OPTS.
set -euo pipefail
. "$(dirname "$0")/bench.sh" server,benchmarks
server_cp="$(server_cp)"
zipkin_version="${ZIPKIN_VERSION:-3.5.1}"
cache="${BENCH_CACHE:-$HOME/.cache/sightline-bench}"
zipkin="$cache/zipkin-server-$zipkin_version-exec.jar"
if [[ ! -f "$zipkin" ]]; then
    mkdir -p "$cache"
    # shellcheck disable=SC2086
    mvn -B -q ${MVN_ARGS:-} dependency:copy -Dartifact="io.zipkin:zipkin-server:$zipkin_version:jar:exec" \
        -DoutputDirectory="$cache"
fi
# shellcheck disable=SC2086
exec "$java" "${unsafe[@]}" ${JAVA_OPTS:--Xmx4g} -cp "$jar" dev.sightline.benchmarks.traces.TracesBenchmark \
    --sightline-cp "$server_cp" --zipkin-jar "$zipkin" "$@"
