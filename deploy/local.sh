#!/usr/bin/env bash
# The deployment of compose.yaml, on this machine without containers:
# PostgreSQL (the local server, a schema of its own), N API replicas
# (`serve --no-worker`), one `shopmind worker`, and HAProxy in front.
#
#   deploy/local.sh up [REPLICAS]   start (demo data the first time); prints the URL
#   deploy/local.sh down            stop everything it started
#   deploy/local.sh kill I          SIGKILL replica I (1-based)
#   deploy/local.sh start I         start replica I again
#   deploy/local.sh status          what runs
#
# Environment: BIN (default target/release/shopmind), PG_URL (default
# postgres://postgres@127.0.0.1:5432/test), SCHEMA (default shopmind_deploy),
# PORT (the balancer's, default 18400; replicas take the next ones).
# State (PIDs, logs, the API key) lives in deploy/.run/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
run=$here/.run
bin=${BIN:-$here/../target/release/shopmind}
pg=${PG_URL:-postgres://postgres@127.0.0.1:5432/test}
schema=${SCHEMA:-shopmind_deploy}
port=${PORT:-18400}
mkdir -p "$run"
# The deployment's settings, in the one configuration file every process reads.
cat >"$run/shopmind.toml" <<TOML
data_dir = "$run/data"
database_url = "$pg"
database_schema = "$schema"
log = "${SHOPMIND_LOG:-warn}"

[serve]
no_worker = true
TOML
sm() { "$bin" --config "$run/shopmind.toml" --log warn "$@"; }
alive() { [[ -f $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

start_replica() {
  local i=$1 p=$((port + $1))
  alive "$run/replica$i.pid" && return 0
  "$bin" --config "$run/shopmind.toml" serve --addr "127.0.0.1:$p" >>"$run/replica$i.log" 2>&1 &
  echo $! >"$run/replica$i.pid"
}

wait_ready() { # url seconds
  for _ in $(seq $(( $2 * 10 ))); do curl -sf "$1/health/ready" >/dev/null && return 0; sleep 0.1; done
  echo "not ready: $1" >&2; return 1
}

case ${1:-} in
  up)
    n=${2:-2}
    command -v haproxy >/dev/null || { echo "haproxy is missing: apt-get install haproxy" >&2; exit 1; }
    [[ -x $bin ]] || { echo "no shopmind binary at $bin (cargo build --release, or BIN=…)" >&2; exit 1; }
    echo "$n" >"$run/replicas"
    if [[ ! -f $run/key ]]; then
      if [[ $(sm stats --json | python3 -c 'import json,sys; print(dict(json.load(sys.stdin)["rows"]).get("events",0))' 2>/dev/null || echo 0) == 0 ]]; then
        sm generate --out "$run/csv" --users 2000 --items 500 --days 120 >/dev/null
        for f in items users events sales inventory; do sm import "$f" "$run/csv/$f.csv" >/dev/null; done
        sm train recommend --algorithm item-knn --activate >/dev/null
      fi
      sm keys create --scope write --label deploy >"$run/key"
    fi
    for i in $(seq "$n"); do start_replica "$i"; done
    alive "$run/worker.pid" || { "$bin" --config "$run/shopmind.toml" worker >>"$run/worker.log" 2>&1 &
      echo $! >"$run/worker.pid"; }
    servers=""
    for i in $(seq "$n"); do servers+="    server r$i 127.0.0.1:$((port + i)) check"$'\n'; done
    python3 - "$here/haproxy.cfg.in" "$run/haproxy.cfg" "$port" "$servers" <<'PY'
import sys
src, dst, port, servers = sys.argv[1:]
open(dst, "w").write(open(src).read().replace("@PORT@", port).replace("@SERVERS@", servers.rstrip("\n")))
PY
    haproxy -c -q -f "$run/haproxy.cfg"
    alive "$run/haproxy.pid" || { haproxy -f "$run/haproxy.cfg" >>"$run/haproxy.log" 2>&1 & echo $! >"$run/haproxy.pid"; }
    for i in $(seq "$n"); do wait_ready "http://127.0.0.1:$((port + i))" 60; done
    wait_ready "http://127.0.0.1:$port" 10
    echo "shopmind at http://127.0.0.1:$port ($n replicas, 1 worker); API key in $run/key"
    ;;
  down)
    for f in "$run"/*.pid; do [[ -f $f ]] && { kill "$(cat "$f")" 2>/dev/null || true; rm -f "$f"; }; done
    if [[ ${2:-} == --purge ]]; then
      psql -q "$pg" -c "SET client_min_messages = warning" -c "DROP SCHEMA IF EXISTS $schema CASCADE" && rm -rf "$run"
    fi
    ;;
  kill) kill -9 "$(cat "$run/replica$2.pid")"; rm -f "$run/replica$2.pid" ;;
  start) start_replica "$2" ;;
  status)
    for f in "$run"/*.pid; do [[ -f $f ]] || continue
      printf '%s %s\n' "$(basename "$f" .pid)" "$(alive "$f" && echo running || echo stopped)"; done ;;
  *) sed -n '2,16p' "$0"; exit 2 ;;
esac
