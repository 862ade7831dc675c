#!/usr/bin/env bash
# `make ha`: on loopback, PostgreSQL under pg_auto_failover (Debian's
# postgresql-15-auto-failover): a monitor, a primary and its synchronous
# standby, each node a pg_autoctl keeper that runs and watches its postgres,
# as a user of its own. Two otas-server replicas are given every node in one
# libpq URL (writes: target_session_attrs=read-write; reads: prefer-standby),
# so that they follow a failover without a restart, and HAProxy sits in
# front as in `make cluster`. The monitor's and keepers' timings are
# shortened so that a lost primary is replaced within about 10 s (the
# settings and why: docs/scaling.md). Everything lives under $HA_DIR
# (default /tmp/otas-ha); `make ha-down` stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
source ha/common.sh

exit_if_up "the HA cluster" "make ha-down"

say "== build (release)"
cargo build --release --locked -p otas-server >&2

# What an earlier, interrupted start left running is stopped first.
[ -d "$DIR" ] && bash ha/down.sh 2>/dev/null
for node in "${NODES[@]}"; do
  id "$(node_user "$node")" >/dev/null 2>&1 ||
    useradd --system --no-create-home --shell /usr/sbin/nologin "$(node_user "$node")"
done
rm -rf "$DIR" && mkdir -p "$DIR" && chmod 755 "$DIR"
for who in monitor "${NODES[@]}"; do
  mkdir -p "$DIR/$who/run" "$DIR/$who/sock"
  if [ "$who" = monitor ]; then owner=postgres; else owner=$(node_user "$who"); fi
  chown -R "$owner:" "$DIR/$who"
done

wait_port() { # port seconds
  for _ in $(seq 1 $(($2 * 5))); do "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$1" && return 0; sleep 0.2; done
  say "nothing answers on :$1 after $2 s"; return 1
}

say "== pg_auto_failover monitor on :$MONITOR_PORT"
as_node monitor pg_autoctl create monitor --pgdata "$DIR/monitor/data" --pgport "$MONITOR_PORT" \
  --hostname 127.0.0.1 --auth trust --no-ssl >> "$DIR/monitor.log" 2>&1
start_node monitor
wait_port "$MONITOR_PORT" 30
# The monitor's failure detection (defaults: 5 s checks, 20 s without a
# keeper's report, 30 s for a lost primary to demote itself): a primary
# gone for 3 s with its health checks failing is replaced, after a 4 s
# wait for it to stop itself (its keeper does so after 3 s cut off).
monitor_setting() { "$PGBIN/psql" -X -q -h 127.0.0.1 -p "$MONITOR_PORT" -U postgres -d pg_auto_failover -c "ALTER SYSTEM SET $1"; }
monitor_setting "pgautofailover.health_check_period = 1000"
monitor_setting "pgautofailover.health_check_timeout = 1000"
monitor_setting "pgautofailover.health_check_max_retries = 1"
monitor_setting "pgautofailover.health_check_retry_delay = 500"
monitor_setting "pgautofailover.node_considered_unhealthy_timeout = 3000"
monitor_setting "pgautofailover.primary_demote_timeout = 4000"
"$PGBIN/psql" -X -q -h 127.0.0.1 -p "$MONITOR_PORT" -U postgres -d pg_auto_failover -c "SELECT pg_reload_conf()" >/dev/null

create_node() { # who
  local pgdata=$DIR/$1/data
  as_node "$1" pg_autoctl create postgres --pgdata "$pgdata" --pgport "$(node_port "$1")" \
    --hostname 127.0.0.1 --listen 127.0.0.1 --auth trust --no-ssl --monitor "$MONITOR_URL" \
    --name "node-$1" --dbname otas >> "$DIR/$1.log" 2>&1
  # A primary cut off from the monitor and its standby stops itself after
  # 3 s (default 20 s), within the monitor's 4 s wait; a standby being
  # promoted waits at most 2 s for its WAL receiver to stop (default 5 s).
  as_node "$1" pg_autoctl config set --pgdata "$pgdata" timeout.network_partition_timeout 3 >/dev/null
  as_node "$1" pg_autoctl config set --pgdata "$pgdata" timeout.prepare_promotion_walreceiver 2 >/dev/null
  start_node "$1"
}

say "== node a (the first primary) on :$(node_port a)"
create_node a
for _ in $(seq 1 150); do [ "$(node_states | awk '$1 == "node-a" { print $2 }')" = single ] && break; sleep 0.2; done
wait_port "$(node_port a)" 30
# The service's own role, owner of its database. Each node's pg_autoctl
# connects as its system user, which initdb made node a's superuser: node
# b's is made here too, and comes with the base backup. A standby's WAL receiver and a primary's sender
# notice a silent peer within 3 s (default 60 s), so that a standby cut off
# from its primary can be promoted without waiting out the minute; the
# standby copies these settings with the base backup.
"$PGBIN/psql" -X -q -h 127.0.0.1 -p "$(node_port a)" -U "$(node_user a)" -d otas \
  -c "CREATE ROLE \"$(node_user b)\" SUPERUSER LOGIN" -c "CREATE ROLE otas LOGIN" -c "ALTER DATABASE otas OWNER TO otas" \
  -c "ALTER SYSTEM SET wal_receiver_timeout = '3s'" -c "ALTER SYSTEM SET wal_sender_timeout = '3s'" \
  -c "SELECT pg_reload_conf()" >/dev/null

say "== migrate and load the demo data (through the service's multi-host URL)"
DATABASE_URL=$PRIMARY_URL OTAS__LOG__LEVEL=warn "$BIN" migrate >&2
DATABASE_URL=$PRIMARY_URL JWT_SECRET=$SECRET OTAS__LOG__LEVEL=warn OTAS__SERVER__PORT=$LB_PORT "$BIN" seed-demo > "$DIR/demo.txt"

say "== node b (its synchronous standby, pg_basebackup by pg_autoctl) on :$(node_port b)"
create_node b
wait_healthy 180
say "primary's synchronous_standby_names: $(sql_on "$(node_port a)" "SHOW synchronous_standby_names")"

for n in 1 2; do
  say "== otas-server replica $n on :$((REPLICA_BASE + n))"
  start_service "$n"
done
for n in 1 2; do wait_ready "$((REPLICA_BASE + n))"; done

start_haproxy

say "== up: HAProxy :$LB_PORT -> otas-server :$((REPLICA_BASE + 1)), :$((REPLICA_BASE + 2)) -> nodes $HOSTS (monitor :$MONITOR_PORT)"
as_node monitor pg_autoctl show state --pgdata "$DIR/monitor/data" >&2 || true
cat "$DIR/demo.txt"
