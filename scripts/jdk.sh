# Sourced by ./sightline, .ci/run and the benchmark scripts: the one place that decides which JDK builds and runs
# Sightline. Defines java_major and find_jdk; changes nothing by itself.

# Major version of the JDK/JRE at $1 (a java executable), or 0 when it does not run.
java_major() {
  local v
  v="$("$1" -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')" || true
  [[ -n "$v" ]] || { echo 0; return; }
  v="${v#1.}"                 # 1.8.0_x -> 8.0_x
  echo "${v%%[.+_-]*}"
}

# Prints a JDK home (with bin/javac, version >= 21): JAVA_HOME, then java on PATH, then the newest /usr/lib/jvm/*.
find_jdk() {
  local home major best="" best_major=0
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" && -x "$JAVA_HOME/bin/javac" ]]; then
    if (( $(java_major "$JAVA_HOME/bin/java") >= 21 )); then echo "$JAVA_HOME"; return; fi
  fi
  if command -v java >/dev/null 2>&1; then
    home="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
    if [[ -x "$home/bin/javac" ]] && (( $(java_major "$home/bin/java") >= 21 )); then echo "$home"; return; fi
  fi
  for home in /usr/lib/jvm/*; do
    [[ -x "$home/bin/java" && -x "$home/bin/javac" ]] || continue
    major="$(java_major "$home/bin/java")"
    if (( major >= 21 && major > best_major )); then best="$home"; best_major="$major"; fi
  done
  [[ -n "$best" ]] && { echo "$best"; return; }
  return 1
}

# Prints the home of an installed JDK below 21 (the kind a machine's default java often is), newest first, or fails.
# CI runs the README's test command under it, since that is what a user's plain `mvn` gets.
find_old_jdk() {
  local home major best="" best_major=0
  for home in /usr/lib/jvm/*; do
    [[ -x "$home/bin/java" && -x "$home/bin/javac" && ! -L "$home" ]] || continue
    major="$(java_major "$home/bin/java")"
    if (( major > 0 && major < 21 && major > best_major )); then best="$home"; best_major="$major"; fi
  done
  [[ -n "$best" ]] && { echo "$best"; return; }
  return 1
}
