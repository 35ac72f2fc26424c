#!/usr/bin/env bash
# wsgate soak: one gateway, 20 minutes of mixed traffic through a route with WebSocketAuth (JWT),
# FrameInspection (max-size, json, deny) and KeepAlive, on one machine over loopback.
#
#   bench/soak.sh                    full run: 20 minutes; writes its figures and plot into
#                                    docs/reliability.md and docs/soak.svg
#   SOAK_DURATION=120 bench/soak.sh  a shorter run; its report stays in bench/results/
#
# The traffic (bench/soak.mjs load): steady connections echoing JSON text and binary messages,
# bursts of 100 messages on them, connections echoing 256 KiB - 2 MiB messages (a third of them
# fragmented), and churn: new connections every second that end in every documented way (client
# close 1000 and 4000-4999, backend close, client gone without a close, policy deny, invalid
# JSON, oversized, no token, bad signature, token expiry, unresponsive to keep-alive pings), each
# checked on the client and on the backend. Every echo is compared byte for byte and in order.
# Every SOAK_INTERVAL seconds one JSON line: connections, round trips, errors, RSS, PSS, heap
# after a full GC, Netty direct memory, fds. Pass: 0 errors, and PSS and fds flat over the last
# 15 minutes (bench/soak.mjs report; RSS is shown, not judged: ZGC's multi-mapped heap inflates it). Exit status 0 when passed, 1 when failed.
#
# Environment (all optional):
#   SOAK_DURATION=1200 SOAK_INTERVAL=30   seconds
#   SOAK_STEADY=200 SOAK_STEADY_PERIOD_MS=200 SOAK_LARGE=4 SOAK_CHURN_RATE=10
#   WSGATE_JAR=<repo>/target/wsgate-*.jar built with ./mvnw if missing
#   WSGATE_JVM_OPTS="-Xms256m -Xmx512m -XX:+UseZGC"   as bench/run.sh
#   SOAK_PORT=8090 SOAK_BACKEND_PORT=9101             must be free
#   SOAK_RESULTS=<repo>/bench/results
#   SOAK_DOC=docs/reliability.md (full-length runs only; "" for none)
# Every wait is bounded; everything started here is stopped on exit, Ctrl-C or failure.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"

SOAK_DURATION="${SOAK_DURATION:-1200}"
SOAK_INTERVAL="${SOAK_INTERVAL:-30}"
SOAK_STEADY="${SOAK_STEADY:-200}"
SOAK_STEADY_PERIOD_MS="${SOAK_STEADY_PERIOD_MS:-200}"
SOAK_LARGE="${SOAK_LARGE:-4}"
SOAK_CHURN_RATE="${SOAK_CHURN_RATE:-10}"
SOAK_PORT="${SOAK_PORT:-8090}"
SOAK_BACKEND_PORT="${SOAK_BACKEND_PORT:-9101}"
SOAK_RESULTS="${SOAK_RESULTS:-$REPO/bench/results}"
WSGATE_JVM_OPTS="${WSGATE_JVM_OPTS:--Xms256m -Xmx512m -XX:+UseZGC}"
if [ -z "${SOAK_DOC+x}" ]; then
  if [ "$SOAK_DURATION" -ge 1200 ]; then SOAK_DOC="$REPO/docs/reliability.md"; else SOAK_DOC=""; fi
fi

die() { echo "soak: $*" >&2; exit 1; }
note() { echo "soak: $*" >&2; }
for c in node npm java jcmd curl timeout; do command -v "$c" >/dev/null || die "$c is required"; done
[ "$SOAK_DURATION" -ge 60 ] || die "SOAK_DURATION must be at least 60 (seconds)"
[ "$SOAK_DURATION" -le 86400 ] || die "SOAK_DURATION must be at most 86400 (seconds)"
[ "$SOAK_INTERVAL" -ge 1 ] && [ $((SOAK_DURATION / SOAK_INTERVAL)) -ge 3 ] \
  || die "SOAK_DURATION must hold at least 3 samples of SOAK_INTERVAL ($SOAK_INTERVAL s): the trends need them"

STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$SOAK_RESULTS"
OUT="$SOAK_RESULTS/soak-$STAMP"
WORK="$(mktemp -d)"
BACKEND_PID=""
WSGATE_PID=""
cleanup() {
  [ -n "$WSGATE_PID" ] && kill "$WSGATE_PID" 2>/dev/null && timeout 40 tail --pid="$WSGATE_PID" -f /dev/null || true
  [ -n "$BACKEND_PID" ] && kill "$BACKEND_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# the ws package (src/test/node's, pinned) and the jar
# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"
ensure_test_node_modules
JAR="$(wsgate_jar)"
for p in "$SOAK_PORT" "$SOAK_BACKEND_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then die "port $p is in use (SOAK_PORT / SOAK_BACKEND_PORT)"; fi
done
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# secrets for this run only: the route's JWT key and the management password
SECRET="$(head -c 48 /dev/urandom | base64 | tr -d '/+=\n' | head -c 48)"
PASSWORD="$(head -c 24 /dev/urandom | base64 | tr -d '/+=\n')"
cat >"$WORK/soak.yml" <<EOF
spring:
  security:
    user:
      name: soak
      password: "$PASSWORD"
  cloud:
    gateway:
      server:
        webflux:
          routes:
            - id: soak
              uri: ws://127.0.0.1:$SOAK_BACKEND_PORT
              predicates:
                - Path=/soak/**
              filters:
                - MaxMessageSize=8MB
                - name: WebSocketAuth
                  args:
                    jwt:
                      secret: "$SECRET"
                      clock-skew: 1s
                    token-sources: header, query, protocol
                - name: FrameInspection
                  args:
                    inbound:
                      - type: max-size
                        size: 4MB
                      - type: json
                      - type: deny
                        patterns:
                          - forbidden-word
                - KeepAlive=5s,3s
wsgate:
  demo:
    enabled: false
  websocket:
    max-connections: 5000
  server:
    max-connections-per-client: 0
EOF

node "$HERE/soak.mjs" backend --port "$SOAK_BACKEND_PORT" 2>"$OUT-backend.log" &
BACKEND_PID=$!

read -ra JVM_OPTS <<<"$WSGATE_JVM_OPTS"
note "gateway: java ${WSGATE_JVM_OPTS} -jar $(basename "$JAR") on 127.0.0.1:$SOAK_PORT; log $OUT-gateway.log"
java "${JVM_OPTS[@]}" -jar "$JAR" --server.address=127.0.0.1 --server.port="$SOAK_PORT" \
  --spring.config.additional-location="file:$WORK/soak.yml" --wsgate.routes.store=memory >"$OUT-gateway.log" 2>&1 &
WSGATE_PID=$!
await_ready "$SOAK_PORT" "$WSGATE_PID" "$OUT-gateway.log"

note "soaking for $SOAK_DURATION s (a line every $SOAK_INTERVAL s in $OUT.jsonl)"
timeout $((SOAK_DURATION + 300)) node "$HERE/soak.mjs" load --url "ws://127.0.0.1:$SOAK_PORT/soak" --secret "$SECRET" \
  --duration "$SOAK_DURATION" --interval "$SOAK_INTERVAL" --steady "$SOAK_STEADY" \
  --steady-period-ms "$SOAK_STEADY_PERIOD_MS" --large "$SOAK_LARGE" --churn-rate "$SOAK_CHURN_RATE" \
  --backend "http://127.0.0.1:$SOAK_BACKEND_PORT" --gateway "http://127.0.0.1:$SOAK_PORT" \
  --pid "$WSGATE_PID" --user soak --password "$PASSWORD" | tee "$OUT.jsonl" \
  || die "the load generator failed; see $OUT.jsonl"

set +e
node "$HERE/soak.mjs" report "$OUT.jsonl" --md "$OUT.md" --svg "$OUT.svg" >/dev/null
verdict=$?
set -e
cat "$OUT.md"
if [ -n "$SOAK_DOC" ]; then
  cp "$OUT.svg" "$REPO/docs/soak.svg"
  # the block between the soak markers of SOAK_DOC becomes this run's report
  node -e '
    const fs = require("fs");
    const [doc, md, stamp, jvm] = process.argv.slice(1);
    const text = fs.readFileSync(doc, "utf8");
    const begin = "<!-- soak:begin -->", end = "<!-- soak:end -->";
    const i = text.indexOf(begin), j = text.indexOf(end);
    if (i < 0 || j < i) { console.error(`soak: ${doc} has no ${begin} ... ${end} block`); process.exit(1); }
    const block = `${begin}\nRun ${stamp} (bench/soak.sh, JVM options ${jvm}):\n\n${fs.readFileSync(md, "utf8")}\n![the soak run](soak.svg)\n`;
    fs.writeFileSync(doc, text.slice(0, i) + block + text.slice(j));
  ' "$SOAK_DOC" "$OUT.md" "$STAMP" "$WSGATE_JVM_OPTS"
  note "wrote the report into $SOAK_DOC and docs/soak.svg"
fi
note "results: $OUT.jsonl, $OUT.md, $OUT.svg"
exit "$verdict"
