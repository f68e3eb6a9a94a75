#!/usr/bin/env bash
# compare.sh: the peer workloads on our engine against Go 1.19 and Boost.Fiber, in one command.
#
#   bash tests/bench/compare.sh            (from the repo root; ~5 min at REPS=3)
#
# 1. builds gor_peerbench (cmake --preset release if build/release is missing, then
#    cmake --build build/release --target gor_peerbench -j$JOBS);
# 2. REPS times: runs the peers once with ../shared/peers/run.sh (REPS=1; it builds them if
#    needed and writes raw lines to $PEERS_BUILD/results.txt, collected here into
#    $PEERS_BUILD/results-compare.txt), then gor_peerbench once per workload at GOMAXPROCS=2
#    (and 1 with OURS_P1=1). Alternating keeps both sides under the same machine load;
# 4. prints: workload, unit, ours median [min-max], Go P=2 median, Boost ws median, and the
#    ratios ours/Go and ours/Boost (of medians; < 1 means we are faster / smaller).
#
# Env knobs:
#   REPS=3                 repetitions per (configuration, workload)
#   WORKLOADS="spawn pingpong buffered mutex select workerpool timers idle skynet"
#   CONFIGS="go_p2 bf_ws"  peer configurations for run.sh (add go_p1, bf_1t if wanted; bf_1t
#                          skynet takes ~16 s per run here)
#   OURS_P1=0              1: also run ours at GOMAXPROCS=1 (extra column)
#   GOR_N_<workload>=n     n for our run of a workload (default: the peers' default n)
#   PEERS=../shared/peers  PEERS_BUILD=/tmp/peers-build (shared/ may be read-only)
#   SKIP_PEERS=1           reuse $PEERS_BUILD/results-compare.txt instead of running the peers
#   BF_HEAVY_N             passed to run.sh (n for Boost spawn/idle, default 100000)
#   JOBS=1                 build parallelism (the machine is shared: keep it low)
# Raw lines of our runs go to build/release/tests/bench/results-gor.txt.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
REPS="${REPS:-3}"
WORKLOADS="${WORKLOADS:-spawn pingpong buffered mutex select workerpool timers idle skynet}"
CONFIGS="${CONFIGS:-go_p2 bf_ws}"
OURS_P1="${OURS_P1:-0}"
PEERS="${PEERS:-$ROOT/../shared/peers}"
export PEERS_BUILD="${PEERS_BUILD:-/tmp/peers-build}"
JOBS="${JOBS:-1}"
BUILD="$ROOT/build/release"
BIN="$BUILD/tests/bench/gor_peerbench"
T_START=$(date +%s)

# ---- packages -------------------------------------------------------------------
# The peers' run.sh installs Boost.Fiber only when its headers are missing, but Debian's
# libboost1.74-dev ships those headers without the library: make sure the library is there.
if [[ " $CONFIGS " == *" bf_"* ]] && ! dpkg-query -W -f='${Status}' libboost-fiber-dev 2>/dev/null | grep -q "install ok installed"; then
    echo "installing libboost-fiber-dev" >&2
    sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q libboost-fiber-dev >/dev/null ||
        { $sudo apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q libboost-fiber-dev >/dev/null; }
fi

# ---- build ours ---------------------------------------------------------------
if [ ! -f "$BUILD/build.ninja" ] && [ ! -f "$BUILD/Makefile" ]; then
    cmake --preset release >&2
fi
cmake --build "$BUILD" --target gor_peerbench -j "$JOBS" >&2
# Run a private copy: other engineers rebuilding build/release must not swap the engine
# under us halfway through the runs.
RUNDIR="$(mktemp -d /tmp/gor-compare.XXXXXX)"
trap 'rm -rf "$RUNDIR"' EXIT
cp "$BIN" "$RUNDIR/gor_peerbench"
BIN="$RUNDIR/gor_peerbench"
ENGINE_REV="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [ -n "$(git -C "$ROOT" status --porcelain -- engine 2>/dev/null)" ]; then ENGINE_REV="$ENGINE_REV+dirty(engine/)"; fi
echo "== gor_peerbench built from $ENGINE_REV" >&2

# ---- runs ---------------------------------------------------------------------
# Peers and ours alternate, one repetition of each at a time (run.sh with REPS=1, then ours),
# so that a change in the load of this shared machine hits both sides alike.
PEER_RAW="$PEERS_BUILD/results-compare.txt"
OUR_RAW="$BUILD/tests/bench/results-gor.txt"
: >"$OUR_RAW"
[ "${SKIP_PEERS:-0}" = 1 ] || : >"$PEER_RAW"
OUR_CFGS="gor_p2"
[ "$OURS_P1" = 1 ] && OUR_CFGS="gor_p2 gor_p1"
run_ours() { # cfg workload rep
    local cfg=$1 w=$2 rep=$3 line var n=()
    var="GOR_N_$w"
    [ -n "${!var:-}" ] && n=("${!var}")
    local out status=0
    out=$(GOMAXPROCS="${cfg#gor_p}" timeout 300 "$BIN" "$w" "${n[@]}" 2>&1) || status=$?
    # The result is the peer= line; notes after it (a goroutine still finishing when main
    # returned counts as leaked) are shown but do not fail the run. A non-zero exit does.
    line=$(grep '^peer=' <<<"$out" | tail -1 || true)
    grep -v '^peer=' <<<"$out" | sed "s/^/  ($w rep $rep) /" >&2 || true
    if [ "$status" -ne 0 ] || [ -z "$line" ]; then line="FAIL workload=$w status=$status $(tail -1 <<<"$out")"; fi
    echo "cfg=$cfg rep=$rep $line" | tee -a "$OUR_RAW" >&2
}
for rep in $(seq 1 "$REPS"); do
    if [ "${SKIP_PEERS:-0}" != 1 ]; then
        echo "== peers, rep $rep/$REPS: bash $PEERS/run.sh (CONFIGS=\"$CONFIGS\" REPS=1)" >&2
        REPS=1 CONFIGS="$CONFIGS" WORKLOADS="$WORKLOADS" bash "$PEERS/run.sh" >/dev/null
        sed "s/ rep=1 / rep=$rep /" "$PEERS_BUILD/results.txt" >>"$PEER_RAW"
    fi
    echo "== ours, rep $rep/$REPS: $BIN ($OUR_CFGS)" >&2
    for cfg in $OUR_CFGS; do
        for w in $WORKLOADS; do run_ours "$cfg" "$w" "$rep"; done
    done
done
[ -s "$PEER_RAW" ] || { echo "compare.sh: no peer results in $PEER_RAW" >&2; exit 1; }

# ---- table --------------------------------------------------------------------
echo
echo "== ours vs peers (median [min-max] of $REPS runs; ratio = ours median / peer median)"
cat "$OUR_RAW" "$PEER_RAW" | awk -v workloads="$WORKLOADS" -v ourcfgs="$OUR_CFGS" -v peercfgs="$CONFIGS" '
$1 !~ /^cfg=/ { next }
{
    delete f
    for (i = 1; i <= NF; i++) { p = index($i, "="); if (p) f[substr($i, 1, p - 1)] = substr($i, p + 1) }
    w = f["workload"]; sub(/_1t$/, "", w); c = f["cfg"]; k = c SUBSEP w
    if ($3 == "FAIL") { fail[k]++; next }
    m = f["metric"]; metric[w] = m; n[k] = f["n"]
    cnt[k]++; val[k, cnt[k]] = f[m] + 0
}
function sortk(k,   i, j, t) {
    for (i = 2; i <= cnt[k]; i++)
        for (j = i; j > 1 && val[k, j - 1] > val[k, j]; j--) { t = val[k, j]; val[k, j] = val[k, j - 1]; val[k, j - 1] = t }
}
function med(k,   m) { m = cnt[k]; return (m % 2) ? val[k, (m + 1) / 2] : (val[k, m / 2] + val[k, m / 2 + 1]) / 2 }
function fmt(x) { return (x >= 100 ? sprintf("%.0f", x) : sprintf("%.1f", x)) }
function fmtn(x) { return (x % 1000000 == 0 ? (x / 1000000) "M" : (x % 1000 == 0 ? (x / 1000) "k" : x)) }
function cell(k, ref) {
    if (fail[k]) return "FAIL(" fail[k] ")"
    if (!(k in cnt)) return "n/a"
    s = fmt(med(k)) " [" fmt(val[k, 1]) "-" fmt(val[k, cnt[k]]) "]"
    if (ref != "" && (ref in n) && n[k] != n[ref]) s = s " n=" fmtn(n[k])
    return s
}
function ratio(a, b,   r) {
    if (!(a in cnt) || !(b in cnt) || fail[a] || fail[b] || med(b) == 0) return "-"
    r = med(a) / med(b)
    r = (r >= 0.1 ? sprintf("%.2fx", r) : sprintf("%.3fx", r))
    return (n[a] != n[b]) ? r "*" : r   # "*": the two sides ran with different n
}
END {
    for (k in cnt) sortk(k)
    nw = split(workloads, W, " "); no = split(ourcfgs, O, " "); np = split(peercfgs, P, " ")
    hdr["go_p2"] = "go1.19 P=2"; hdr["go_p1"] = "go1.19 P=1"; hdr["bf_ws"] = "boost ws x2"; hdr["bf_1t"] = "boost 1t"
    unit["ns_per_op"] = "ns/op"; unit["total_ms"] = "ms total"; unit["bytes_per_task"] = "B/task"
    printf "%-11s %-8s | %-22s", "workload", "unit", "gor P=2"
    if (no > 1) printf " | %-22s", "gor P=1"
    for (c = 1; c <= np; c++) printf " | %-22s", (P[c] in hdr ? hdr[P[c]] : P[c])
    printf " | %-8s | %-8s\n", "gor/Go", "gor/Bws"
    for (i = 1; i <= nw; i++) {
        w = W[i]; g = "go_p2" SUBSEP w; us = "gor_p2" SUBSEP w
        printf "%-11s %-8s | %-22s", w, (metric[w] in unit ? unit[metric[w]] : "?"), cell(us, g)
        if (no > 1) printf " | %-22s", cell("gor_p1" SUBSEP w, g)
        for (c = 1; c <= np; c++) printf " | %-22s", cell(P[c] SUBSEP w, g)
        printf " | %-8s | %-8s\n", ratio(us, g), ratio(us, "bf_ws" SUBSEP w)
    }
    print "(gor/Go = gor P=2 median / go1.19 P=2 median; gor/Bws = / boost ws median; < 1: ours is faster or smaller;"
    print " * = different n on the two sides, e.g. Boost spawn and idle run at BF_HEAVY_N)"
}'
echo "(gor_peerbench from $ENGINE_REV; raw: $OUR_RAW, $PEER_RAW; $(nproc) cores;"
echo " load average $(cut -d' ' -f1-3 /proc/loadavg); $(date -u '+%Y-%m-%d %H:%M UTC'); took $(($(date +%s) - T_START)) s)"
