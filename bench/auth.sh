#!/usr/bin/env bash
# What authentication costs (not part of the tests): the same phases against the packaged bus three
# times in one run, auth off, auth on with a token whose patterns are '*' (no id lookups), and auth
# on with a token for 'bench.*' (each ack, nack or extend looks up its ids' queues in SQL); prints
# msg/s side by side with the ratio to auth off.
#   bench/auth.sh [messages] [clients]
#   PHASES=publish,pull bench/auth.sh …   other phases (default: publish,pull,subscribe)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
messages=${1:-20000}
clients=${2:-16}
phases=${PHASES:-publish,pull,subscribe}
source bench/bus.sh
build_bench
token=$(java -jar target/event-bus-0.1.0.jar token bench | sed -n 2p)
hash=$(java -jar target/event-bus-0.1.0.jar token bench --hash "$token" | sed -n 's/^eventbus.auth.token.bench.sha256 = //p')
run_config() { # NAME PATTERN|off
  local name=$1 pattern=$2 settings=()
  if [ "$pattern" != off ]; then
    settings=(-Deventbus.auth.enabled=true -Deventbus.auth.tokens=bench -Deventbus.auth.token.bench.sha256="$hash"
      -Deventbus.auth.token.bench.publish="$pattern" -Deventbus.auth.token.bench.pull="$pattern")
  fi
  start_bus "target/bench-auth-$name.log" "${settings[@]}"
  EVENTBUS_TOKEN=$token run_bench --run "auth$(date +%s)$name" --messages "$messages" --clients "$clients" \
    --warmup 2000 --phases "$phases" --out "target/bench/auth-$name" > "target/bench-auth-$name.out"
  kill "$bus"; wait "$bus" 2>/dev/null || true
}
run_config off off
run_config star '*'
run_config named 'bench.*'
printf '%-28s %12s %12s %12s %8s %8s\n' phase "auth off" "token *" "token bench.*" "* / off" "b.* / off"
paste -d, target/bench/auth-off/results.csv target/bench/auth-star/results.csv target/bench/auth-named/results.csv \
  | tail -n +2 | awk -F, '{ n = NF / 3; printf "%-28s %12.0f %12.0f %12.0f %8.2f %8.2f\n", $1, $2, $(n+2), $(2*n+2), $(n+2)/$2, $(2*n+2)/$2 }'
