#!/usr/bin/env bash
# Run every fuzz target for SECONDS (default 600), two at a time (the machine has 2 cores).
# Usage: fuzz/run.sh [SECONDS] [TARGET...]. Logs go to fuzz/artifacts/<target>.log.
# FUZZ_FLAGS adds libFuzzer flags, e.g. FUZZ_FLAGS="-fork=1 -ignore_crashes=1" to go on past a
# known crash and collect every distinct one in fuzz/artifacts/<target>/.
set -uo pipefail
cd "$(dirname "$0")"
secs=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(url analyze config rule_json)
mkdir -p artifacts
run() {
  local t=$1
  mkdir -p "corpus/$t" "seeds/$t"
  RUSTC_BOOTSTRAP=1 nice -n 10 cargo fuzz run "$t" "corpus/$t" "seeds/$t" -- \
    -max_total_time="$secs" -rss_limit_mb=4096 -timeout=30 -print_final_stats=1 ${FUZZ_FLAGS:-} \
    >"artifacts/$t.log" 2>&1
  echo "$t: exit $? ($(grep -E '^stat::number_of_executed_units' "artifacts/$t.log" | awk '{print $2}') execs)"
}
i=0
for t in "${targets[@]}"; do
  run "$t" &
  i=$((i + 1))
  if [ $((i % 2)) -eq 0 ]; then wait; fi
done
wait
