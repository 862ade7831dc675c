#!/usr/bin/env bash
# `make ha-down`: lifts any cut ha-check left (its iptables chain), stops
# HAProxy, the service replicas, both nodes and the monitor (each pg_autoctl
# stops its postgres), waits until every one of their processes has exited,
# then removes what the cluster wrote ($HA_DIR). KEEP=1 keeps the files
# (logs, data) for a look afterwards.
set -uo pipefail
cd "$(dirname "$0")/.."
source ha/common.sh

if command -v iptables >/dev/null && iptables -n -L "$CHAIN" >/dev/null 2>&1; then
  iptables -D OUTPUT -j "$CHAIN" 2>/dev/null
  iptables -F "$CHAIN" && iptables -X "$CHAIN"
fi
stop_pid "$DIR/haproxy.pid" 5
stop_pid "$DIR/uasam-stub.pid" 5
for n in 1 2; do stop_pid "$DIR/replica-$n.pid" 15; done
for who in "${NODES[@]}" monitor; do
  [ -d "$DIR/$who/data" ] || continue
  # A node ha-check froze is woken first, so that it can stop.
  [ "$who" = monitor ] || for pid in $(node_pids "$who"); do kill -s CONT "$pid" 2>/dev/null; done
  as_node "$who" pg_autoctl stop --pgdata "$DIR/$who/data" >/dev/null 2>&1
  stop_pid "$DIR/$who.pid" 30
  # pg_autoctl stops its postgres before it exits; a postgres left by a
  # node killed outright is stopped here, and waited for.
  if [ -f "$DIR/$who/data/postmaster.pid" ]; then
    as_node "$who" "$PGBIN/pg_ctl" -D "$DIR/$who/data" -m fast -w -t 60 stop >/dev/null 2>&1
  fi
done
for node in "${NODES[@]}"; do
  for _ in $(seq 1 100); do [ -z "$(node_pids "$node")" ] && break; sleep 0.1; done
  [ -z "$(node_pids "$node")" ] || say "node $node still has processes: $(node_pids "$node" | tr '\n' ' ')"
done
remove_dir "HA cluster"
