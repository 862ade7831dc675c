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

if [ -f "$DIR/haproxy.pid" ] && kill -0 "$(cat "$DIR/haproxy.pid")" 2>/dev/null; then
  say "the cluster is already up (make cluster-down stops it)"
  cat "$DIR/demo.txt"
  exit 0
fi

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

if [ -z "${CLUSTER_UASAM:-}" ]; then
  say "== UASAM stub on :$UASAM_STUB_PORT (the paths this service does not serve)"
  nohup python3 cluster/uasam_stub.py "$UASAM_STUB_PORT" >> "$DIR/uasam-stub.log" 2>&1 &
  echo $! > "$DIR/uasam-stub.pid"
fi

say "== HAProxy on :$LB_PORT"
sed -e "s/@LB_PORT@/$LB_PORT/" -e "s/@R1@/$((REPLICA_BASE + 1))/" -e "s/@R2@/$((REPLICA_BASE + 2))/" \
  -e "s|@DIR@|$DIR|" -e "s|@UASAM@|$UASAM|" cluster/haproxy.cfg.in > "$DIR/haproxy.cfg"
haproxy -c -q -f "$DIR/haproxy.cfg" || { haproxy -c -f "$DIR/haproxy.cfg"; exit 1; }
haproxy -D -f "$DIR/haproxy.cfg" -p "$DIR/haproxy.pid"
# Through HAProxy only this service's two prefixes reach a replica: the
# routing is checked on one path of each side.
routed_to() { # path: "otas" or "uasam-stub", by who answered
  curl -s --max-time 2 -o /dev/null -D - "http://127.0.0.1:$LB_PORT$1" \
    | grep -qi '^x-served-by: uasam-stub' && echo uasam-stub || echo otas
}
for _ in $(seq 1 100); do
  code=$(curl -s --max-time 1 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$LB_PORT/api/agent/v1/sessions/list/")
  [ "$code" != 000 ] && [ "$code" != 503 ] && break
  sleep 0.1
done
for path in /api/agent/v1/sessions/list/ /api/project/v1/sdk/backend/key/list/ /api/user/v1/login/ /api/project/v1/create/ /readyz; do
  say "   $path -> $(routed_to "$path")"
done
[ "$(routed_to /api/agent/v1/sessions/list/)" = otas ] || { say "HAProxy does not route /api/agent/ to otas-server"; exit 1; }

say "== up: HAProxy :$LB_PORT -> otas-server :$((REPLICA_BASE + 1)), :$((REPLICA_BASE + 2)) -> primary :$PG_PRIMARY (writes), standby :$PG_STANDBY (reads)"
cat "$DIR/demo.txt"
