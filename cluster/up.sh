#!/usr/bin/env bash
# `make cluster`: on loopback, a PostgreSQL primary and its streaming standby
# (initdb, pg_basebackup -R), two otas-server replicas (writes on the primary,
# reads on the standby) and HAProxy in front of them, health-checking
# /readyz and routing by path as production does: /api/agent/ and
# /api/project/v1/sdk/backend/key/ to the replicas, the rest to UASAM (a stub
# answering 404, or CLUSTER_UASAM=host:port). Everything lives under $CLUSTER_DIR (default /tmp/otas-cluster);
# `make cluster-down` stops it. Prints a curl line through HAProxy.
set -euo pipefail
cd "$(dirname "$0")/.."
source cluster/common.sh

exit_if_up "the cluster" "make cluster-down"

say "== build (release)"
cargo build --release --locked -p otas-server >&2

# What an earlier, interrupted start left running is stopped first.
[ -d "$DIR" ] && bash cluster/down.sh 2>/dev/null
rm -rf "$DIR" && mkdir -p "$DIR" && chown_pg "$DIR"
say "== PostgreSQL primary on :$PG_PRIMARY"
as_pg "$PGBIN/initdb" -D "$DIR/primary" -A trust -U postgres -E UTF8 --no-sync >/dev/null
pg_start primary "$PG_PRIMARY"
as_pg "$PGBIN/psql" -q -h 127.0.0.1 -p "$PG_PRIMARY" -U postgres -c "CREATE DATABASE otas" >&2

say "== migrate and load the demo data on the primary"
DATABASE_URL=$PRIMARY_URL OTAS__LOG__LEVEL=warn "$BIN" migrate >&2
DATABASE_URL=$PRIMARY_URL JWT_SECRET=$SECRET OTAS__LOG__LEVEL=warn OTAS__SERVER__PORT=$LB_PORT "$BIN" seed-demo > "$DIR/demo.txt"

say "== streaming standby on :$PG_STANDBY (pg_basebackup -R)"
as_pg "$PGBIN/pg_basebackup" -D "$DIR/standby" -R -c fast -X stream -h 127.0.0.1 -p "$PG_PRIMARY" -U postgres --no-sync
pg_start standby "$PG_STANDBY"

for n in 1 2; do
  say "== otas-server replica $n on :$((REPLICA_BASE + n))"
  start_replica "$n"
done
for n in 1 2; do wait_ready "$((REPLICA_BASE + n))"; done

start_haproxy

say "== up: HAProxy :$LB_PORT -> otas-server :$((REPLICA_BASE + 1)), :$((REPLICA_BASE + 2)) -> primary :$PG_PRIMARY (writes), standby :$PG_STANDBY (reads)"
cat "$DIR/demo.txt"
