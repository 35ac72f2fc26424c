#!/usr/bin/env bash
# WebSocketBridge benchmarks, in one run on this machine (client, service and gateways share it):
#   1. round trips through a bridged route vs the same POSTs sent to the service directly
#      (BRIDGE_CLIENTS clients, one round trip at a time each, BRIDGE_DURATION seconds each);
#   2. fan-out of one message to BRIDGE_CONNECTIONS connections through the connections API,
#      BRIDGE_ROUNDS times: on one replica, then on two replicas sharing a redis-server.
# Prints one JSON line per measurement and a Markdown table with the ratios; results are kept
# in bench/results/bridge-<stamp>.jsonl. Needs java, node, curl and redis-server.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
BRIDGE_CLIENTS="${BRIDGE_CLIENTS:-50}"
BRIDGE_DURATION="${BRIDGE_DURATION:-20}"
BRIDGE_CONNECTIONS="${BRIDGE_CONNECTIONS:-5000}"
BRIDGE_ROUNDS="${BRIDGE_ROUNDS:-10}"
PORT_A="${BRIDGE_PORT_A:-8191}"
PORT_B="${BRIDGE_PORT_B:-8192}"
SERVICE_PORT="${BRIDGE_SERVICE_PORT:-9401}"
REDIS_PORT="${BRIDGE_REDIS_PORT:-6391}"
RESULTS="${BRIDGE_RESULTS:-$REPO/bench/results}"
WSGATE_JVM_OPTS="${WSGATE_JVM_OPTS:--Xms256m -Xmx1g -XX:+UseZGC}"

die() { echo "bridge: $*" >&2; exit 1; }
note() { echo "bridge: $*" >&2; }
for c in node java curl redis-server; do command -v "$c" >/dev/null || die "$c is required"; done
for p in "$PORT_A" "$PORT_B" "$SERVICE_PORT" "$REDIS_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then die "port $p is in use"; fi
done
# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"
ensure_test_node_modules
JAR="$(wsgate_jar)"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$RESULTS"
OUT="$RESULTS/bridge-$STAMP"
WORK="$(mktemp -d)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do timeout 30 tail --pid="$pid" -f /dev/null 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PASSWORD="$(head -c 24 /dev/urandom | base64 | tr -d '/+=\n')"
cat >"$WORK/bridge.yml" <<YML
spring:
  security:
    user:
      name: bench
      password: "$PASSWORD"
  data:
    redis:
      port: $REDIS_PORT
  cloud:
    gateway:
      server:
        webflux:
          routes:
            - id: bridge
              uri: http://127.0.0.1:$SERVICE_PORT
              predicates:
                - Path=/bridge
              filters:
                - name: WebSocketBridge
                  args:
                    route-selection: /action
                    routes:
                      echo: /echo
                    default: /echo
wsgate:
  demo:
    enabled: false
  websocket:
    max-connections: 12000
  server:
    max-connections-per-client: 0
  warmup:
    enabled: false
YML

node "$HERE/bridge.mjs" service --port "$SERVICE_PORT" 2>"$OUT-service.log" &
PIDS+=($!)

start_gateway() { # name port extra-args...
  local name="$1" port="$2"; shift 2
  read -ra JVM_OPTS <<<"$WSGATE_JVM_OPTS"
  java "${JVM_OPTS[@]}" -jar "$JAR" --server.address=127.0.0.1 --server.port="$port" \
    --spring.config.additional-location="file:$WORK/bridge.yml" --wsgate.routes.store=memory "$@" \
    >"$OUT-$name.log" 2>&1 &
  PIDS+=($!)
  await_ready "$port" "$!" "$OUT-$name.log"
}
stop_gateways() {
  for pid in "${PIDS[@]:1}"; do kill "$pid" 2>/dev/null || true; timeout 30 tail --pid="$pid" -f /dev/null || true; done
  PIDS=("${PIDS[0]}")
}

note "one gateway on $PORT_A"
start_gateway a "$PORT_A"
# warm both paths a little so that the figures are not the JIT's
node "$HERE/bridge.mjs" roundtrip --ws "ws://127.0.0.1:$PORT_A/bridge" --clients 10 --duration 5 >/dev/null
node "$HERE/bridge.mjs" roundtrip --http "http://127.0.0.1:$SERVICE_PORT/echo" --clients 10 --duration 5 >/dev/null
node "$HERE/bridge.mjs" roundtrip --http "http://127.0.0.1:$SERVICE_PORT/echo" --clients "$BRIDGE_CLIENTS" \
  --duration "$BRIDGE_DURATION" | tee -a "$OUT.jsonl"
node "$HERE/bridge.mjs" roundtrip --ws "ws://127.0.0.1:$PORT_A/bridge" --clients "$BRIDGE_CLIENTS" \
  --duration "$BRIDGE_DURATION" | tee -a "$OUT.jsonl"
node "$HERE/bridge.mjs" fanout --ws "ws://127.0.0.1:$PORT_A/bridge" --connections "$BRIDGE_CONNECTIONS" \
  --rounds "$BRIDGE_ROUNDS" --api "http://127.0.0.1:$PORT_A" --user bench --password "$PASSWORD" | tee -a "$OUT.jsonl"
stop_gateways

note "two gateways on $PORT_A and $PORT_B, one redis-server on $REDIS_PORT"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no >"$OUT-redis.log" 2>&1 &
PIDS+=($!)
start_gateway a "$PORT_A" --wsgate.cluster.enabled=true --wsgate.cluster.replica-id=a
start_gateway b "$PORT_B" --wsgate.cluster.enabled=true --wsgate.cluster.replica-id=b
node "$HERE/bridge.mjs" fanout --ws "ws://127.0.0.1:$PORT_A/bridge" --ws "ws://127.0.0.1:$PORT_B/bridge" \
  --connections "$BRIDGE_CONNECTIONS" --rounds "$BRIDGE_ROUNDS" --api "http://127.0.0.1:$PORT_A" \
  --user bench --password "$PASSWORD" | tee -a "$OUT.jsonl"

node - "$OUT.jsonl" <<'JS'
const lines = require('fs').readFileSync(process.argv[2], 'utf8').trim().split('\n').map(JSON.parse);
const direct = lines.find((l) => l.mode === 'direct');
const bridge = lines.find((l) => l.mode === 'bridge');
const fan = lines.filter((l) => l.connections);
const r = (a, b) => (a / b).toFixed(2);
console.log(`\n| round trip (${bridge.clients} clients) | per second | p50 | p99 |`);
console.log('| --- | --- | --- | --- |');
console.log(`| POST to the service directly | ${direct.perSecond} | ${direct.p50Ms} ms | ${direct.p99Ms} ms |`);
console.log(`| message through WebSocketBridge | ${bridge.perSecond} | ${bridge.p50Ms} ms | ${bridge.p99Ms} ms |`);
console.log(`| bridge / direct | ${r(bridge.perSecond, direct.perSecond)} | ${r(bridge.p50Ms, direct.p50Ms)} | ${r(bridge.p99Ms, direct.p99Ms)} |`);
console.log(`\n| fan-out to ${fan[0].connections} connections (${fan[0].fanouts} times) | delivery p50 | delivery p99 | last delivery p50 | last delivery p99 |`);
console.log('| --- | --- | --- | --- | --- |');
for (const f of fan) console.log(`| ${f.replicas} replica${f.replicas > 1 ? 's' : ''} | ${f.p50Ms} ms | ${f.p99Ms} ms | ${f.lastP50Ms} ms | ${f.lastP99Ms} ms |`);
JS
