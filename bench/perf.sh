#!/usr/bin/env bash
# The bus beside RabbitMQ's own PerfTest, in one run on this machine (not part of the tests):
#   bench/perf.sh [messages] [clients] [payload-bytes]
# 1. PerfTest (com.rabbitmq:perf-test from Maven Central): confirmed persistent publish, then
#    publish + consume with manual ack (qos 100);
# 2. the packaged bus with a database of its own: the compatible API (publish, subscribe + ack)
#    and the full API (PublishBatch of 100, Pull of 100 + Ack), by QuickBench;
# then one table with msg/s, latency percentiles and the ratio bus / PerfTest, written to
# target/bench/results.md and target/bench/results.csv. PerfTest's queues expire 30 s after use.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source bench/bus.sh
messages=${1:-50000}
clients=${2:-8}
size=${3:-200}
out=target/bench
mkdir -p "$out"
mvn -B -q -DskipTests package test-compile
mvn -B -q -f bench/perftest/pom.xml dependency:build-classpath -Dmdep.outputFile="$PWD/$out/perftest.cp"

perftest() {
  echo ">> PerfTest $*" >&2
  java -cp "$(cat "$out/perftest.cp")" com.rabbitmq.perf.PerfTest -h amqp://guest:guest@127.0.0.1:5672 \
    -f persistent -s "$size" -c 100 -ad true -qa x-expires=30000 "$@" 2>&1 | tee -a "$out/perftest.log" >&2
}
: > "$out/perftest.log"
perftest -x 1 -y 0 -C "$messages" -u "bench.perftest.publish.$$" > /dev/null
publish_rate=$(awk '/sending rate avg/{r=$(NF-1)} END{print r}' "$out/perftest.log")
perftest -x 1 -y 1 -q 100 -C "$messages" -D "$messages" -u "bench.perftest.consume.$$" > /dev/null
consume_rate=$(awk '/receiving rate avg/{r=$(NF-1)} END{print r}' "$out/perftest.log")

# the bus, against a fresh database of its own
start_bus "$out/bus.log"
quick() {
  quick_bench "$messages" "$clients" "$size" "bench.perf.$1.$$" "$1" | tee -a "$out/quickbench.log"
}
: > "$out/quickbench.log"
quick mq > /dev/null
quick v1 > /dev/null

# one table: each bus phase beside the PerfTest figure it is measured against
row() { # phase, PerfTest rate
  awk -F'|' -v phase="$1" -v base="$2" '
    { gsub(/^ +| +$/, "", $2) }
    $2 == phase { gsub(/ /, "", $3); printf "| %s | %s | %s | %s | %s | %s | %.2f |\n", phase, $3, $4, $5, $6, base, $3 / base }' \
    "$out/quickbench.log"
}
{
  echo "| $messages messages of $size bytes, $clients clients | msg/s | p50 ms | p95 ms | p99 ms | PerfTest msg/s | bus / PerfTest |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
  echo "| PerfTest: confirmed persistent publish | $publish_rate | | | | | |"
  echo "| PerfTest: publish + consume, manual ack, qos 100 | $consume_rate | | | | | |"
  row "publish" "$publish_rate"
  row "PublishBatch(100)" "$publish_rate"
  row "subscribe+ack" "$consume_rate"
  row "Pull(100)+Ack" "$consume_rate"
} > "$out/results.md"
awk -F'|' 'NR > 2 { for (i = 2; i < NF; i++) { gsub(/^ +| +$/, "", $i); printf "%s%s", $i, (i < NF - 1 ? "," : "\n") } }' \
  "$out/results.md" > "$out/results.csv"
echo
cat "$out/results.md"
echo "(also $out/results.csv; PerfTest's output in $out/perftest.log)"
