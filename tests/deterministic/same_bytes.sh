#!/usr/bin/env bash
# same_bytes.sh CLI SAMPLE — issue 14's acceptance check for one sample: at procs 1, 2 and 4
# with two seeds, two `run --deterministic --trace` give byte-identical .gortrace files, and
# `run --replay` of the file writes the same bytes again. Prints what differs and exits 1.
set -u
cli="$1"
sample="$2"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
fail=0
for procs in 1 2 4; do
  for seed in 1 20261207; do
    a="$dir/$procs-$seed-a.gortrace"
    b="$dir/$procs-$seed-b.gortrace"
    c="$dir/$procs-$seed-c.gortrace"
    "$cli" run "$sample" --deterministic --procs "$procs" --seed "$seed" --trace "$a" > "$dir/out-a" 2> "$dir/err-a"
    rc_a=$?
    "$cli" run "$sample" --deterministic --procs "$procs" --seed "$seed" --trace "$b" > "$dir/out-b" 2> "$dir/err-b"
    rc_b=$?
    if [ ! -s "$a" ]; then
      echo "FAIL $sample procs $procs seed $seed: no trace written (exit $rc_a)"; cat "$dir/err-a"; fail=1; continue
    fi
    if [ "$rc_a" != "$rc_b" ] || ! cmp -s "$a" "$b"; then
      echo "FAIL $sample procs $procs seed $seed: two runs differ (exit $rc_a and $rc_b): $(cmp "$a" "$b" 2>&1)"
      fail=1
      continue
    fi
    "$cli" run "$sample" --replay "$a" --trace "$c" > "$dir/out-c" 2> "$dir/err-c"
    rc_c=$?
    if [ "$rc_c" != "$rc_a" ] || ! cmp -s "$a" "$c"; then
      echo "FAIL $sample procs $procs seed $seed: --replay differs (exit $rc_a, replay $rc_c): $(cmp "$a" "$c" 2>&1)"
      tail -3 "$dir/err-c"
      fail=1
      continue
    fi
    # The replay prints the same output as the run (its summary says "replayed" and the wall time differs).
    if ! diff -q <(grep -v '^--- ' "$dir/out-a" | grep -v '^trace: ') <(grep -v '^--- ' "$dir/out-c" | grep -v '^trace: ') > /dev/null; then
      echo "FAIL $sample procs $procs seed $seed: --replay printed other output"
      diff <(grep -v '^--- ' "$dir/out-a") <(grep -v '^--- ' "$dir/out-c") | head -5
      fail=1
    fi
  done
done
[ "$fail" = 0 ] && echo "ok $sample: 6 configurations, identical twice and on replay"
exit "$fail"
