# Shared by ha/up.sh, check.sh and down.sh: ports, paths, the nodes' users,
# helpers. Builds on cluster/common.sh (say, wait_ready, the binary, the
# PostgreSQL tools) with ports and a directory of its own, so that `make ha`
# and `make cluster` can run side by side.
source cluster/common.sh

DIR=${HA_DIR:-/tmp/otas-ha}
LB_PORT=${HA_PORT:-18100}              # HAProxy; the service replicas on the next two ports
REPLICA_BASE=$LB_PORT
MONITOR_PORT=${HA_PG_PORT:-16500}      # the pg_auto_failover monitor; nodes a and b on the next two
NODES=(a b)
# Every node runs as a user of its own, so that `ha-check` can cut one
# node's traffic off (iptables matches the sender's user on loopback, where
# every node shares 127.0.0.1) without touching the other's.
node_user() { echo "otas-ha-$1"; }
node_port() { case "$1" in a) echo $((MONITOR_PORT + 1)) ;; b) echo $((MONITOR_PORT + 2)) ;; esac; }
MONITOR_URL="postgres://autoctl_node@127.0.0.1:$MONITOR_PORT/pg_auto_failover?sslmode=disable"
HOSTS="127.0.0.1:$(node_port a),127.0.0.1:$(node_port b)"
# What the service is given: every node, libpq keeps the one that takes
# writes (read-write) or, for reads, a standby when one is up (prefer-standby).
PRIMARY_URL="postgres://otas@$HOSTS/otas?target_session_attrs=read-write&sslmode=disable"
READ_URL="postgres://otas@$HOSTS/otas?target_session_attrs=prefer-standby&sslmode=disable"
# The iptables chain ha-check fills to cut a node off, and ha-down empties.
CHAIN=OTAS_HA
# pg_autoctl keeps its configuration, state and pid files under XDG
# directories: each node's live in its own directory.
XPATH=$PGBIN:/usr/local/bin:/usr/bin:/bin

# The command prefix that runs a command as `who` (monitor, a or b), with
# its own directories, in the array RUN_AS.
run_as() { # who
  local user home=$DIR/$1
  if [ "$1" = monitor ]; then user=postgres; else user=$(node_user "$1"); fi
  RUN_AS=(runuser -u "$user" -- env HOME="$home" XDG_CONFIG_HOME="$home/config"
    XDG_DATA_HOME="$home/share" XDG_RUNTIME_DIR="$home/run" PGHOST="$home/sock"
    PG_REGRESS_SOCK_DIR="$home/sock" PATH="$XPATH")
}

as_node() { # who command...
  run_as "$1"
  shift
  "${RUN_AS[@]}" "$@"
}

# The pids of every process of node `who` (its pg_autoctl and its postgres).
node_pids() { # who
  ps -o pid= -u "$(node_user "$1")" 2>/dev/null | tr -d ' ' || true
}

# Starts `who`'s pg_autoctl (which starts and watches its postgres) in the
# background, in a session of its own; its pid in $DIR/$who.pid.
start_node() { # who
  run_as "$1"
  setsid "${RUN_AS[@]}" pg_autoctl run --pgdata "$DIR/$1/data" >> "$DIR/$1.log" 2>&1 < /dev/null &
  echo $! > "$DIR/$1.pid"
}

# psql on the node that listens on `port`, as the service's role.
sql_on() { # port sql
  "$PGBIN/psql" -X -q -At -h 127.0.0.1 -p "$1" -U otas -d otas -v ON_ERROR_STOP=1 -c "$2"
}

# The monitor's view: `name state` per line (reported state).
node_states() {
  "$PGBIN/psql" -X -At -h 127.0.0.1 -p "$MONITOR_PORT" -U autoctl_node -d pg_auto_failover -F ' ' \
    -c "SELECT nodename, reportedstate, goalstate FROM pgautofailover.node ORDER BY nodename" 2>/dev/null || true
}

# Which node the monitor holds as primary (nothing while none is).
primary_node() {
  node_states | awk '$2 == "primary" && $3 == "primary" { sub("node-", "", $1); print $1 }'
}

# Waits until the formation is healthy again: one primary and one secondary,
# each in the state the monitor assigned it.
wait_healthy() { # seconds
  for _ in $(seq 1 $(($1 * 2))); do
    local states
    states=$(node_states)
    if [ "$(echo "$states" | awk '$2 == $3 && ($2 == "primary" || $2 == "secondary")' | wc -l)" = 2 ]; then
      return 0
    fi
    sleep 0.5
  done
  say "the formation is not healthy after $1 s:"; node_states >&2; return 1
}

start_service() { # n
  local port=$((REPLICA_BASE + $1))
  DATABASE_URL=$PRIMARY_URL OTAS__DATABASE__REPLICA_URLS=$READ_URL JWT_SECRET=$SECRET \
    OTAS__SERVER__PORT=$port OTAS__LOG__LEVEL=warn OTAS__SERVER__SHUTDOWN_GRACE_SECONDS=10 \
    OTAS__DATABASE__CONNECTION_TIMEOUT_MS=${HA_CONNECTION_TIMEOUT_MS:-2000} \
    nohup "$BIN" serve >> "$DIR/replica-$1.log" 2>&1 &
  echo $! > "$DIR/replica-$1.pid"
}
