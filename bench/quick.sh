#!/usr/bin/env bash
# Quick throughput figures of the bus over the compatible API (not part of the tests):
# starts the packaged bus with a database of its own, runs QuickBench, stops the bus.
#   bench/quick.sh [messages] [clients] [payload-bytes]
#   PARTITIONS=16 bench/quick.sh …   the same on a queue with 16 partitions
#   API=v1 bench/quick.sh …          over the full API: PublishBatch(100), Pull(100) + Ack
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
messages=${1:-100000}
clients=${2:-8}
size=${3:-200}
mvn -B -q -DskipTests package test-compile
# a fresh database of its own each run
command -v mysql >/dev/null && mysql -h 127.0.0.1 -uroot -e "DROP DATABASE IF EXISTS evbench" || true
queue="bench.quick.$(date +%s)"
java -Xmx512m ${BUS_JAVA_OPTS:-} -Deventbus.db.database=evbench -Deventbus.rpc-port=9191 -Deventbus.http-port=7979 \
  -Deventbus.queues.$queue.partitions="${PARTITIONS:-0}" \
  -jar target/event-bus-0.1.0.jar > target/bench-bus.log 2>&1 &
bus=$!
trap 'kill $bus 2>/dev/null; wait $bus 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  curl -fs -o /dev/null http://127.0.0.1:7979/health && break
  sleep 1
done
java -cp target/test-classes:target/event-bus-0.1.0.jar io.eventbus.bench.QuickBench \
  127.0.0.1:9191 "$messages" "$clients" "$size" "$queue" "${API:-mq}"
