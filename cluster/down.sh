#!/usr/bin/env bash
# `make cluster-down`: stops HAProxy, the replicas and both PostgreSQL servers,
# waits until each process has exited, then removes what the cluster wrote
# ($CLUSTER_DIR). KEEP=1 keeps the files (logs, data) for a look afterwards.
set -uo pipefail
cd "$(dirname "$0")/.."
source cluster/common.sh

# Sends TERM to the process in a pid file and waits for it to exit; KILL after
# grace seconds (a replica drains its requests within its shutdown grace, 10 s).
stop_pid() { # pidfile grace
  local pid
  [ -f "$1" ] || return 0
  pid=$(cat "$1")
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 $(($2 * 10))); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  say "$(basename "$1" .pid) (pid $pid) still running after $2 s: killing it"
  kill -9 "$pid" 2>/dev/null
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
}

stop_pid "$DIR/haproxy.pid" 5
stop_pid "$DIR/uasam-stub.pid" 5
for n in 1 2; do stop_pid "$DIR/replica-$n.pid" 15; done
for name in standby primary; do
  # pg_ctl -w returns once the server has exited.
  [ -d "$DIR/$name" ] && as_pg "$PGBIN/pg_ctl" -D "$DIR/$name" -m fast -w -t 60 stop >/dev/null 2>&1
done
if [ "${KEEP:-0}" = 1 ]; then
  rm -f "$DIR"/*.pid
  say "cluster stopped (its files stay in $DIR)"
else
  rm -rf "$DIR"
  say "cluster stopped; $DIR removed"
fi
