#!/usr/bin/env bash
# `make ha-check`: starts the HA cluster when it is not up, then drives load
# through HAProxy while the primary is lost twice: killed outright (SIGKILL
# to every process of its node), then cut off the network (iptables), each
# time brought back as the new primary's standby (ha/check.py says how).
# Prints what the clients saw and exits 1 when a session whose creation
# answered 200 is missing afterwards, or a request answered 500.
set -euo pipefail
cd "$(dirname "$0")/.."
source ha/common.sh

[ -f "$DIR/haproxy.pid" ] && kill -0 "$(cat "$DIR/haproxy.pid")" 2>/dev/null || bash ha/up.sh > /dev/null
wait_healthy 120

TOKEN=$(sed -n "s/.*X-OTAS-USER-TOKEN: \([^']*\)'.*/\1/p" "$DIR/demo.txt")
PROJECT=$(sed -n "s/.*X-OTAS-PROJECT-ID: \([^']*\)'.*/\1/p" "$DIR/demo.txt")
AGENT=$(sed -n "s/.*agent_id=\([0-9a-f-]*\)&.*/\1/p" "$DIR/demo.txt")
KEY=$(sed -n "s/.*X-OTAS-AGENT-KEY: \([^']*\)'.*/\1/p" "$DIR/demo.txt" | head -1)

python3 ha/check.py "$LB_PORT" "$REPLICA_BASE" "$TOKEN" "$PROJECT" "$AGENT" "$KEY" | tee "$DIR/check.txt"
