#!/usr/bin/env bash
# `make bench`: builds otas-server in release, creates and fills its own
# database, starts the server, measures it against PostgreSQL's own limits in
# the same run, prints a table and writes it to bench/results/latest.md.
#
# Environment: BENCH_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres),
# BENCH_DURATION seconds per load run (default 10), BENCH_PORT (default 18181).
set -euo pipefail
cd "$(dirname "$0")/.."

ADMIN_URL=${BENCH_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
DB=otas_bench
# Server and pgbench connect alike: plain TCP on loopback (no TLS to pay twice).
DB_URL=${ADMIN_URL%/*}/$DB?sslmode=disable
DURATION=${BENCH_DURATION:-10}
PORT=${BENCH_PORT:-18181}
CONNS=16
THREADS=2
SECRET=bench-secret-not-for-production
WORK=bench/work
OUT=bench/results/latest.md
mkdir -p "$WORK" bench/results

PROJECT=b0000000-0000-4000-8000-000000000001
A100=a0000000-0000-4000-8000-000000000100
A10K=a0000000-0000-4000-8000-000000010000
A1M=a0000000-0000-4000-8000-000001000000
FOREIGN=a0000000-0000-4000-8000-0000000000ff
BASE="http://127.0.0.1:$PORT/api/agent/v1/sessions/list/"

say() { printf '%s\n' "$*" >&2; }

# A user token for Ada, HS256 with the bench secret (what UASAM's login issues).
TOKEN=$(python3 - "$SECRET" <<'PY'
import base64, hashlib, hmac, json, sys, time
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
claims = b64(json.dumps({"user_id": "11111111-1111-1111-1111-111111111111", "email": "ada@example.com",
                         "exp": int(time.time()) + 86400, "iat": int(time.time())}).encode())
sig = hmac.new(sys.argv[1].encode(), f"{header}.{claims}".encode(), hashlib.sha256).digest()
print(f"{header}.{claims}.{b64(sig)}")
PY
)
HDR=(-H "X-OTAS-USER-TOKEN: $TOKEN" -H "X-OTAS-PROJECT-ID: $PROJECT")

say "== build (release)"
cargo build --release --locked -p otas-server >&2
BIN=target/release/otas-server

say "== database $DB: create, migrate, fill (agents with 100, 10,000 and 1,000,000 sessions)"
psql -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" >&2
DATABASE_URL=$DB_URL OTAS__LOG__LEVEL=warn $BIN migrate >&2
fill_started=$(date +%s.%N)
psql -q -v ON_ERROR_STOP=1 "$DB_URL" -f bench/fill.sql >&2
say "   filled in $(python3 -c "print(round($(date +%s.%N) - $fill_started, 1))") s"

say "== start otas-server on :$PORT"
DATABASE_URL=$DB_URL JWT_SECRET=$SECRET OTAS__SERVER__PORT=$PORT OTAS__LOG__LEVEL=warn \
  OTAS__DATABASE__MAX_CONNECTIONS=$CONNS $BIN serve > "$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -s -o /dev/null "$BASE" && break; sleep 0.1; done

# PostgreSQL's postmaster: the parent of its checkpointer. Its children are
# the backends whose CPU bench/cpu.py counts.
POSTMASTER=$(awk '{print $4}' "/proc/$(psql -At "$DB_URL" -c "SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'")/stat")

# wrk: "req/s p50 p99 non-2xx" (latencies in ms); with CPU=1, then the
# server's and PostgreSQL's CPU per request in µs (bench/cpu.py, from /proc).
load() { # url [extra wrk args...]
  local url=$1 before="" cpu=""; shift
  [ -z "${CPU:-}" ] || before=$(python3 bench/cpu.py snapshot "$SERVER" "$POSTMASTER")
  wrk -t$THREADS -c$CONNS -d"${LOAD_SECONDS:-$DURATION}s" --latency "${HDR[@]}" "$@" "$url" > "$WORK/wrk.txt"
  if [ -n "${CPU:-}" ]; then
    cpu=$(python3 bench/cpu.py per-request "$before" "$(python3 bench/cpu.py snapshot "$SERVER" "$POSTMASTER")" \
      "$(sed -n 's/^ *\([0-9]*\) requests in .*/\1/p' "$WORK/wrk.txt")")
  fi
  python3 - "$WORK/wrk.txt" "$cpu" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def ms(label):
    m = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    v, unit = float(m.group(1)), m.group(2)
    return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
print(f"{rps:.0f}" if rps >= 100 else f"{rps:.1f}", f"{ms(50):.2f} {ms(99):.2f} {non2xx.group(1) if non2xx else 0}", sys.argv[2])
PY
}
status_of() { curl -s -o /dev/null -w '%{http_code}' "${HDR[@]}" "$@"; }

say "== list of 100 sessions under load (wrk -t$THREADS -c$CONNS -d${DURATION}s)"
[ "$(status_of "$BASE?agent_id=$A100")" = 200 ] || { say "the list does not answer 200"; exit 1; }
read -r LIST_RPS LIST_P50 LIST_P99 LIST_BAD LIST_CPU_SERVER LIST_CPU_PG < <(CPU=1 load "$BASE?agent_id=$A100")

say "== a page of 2 sessions under the same load"
read -r PAGE2_RPS _ _ PAGE2_BAD PAGE2_CPU_SERVER PAGE2_CPU_PG < <(CPU=1 load "$BASE?agent_id=$A100&limit=2")

say "== pgbench: the service's listing SQL, same concurrency"
cat > "$WORK/listing.sql" <<SQL
SELECT id, agent_key_id, created_at, meta::text FROM agent_session
WHERE agent_id = '$A100' ORDER BY created_at DESC, id DESC LIMIT 1000;
SQL
PGB_TPS=$(pgbench -n -M prepared -c $CONNS -j $THREADS -T "$DURATION" -f "$WORK/listing.sql" "$DB_URL" 2>/dev/null \
  | sed -n 's/^tps = \([0-9]*\).* .*/\1/p' | tail -1)

say "== 403 path under the same load"
[ "$(status_of "$BASE?agent_id=$FOREIGN")" = 403 ] || { say "the foreign agent does not answer 403"; exit 1; }
read -r DENY_RPS DENY_P50 DENY_P99 _ < <(load "$BASE?agent_id=$FOREIGN")

say "== full list of 1,000,000 sessions vs psql COPY of the same rows"
COPY_SQL="COPY (SELECT id, agent_key_id, created_at, meta FROM agent_session WHERE agent_id = '$A1M' ORDER BY created_at DESC, id DESC) TO STDOUT"
copy_started=$(date +%s.%N)
psql -q "$DB_URL" -c "$COPY_SQL" > /dev/null
COPY_S=$(python3 -c "print(round($(date +%s.%N) - $copy_started, 2))")
echo 5 > "/proc/$SERVER/clear_refs" 2>/dev/null || true   # reset the peak RSS counter
RSS_BEFORE_KB=$(awk '/VmRSS/ {print $2}' "/proc/$SERVER/status")
FULL=$(curl -s "${HDR[@]}" -o "$WORK/full.json" -w '%{http_code} %{time_total} %{size_download}' "$BASE?agent_id=$A1M")
read -r FULL_CODE FULL_S FULL_BYTES <<< "$FULL"
FULL_S=$(python3 -c "print(round($FULL_S, 2))")
PEAK_KB=$(awk '/VmHWM/ {print $2}' "/proc/$SERVER/status")
FULL_COUNT=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['response']['sessions']))" "$WORK/full.json")
rm -f "$WORK/full.json"

say "== a page of 100 at depth 900,000 vs the first page (p50, wrk -t1 -c1)"
CURSOR=$(python3 - "$BASE" "$A1M" "$TOKEN" "$PROJECT" <<'PY'
import json, sys, urllib.request
base, agent, token, project = sys.argv[1:]
cursor, read = None, 0
while read < 900_000:
    url = f"{base}?agent_id={agent}&limit=1000" + (f"&cursor={cursor}" if cursor else "")
    req = urllib.request.Request(url, headers={"X-OTAS-USER-TOKEN": token, "X-OTAS-PROJECT-ID": project})
    page = json.load(urllib.request.urlopen(req))["response"]
    read += len(page["sessions"])
    cursor = page["next_cursor"]
print(cursor)
PY
)
lat() { # url -> p50 ms at concurrency 1
  wrk -t1 -c1 -d"$((DURATION / 2 > 3 ? DURATION / 2 : 3))s" --latency "${HDR[@]}" "$1" > "$WORK/wrk1.txt"
  python3 - "$WORK/wrk1.txt" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
m = re.search(r"^\s*50%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
v, unit = float(m.group(1)), m.group(2)
print(f"{(v / 1000 if unit == 'us' else v * 1000 if unit == 's' else v):.2f}")
PY
}
FIRST_P50=$(lat "$BASE?agent_id=$A1M&limit=100")
DEEP_P50=$(lat "$BASE?agent_id=$A1M&limit=100&cursor=$CURSOR")

say "== 20,000 new sessions of that agent, not vacuumed: the meta index's pending list as steady writes leave it"
psql -q "$DB_URL" -c "INSERT INTO agent_session (id, created_at, meta, agent_id, agent_key_id)
  SELECT gen_random_uuid(), now(), jsonb_build_object('task', 'summarize', 'source', 'nightly', 'seq', -i,
         'trace_id', md5(i::text)), '$A1M', NULL FROM generate_series(1, 20000) AS i" >&2
PENDING_PAGES=$(psql -At "$DB_URL" -c "CREATE EXTENSION IF NOT EXISTS pageinspect" \
  -c "SELECT (gin_metapage_info(get_raw_page('agent_session_meta_idx', 0))).n_pending_pages" 2>/dev/null | tail -1)

say "== a page of 100: the 1,000,000-session agent vs the 10,000-session one, with and without meta filters (p50, wrk -t1 -c1)"
MATCH_ALL=$(python3 -c 'import urllib.parse; print(urllib.parse.quote("{\"source\":\"nightly\"}"))')
MATCH_ONE=$(python3 -c 'import urllib.parse; print(urllib.parse.quote("{\"seq\":500000}"))')
[ "$(curl -s "${HDR[@]}" "$BASE?agent_id=$A1M&limit=100&meta=$MATCH_ONE" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["response"]["sessions"]))')" = 1 ] \
  || { say "the 1-in-a-million filter does not keep exactly one session"; exit 1; }
SMALL_P50=$(lat "$BASE?agent_id=$A10K&limit=100")
BIG_P50=$(lat "$BASE?agent_id=$A1M&limit=100")
ALL_P50=$(lat "$BASE?agent_id=$A1M&limit=100&meta=$MATCH_ALL")
ONE_P50=$(lat "$BASE?agent_id=$A1M&limit=100&meta=$MATCH_ONE")

say "== 304 revalidation vs 200 of the 10,000-session list"
ETAG=$(curl -s -D - -o /dev/null "${HDR[@]}" "$BASE?agent_id=$A10K" | sed -n 's/^etag: //Ip' | tr -d '\r')
[ "$(status_of -H "If-None-Match: $ETAG" "$BASE?agent_id=$A10K")" = 304 ] || { say "no 304 for the current ETag"; exit 1; }
read -r FULL10K_RPS _ _ _ < <(load "$BASE?agent_id=$A10K")
read -r NM_RPS _ _ _ NM_CPU_SERVER NM_CPU_PG < <(CPU=1 load "$BASE?agent_id=$A10K" -H "If-None-Match: $ETAG")

say "== session creations with one agent key: verified keys cached vs every call running PBKDF2"
# A key of the 100-session agent, hashed as Django hashes it (720,000 rounds).
AGENT_KEY=agent_benchkey0001_QmVuY2hLZXktTm90Rm9yUHJvZHVjdGlvbi0wMDAwMDE
django_hash() { # key: Django's make_password of it, 720,000 rounds
  python3 - "$1" <<'PY'
import base64, hashlib, sys
salt = "benchsalt0000001"
digest = hashlib.pbkdf2_hmac("sha256", sys.argv[1].encode(), salt.encode(), 720000, 32)
print(f"pbkdf2_sha256$720000${salt}${base64.b64encode(digest).decode()}")
PY
}
KEY_HASH=$(django_hash "$AGENT_KEY")
psql -q "$DB_URL" -c "INSERT INTO agent_key (id, prefix, hashed_key, name, created_at, active, agent_id)
  VALUES (gen_random_uuid(), 'benchkey0001', '$KEY_HASH', 'bench', now(), true, '$A100')" >&2
cat > "$WORK/create.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"meta": {"bench": true}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-OTAS-AGENT-KEY"] = "$AGENT_KEY"
LUA
CREATE="http://127.0.0.1:$PORT/api/agent/v1/session/create/"
[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "X-OTAS-AGENT-KEY: $AGENT_KEY" -d '{}' "$CREATE")" = 200 ] \
  || { say "session creation does not answer 200"; exit 1; }
read -r WARM_RPS _ WARM_P99 WARM_BAD WARM_CPU_SERVER WARM_CPU_PG < <(CPU=1 load "$CREATE" -s "$WORK/create.lua")

say "== auth/verify with that key (warm), and the SDK-key check with 1 and with 1,000 SDK keys"
VERIFY="http://127.0.0.1:$PORT/api/agent/v1/auth/verify/"
printf 'wrk.method = "POST"\nwrk.body = "{}"\nwrk.headers["X-OTAS-AGENT-KEY"] = "%s"\n' "$AGENT_KEY" > "$WORK/verify.lua"
[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "X-OTAS-AGENT-KEY: $AGENT_KEY" -d '{}' "$VERIFY")" = 200 ] \
  || { say "auth/verify does not answer 200"; exit 1; }
read -r VERIFY_RPS _ VERIFY_P99 VERIFY_BAD VERIFY_CPU_SERVER VERIFY_CPU_PG < <(CPU=1 load "$VERIFY" -s "$WORK/verify.lua")
# Its one statement (the key by prefix, with its agent), as the server sends
# it; last_used_at is written at most once a minute per key.
cat > "$WORK/verify.sql" <<SQL
SELECT agent_key.id, agent_key.agent_id, agent_key.prefix, agent_key.hashed_key, agent_key.active,
       agent_key.revoked_at, agent_key.expires_at, agent_key.last_used_at,
       agent.name, agent.provider, agent.project_id, agent.is_active
FROM agent_key INNER JOIN agent ON agent_key.agent_id = agent.id
WHERE agent_key.prefix = 'benchkey0001';
SQL
PGB_VERIFY_TPS=$(pgbench -n -M prepared -c $CONNS -j $THREADS -T "$DURATION" -f "$WORK/verify.sql" "$DB_URL" 2>/dev/null \
  | sed -n 's/^tps = \([0-9]*\).* .*/\1/p' | tail -1)
SDK="http://127.0.0.1:$PORT/api/project/v1/sdk/backend/key/authenticate/"
SDK_KEY=otas_benchsdk0000_QmVuY2hTZGtLZXktTm90Rm9yUHJvZHVjdGlvbi0wMDA
SDK_HASH=$(django_hash "$SDK_KEY")
psql -q "$DB_URL" -c "INSERT INTO backend_api_keys (id, prefix, hashed_key, name, created_at, active, project_id)
  VALUES (gen_random_uuid(), 'benchsdk0000', '$SDK_HASH', 'bench', now(), true, '$PROJECT')" >&2
printf 'wrk.method = "POST"\nwrk.headers["X-OTAS-SDK-KEY"] = "%s"\n' "$SDK_KEY" > "$WORK/sdk.lua"
[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "X-OTAS-SDK-KEY: $SDK_KEY" "$SDK")" = 200 ] \
  || { say "the SDK-key check does not answer 200"; exit 1; }
# 1 key, then 999 more active keys of the same project (UASAM would hash
# against each), in turn, three rounds of a third of the time each: the
# machine's drift over a minute (autovacuum after the creations above, other
# load) moves both sides alike. The table is analyzed after each change, as
# autovacuum does within a minute in production: with the statistics of one
# row the planner would walk the project's keys rather than the prefix index
# (0.29 ms against 0.013 ms; EXPLAIN ANALYZE on 2026-12-05).
sdk_one() {
  psql -q "$DB_URL" -c "DELETE FROM backend_api_keys WHERE prefix <> 'benchsdk0000'" >&2
  psql -q "$DB_URL" -c "VACUUM ANALYZE backend_api_keys" >&2
}
sdk_thousand() {
  psql -q "$DB_URL" -c "INSERT INTO backend_api_keys (id, prefix, hashed_key, name, created_at, active, project_id)
    SELECT gen_random_uuid(), 'benchsdk' || lpad(i::text, 4, '0'), '$SDK_HASH', 'bench', now(), true, '$PROJECT'
    FROM generate_series(1, 999) AS i" >&2
  psql -q "$DB_URL" -c "ANALYZE backend_api_keys" >&2
}
SDK_ROUND=$(( DURATION / 3 > 2 ? DURATION / 3 : 2 ))
SDK1=() SDK1K=()
for _ in 1 2 3; do
  sdk_one
  SDK1+=("$(LOAD_SECONDS=$SDK_ROUND load "$SDK" -s "$WORK/sdk.lua")")
  sdk_thousand
  [ "$(psql -At "$DB_URL" -c "SELECT count(*) FROM backend_api_keys WHERE project_id = '$PROJECT' AND active")" = 1000 ] \
    || { say "the project does not have 1,000 active SDK keys"; exit 1; }
  SDK1K+=("$(LOAD_SECONDS=$SDK_ROUND load "$SDK" -s "$WORK/sdk.lua")")
done
# "req/s p99 non-2xx" over the rounds: mean req/s, worst p99, all non-2xx.
rounds() { python3 -c '
import sys
rows = [line.split() for line in sys.argv[1:]]
print(f"{sum(float(r[0]) for r in rows) / len(rows):.0f}", max(float(r[2]) for r in rows), sum(int(r[3]) for r in rows))' "$@"; }
read -r SDK1_RPS SDK1_P99 SDK1_BAD < <(rounds "${SDK1[@]}")
read -r SDK1K_RPS SDK1K_P99 SDK1K_BAD < <(rounds "${SDK1K[@]}")

kill $SERVER 2>/dev/null || true
wait $SERVER 2>/dev/null || true

# Every call verifying: no cache, two clients (one per core: PBKDF2 takes a
# core), and waits long enough that no call is refused for being queued.
DATABASE_URL=$DB_URL JWT_SECRET=$SECRET OTAS__SERVER__PORT=$PORT OTAS__LOG__LEVEL=warn \
  OTAS__AGENT_KEYS__CACHE_CAPACITY=0 OTAS__AGENT_KEYS__VERIFICATION_WAIT_MS=60000 \
  $BIN serve > "$WORK/server-cold.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 50); do curl -s -o /dev/null "$BASE" && break; sleep 0.1; done
# Later wrk options win: one thread, two connections, long timeouts.
read -r COLD_RPS _ COLD_P99 COLD_BAD < <(load "$CREATE" -t1 -c2 --timeout 30s -s "$WORK/create.lua")
read -r COLD_VERIFY_RPS _ COLD_VERIFY_P99 COLD_VERIFY_BAD < <(load "$VERIFY" -t1 -c2 --timeout 30s -s "$WORK/verify.lua")
kill $SERVER 2>/dev/null || true
wait $SERVER 2>/dev/null || true

say "== the same PBKDF2 on its own (Django's pbkdf2_sha256, 720,000 rounds; 2 threads)"
cargo build --release --locked -p otas-auth-adapter --example pbkdf2_rate >&2
PBKDF2_RATE=$(target/release/examples/pbkdf2_rate 2 "$DURATION")

ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }
verdict() { python3 -c "print('met' if $1 else 'NOT met')"; }
LIST_RATIO=$(ratio "$LIST_RPS" "$PGB_TPS")
FULL_RATIO=$(ratio "$FULL_S" "$COPY_S")
PEAK_MB=$(python3 -c "print(round($PEAK_KB / 1024, 1))")
DEEP_RATIO=$(ratio "$DEEP_P50" "$FIRST_P50")
NM_RATIO=$(ratio "$NM_RPS" "$FULL10K_RPS")
BIG_RATIO=$(ratio "$BIG_P50" "$SMALL_P50")
ALL_RATIO=$(ratio "$ALL_P50" "$SMALL_P50")
ONE_RATIO=$(ratio "$ONE_P50" "$SMALL_P50")

{
  echo "# otas-server benchmark"
  echo
  echo "Run by \`make bench\` on $(date -u +%Y-%m-%dT%H:%MZ); machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB,"
  echo "$(psql -At "$DB_URL" -c 'SHOW server_version') PostgreSQL on 127.0.0.1; release build; load: wrk -t$THREADS -c$CONNS -d${DURATION}s,"
  echo "pgbench -c$CONNS -j$THREADS -T$DURATION -M prepared; both connect to PostgreSQL over loopback TCP without TLS; server, load generator and database share the machine."
  echo
  echo "| measure | result | reference | ratio | goal | verdict |"
  echo "|---|---|---|---|---|---|"
  echo "| list of 100 sessions | $LIST_RPS req/s (p50 $LIST_P50 ms, p99 $LIST_P99 ms) | pgbench listing SQL: $PGB_TPS tps | $LIST_RATIO | ≥ 0.50 | $(verdict "$LIST_RATIO >= 0.5") |"
  echo "| 403 path (agent of another project) | $DENY_RPS req/s (p50 $DENY_P50 ms, p99 $DENY_P99 ms) | | | | |"
  echo "| full list of 1,000,000 sessions | $FULL_S s, $FULL_COUNT sessions, $((FULL_BYTES / 1048576)) MiB, HTTP $FULL_CODE | psql COPY: $COPY_S s | $FULL_RATIO | ≤ 1.5 | $(verdict "$FULL_RATIO <= 1.5 and $FULL_COUNT == 1000000") |"
  echo "| server peak RSS during that list | $PEAK_MB MB (RSS before: $((RSS_BEFORE_KB / 1024)) MB) | | | ≤ 64 MB | $(verdict "$PEAK_MB <= 64") |"
  echo "| page of 100 at depth 900,000 | p50 $DEEP_P50 ms | first page: p50 $FIRST_P50 ms | $DEEP_RATIO | ≤ 2 | $(verdict "$DEEP_RATIO <= 2") |"
  echo "| page of 100, agent of 1,000,000 sessions | p50 $BIG_P50 ms | page of 100, agent of 10,000: p50 $SMALL_P50 ms | $BIG_RATIO | ≤ 1.5 | $(verdict "$BIG_RATIO <= 1.5") |"
  echo "| the same, meta filter keeping all (\`{\"source\":\"nightly\"}\`) | p50 $ALL_P50 ms | page of 100, agent of 10,000: p50 $SMALL_P50 ms | $ALL_RATIO | ≤ 2 | $(verdict "$ALL_RATIO <= 2") |"
  echo "| the same, meta filter keeping 1 in 1,000,000 (\`{\"seq\":500000}\`), 20,000 sessions since the last VACUUM ($PENDING_PAGES pending pages in the GIN index) | p50 $ONE_P50 ms | page of 100, agent of 10,000: p50 $SMALL_P50 ms | $ONE_RATIO | ≤ 3 | $(verdict "$ONE_RATIO <= 3") |"
  echo "| 304 revalidation, 10,000-session list | $NM_RPS req/s | 200 of the same list: $FULL10K_RPS req/s | $NM_RATIO | ≥ 5 | $(verdict "$NM_RATIO >= 5") |"
  echo "| session creation, one key, verified keys cached | $WARM_RPS creations/s (p99 $WARM_P99 ms, non-2xx $WARM_BAD) | every call running PBKDF2 (720,000 rounds; 2 clients): $COLD_RPS creations/s (p99 $COLD_P99 ms, non-2xx $COLD_BAD) | $(ratio "$WARM_RPS" "$COLD_RPS") | | |"
  echo "| \`auth/verify\`, one key, cached | $VERIFY_RPS req/s (p99 $VERIFY_P99 ms, non-2xx $VERIFY_BAD) | pgbench of its one statement: $PGB_VERIFY_TPS tps | $(ratio "$VERIFY_RPS" "$PGB_VERIFY_TPS") | ≥ 0.50 | $(verdict "$VERIFY_RPS / $PGB_VERIFY_TPS >= 0.5") |"
  echo "| \`auth/verify\`, every call running PBKDF2 (2 clients) | $COLD_VERIFY_RPS req/s (p99 $COLD_VERIFY_P99 ms, non-2xx $COLD_VERIFY_BAD) | the same PBKDF2 on its own, 2 threads: $PBKDF2_RATE hashes/s | $(ratio "$COLD_VERIFY_RPS" "$PBKDF2_RATE") | ≥ 0.90 | $(verdict "$COLD_VERIFY_RPS / $PBKDF2_RATE >= 0.9") |"
  echo "| SDK-key check, 1,000 SDK keys in the database (3 rounds, in turn with 1 key) | $SDK1K_RPS req/s (p99 $SDK1K_P99 ms, non-2xx $SDK1K_BAD) | 1 SDK key: $SDK1_RPS req/s (p99 $SDK1_P99 ms, non-2xx $SDK1_BAD) | $(ratio "$SDK1K_RPS" "$SDK1_RPS") | ≥ 0.80 (the same cost) | $(verdict "$SDK1K_RPS / $SDK1_RPS >= 0.8") |"
  [ "$LIST_BAD" = 0 ] || echo "| (non-2xx answers during the list load) | $LIST_BAD | | | | |"
  echo
  echo "CPU per request under the same load (wrk -t$THREADS -c$CONNS), from /proc: the server's process, and every"
  echo "child of PostgreSQL's postmaster (its backends, the server's pooled connections among them):"
  echo
  echo "| request | req/s | server µs/request | PostgreSQL µs/request | server / PostgreSQL | goal | verdict |"
  echo "|---|---|---|---|---|---|---|"
  cpu_row() { # name rps server pg goal-ratio|""
    local verdict="" goal=""
    [ -z "$5" ] || { goal="≤ $5"; verdict=$(verdict "$3 <= $5 * $4"); }
    echo "| $1 | $2 | $3 | $4 | $(ratio "$3" "$4") | $goal | $verdict |"
  }
  cpu_row "list of 100 sessions" "$LIST_RPS" "$LIST_CPU_SERVER" "$LIST_CPU_PG" 1
  cpu_row "page of 2 sessions" "$PAGE2_RPS" "$PAGE2_CPU_SERVER" "$PAGE2_CPU_PG" 1
  cpu_row "304 revalidation, 10,000-session list" "$NM_RPS" "$NM_CPU_SERVER" "$NM_CPU_PG" ""
  cpu_row "session creation, verified key cached" "$WARM_RPS" "$WARM_CPU_SERVER" "$WARM_CPU_PG" ""
  cpu_row "\`auth/verify\`, cached" "$VERIFY_RPS" "$VERIFY_CPU_SERVER" "$VERIFY_CPU_PG" ""
  [ "$PAGE2_BAD" = 0 ] || echo "| (non-2xx answers during the page of 2 load) | $PAGE2_BAD | | | | | |"
} > "$OUT"
cat "$OUT"
psql -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >&2
