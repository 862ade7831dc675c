#!/usr/bin/env bash
# Runs the test suite, or one named test binary, N times in a row and reports
# every failure by name: a flaky test shows itself here rather than in CI.
#
#   N=20 TEST=unavailable LOAD=busy bash tests/repeat.sh
#
#   N      how many runs (default 10)
#   TEST   a test binary's name (e.g. unavailable, e2e); empty: the whole suite
#   FILTER a test name filter passed to the binaries (optional)
#   LOAD   busy: one busy loop per CPU core for the whole run, so that
#          timings are those of a machine with other work;
#          build: a parallel cargo build of the workspace in a separate
#          target directory, again and again; none: an idle machine (default busy)
set -uo pipefail
cd "$(dirname "$0")/.."

N=${N:-10}
TEST=${TEST:-}
FILTER=${FILTER:-}
LOAD=${LOAD:-busy}
CARGO=${CARGO:-cargo}

case "$N" in '' | *[!0-9]*) echo "N must be a number of runs, got '$N'" >&2; exit 2 ;; esac
case "$LOAD" in busy | build | none) ;; *) echo "LOAD must be busy, build or none, got '$LOAD'" >&2; exit 2 ;; esac

selection=(--workspace --locked)
[ -n "$TEST" ] && selection+=(--test "$TEST")
args=()
[ -n "$FILTER" ] && args+=("$FILTER")

echo "building the tests once"
"$CARGO" test "${selection[@]}" --no-run -q || exit 2

logs=$(mktemp -d /tmp/otas-test-repeat.XXXXXX)
load_pids=()
stop_load() {
  for pid in "${load_pids[@]}"; do kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null; done
  wait 2>/dev/null
}
trap stop_load EXIT

case "$LOAD" in
  busy)
    for _ in $(seq 1 "$(nproc)"); do
      setsid bash -c 'while :; do :; done' &
      load_pids+=($!)
    done
    echo "load: $(nproc) busy loops" ;;
  build)
    setsid bash -c "while :; do CARGO_TARGET_DIR=$logs/load-target $CARGO build --workspace --locked -q >/dev/null 2>&1; rm -rf $logs/load-target; done" &
    load_pids+=($!)
    echo "load: a parallel cargo build of the workspace, again and again" ;;
  none) echo "load: none" ;;
esac

declare -A failed_count=()
failed_runs=0
for run in $(seq 1 "$N"); do
  log="$logs/run-$run.log"
  started=$(date +%s)
  "$CARGO" test "${selection[@]}" -q -- "${args[@]}" >"$log" 2>&1
  status=$?
  took=$(($(date +%s) - started))
  # libtest prints "---- <name> stdout ----" for each failed test.
  names=$(sed -n 's/^---- \(.*\) stdout ----$/\1/p' "$log" | sort -u)
  if [ "$status" -eq 0 ]; then
    echo "run $run/$N: passed (${took}s)"
  else
    failed_runs=$((failed_runs + 1))
    if [ -z "$names" ]; then names="(no test name: the build or a binary failed; see $log)"; fi
    echo "run $run/$N: FAILED (${took}s, log $log)"
    while IFS= read -r name; do
      echo "    $name"
      failed_count["$name"]=$(( ${failed_count["$name"]:-0} + 1 ))
      grep -A3 -F -- "---- $name stdout ----" "$log" | grep -m1 "panicked" | sed 's/^/      /'
    done <<<"$names"
  fi
done

echo
echo "$N runs${TEST:+ of $TEST}${FILTER:+ ($FILTER)}, load $LOAD: $((N - failed_runs)) passed, $failed_runs failed"
for name in "${!failed_count[@]}"; do
  echo "  failed ${failed_count[$name]}x: $name"
done
[ "$failed_runs" -eq 0 ] && rm -rf "$logs"
[ "$failed_runs" -eq 0 ]
