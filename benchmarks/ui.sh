#!/usr/bin/env bash
# UI benchmark (issue 15): a 12-panel dashboard, each panel 50 series over 24 h at 60 s (written into a fresh server
# by remote-write; the dashboard a YAML file in the server's dashboards directory; each panel's query run 5 times
# first, as on a server that has been up a while), opened in Debian's headless Chromium with an empty profile, 5 times.
# Prints the time from navigation start to the page's performance.mark('sightline:panels-drawn') (target <= 1.5 s)
# and the bytes downloaded for that first page, compressed as sent (target <= 300 KB of UI files, libraries included;
# the query answers are counted apart).
# A server without the dashboards page falls back to the same queries drawn Explore-style in one page, and says so.
#
#   benchmarks/ui.sh [--panels P (12)] [--series S (50)] [--hours H (24)] [--runs R (5)] [--data-dir D] [--keep]
#                    [--chromium PATH] [--chromedriver PATH]
#
# Environment: SIGHTLINE_BUILD, MVN_ARGS (e.g. -o), JAVA_OPTS (the benchmark's JVM flags), SIGHTLINE_JAVA_OPTS.
set -euo pipefail
. "$(dirname "$0")/bench.sh" server,benchmarks
# shellcheck disable=SC2086
exec "$java" "${unsafe[@]}" ${JAVA_OPTS:-} -cp "$jar" dev.sightline.benchmarks.ui.UiBenchmark \
    --sightline-cp "$(server_cp)" "$@"
