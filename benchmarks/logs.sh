#!/usr/bin/env bash
# Logs benchmark (issue 14), in one run: the reference, raw Apache Lucene indexing the lines in one thread (an
# IndexWriter with its defaults, one document per line: the line as a stored TextField and its timestamp), then
# Sightline fed the same lines over Loki's push API (protobuf + snappy, as Promtail sends them; 4 pushers, ~1000 lines
# per push, built before timing), then LogQL over Loki's query_range API: {service="x"} |= "timeout" over the last
# hour (p50/p99 of 50) and sum by (level) (count_over_time({service=~".+"}[5m])) over 24 h at a 5 m step (p50/p99 of
# 10), every answer checked, then the log store's bytes on disk (data/logs after the server's own shutdown). Lines:
# 10M by default, mixed JSON and logfmt, 150-300 bytes, 50 streams (service x env) over the last 24 h, each entry's
# level also sent as structured metadata `level` (what the second query groups by). Prints MB/s of line bytes and
# lines/s, the ratios to the reference (target >= 1.0x) and to a Loki ingester's 3-6 MB/s (target >= 5x), bytes on disk
# per line and raw/disk (target >= 6x), the query p99s (targets 200 ms and 2 s), each with met / NOT met. A push
# answered with anything but 2xx (404: no Loki push endpoint) or a wrong query answer fails the run.
#
#   benchmarks/logs.sh [--lines N (10000000)] [--pushers P (4)] [--batch B (1000)] [--seed X (1)]
#                      [--searches Q (50)] [--aggregations Q (10)] [--limit L (100)] [--heap H (4g)]
#                      [--only reference|sightline] [--data-dir D] [--keep]
#
# The load generator holds every request in memory (snappy, about 0.11 GB per million lines).
# Environment: LINES (the --lines default, e.g. LINES=1000000 for a quick run), SIGHTLINE_BUILD, MVN_ARGS (e.g. -o),
# JAVA_OPTS (load generator's JVM flags, default -Xmx4g), SIGHTLINE_JAVA_OPTS (the server's).
set -euo pipefail
. "$(dirname "$0")/bench.sh" server,benchmarks
server_cp="$(server_cp)"
# shellcheck disable=SC2086
exec "$java" "${unsafe[@]}" ${JAVA_OPTS:--Xmx4g} --enable-native-access=ALL-UNNAMED -cp "$jar" \
    dev.sightline.benchmarks.logs.LogsBenchmark --sightline-cp "$server_cp" ${LINES:+--lines "$LINES"} "$@"
