#!/usr/bin/env bash
# What a message costs each process, in CPU time (not part of the tests): starts the packaged bus,
# runs the bench phases once unmeasured (the JIT compiler's work), then once measured, and prints
# the rate and the CPU milliseconds per 1000 messages of the bus, MariaDB, RabbitMQ, Redis and the
# bench client, read from /proc over the measured run (the bench's --cpu). For comparing two builds
# on one machine, where a ratio of CPU time is steadier than a rate:
#   bench/cpu.sh [messages] [clients] [payload-bytes]
#   PHASES=subscribe bench/cpu.sh …      other phases (default: pull, that is publish + Pull(100) + Ack)
#   WARMUP_SECONDS=150 bench/cpu.sh …    the unmeasured run's least length (the JIT compiler's time)
#   NO_BUILD=1 bench/cpu.sh …            the jar and routes as they are (another build's, in a git
#                                        worktree of its commit: the routes are read from routes/)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
messages=${1:-50000}
clients=${2:-32}
size=${3:-200}
phases=${PHASES:-pull}
out=target/bench/cpu
source bench/bus.sh
check_idle
[[ -n ${NO_BUILD:-} ]] || build_bench
start_bus target/bench-bus.log
run_bench --messages 20000 --clients "$clients" --size "$size" --phases "$phases" --warmup 5000 \
  --warmup-seconds "${WARMUP_SECONDS:-150}" --out "$out/warm-up" > /dev/null 2>&1

run_bench --messages "$messages" --clients "$clients" --size "$size" --phases "$phases" --warmup 0 \
  --warmup-seconds 0 --out "$out" \
  --cpu "$(cpu_pids)" \
  > "$out.log" 2>&1
head -n 4 "$out/results.md"
cat "$out/cpu.md"
