#!/usr/bin/env bash
# The long fuzzing run (issue 18): every decoder and parser target (remote-write 1.0/2.0, snappy, OTLP protobuf and
# JSON, gzip, Loki push, NDJSON, Zipkin, exposition text and OpenMetrics, PromQL, rule files, LogQL, TraceQL,
# Alertmanager silences, sightline.yml and its Alertmanager section) and, with --http, the HTTP-level run against an
# in-process server. The targets are the modules' *FuzzTargetsTest classes (the same ones `mvn verify` runs briefly);
# this runs them with more inputs through Maven, then prints per target: inputs tried, accepted, rejected cleanly,
# seconds, inputs/s and failures. A failing input is saved (as is, shrunk, and its stack trace) under the output
# folder, named by run seed and input index; the run exits 1 if any target failed.
#
#   benchmarks/fuzz.sh [--inputs N (1000000)] [--seconds S per target (600)] [--target NAME[,NAME]] [--seed X]
#                      [--out DIR (fuzz-out)] [--http]
#
# Environment: SIGHTLINE_BUILD (build folder name, default target), MVN_ARGS (e.g. -o), JAVA_HOME.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
inputs=1000000 seconds=600 target="" seed="" out="$root/fuzz-out" http=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --inputs) inputs="$2"; shift 2 ;;
        --seconds) seconds="$2"; shift 2 ;;
        --target) target="$2"; shift 2 ;;
        --seed) seed="$2"; shift 2 ;;
        --out) out="$2"; shift 2 ;;
        --http) http=1; shift ;;
        *) echo "unknown argument: $1 (see the header of $0)" >&2; exit 2 ;;
    esac
done
. "$root/scripts/jdk.sh"
JAVA_HOME="$(find_jdk)" || { echo "no JDK >= 21 found" >&2; exit 1; }
export JAVA_HOME
if [[ -z "${MAVEN_OPTS:-}" ]] && (( $(java_major "$JAVA_HOME/bin/java") >= 24 )); then
    export MAVEN_OPTS=--sun-misc-unsafe-memory-access=allow
fi
mkdir -p "$out"
out="$(cd "$out" && pwd)"
rm -f "$out/summary.tsv"
tests='*FuzzTargetsTest'
(( http )) || tests='*FuzzTargetsTest,!HttpFuzzTargetsTest'
# Every module's targets, run in turn; a failing target does not stop the others (the summary says what failed).
# shellcheck disable=SC2086
(cd "$root" && mvn -B -q ${MVN_ARGS:-} -Dsightline.build="${SIGHTLINE_BUILD:-target}" -pl server -am test \
    -Dtest="$tests" -Dsurefire.failIfNoSpecifiedTests=false -Dmaven.test.failure.ignore=true \
    -Dsightline.fuzz.inputs="$inputs" -Dsightline.fuzz.seconds="$seconds" -Dsightline.fuzz.out="$out" \
    ${target:+-Dsightline.fuzz.target="$target"} ${seed:+-Dsightline.fuzz.seed="$seed"}) >"$out/maven.log" 2>&1 || true
[[ -s "$out/summary.tsv" ]] || { echo "no target ran; see $out/maven.log" >&2; exit 1; }
awk -F'\t' 'BEGIN { printf "%-28s %10s %12s %10s %10s %8s %9s %8s\n", "target", "seed", "inputs", "accepted", "rejected", "seconds", "inputs/s", "failures" }
    { printf "%-28s %10s %12d %10d %10d %8.1f %9d %8d\n", $1, $2, $3, $4, $5, $6, $7, $8; total += $3; failed += $8 }
    END { printf "total: %d inputs, %d failing", total, failed; exit failed > 0 }' "$out/summary.tsv" \
    && echo "" \
    || { echo "; failing inputs, shrunk inputs and stack traces under $out/<target>/"; exit 1; }
