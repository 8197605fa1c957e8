#!/usr/bin/env bash
# The bus beside RabbitMQ's own PerfTest, in one run on this machine (not part of the tests):
#   bench/perf.sh [messages] [clients] [payload-bytes]
# 1. PerfTest (com.rabbitmq:perf-test from Maven Central): confirmed persistent publish, then
#    publish + consume with manual ack (qos 100);
# 2. the packaged bus (-Xmx512m) with a database of its own, driven by the Bench client over gRPC:
#    compatible publish and subscribe + ack, Publish, Publish at half its rate, PublishBatch(100),
#    Pull(100) + Ack, Subscribe stream + Ack, delayed delivery (PHASES=… for fewer; DELAYED and
#    DUE_RATE size the delayed phase);
# then one table with msg/s, latency percentiles and the ratio bus / PerfTest, written to
# target/bench/results.md and .csv, a second table of CPU ms per 1000 messages of each process in each
# run (the bus, RabbitMQ, MariaDB, Redis, the client; cpu.md and .csv), a per-second series
# (series.csv) and chart.png.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source bench/bus.sh
messages=${1:-50000}
clients=${2:-32}
size=${3:-200}
out=target/bench
mkdir -p "$out"
check_idle
build_bench
mvn -B -q -f bench/perftest/pom.xml dependency:build-classpath -Dmdep.outputFile="$PWD/$out/perftest.cp"

# user + system CPU ms of a process so far (clock ticks of 10 ms)
cpu_ms() { awk '{print ($14 + $15) * 10}' "/proc/$1/stat"; }
rabbitmq=$(pgrep -o beam.smp || true)
# Runs PerfTest; sets perftest_cpu to "rabbitmq=MS,client=MS", CPU ms per 1000 of $messages over the run
# (the client's from the subshell's children times, RabbitMQ's from /proc).
perftest() {
  echo ">> PerfTest $*" >&2
  local before=${rabbitmq:+$(cpu_ms "$rabbitmq")} client
  (java -cp "$(cat "$out/perftest.cp")" com.rabbitmq.perf.PerfTest -h amqp://guest:guest@127.0.0.1:5672 \
    -f persistent -s "$size" -c 100 -ad true -qa x-expires=30000 "$@" 2>&1 | tee -a "$out/perftest.log" >&2
   times > "$out/perftest.times") # (not piped: a piped builtin runs in a child of its own, without children)
  # its second line "0m4.120s 0m0.730s": the children's user and system time
  client=$(awk 'NR == 2 {t = 0; for (i = 1; i <= 2; i++) {split($i, v, /[ms]/); t += v[1] * 60 + v[2]} printf "%d", t * 1000}' "$out/perftest.times")
  perftest_cpu="client=$((client * 1000 / messages))"
  if [ -n "$before" ]; then
    perftest_cpu="rabbitmq=$((($(cpu_ms "$rabbitmq") - before) * 1000 / messages)),$perftest_cpu"
  fi
}
: > "$out/perftest.log"
perftest -x 1 -y 0 -C "$messages" -u "bench.perftest.publish.$$" > /dev/null
publish_rate=$(awk '/sending rate avg/{r=$(NF-1)} END{print r}' "$out/perftest.log")
publish_cpu=$perftest_cpu
perftest -x 1 -y 1 -q 100 -C "$messages" -D "$messages" -u "bench.perftest.consume.$$" > /dev/null
consume_rate=$(awk '/receiving rate avg/{r=$(NF-1)} END{print r}' "$out/perftest.log")
consume_cpu=$perftest_cpu

start_bus "$out/bus.log"
run_bench --messages "$messages" --clients "$clients" --size "$size" --out "$out" \
  --perftest-publish "$publish_rate" --perftest-consume "$consume_rate" \
  --cpu "$(cpu_pids)" \
  --perftest-publish-cpu "$publish_cpu" --perftest-consume-cpu "$consume_cpu" \
  ${PHASES:+--phases "$PHASES"} ${DELAYED:+--delayed "$DELAYED"} ${DUE_RATE:+--due-rate "$DUE_RATE"}
# RabbitMQ's own confirm latency at the rate of the bus's half-rate phase, beside the bus's row
half=$(awk -F, '$1 ~ /^Publish at / {print $2}' "$out/results.csv")
if [ -n "$half" ] && [ "$half" -gt 0 ]; then
  kill "$bus" 2>/dev/null || true; wait "$bus" 2>/dev/null || true
  perftest -x 1 -y 0 -r "$half" -C $((half * 20)) -u "bench.perftest.half.$$" 2> "$out/perftest-half.log" > /dev/null
  # "confirm latency min/median/75th/95th/99th a/b/c/d/e µs" of the whole run
  read -r p50 p95 p99 < <(awk '/confirm latency min\/median/ && !/time/ {split($NF == "µs" ? $(NF-1) : $NF, v, "/")} END {printf "%.2f %.2f %.2f\n", v[2]/1000, v[4]/1000, v[5]/1000}' "$out/perftest-half.log")
  sent=$(awk '/sending rate avg/{r=$(NF-1)} END{print r}' "$out/perftest-half.log")
  echo "| PerfTest: confirmed publish at $half msg/s | $sent | $p50 | $p95 | $p99 | | | | the broker's own latency at the bus's half rate |" >> "$out/results.md"
  echo "PerfTest: confirmed publish at $half msg/s,$sent,$p50,$p95,$p99,$((half * 20)),,,,," >> "$out/results.csv"
  tail -1 "$out/results.md"
fi
echo "(also $out/results.csv, $out/cpu.md and .csv, $out/series.csv, $out/chart.png; PerfTest's output in $out/perftest.log and perftest-half.log)"
