#!/usr/bin/env bash
# `make cluster-down`: stops HAProxy, the replicas and both PostgreSQL servers.
set -uo pipefail
cd "$(dirname "$0")/.."
source cluster/common.sh
[ -f "$DIR/haproxy.pid" ] && kill "$(cat "$DIR/haproxy.pid")" 2>/dev/null
for n in 1 2; do [ -f "$DIR/replica-$n.pid" ] && kill "$(cat "$DIR/replica-$n.pid")" 2>/dev/null; done
for name in standby primary; do
  [ -d "$DIR/$name" ] && as_pg "$PGBIN/pg_ctl" -D "$DIR/$name" -m fast -w stop >/dev/null 2>&1
done
rm -f "$DIR"/*.pid
say "cluster stopped (its files stay in $DIR)"
