# Shared by cluster/up.sh, check.sh and down.sh: ports, paths, helpers.
DIR=${CLUSTER_DIR:-/tmp/otas-cluster}
LB_PORT=${CLUSTER_PORT:-18000}
REPLICA_BASE=$((LB_PORT))
PG_PRIMARY=${CLUSTER_PG_PORT:-15432}
PG_STANDBY=$((PG_PRIMARY + 1))
PRIMARY_URL="postgres://postgres@127.0.0.1:$PG_PRIMARY/otas?sslmode=disable"
STANDBY_URL="postgres://postgres@127.0.0.1:$PG_STANDBY/otas?sslmode=disable"
# Development secret of the cluster's own demo data: never in production.
SECRET=cluster-demo-secret-not-for-production-000000
BIN=$PWD/target/release/otas-server
PGBIN=$(pg_config --bindir 2>/dev/null || true)
[ -x "$PGBIN/initdb" ] || PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)

say() { printf '%s\n' "$*" >&2; }

# Starts HAProxy on $LB_PORT in front of the replicas on the two ports after
# it (cluster/haproxy.cfg.in), routing by path as production does: this
# service's two prefixes to the replicas, every other path to UASAM
# (CLUSTER_UASAM=host:port, or a stub on $LB_PORT + 9 answering a JSON 404
# that names itself). Returns once the routing answers, checked on one path
# of each side.
start_haproxy() {
  local uasam=${CLUSTER_UASAM:-}
  if [ -z "$uasam" ]; then
    local stub_port=$((LB_PORT + 9))
    uasam=127.0.0.1:$stub_port
    say "== UASAM stub on :$stub_port (the paths this service does not serve)"
    nohup python3 cluster/uasam_stub.py "$stub_port" >> "$DIR/uasam-stub.log" 2>&1 &
    echo $! > "$DIR/uasam-stub.pid"
  fi
  say "== HAProxy on :$LB_PORT"
  sed -e "s/@LB_PORT@/$LB_PORT/" -e "s/@R1@/$((REPLICA_BASE + 1))/" -e "s/@R2@/$((REPLICA_BASE + 2))/" \
    -e "s|@DIR@|$DIR|" -e "s|@UASAM@|$uasam|" cluster/haproxy.cfg.in > "$DIR/haproxy.cfg"
  haproxy -c -q -f "$DIR/haproxy.cfg" || { haproxy -c -f "$DIR/haproxy.cfg"; return 1; }
  haproxy -D -f "$DIR/haproxy.cfg" -p "$DIR/haproxy.pid"
  local code
  for _ in $(seq 1 100); do
    code=$(curl -s --max-time 1 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$LB_PORT/api/agent/v1/sessions/list/")
    [ "$code" != 000 ] && [ "$code" != 503 ] && break
    sleep 0.1
  done
  for path in /api/agent/v1/sessions/list/ /api/project/v1/sdk/backend/key/list/ /api/user/v1/login/ /api/project/v1/create/ /readyz; do
    say "   $path -> $(routed_to "$path")"
  done
  [ "$(routed_to /api/agent/v1/sessions/list/)" = otas ] || { say "HAProxy does not route /api/agent/ to otas-server"; return 1; }
}

# Who answered a path through HAProxy: "otas" or "uasam-stub".
routed_to() { # path
  curl -s --max-time 2 -o /dev/null -D - "http://127.0.0.1:$LB_PORT$1" \
    | grep -qi '^x-served-by: uasam-stub' && echo uasam-stub || echo otas
}

# Ends an up script at once when its cluster is already up (HAProxy runs),
# printing its demo lines again.
exit_if_up() { # what ("the cluster") how-to-stop ("make cluster-down")
  if [ -f "$DIR/haproxy.pid" ] && kill -0 "$(cat "$DIR/haproxy.pid")" 2>/dev/null; then
    say "$1 is already up ($2 stops it)"
    cat "$DIR/demo.txt"
    exit 0
  fi
}

# The end of a down script: removes $DIR, or with KEEP=1 keeps its files
# (logs, data) and drops only the pid files.
remove_dir() { # what ("cluster")
  if [ "${KEEP:-0}" = 1 ]; then
    rm -f "$DIR"/*.pid
    say "$1 stopped (its files stay in $DIR)"
  else
    rm -rf "$DIR"
    say "$1 stopped; $DIR removed"
  fi
}

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
