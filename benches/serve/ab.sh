#!/usr/bin/env bash
# A/B load benchmark of the recommendation route: two shopmind binaries (a
# baseline, e.g. the previous commit's, and a candidate) serve the same
# MovieLens 100K store in alternating runs on the same machine, and the
# median of the paired throughput ratios (candidate / baseline) is printed.
# Each binary gets its own scratch store (schemas may differ between
# builds), trained with the same algorithm. Not run by CI.
#
# Usage: benches/serve/ab.sh BASE_BIN NEW_BIN [ROUNDS] [SECONDS] [ALGORITHM]
# (apt-get install wrk; MovieLens from $SHOPMIND_BENCH_DATA, default ../shared/data)
set -euo pipefail
base=$1 new=$2 rounds=${3:-5} secs=${4:-10} algo=${5:-item-knn}
data=${SHOPMIND_BENCH_DATA:-../shared/data}
port=18298
declare -A dir key
for side in base new; do
  bin=${!side}
  dir[$side]=$(mktemp -d)
  "$bin" --data-dir "${dir[$side]}" --log warn import movielens "$data/movielens-100k/u.data" >/dev/null
  "$bin" --data-dir "${dir[$side]}" --log warn train recommend --algorithm "$algo" --binary --activate >/dev/null
  key[$side]=$("$bin" --data-dir "${dir[$side]}" keys create --scope read)
done
run() { # side → requests/s
  local side=$1 bin=${!1}
  "$bin" --data-dir "${dir[$side]}" --log warn serve --addr 127.0.0.1:$port >/dev/null 2>&1 &
  local pid=$!
  for _ in $(seq 100); do curl -sf http://127.0.0.1:$port/health/ready >/dev/null && break; sleep 0.1; done
  SHOPMIND_KEY=${key[$side]} wrk -t1 -c8 -d"${secs}s" -s benches/serve/recommendations.lua \
    http://127.0.0.1:$port | sed -n 's/^Requests\/sec: *//p'
  kill "$pid"; wait "$pid" 2>/dev/null || true
}
ratios=()
for r in $(seq "$rounds"); do
  # Alternate which side goes first, so drift in the machine's speed cancels.
  if (( r % 2 )); then b=$(run base); n=$(run new); else n=$(run new); b=$(run base); fi
  ratio=$(python3 -c "print(f'{$n/$b:.4f}')")
  ratios+=("$ratio")
  echo "round $r: base $b req/s, new $n req/s, ratio $ratio"
done
python3 -c "import statistics,sys; r=[float(x) for x in sys.argv[1:]]; print(f'median ratio new/base over {len(r)} rounds: {statistics.median(r):.4f} (min {min(r):.4f}, max {max(r):.4f})')" "${ratios[@]}"
rm -rf "${dir[base]}" "${dir[new]}"
