#!/usr/bin/env bash
# The price of rates at the sidecar: POST /v1/decide with durable audit on SQLite, under the
# invoice example's policies, and under the same policies plus two rate policies (a count and a
# distinct-recipient count of mail per agent, never reached, so every decision is appended), in
# the order without, with, with, without (so that a host warming or cooling through the run weighs
# on both alike). Prints every row; results go to tollgate-benchmarks/target/rates-load (or $OUT).
#
#   tollgate-benchmarks/rates-load.sh                              # about 4 minutes
#   JAR=/tmp/benchmarks.jar tollgate-benchmarks/rates-load.sh      # skip the build
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
java="$JAVA_HOME/bin/java"
jar="${JAR:-$here/target/benchmarks.jar}"
out="${OUT:-$here/target/rates-load}"
load_args="${LOAD_ARGS:---connections 64 --warmup 2 --duration 10 --rate 2000}"

if [ -z "${JAR:-}" ]; then
  # shellcheck disable=SC2086 # MVN_ARGS is a list of arguments
  (cd "$root" && ./mvnw -q install -DskipTests -pl tollgate-benchmarks -am ${MVN_ARGS:-})
fi
rm -rf "$out"
mkdir -p "$out/rates-bundle"
cp "$root"/examples/invoice-vendor-mail/*.yaml "$out/rates-bundle/"
cat > "$out/rates-bundle/rates.yaml" <<'YAML'
policies:
  - name: mail-burst
    when: count("agent", "email.*", "1m") > 1000000000
    effect: ask
  - name: mail-fan-out
    when: distinct("agent", "email.*", "to", "1m") > 1000000000
    effect: ask
YAML

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit: $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD || echo ' (uncommitted changes)')"
  echo "nproc: $(nproc)"
  echo "load args: $load_args"
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$out/machine.txt"

run=0
for bundle in "examples/invoice-vendor-mail" "$out/rates-bundle" "$out/rates-bundle" \
  "examples/invoice-vendor-mail"; do
  run=$((run + 1))
  name="$(basename "$bundle")-$run"
  echo "== $name (load $(cut -d' ' -f1 /proc/loadavg))" | tee -a "$out/machine.txt"
  # shellcheck disable=SC2086 # LOAD_ARGS is a list of arguments
  (cd "$root" && "$java" -cp "$jar" dev.tollgate.benchmarks.load.LoadTest --store sqlite \
    --servers 1 --bundle "$bundle" --out "$out/$name.tsv" --server-opts -Xmx1g $load_args) \
    2> "$out/$name.log"
  grep -E '^sqlite ' "$out/$name.log" | sed "s/^/$name: /" | tee -a "$out/summary.txt" || true
done
