#!/usr/bin/env bash
# zenduty-migrate scan vs ripgrep, side by side (SPEC 8, issue #5). See benches/README.md.
#
#   benches/bench.sh [--quick] [--scaling] [--apply] [--all] [--runs N] [--dir DIR] [--clean]
#
# Generates a deterministic tree (benches/gen_tree.py), builds the release binary, installs
# ripgrep if missing, warms the page cache, then times `rg -l -i --hidden zenduty .` and
# `zenduty-migrate scan --format json .` interleaved, N runs each after a warm-up. Checks the
# finding count against the planted URLs and that `--jobs 1` prints the same as the default, and
# fails loudly (exit 1) when either check fails.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)

quick=0 scaling=0 apply=0 runs=5 clean=0 build=1
dir=${ZDM_BENCH_DIR:-$here/tree}
usage() {
  sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  cat <<'EOF'

Options:
  --quick      60 MiB / 3,000 files instead of 600 MiB / 30,000 (CI smoke run)
  --scaling    also time scan and rg at 1/4, 1/2 and 1x the tree size
  --apply      also time `apply` over 2,500 / 5,000 / 10,000 edits (500 / 1,000 / 2,000 files)
  --all        --scaling and --apply
  --runs N     timed runs per tool (default 5; odd numbers give a true median)
  --dir DIR    where trees are generated (default benches/tree, or $ZDM_BENCH_DIR)
  --no-build   use the existing target/release binary
  --clean      delete the generated trees at the end
EOF
}
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --scaling) scaling=1 ;;
    --apply) apply=1 ;;
    --all) scaling=1; apply=1 ;;
    --runs) runs=$2; shift ;;
    --runs=*) runs=${1#*=} ;;
    --dir) dir=$2; shift ;;
    --dir=*) dir=${1#*=} ;;
    --no-build) build=0 ;;
    --clean) clean=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bench.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

die() { echo "bench.sh: FAIL: $*" >&2; exit 1; }
note() { echo "== $*" >&2; }

if [ "$quick" = 1 ]; then files=3000 mib=60; else files=30000 mib=600; fi

# --- tools -------------------------------------------------------------------------------------
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }
apt_updated=0
apt_install() {
  command -v apt-get >/dev/null || return 1
  if [ "$apt_updated" = 0 ]; then as_root apt-get update -qq >&2 || return 1; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
}
if ! command -v rg >/dev/null; then
  note "installing ripgrep"
  apt_install ripgrep || cargo install ripgrep --locked >&2 || die "cannot install ripgrep"
  hash -r
  command -v rg >/dev/null || export PATH="$HOME/.cargo/bin:$PATH"
fi
if [ ! -x /usr/bin/time ]; then
  note "installing time"
  apt_install time || note "no /usr/bin/time: peak RSS read through python3 getrusage instead"
fi
command -v python3 >/dev/null || die "python3 is needed for the tree generator"

bin=${CARGO_TARGET_DIR:-$root/target}/release/zenduty-migrate
if [ "$build" = 1 ]; then
  note "cargo build --release"
  (cd "$root" && cargo build --release --locked --quiet) || die "cargo build failed"
fi
[ -x "$bin" ] || die "no binary at $bin"

# --- helpers -----------------------------------------------------------------------------------
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# gen KIND NAME ARGS...: generate $dir/NAME unless its manifest says it was made with these args.
gen() {
  local kind=$1 name=$2; shift 2
  local out=$dir/$name manifest=$dir/$name.manifest.json stamp="$kind $* v1"
  if [ -f "$manifest" ] && [ -f "$dir/$name.args" ] && [ "$(cat "$dir/$name.args")" = "$stamp" ] \
    && [ -d "$out" ]; then
    note "reusing $out"
  else
    note "generating $out ($kind $*)"
    rm -f "$dir/$name.args"
    python3 "$here/gen_tree.py" "$kind" --out "$out" --manifest "$manifest" "$@" >/dev/null
    echo "$stamp" >"$dir/$name.args"
  fi
}
mf() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$@"; }

warm() { find "$1" -type f -print0 | xargs -0 cat >/dev/null; }

# timed OUT CMD...: run CMD in the current directory, stdout to OUT; prints "microseconds rss_kib"
# into $tmp/last, and fails on exit code 2 or more (both tools use 1 for "found something").
timed() {
  local out=$1; shift
  local t0 t1 rc=0
  t0=$(date +%s%N)
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f %M -o "$tmp/rss" "$@" >"$out" 2>"$tmp/err" || rc=$?
  else
    python3 -c 'import resource,subprocess,sys
r=subprocess.run(sys.argv[2:],stdout=open(sys.argv[1],"w")).returncode
open(sys.argv[1]+".rss","w").write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(r)' "$out" "$@" 2>"$tmp/err" || rc=$?
    mv "$out.rss" "$tmp/rss"
  fi
  t1=$(date +%s%N)
  if [ "$rc" -ge 2 ]; then
    cat "$tmp/err" >&2
    die "$* exited $rc"
  fi
  echo "$(((t1 - t0) / 1000)) $(tail -n1 "$tmp/rss")" >"$tmp/last"
}

median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print int((a[NR/2]+a[NR/2+1])/2)}'; }
max() { sort -n | tail -n1; }
secs() { awk -v u="$1" 'BEGIN {printf "%.3f", u/1e6}'; }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k/1024}'; }

# compare TREE RUNS: interleaved rg / scan runs in TREE. Sets rg_med scan_med ratio pair_ratio rss.
compare() {
  local tree=$1 n=$2 i a b
  : >"$tmp/rg.t"; : >"$tmp/scan.t"; : >"$tmp/scan.rss"; : >"$tmp/ratios"
  cd "$tree"
  sync; warm .
  timed "$tmp/rg.out" rg -l -i --hidden zenduty .
  timed "$tmp/scan.out" "$bin" scan --format json .
  for ((i = 0; i < n; i++)); do
    # Alternate which tool goes first, so neither always runs right after the other.
    if ((i % 2 == 0)); then
      timed "$tmp/rg.out" rg -l -i --hidden zenduty .; read -r a _ <"$tmp/last"
      timed "$tmp/scan.out" "$bin" scan --format json .; read -r b r <"$tmp/last"
    else
      timed "$tmp/scan.out" "$bin" scan --format json .; read -r b r <"$tmp/last"
      timed "$tmp/rg.out" rg -l -i --hidden zenduty .; read -r a _ <"$tmp/last"
    fi
    echo "$a" >>"$tmp/rg.t"; echo "$b" >>"$tmp/scan.t"; echo "$r" >>"$tmp/scan.rss"
    awk -v a="$a" -v b="$b" 'BEGIN {printf "%.4f\n", b/a}' >>"$tmp/ratios"
  done
  cd - >/dev/null
  rg_med=$(median <"$tmp/rg.t"); scan_med=$(median <"$tmp/scan.t")
  ratio=$(awk -v a="$rg_med" -v b="$scan_med" 'BEGIN {printf "%.3f", b/a}')
  pair_ratio=$(sort -n "$tmp/ratios" | awk '{a[NR]=$1} END {printf "%.3f", (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}')
  rss=$(max <"$tmp/scan.rss")
}

# check_scan MANIFEST JSON: the findings equal the planted URLs; none from ignored places.
check_scan() {
  python3 - "$1" "$2" <<'EOF'
import collections, json, sys
m = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
kinds = collections.Counter(f.get("kind") for f in doc["findings"])
paths = [f.get("path", "") for f in doc["findings"]]
bad = [p for p in paths if p.startswith(("generated/", "./generated/")) or p.endswith(".log")]
n = doc["summary"]["findings"]
print(f"findings {n} (planted {m['planted_urls']}; {dict(sorted(kinds.items()))}); "
      f"files with findings {doc['summary']['files_with_findings']} (planted {m['planted_files']}); "
      f"errors {len(doc['errors'])}")
ok = n == m["planted_urls"] and len(doc["findings"]) == n and not bad and not doc["errors"]
if bad:
    print(f"findings in ignored places: {bad[:5]}")
if doc["errors"]:
    print(f"errors: {doc['errors'][:5]}")
sys.exit(0 if ok else 1)
EOF
}

sysinfo() {
  echo "load average before timing: $load_before (other processes on the machine make times noisy; the ratio pairs interleaved runs to cancel most of it)"
  echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM, $(uname -sr)"
  echo "ripgrep: $(rg --version | head -n1); zenduty-migrate: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$root" diff --quiet 2>/dev/null || echo '+dirty')"
}

failed=0

# --- 1. main comparison ------------------------------------------------------------------------
main_name=scan-$mib
gen scan "$main_name" --files "$files" --mb "$mib"
tree=$dir/$main_name
m=$tree.manifest.json
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
note "timing: $runs interleaved runs each after a warm-up (page cache warm); load average $load_before"
compare "$tree" "$runs"
cp "$tmp/scan.out" "$tmp/default.json"
check_out=$(check_scan "$m" "$tmp/default.json") && count_ok=1 || count_ok=0
(cd "$tree" && "$bin" scan --format json --jobs 1 . >"$tmp/jobs1.json" 2>/dev/null) || [ $? = 1 ] \
  || die "scan --jobs 1 failed"
if cmp -s "$tmp/default.json" "$tmp/jobs1.json"; then jobs_ok=1; else jobs_ok=0; fi
rg_files=$(wc -l <"$tmp/rg.out")

echo
echo "## scan vs ripgrep"
echo
sysinfo
echo "tree: $(mf "$m" files) files, $(awk -v b="$(mf "$m" bytes)" 'BEGIN {printf "%.1f MiB", b/1048576}'), $(mf "$m" planted_urls) legacy URLs planted in $(mf "$m" planted_files) files, $(mf "$m" mention_files) files mentioning Zenduty only, $(mf "$m" ignored_urls) URLs in gitignored places"
echo
echo "| measure | value |"
echo "|---|---|"
echo "| median ratio scan / rg (per interleaved pair) | **$pair_ratio** (target <= 1.10) |"
echo "| ratio of medians | $ratio |"
echo "| rg -l -i --hidden zenduty . (median of $runs) | $(secs "$rg_med") s ($rg_files files listed) |"
echo "| zenduty-migrate scan --format json . (median of $runs) | $(secs "$scan_med") s |"
echo "| scan throughput | $(awk -v b="$(mf "$m" bytes)" -v u="$scan_med" 'BEGIN {printf "%.0f MiB/s", b/1048576/(u/1e6)}') |"
echo "| scan peak RSS (max of $runs) | $(mib "$rss") MiB (target <= 64) |"
echo "| findings | $check_out |"
echo "| --jobs 1 output == default output | $([ "$jobs_ok" = 1 ] && echo yes || echo NO) |"
echo "| all runs, rg (us) | $(tr '\n' ' ' <"$tmp/rg.t") |"
echo "| all runs, scan (us) | $(tr '\n' ' ' <"$tmp/scan.t") |"
[ "$count_ok" = 1 ] || { echo "bench.sh: FAIL: finding count does not match the planted URLs" >&2; failed=1; }
[ "$jobs_ok" = 1 ] || { echo "bench.sh: FAIL: --jobs 1 output differs from the default" >&2; diff "$tmp/default.json" "$tmp/jobs1.json" | head -20 >&2; failed=1; }

# --- 2. scaling --------------------------------------------------------------------------------
if [ "$scaling" = 1 ]; then
  echo
  echo "## scaling (median of 3 interleaved runs each)"
  echo
  echo "| tree | files | rg | scan | ratio | scan MiB/s | scan ns/byte | scan peak RSS | findings ok |"
  echo "|---|---|---|---|---|---|---|---|---|"
  for div in 4 2 1; do
    f=$((files / div)) mb=$((mib / div))
    if [ "$div" = 1 ]; then name=$main_name; else name=scan-$mb; gen scan "$name" --files "$f" --mb "$mb"; fi
    compare "$dir/$name" 3
    b=$(mf "$dir/$name.manifest.json" bytes)
    ok=$(check_scan "$dir/$name.manifest.json" "$tmp/scan.out" >/dev/null && echo yes || echo NO)
    [ "$ok" = yes ] || failed=1
    echo "| $(awk -v b="$b" 'BEGIN {printf "%.0f MiB", b/1048576}') | $(mf "$dir/$name.manifest.json" files) | $(secs "$rg_med") s | $(secs "$scan_med") s | $pair_ratio | $(awk -v b="$b" -v u="$scan_med" 'BEGIN {printf "%.0f", b/1048576/(u/1e6)}') | $(awk -v b="$b" -v u="$scan_med" 'BEGIN {printf "%.2f", u*1000/b}') | $(mib "$rss") MiB | $ok |"
    if [ "$div" != 1 ] && [ "$clean" = 1 ]; then rm -rf "${dir:?}/$name" "$dir/$name".*; fi
  done
fi

# --- 3. apply ----------------------------------------------------------------------------------
if [ "$apply" = 1 ]; then
  echo
  echo "## apply (median of 3 runs; tree reset with git between runs)"
  echo
  echo "| edits | files | tree | apply | us/edit | peak RSS | edits written ok | rescan clean |"
  echo "|---|---|---|---|---|---|---|---|"
  for div in 4 2 1; do
    e=$((10000 / div)) f=$((2000 / div)) name=apply-$((10000 / div))
    gen apply "$name" --edits "$e" --edit-files "$f"
    t=$dir/$name
    : >"$tmp/apply.t"; : >"$tmp/apply.rss"
    for ((i = 0; i < 4; i++)); do # first run is the warm-up
      git -C "$t" reset -q --hard
      warm "$t"
      cd "$t"
      timed "$tmp/apply.json" "$bin" apply --account ab12c --format json .
      cd - >/dev/null
      read -r a r <"$tmp/last"
      if ((i > 0)); then echo "$a" >>"$tmp/apply.t"; echo "$r" >>"$tmp/apply.rss"; fi
    done
    written=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sum(len(f["edits"]) for f in d["files"]))' "$tmp/apply.json")
    (cd "$t" && "$bin" scan --account ab12c --format json . >"$tmp/rescan.json" 2>/dev/null) || true
    left=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["rewritable"])' "$tmp/rescan.json")
    git -C "$t" reset -q --hard
    med=$(median <"$tmp/apply.t")
    ok=$([ "$written" = "$e" ] && echo yes || echo "NO ($written)")
    clean_ok=$([ "$left" = 0 ] && echo yes || echo "NO ($left left)")
    [ "$ok" = yes ] && [ "$clean_ok" = yes ] || failed=1
    echo "| $e | $f | $(awk -v b="$(mf "$t.manifest.json" bytes)" 'BEGIN {printf "%.1f MiB", b/1048576}') | $(secs "$med") s | $(awk -v u="$med" -v e="$e" 'BEGIN {printf "%.1f", u/e}') | $(mib "$(max <"$tmp/apply.rss")") MiB | $ok | $clean_ok |"
    if [ "$clean" = 1 ]; then rm -rf "${dir:?}/$name" "$dir/$name".*; fi
  done
fi

if [ "$clean" = 1 ]; then rm -rf "${dir:?}/$main_name" "$dir/$main_name".*; fi
if [ "$failed" = 1 ]; then
  echo >&2
  die "a check failed (see above)"
fi
