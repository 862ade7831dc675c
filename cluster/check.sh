#!/usr/bin/env bash
# `make cluster-check`: a bounded stream of requests through HAProxy
# (CHECK_SECONDS, default 40; four clients listing, one in ten requests a
# session creation) while each replica in turn is stopped with SIGTERM and
# started again. Reports every request that failed (must be none).
set -euo pipefail
cd "$(dirname "$0")/.."
source cluster/common.sh
SECONDS_TO_RUN=${CHECK_SECONDS:-40}

[ -f "$DIR/haproxy.pid" ] && kill -0 "$(cat "$DIR/haproxy.pid")" 2>/dev/null || bash cluster/up.sh > /dev/null

TOKEN=$(sed -n "s/.*X-OTAS-USER-TOKEN: \([^']*\)'.*/\1/p" "$DIR/demo.txt" | head -1)
PROJECT=$(sed -n "s/.*X-OTAS-PROJECT-ID: \([^']*\)'.*/\1/p" "$DIR/demo.txt" | head -1)
AGENT=$(sed -n "s/.*agent_id=\([0-9a-f-]*\)&.*/\1/p" "$DIR/demo.txt" | head -1)
KEY=$(sed -n "s/.*X-OTAS-AGENT-KEY: \([^']*\)'.*/\1/p" "$DIR/demo.txt" | head -1)

restart() { # n: SIGTERM, wait for the exit, start again, wait until ready
  local pid; pid=$(cat "$DIR/replica-$1.pid")
  local started; started=$(date +%s%N)
  kill -TERM "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
  start_replica "$1"
  wait_ready "$((REPLICA_BASE + $1))"
  echo "replica-$1: SIGTERM, exit, start again, ready in $(( ($(date +%s%N) - started) / 1000000 )) ms"
}

python3 cluster/load.py "127.0.0.1:$LB_PORT" "$SECONDS_TO_RUN" "$TOKEN" "$PROJECT" "$AGENT" "$KEY" > "$DIR/check.txt" &
LOAD=$!
trap 'kill "$LOAD" 2>/dev/null || true' EXIT
sleep $((SECONDS_TO_RUN / 5))
restart 1
sleep $((SECONDS_TO_RUN / 5))
restart 2
wait "$LOAD" && status=0 || status=$?
cat "$DIR/check.txt"
exit "$status"
