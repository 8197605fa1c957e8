#!/usr/bin/env bash
# Quick throughput figures of the bus (not part of the tests), over the compatible API by default:
# starts the packaged bus with a database of its own, runs QuickBench, stops the bus.
#   bench/quick.sh [messages] [clients] [payload-bytes]
#   PARTITIONS=16 bench/quick.sh …   the same on a queue with 16 partitions
#   API=v1 bench/quick.sh …          over the full API: PublishBatch(100), Pull(100) + Ack
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
messages=${1:-100000}
clients=${2:-8}
size=${3:-200}
source bench/bus.sh
mvn -B -q -DskipTests package test-compile
queue="bench.quick.$(date +%s)"
start_bus target/bench-bus.log -Deventbus.queues.$queue.partitions="${PARTITIONS:-0}"
quick_bench "$messages" "$clients" "$size" "$queue" "${API:-mq}"
