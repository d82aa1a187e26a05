#!/usr/bin/env bash
# Builds the benchmarks, runs them and prints a Markdown summary with the ratios BENCHMARKS.md
# reports. Results go to tollgate-benchmarks/target/results (or $OUT).
#
# The machine is shared and noisy, so the members of a ratio run close together: for each
# (mix, policies) row, JMH runs floor, pure, decide, parseAndDecide and decideCedarEquivalent back to
# back, then the Cedar peer runs that row's set (never at the same time as JMH: they would share
# the cores). Last, the prefilter check and UnreadArgsBenchmark. JMH runs with -prof gc: bytes allocated per decision do
# not depend on the load, so they are the steadiest cost figure this machine gives.
#
#   tollgate-benchmarks/run.sh                              # everything, about 9 minutes on 2 cores
#   JMH_ARGS="-f 1 -wi 1 -i 1" CEDAR_ARGS="--warmup-ms 200 --measure-ms 500 --throughput-ms 300" \
#     tollgate-benchmarks/run.sh                            # a quick look
#   MODES=sample,thrpt tollgate-benchmarks/run.sh           # also JMH Throughput mode (longer)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
java="$JAVA_HOME/bin/java"
jar="$here/target/benchmarks.jar"
out="${OUT:-$here/target/results}"
jmh_args="${JMH_ARGS:--f 1 -wi 3 -w 1s -i 5 -r 1s}"
modes="${MODES:-sample}"
cedar_args="${CEDAR_ARGS:---warmup-ms 2000 --measure-ms 5000 --throughput-ms 3000}"

# MVN_ARGS: extra Maven arguments, such as a private local repository for a parallel build.
(cd "$root" && ./mvnw -q install -DskipTests -pl tollgate-benchmarks -am ${MVN_ARGS:-})
if [ ! -d "$here/cedar/node_modules/@cedar-policy/cedar-wasm" ]; then
  (cd "$here/cedar" && npm ci --no-audit --no-fund)
fi
rm -rf "$out"
mkdir -p "$out"

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit: $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD || echo ' (uncommitted changes)')"
  echo "nproc: $(nproc)"
  echo "cpu: $(lscpu | grep 'Model name' | sed 's/.*: *//')"
  echo "memory: $(free -g | awk '/Mem:/ {print $2 " GiB"}')"
  echo "jdk: $("$java" -version 2>&1 | sed -n 2p)"
  echo "node: $(node --version)"
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "jmh: $jmh_args -bm $modes"
  echo "cedar: $cedar_args"
} | tee "$out/machine.txt"

"$java" -cp "$jar" dev.tollgate.benchmarks.CedarExport "$out/cedar-sets"

for mix in specific wildcard; do
  for policies in 10 100 1000; do
    row="$mix-$policies"
    echo "== $row (load $(cut -d' ' -f1 /proc/loadavg))" | tee -a "$out/machine.txt"
    "$java" -jar "$jar" 'DecideBenchmark' -p mix="$mix" -p policies="$policies" \
      $jmh_args -bm "$modes" -prof gc -rf json -rff "$out/jmh-$row.json" >> "$out/jmh.txt" 2>&1
    node "$here/cedar/peer.mjs" "$out/cedar-sets" --only "$row" $cedar_args \
      > "$out/cedar-$row.json"
  done
done

# The issue's p50 targets name a typical 1 KB action: the same set decides one (three flagged
# addresses instead of the 2 KB mail's fourteen values), against its own parse floor.
"$java" -jar "$jar" 'DecideBenchmark.(floor|pure|decide)$' -p mix=specific -p policies=100 \
  -p shape=typical1k $jmh_args -bm sample -prof gc -rf json -rff "$out/typical.json" \
  >> "$out/jmh.txt" 2>&1

# The prefilter: an action no detector can match, with the detectors on and off.
"$java" -jar "$jar" 'DecideBenchmark.pure$' -p mix=specific -p policies=100 -p noMatch=true \
  -p detectors=on,off $jmh_args -bm sample -prof gc -rf json -rff "$out/prefilter.json" \
  >> "$out/jmh.txt" 2>&1

"$java" -jar "$jar" 'UnreadArgsBenchmark' $jmh_args -prof gc \
  -rf json -rff "$out/unread-args.json" >> "$out/jmh.txt" 2>&1

echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/machine.txt"
node "$here/summary.mjs" "$out" | tee "$out/summary.md"
