#!/usr/bin/env bash
# Builds the benchmarks, runs the JMH matrix and the Cedar peer one after the other (never at the
# same time: they would share the cores), and prints a Markdown summary with the ratios that
# BENCHMARKS.md reports. Results go to tollgate-benchmarks/target/results (or $OUT).
#
#   tollgate-benchmarks/run.sh                      # full matrix, about 8 minutes on 2 cores
#   JMH_ARGS="-f 1 -wi 1 -i 1" tollgate-benchmarks/run.sh   # a quick look
#   MODES=sample,thrpt tollgate-benchmarks/run.sh   # also JMH Throughput mode (twice as long)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
java="$JAVA_HOME/bin/java"
out="${OUT:-$here/target/results}"
jmh_args="${JMH_ARGS:--f 1 -wi 3 -w 1s -i 5 -r 1s}"
modes="${MODES:-sample}"
cedar_args="${CEDAR_ARGS:---warmup-ms 2000 --measure-ms 5000 --throughput-ms 3000}"

(cd "$root" && ./mvnw -q install -DskipTests -pl tollgate-benchmarks -am)
if [ ! -d "$here/cedar/node_modules/@cedar-policy/cedar-wasm" ]; then
  (cd "$here/cedar" && npm ci --no-audit --no-fund)
fi
rm -rf "$out"
mkdir -p "$out"

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit: $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet || echo ' (dirty)')"
  echo "nproc: $(nproc)"
  echo "cpu: $(lscpu | grep 'Model name' | sed 's/.*: *//')"
  echo "memory: $(free -g | awk '/Mem:/ {print $2 " GiB"}')"
  echo "jdk: $("$java" -version 2>&1 | sed -n 2p)"
  echo "node: $(node --version)"
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "jmh: $jmh_args -bm $modes"
  echo "cedar: $cedar_args"
} | tee "$out/machine.txt"

"$java" -jar "$here/target/benchmarks.jar" DecideBenchmark $jmh_args -bm "$modes" \
  -rf json -rff "$out/jmh.json" | tee "$out/jmh.txt"

"$java" -cp "$here/target/benchmarks.jar" dev.tollgate.benchmarks.CedarExport "$out/cedar-sets"
node "$here/cedar/peer.mjs" "$out/cedar-sets" $cedar_args > "$out/cedar.json"

echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/machine.txt"
node "$here/summary.mjs" "$out" | tee "$out/summary.md"
