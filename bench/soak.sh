#!/usr/bin/env bash
# `make soak`: a bounded load run on loopback. Builds otas-server in release,
# fills a database of its own (an agent with 10,000 sessions and a key),
# starts the server, then for SOAK_SECONDS (default 600) mixes whole lists,
# pages, filters, 304s, session creations and every error path under wrk,
# while stalled readers hold whole lists open. Reports the answers that were
# not expected (5xx, or a status outside the documented ones: must be 0),
# p99, and the server's RSS under load after a warm-up (SOAK_WARMUP, 90 s): 10 s
# into the run and 2 s before its end (growth < 10 %).
set -euo pipefail
cd "$(dirname "$0")/.."

ADMIN_URL=${BENCH_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
DB=otas_soak
DB_URL=${ADMIN_URL%/*}/$DB?sslmode=disable
SECONDS_TO_RUN=${SOAK_SECONDS:-600}
if [ "$SECONDS_TO_RUN" -lt 60 ]; then echo "SOAK_SECONDS must be at least 60" >&2; exit 2; fi
PORT=${SOAK_PORT:-18282}
STALLED=${SOAK_STALLED_READERS:-8}
SECRET=soak-secret-not-for-production-0123456789
WORK=bench/work
mkdir -p "$WORK"
PROJECT=b0000000-0000-4000-8000-000000000001
AGENT=a0000000-0000-4000-8000-000000010000
FOREIGN=a0000000-0000-4000-8000-0000000000ff
# Sessions are opened by another agent than the listed one: the listed data
# stays the same size, so that memory growth means a leak, not a list that
# grew by half over the run (a whole list's cost follows its length).
WRITER=a0000000-0000-4000-8000-000000000100
KEY=agent_soakkey00001_U29ha0tleS1Ob3RGb3JQcm9kdWN0aW9uLTAwMDAwMQ
say() { printf '%s\n' "$*" >&2; }

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
KEY_HASH=$(python3 - "$KEY" <<'PY'
import base64, hashlib, sys
salt = "soaksalt00000001"
digest = hashlib.pbkdf2_hmac("sha256", sys.argv[1].encode(), salt.encode(), 720000, 32)
print(f"pbkdf2_sha256$720000${salt}${base64.b64encode(digest).decode()}")
PY
)

say "== build (release)"
cargo build --release --locked -p otas-server >&2
BIN=target/release/otas-server

say "== database $DB"
psql -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" >&2
DATABASE_URL=$DB_URL OTAS__LOG__LEVEL=warn $BIN migrate >&2
# The benchmark's data, without its million-session agent.
sed '/000001000000.*1000000)/d' bench/fill.sql | psql -q -v ON_ERROR_STOP=1 "$DB_URL" >&2
psql -q "$DB_URL" -c "INSERT INTO agent_key (id, prefix, hashed_key, name, created_at, active, agent_id)
  VALUES (gen_random_uuid(), 'soakkey00001', '$KEY_HASH', 'soak', now(), true, '$WRITER')" >&2

say "== start otas-server on :$PORT"
DATABASE_URL=$DB_URL JWT_SECRET=$SECRET OTAS__SERVER__PORT=$PORT OTAS__LOG__LEVEL=warn \
  $BIN serve > "$WORK/soak-server.log" 2>&1 &
SERVER=$!
STALLED_PIDS=()
cleanup() { kill "$SERVER" "${STALLED_PIDS[@]}" 2>/dev/null || true; }
trap cleanup EXIT
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 1 50); do curl -s -o /dev/null "$BASE/healthz" && break; sleep 0.1; done
ETAG=$(curl -s -D - -o /dev/null -H "X-OTAS-USER-TOKEN: $TOKEN" -H "X-OTAS-PROJECT-ID: $PROJECT" \
  "$BASE/api/agent/v1/sessions/list/?agent_id=$AGENT&limit=50" | sed -n 's/^etag: //Ip' | tr -d '\r')

cat > "$WORK/soak.lua" <<LUA
-- Every request kind in turn; an answer outside the documented statuses,
-- or any 5xx, is unexpected.
local list = "/api/agent/v1/sessions/list/?agent_id=$AGENT"
local user = { ["X-OTAS-USER-TOKEN"] = "$TOKEN", ["X-OTAS-PROJECT-ID"] = "$PROJECT" }
local function with(extra)
  local h = {}
  for k, v in pairs(user) do h[k] = v end
  for k, v in pairs(extra or {}) do h[k] = v end
  return h
end
local kinds = {
  { "GET", list, with() },
  { "GET", list .. "&limit=50", with() },
  { "GET", list .. "&limit=50&order=asc&meta=%7B%22task%22%3A%22summarize%22%7D", with() },
  { "GET", list .. "&limit=50", with({ ["If-None-Match"] = '$ETAG' }) },
  { "GET", list .. "&limit=0", with() },
  { "GET", list, { ["X-OTAS-PROJECT-ID"] = "$PROJECT" } },
  { "GET", list, with({ ["X-OTAS-USER-TOKEN"] = "forged" }) },
  { "GET", "/api/agent/v1/sessions/list/?agent_id=$FOREIGN", with() },
  { "DELETE", list, with() },
  { "GET", "/nothing/here", {} },
  { "POST", "/api/agent/v1/session/create/", { ["X-OTAS-AGENT-KEY"] = "$KEY" }, '{"meta": {"soak": true}}' },
  { "POST", "/api/agent/v1/session/create/", { ["X-OTAS-AGENT-KEY"] = "agent_soakkey00001_wrong" }, '{}' },
  { "POST", "/api/agent/v1/user/authenticate/", with({ ["X-OTAS-AGENT-ID"] = "$AGENT" }) },
}
local documented = { [200]=1, [304]=1, [400]=1, [401]=1, [403]=1, [404]=1, [405]=1, [413]=1 }
local n = 0
local unexpected = 0
request = function()
  n = n + 1
  local k = kinds[(n % #kinds) + 1]
  return wrk.format(k[1], k[2], k[3], k[4])
end
response = function(status, headers, body)
  if status >= 500 or not documented[status] then unexpected = unexpected + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("UNEXPECTED %d\n", unexpected))
end
LUA

say "== $STALLED stalled readers of the whole list, then a warm-up (${SOAK_WARMUP:-90} s) of the mix"
for _ in $(seq 1 "$STALLED"); do
  curl -s --limit-rate 2k -o /dev/null -H "X-OTAS-USER-TOKEN: $TOKEN" -H "X-OTAS-PROJECT-ID: $PROJECT" \
    "$BASE/api/agent/v1/sessions/list/?agent_id=$AGENT" &
  STALLED_PIDS+=($!)
done
# The warm-up brings every worker, pooled connection and allocator arena the
# load needs into being before memory is compared.
wrk -t2 -c16 -d"${SOAK_WARMUP:-90}s" -s "$WORK/soak.lua" "$BASE" > /dev/null
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$SERVER/status"; }

say "== soak: ${SECONDS_TO_RUN} s of mixed load (wrk -t2 -c16)"
# RSS is compared under the same load at both ends: 10 s into the run and
# 2 s before its end (between two wrk runs, with every connection closed,
# the allocator gives memory back and the start would read low), and taken
# every tenth of the run besides: a plateau or a slope.
rm -f "$WORK/soak-rss-start" "$WORK/soak-rss-end" "$WORK/soak-rss.txt"
(
  # Each sample at a fixed time from the start, never after wrk ends.
  started=$(date +%s)
  at() { local wait=$(( $1 - ($(date +%s) - started) )); [ "$wait" -gt 0 ] && sleep "$wait"; return 0; }
  at 10; rss_kb > "$WORK/soak-rss-start"
  for n in $(seq 1 9); do
    at $(( SECONDS_TO_RUN * n / 10 )); awk '/VmRSS/ {printf "%.1f ", $2 / 1024}' "/proc/$SERVER/status"
  done
  at $(( SECONDS_TO_RUN - 2 )); rss_kb > "$WORK/soak-rss-end"
) > "$WORK/soak-rss.txt" &
SAMPLER=$!
wrk -t2 -c16 -d"${SECONDS_TO_RUN}s" --latency -s "$WORK/soak.lua" "$BASE" > "$WORK/soak-wrk.txt"
wait "$SAMPLER" || { say "the RSS sampler failed"; exit 1; }
RSS_START_KB=$(cat "$WORK/soak-rss-start")
RSS_END_KB=$(cat "$WORK/soak-rss-end")
say "RSS (MB) every tenth of the run: $(cat "$WORK/soak-rss.txt")"
python3 - "$WORK/soak-wrk.txt" "$RSS_START_KB" "$RSS_END_KB" "$SECONDS_TO_RUN" "$STALLED" <<'PY'
import re, sys
text, start, end, seconds, stalled = open(sys.argv[1]).read(), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
def ms(label):
    m = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    v, unit = float(m.group(1)), m.group(2)
    return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v
unexpected = sum(int(n) for n in re.findall(r"UNEXPECTED (\d+)", text))
total = int(re.search(r"(\d+) requests in", text).group(1))
growth = (end - start) / start * 100
print(f"soak: {seconds} s, {total} requests (mixed), {stalled} stalled whole-list readers")
print(f"unexpected answers: {unexpected} (goal 0: {'met' if unexpected == 0 else 'NOT met'})")
print(f"p50 {ms(50):.2f} ms, p99 {ms(99):.2f} ms")
print(f"server RSS under load: {start / 1024:.1f} MB 10 s in, {end / 1024:.1f} MB 2 s before the end: {growth:+.1f} % (goal < 10 %: {'met' if growth < 10 else 'NOT met'})")
PY
psql -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >&2 || true
