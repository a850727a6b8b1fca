# Sourced by the benchmark scripts: picks a JDK >= 21 (scripts/jdk.sh), builds the named modules (and what they
# need) into the build folder without tests, and sets $java, $root, $build, $jar (the benchmarks' shaded jar) and
# $unsafe (JVM flags for "$java" "${unsafe[@]}": aircompressor's snappy uses sun.misc.Unsafe, which JDK >= 24 would
# warn about on every run).
#
#   . "$(dirname "$0")/bench.sh" MODULES      # e.g. benchmarks, or server,benchmarks
#
# Environment: SIGHTLINE_BUILD (build folder name, default target), MVN_ARGS (e.g. -o).
bench_here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$bench_here/.." && pwd)"
build="${SIGHTLINE_BUILD:-target}"

. "$root/scripts/jdk.sh"
JAVA_HOME="$(find_jdk)" || { echo "no JDK >= 21 found (tried JAVA_HOME, PATH, /usr/lib/jvm/*)" >&2; exit 1; }
export JAVA_HOME
java="$JAVA_HOME/bin/java"
unsafe=()
(( $(java_major "$java") >= 24 )) && unsafe=(--sun-misc-unsafe-memory-access=allow)
# Maven 3.8 on JDK >= 24 warns about sun.misc.Unsafe on every run; that noise is not ours to show.
if [[ -z "${MAVEN_OPTS:-}" && ${#unsafe[@]} -gt 0 ]]; then
    export MAVEN_OPTS="${unsafe[*]}"
fi
# shellcheck disable=SC2086
(cd "$root" && mvn -B -q ${MVN_ARGS:-} -Dmaven.test.skip=true -Dsightline.build="$build" -pl "$1" -am package)
jar="$bench_here/$build/benchmarks.jar"

# Prints the Sightline server's class path (its jar and lib/) for scripts that built the server module; fails unless
# exactly one server jar is there.
server_cp() {
    local jars
    jars=("$root/server/$build"/sightline-server-*.jar)
    [[ ${#jars[@]} == 1 && -f "${jars[0]}" ]] || { echo "expected one server jar in $root/server/$build, found: ${jars[*]}" >&2; return 1; }
    echo "${jars[0]}:$root/server/$build/lib/*"
}
