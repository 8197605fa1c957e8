#!/usr/bin/env bash
# Quick throughput figures of the bus (not part of the tests): starts the packaged bus with a
# database of its own, runs the Bench client over some phases, stops the bus.
#   bench/quick.sh [messages] [clients] [payload-bytes]
#   PHASES=pull,subscribe bench/quick.sh …   other phases (default: the compatible API's two)
#   PARTITIONS=16 bench/quick.sh …           the phases' queues with 16 partitions
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
messages=${1:-100000}
clients=${2:-8}
size=${3:-200}
phases=${PHASES:-mq-publish,mq-consume}
source bench/bus.sh
build_bench
run="quick$(date +%s)"
partitions=()
for phase in ${phases//,/ }; do
  partitions+=("-Deventbus.queues.bench.$run.$phase.partitions=${PARTITIONS:-0}"
    "-Deventbus.queues.bench.$run.warmup-$phase.partitions=${PARTITIONS:-0}")
done
start_bus target/bench-bus.log "${partitions[@]}"
run_bench --run "$run" --messages "$messages" --clients "$clients" --size "$size" --phases "$phases" \
  --out target/bench/quick
