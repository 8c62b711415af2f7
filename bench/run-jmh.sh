#!/usr/bin/env bash
# JMH suites (bench/src/main/java/io/tessera/bench/jmh): Tessera's per-call cost with batching off/on,
# and request decoding throughput. Needs a build (mvn -q install -DskipTests) and ../shared.
# Extra arguments go to JMH, e.g.  bench/run-jmh.sh -f 1 -wi 3 -i 5 NativeCall
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$root/bench/target/jmh"
mkdir -p "$work"
(cd "$root" && mvn -q -o -pl bench dependency:build-classpath -Dmdep.outputFile="$work/classpath.txt" >/dev/null)
export TF_CPP_MIN_LOG_LEVEL=2
args=("$@")
(( ${#args[@]} )) || args=(-f 1 -wi 3 -w 2s -i 5 -r 2s)
exec java -Dtessera.shared.dir="${SHARED:-$root/../shared}" \
  -cp "$root/bench/target/classes:$root/java/target/classes:$(cat "$work/classpath.txt")" \
  org.openjdk.jmh.Main "${args[@]}"
