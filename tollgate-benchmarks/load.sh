#!/usr/bin/env bash
# Load on the server: builds, then for SQLite and for PostgreSQL (embedded) starts the server in
# its own JVM and measures POST /v1/decide (durable audit) beside POST /v1/noop in the same run,
# at saturation and at a fixed rate. After the PostgreSQL run it runs again with two servers, each
# in its own JVM, on one PostgreSQL database (LoadTest --servers 2, rows "postgres x2"; SERVERS2=0
# skips it). Prints a Markdown summary; results go to tollgate-benchmarks/target/load (or $OUT).
#
#   tollgate-benchmarks/load.sh                                   # about 3 minutes
#   STORES=sqlite LOAD_ARGS="--duration 3" tollgate-benchmarks/load.sh    # a quick look
#   STORES=postgres SERVERS2=0 tollgate-benchmarks/load.sh    # PostgreSQL, one server only
#   SERVER_OPTS="-XX:StartFlightRecording=filename=/tmp/s.jfr" tollgate-benchmarks/load.sh
#   WRK=1 tollgate-benchmarks/load.sh    # also wrk (C, cheaper client) at saturation, SQLite
#   MVN_ARGS="-Dmaven.repo.local=/tmp/m2" tollgate-benchmarks/load.sh   # extra Maven arguments
#   JAR=/tmp/benchmarks.jar tollgate-benchmarks/load.sh   # skip the build, run this jar
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
java="$JAVA_HOME/bin/java"
jar="${JAR:-$here/target/benchmarks.jar}"
out="${OUT:-$here/target/load}"
stores="${STORES:-sqlite postgres}"
servers2="${SERVERS2:-1}"
load_args="${LOAD_ARGS:---connections 64 --warmup 2 --duration 10 --rate 2000}"
server_opts="${SERVER_OPTS:--Xmx1g}"

if [ -z "${JAR:-}" ]; then
  # shellcheck disable=SC2086 # MVN_ARGS is a list of arguments
  (cd "$root" && ./mvnw -q install -DskipTests -pl tollgate-benchmarks -am ${MVN_ARGS:-})
fi
rm -rf "$out"
mkdir -p "$out"

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit: $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD || echo ' (uncommitted changes)')"
  echo "nproc: $(nproc)"
  echo "cpu: $(lscpu | grep 'Model name' | sed 's/.*: *//')"
  echo "jdk: $("$java" -version 2>&1 | sed -n 2p)"
  echo "load args: $load_args; server opts: $server_opts"
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$out/machine.txt"

# run_load STORE SERVERS: one LoadTest run, its log in $out/STORE.log (STORE-xN.log for N servers)
run_load() {
  local store="$1" servers="$2" log="$out/$1.log"
  if [ "$servers" != 1 ]; then
    log="$out/$store-x$servers.log"
  fi
  echo "== $store, $servers server(s) (load $(cut -d' ' -f1 /proc/loadavg))" | tee -a "$out/machine.txt"
  # shellcheck disable=SC2086 # LOAD_ARGS is a list of arguments
  (cd "$root" && "$java" -cp "$jar" dev.tollgate.benchmarks.load.LoadTest --store "$store" \
    --servers "$servers" --bundle examples/invoice-vendor-mail --out "$out/results.tsv" \
    --server-opts "$server_opts" $load_args) 2> "$log"
  grep -E '^(sqlite|postgres) ' "$log" || true
}

for store in $stores; do
  run_load "$store" 1
  if [ "$store" = postgres ] && [ "$servers2" != 0 ]; then
    run_load postgres 2
  fi
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/machine.txt"

"$java" -cp "$jar" dev.tollgate.benchmarks.load.LoadReport "$out/results.tsv" | tee "$out/summary.md"
