#!/usr/bin/env bash
# Figures for docs/security.md: one hostile key, a flood of invented methods.
set -u
cd "$(dirname "$0")/.."
WORK=$(mktemp -d /tmp/otas-security.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
BIN=${BIN:-$(ls target/release/otas-server 2>/dev/null || echo target/debug/otas-server)}
export JWT_SECRET=some-jwt-secret OTAS__SERVER__PORT=18099 DATABASE_URL=sqlite://${WORK}/otas.db OTAS__LOG__LEVEL=warn
$BIN migrate --create-database >/dev/null 2>&1; $BIN seed-demo >/dev/null 2>&1
$BIN serve >${WORK}/log 2>&1 & pid=$!
for i in $(seq 50); do curl -s -o /dev/null localhost:18099/healthz && break; sleep 0.2; done
rss() { awk '/VmRSS/ {print $2}' /proc/$pid/status; }
curl -s -o /dev/null -X POST localhost:18099/api/agent/v1/session/create/ -H 'X-OTAS-AGENT-KEY: agent_a_b' 
before=$(rss)
key="agent_x$(head -c 100000 /dev/zero | tr '\0' _)y"
start=$(date +%s%N)
for i in $(seq 20); do curl -s -o /dev/null -w '%{http_code}\n' -X POST localhost:18099/api/agent/v1/session/create/ -H "X-OTAS-AGENT-KEY: $key"; done | sort | uniq -c
end=$(date +%s%N)
echo "100,000-underscore key x20: RSS ${before} -> $(rss) KiB, $(( (end-start)/20000000 )) ms per request (curl included)"
m0=$(curl -s localhost:18099/metrics | grep -c '^otas_http_requests_total{')
for i in $(seq 300); do curl -s -o /dev/null -X "INVENTED$i" localhost:18099/api/agent/v1/sessions/list/; done
m1=$(curl -s localhost:18099/metrics | grep -c '^otas_http_requests_total{')
echo "300 invented methods: otas_http_requests_total series $m0 -> $m1"
kill $pid; wait $pid 2>/dev/null
