# Shared by cluster/up.sh, check.sh and down.sh: ports, paths, helpers.
DIR=${CLUSTER_DIR:-/tmp/otas-cluster}
LB_PORT=${CLUSTER_PORT:-18000}
REPLICA_BASE=$((LB_PORT))
PG_PRIMARY=${CLUSTER_PG_PORT:-15432}
PG_STANDBY=$((PG_PRIMARY + 1))
# Where the paths this service does not serve go: a real UASAM, or a stub.
UASAM_STUB_PORT=$((LB_PORT + 9))
UASAM=${CLUSTER_UASAM:-127.0.0.1:$UASAM_STUB_PORT}
PRIMARY_URL="postgres://postgres@127.0.0.1:$PG_PRIMARY/otas?sslmode=disable"
STANDBY_URL="postgres://postgres@127.0.0.1:$PG_STANDBY/otas?sslmode=disable"
# Development secret of the cluster's own demo data: never in production.
SECRET=cluster-demo-secret-not-for-production-000000
BIN=$PWD/target/release/otas-server
PGBIN=$(pg_config --bindir 2>/dev/null || true)
[ -x "$PGBIN/initdb" ] || PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)

say() { printf '%s\n' "$*" >&2; }

# Sends TERM to the process in a pid file and waits for it to exit; KILL
# after grace seconds (a replica drains its requests within its shutdown
# grace, 10 s).
stop_pid() { # pidfile grace
  local pid
  [ -f "$1" ] || return 0
  pid=$(cat "$1")
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 $(($2 * 10))); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  say "$(basename "$1" .pid) (pid $pid) still running after $2 s: killing it"
  kill -s KILL "$pid" 2>/dev/null
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
}

# PostgreSQL refuses to run as root: its files and processes belong to postgres.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
chown_pg() { if [ "$(id -u)" = 0 ]; then chown -R postgres:postgres "$1"; fi; }

pg_start() { # name port
  as_pg "$PGBIN/pg_ctl" -D "$DIR/$1" -l "$DIR/$1.log" -w start \
    -o "-p $2 -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off" >/dev/null
}

start_replica() { # n
  local port=$((REPLICA_BASE + $1))
  DATABASE_URL=$PRIMARY_URL OTAS__DATABASE__REPLICA_URLS=$STANDBY_URL JWT_SECRET=$SECRET \
    OTAS__SERVER__PORT=$port OTAS__LOG__LEVEL=warn OTAS__SERVER__SHUTDOWN_GRACE_SECONDS=10 \
    nohup "$BIN" serve >> "$DIR/replica-$1.log" 2>&1 &
  echo $! > "$DIR/replica-$1.pid"
}

wait_ready() { # port [path]: until GET path (default /readyz) answers 200
  for _ in $(seq 1 100); do
    [ "$(curl -s --max-time 1 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1${2:-/readyz}")" = 200 ] && return 0
    sleep 0.1
  done
  say "nothing ready on :$1${2:-/readyz} after 10 s"; return 1
}
