# Sourced by the bench scripts: check_idle warns when the machine is busy before a run;
# start_bus LOG [-Dkey=value …] starts the packaged bus (RPC 9191, HTTP 7979, -Xmx512m) against a
# fresh database of its own (evbench), stops it when the script exits, and returns once /health
# answers; run_bench ARGS… runs the jar's bench command against it; cpu_pids names the processes
# whose CPU the bench measures (its --cpu).
start_bus() {
  local log=$1
  shift
  command -v mysql >/dev/null && mysql -h 127.0.0.1 -uroot -e "DROP DATABASE IF EXISTS evbench" || true
  java -Xmx512m ${BUS_JAVA_OPTS:-} -Deventbus.db.database=evbench -Deventbus.rpc-port=9191 -Deventbus.http-port=7979 \
    "$@" -jar target/event-bus-0.1.0.jar > "$log" 2>&1 &
  bus=$!
  trap 'kill $bus 2>/dev/null || true; wait $bus 2>/dev/null || true' EXIT
  for _ in $(seq 1 60); do
    curl -fs -o /dev/null http://127.0.0.1:7979/health && return 0
    sleep 1
  done
  echo "the bus did not become healthy, see $log" >&2
  return 1
}

# Builds the jar: the bus and, as its bench command, the client.
build_bench() {
  mvn -B -q -DskipTests package
}

# The bench command of the same jar, against the bus start_bus started (see: java -jar … bench --help).
run_bench() {
  java -Xmx1g -jar target/event-bus-0.1.0.jar bench --target 127.0.0.1:9191 "$@"
}

# The bench's --cpu list: the bus start_bus started, and whichever of the local RabbitMQ, MariaDB
# (or MySQL) and Redis run here (a name the bench cannot read a PID of would fail its command line).
cpu_pids() {
  local list="bus=$bus" process pid
  for process in rabbitmq:beam.smp mariadb:mariadbd mysql:mysqld redis:redis-server; do
    pid=$(pgrep -xo "${process#*:}" || true)
    [ -z "$pid" ] || list+=",${process%%:*}=$pid"
  done
  echo "$list"
}

# Warns when the machine is not idle before a run: samples /proc/stat for two seconds and, when more
# than a tenth of the CPU was in use, names the busiest processes (a forgotten process spinning on
# one of two cores halves what a run measures, and skews every CPU figure).
check_idle() {
  local a1 a2 a3 a4 a5 a6 a7 a8 b1 b2 b3 b4 b5 b6 b7 b8 busy total
  read -r _ a1 a2 a3 a4 a5 a6 a7 a8 _ < /proc/stat
  sleep 2
  read -r _ b1 b2 b3 b4 b5 b6 b7 b8 _ < /proc/stat
  busy=$(( (b1 + b2 + b3 + b6 + b7 + b8) - (a1 + a2 + a3 + a6 + a7 + a8) ))
  total=$(( busy + (b4 + b5) - (a4 + a5) ))
  if [ "$total" -gt 0 ] && [ $((busy * 10)) -gt "$total" ]; then
    echo "warning: the machine is $((busy * 100 / total)) % busy before the run; the busiest processes:" >&2
    ps -eo pid,pcpu,etime,args --sort=-pcpu | head -n 6 | cut -c1-150 >&2
  fi
}
