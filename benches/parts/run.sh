#!/usr/bin/env bash
# Training in parts: 1 worker against 2 on this machine (not run by CI).
#
# For each training (forecast `auto` and pricing on the demo store; item-kNN
# on a larger generated catalog), the time from `POST /v1/models/KIND/train`
# with `"parts": PARTS` to the job's success, with 1 and then 2 `shopmind
# worker` processes behind one `serve --no-worker`; ROUNDS runs each,
# median and the ratio 1 worker / 2 workers. Beside it, `shopmind train` in
# one piece (no queue) with the same threads: the price of the split.
#
# Each worker runs with THREADS rayon threads (default 1): a worker stands
# for one machine of THREADS cores, so 2 workers of 1 thread on 2 cores show
# what a second machine adds. With THREADS=2 one worker already uses both
# cores, and a second one can only share them.
#
# Usage: benches/parts/run.sh DIR [ROUNDS]   (DIR: scratch directory)
# Env: BIN (default target/release/shopmind), PARTS (8), THREADS (1),
#      BACKEND (sqlite | postgres: the `test` database on 127.0.0.1),
#      KNN_USERS KNN_ITEMS KNN_EVENTS (60000 20000 2000000), ONLY (e.g.
#      "forecast pricing").
set -euo pipefail
dir=$1 rounds=${2:-3}
here=$(cd "$(dirname "$0")" && pwd)
bin=${BIN:-$here/../../target/release/shopmind}
parts=${PARTS:-8} threads=${THREADS:-1} backend=${BACKEND:-sqlite}
only=${ONLY:-forecast pricing item-knn}
port=18610
mkdir -p "$dir"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# db NAME: the store flags of data set NAME.
db() {
  if [ "$backend" = postgres ]; then
    echo "--database-url postgres://postgres@127.0.0.1:5432/test --database-schema bench_parts_$1"
  else
    echo "--data-dir $dir/$1"
  fi
}
sm() { local set=$1; shift; "$bin" $(db "$set") --log warn "$@"; }

prepare() {
  if [ ! -e "$dir/demo.ready" ]; then
    sm demo generate --out "$dir/demo-csv" >/dev/null
    for f in items events sales; do sm demo import "$f" "$dir/demo-csv/$f.csv" >/dev/null; done
    touch "$dir/demo.ready"
  fi
  if [[ " $only " == *" item-knn "* ]] && [ ! -e "$dir/knn.ready" ]; then
    sm knn generate --out "$dir/knn-csv" --users 1 --items "${KNN_ITEMS:-20000}" --days 28 \
      --stores 1 --events-per-user 1 >/dev/null
    python3 "$here/../scale/events.py" "$dir/knn-csv/items.csv" "$dir/knn-csv/events.csv" \
      "${KNN_USERS:-60000}" "${KNN_EVENTS:-2000000}" 2>/dev/null
    for f in items events; do sm knn import "$f" "$dir/knn-csv/$f.csv" >/dev/null; done
    touch "$dir/knn.ready"
  fi
}

# job_seconds ADDR KIND BODY: queues a training job, waits for it, prints
# the seconds it took (fails if the job failed).
job_seconds() {
  local addr=$1 kind=$2 body=$3 t0 id state
  t0=$(date +%s.%N)
  id=$(curl -sf -X POST -H 'Content-Type: application/json' -d "$body" \
    "http://$addr/v1/models/$kind/train" | python3 -c 'import json,sys; print(json.load(sys.stdin)["job_id"])')
  while :; do
    state=$(curl -sf "http://$addr/v1/jobs/$id" | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["state"], j.get("error") or "")')
    case $state in
      succeeded*) break ;;
      failed*) echo "job $id failed: $state" >&2; return 1 ;;
    esac
    sleep 0.1
  done
  python3 -c "import time; print(f'{time.time() - $t0:.2f}')"
}

# parts_seconds FROM: the median over the jobs logged in workers.log after
# line FROM of the time their parts ran (from each split to the job's next
# start, summed over its fan-outs): the phase that more workers shorten.
parts_seconds() {
  tail -n +"$(( $1 + 1 ))" "$dir/workers.log" | sed 's/\x1b\[[0-9;]*m//g' | python3 -c '
import re, statistics, sys
from datetime import datetime
split, total = {}, {}
for line in sys.stdin:
    m = re.match(r"(\S+)Z\s+INFO (job started|job split into parts) job=(\S+)", line)
    if not m:
        continue
    t = datetime.fromisoformat(m.group(1)).timestamp()
    job = m.group(3)
    if m.group(2) == "job split into parts":
        split[job] = t
    elif job in split:
        total[job] = total.get(job, 0.0) + t - split.pop(job)
print(f"{statistics.median(total.values()):.2f}" if total else "nan")'
}

median() { python3 -c 'import statistics,sys; print(f"{statistics.median(float(x) for x in sys.argv[1:]):.2f}")' "$@"; }

# bench SET KIND BODY CLI...: one-piece baseline, then 1 and 2 workers.
bench() {
  local set=$1 kind=$2 body=$3; shift 3
  local one=() w1=() w2=() first
  first=$(wc -l < "$dir/workers.log" 2>/dev/null || echo 0)
  for _ in $(seq "$rounds"); do
    t0=$(date +%s.%N)
    RAYON_NUM_THREADS=$threads sm "$set" train "$kind" "$@" >/dev/null
    one+=("$(python3 -c "import time; print(time.time() - $t0)")")
  done
  "$bin" $(db "$set") --log warn serve --no-worker --insecure-no-auth --addr "127.0.0.1:$port" >/dev/null 2>&1 &
  local api=$!
  pids+=("$api")
  for _ in $(seq 600); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 0.2; done
  local p1 p2
  for n in 1 2; do
    local ws=() from
    from=$(wc -l < "$dir/workers.log" 2>/dev/null || echo 0)
    for _ in $(seq "$n"); do
      RAYON_NUM_THREADS=$threads "$bin" $(db "$set") --log info worker >>"$dir/workers.log" 2>&1 &
      ws+=("$!")
      pids+=("$!")
    done
    for _ in $(seq "$rounds"); do
      s=$(job_seconds "127.0.0.1:$port" "$kind" "$body")
      if [ "$n" = 1 ]; then w1+=("$s"); else w2+=("$s"); fi
    done
    kill "${ws[@]}"; wait "${ws[@]}" 2>/dev/null || true
    if [ "$n" = 1 ]; then p1=$(parts_seconds "$from"); else p2=$(parts_seconds "$from"); fi
  done
  kill "$api"; wait "$api" 2>/dev/null || true
  local bytes
  bytes=$(tail -n +"$(( first + 1 ))" "$dir/workers.log" | grep "job split into parts" | sed 's/\x1b\[[0-9;]*m//g' | head -1 \
    | grep -o 'bytes=[0-9]*\|slices=[0-9]*\|kept=[0-9]*' | tr '\n' ' ' || true)
  local m0 m1 m2
  m0=$(median "${one[@]}") m1=$(median "${w1[@]}") m2=$(median "${w2[@]}")
  printf '%-10s one piece %7.2f s | %d parts: 1 worker %7.2f s, 2 workers %7.2f s | ratio 1/2 workers %.2f | split overhead %.2f | stored: %s\n' \
    "$kind" "$m0" "$parts" "$m1" "$m2" "$(python3 -c "print($m1/$m2)")" "$(python3 -c "print($m1/$m0)")" "$bytes"
  printf '%-10s of which the parts ran: 1 worker %s s, 2 workers %s s | ratio %.2f\n' \
    "" "$p1" "$p2" "$(python3 -c "print($p1/$p2)")"
}

prepare
echo "backend $backend, $threads rayon thread(s) per process, $rounds rounds, medians"
for what in $only; do
  case $what in
    forecast) bench demo forecast "{\"algorithm\": \"auto\", \"parts\": $parts}" --algorithm auto ;;
    pricing) bench demo pricing "{\"parts\": $parts}" ;;
    item-knn) bench knn recommend "{\"algorithm\": \"item-knn\", \"binary\": true, \"parts\": $parts}" \
      --algorithm item-knn --binary ;;
  esac
done
