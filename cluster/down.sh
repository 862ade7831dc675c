#!/usr/bin/env bash
# `make cluster-down`: stops HAProxy, the replicas and both PostgreSQL servers,
# waits until each process has exited, then removes what the cluster wrote
# ($CLUSTER_DIR). KEEP=1 keeps the files (logs, data) for a look afterwards.
set -uo pipefail
cd "$(dirname "$0")/.."
source cluster/common.sh

stop_pid "$DIR/haproxy.pid" 5
stop_pid "$DIR/uasam-stub.pid" 5
for n in 1 2; do stop_pid "$DIR/replica-$n.pid" 15; done
for name in standby primary; do
  # pg_ctl -w returns once the server has exited.
  [ -d "$DIR/$name" ] && as_pg "$PGBIN/pg_ctl" -D "$DIR/$name" -m fast -w -t 60 stop >/dev/null 2>&1
done
remove_dir "cluster"
