#!/usr/bin/env bash
# What FrameInspection costs: echo throughput through a plain route and through routes with
# hooks on both directions, in one run, with the shared harness's backend.mjs and loadgen.mjs.
#
#   bench/inspection.sh          ~3 minutes on an idle machine; JSON lines to
#                                bench/results/<timestamp>-inspection.jsonl
#
# Routes (one wsgate, one backend):
#   /plain      no inspection
#   /checked    inbound and outbound: max-size 1MB, json
#   /denied     inbound and outbound: max-size 1MB, deny (?i)drop\s+table
# The harness's payloads are not JSON ("<seq>.<id>.<time>.abc..."), so the text runs use the
# deny chain (a regular expression over every message) and the json chain is measured with
# binary messages, which json passes without parsing: that run measures joining, the chain
# and re-encoding. Environment: BENCH_HARNESS, WSGATE_JAR, WSGATE_JVM_OPTS, BACKEND_PORT (9101),
# WSGATE_PORT (8090), DURATION (10).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
BENCH_HARNESS="${BENCH_HARNESS:-$REPO/../shared/bench}"
WSGATE_JAR="${WSGATE_JAR:-$(ls "$REPO"/target/wsgate-*.jar 2>/dev/null | head -1)}"
WSGATE_JVM_OPTS="${WSGATE_JVM_OPTS:--Xms256m -Xmx512m -XX:+UseZGC}"
BACKEND_PORT="${BACKEND_PORT:-9101}"
WSGATE_PORT="${WSGATE_PORT:-8090}"
DURATION="${DURATION:-10}"
[ -f "$WSGATE_JAR" ] || { echo "no jar: ./mvnw -DskipTests package" >&2; exit 1; }
WORK="$(mktemp -d)"
cp -r "$BENCH_HARNESS"/. "$WORK"/
[ -d "$WORK/node_modules/ws" ] || (cd "$WORK" && npm ci --silent >/dev/null)
mkdir -p "$REPO/bench/results"
OUT="$REPO/bench/results/$(date -u +%Y%m%dT%H%M%SZ)-inspection.jsonl"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

node "$WORK/backend.mjs" --port "$BACKEND_PORT" --lifetime 900 >/dev/null 2>&1 &
PIDS+=($!)
R=spring.cloud.gateway.server.webflux.routes
B="ws://127.0.0.1:$BACKEND_PORT"
chain() { # chain INDEX SECOND_HOOK_ARGS...: max-size 1MB then the given hook, both directions
  local i="$1"; shift
  for d in inbound outbound; do
    echo "--$R[$i].filters[0].args.$d[0].type=max-size" "--$R[$i].filters[0].args.$d[0].size=1MB"
    for a in "$@"; do echo "--$R[$i].filters[0].args.$d[1].$a"; done
  done
}
# shellcheck disable=SC2046
java $WSGATE_JVM_OPTS -jar "$WSGATE_JAR" --server.port="$WSGATE_PORT" --wsgate.demo.enabled=false \
  --logging.level.io.wsgate.connections=WARN \
  --"$R[0].id=plain" --"$R[0].uri=$B" --"$R[0].predicates[0]=Path=/plain/**" \
  --"$R[1].id=checked" --"$R[1].uri=$B" --"$R[1].predicates[0]=Path=/checked/**" \
  --"$R[1].filters[0].name=FrameInspection" $(chain 1 type=json) \
  --"$R[2].id=denied" --"$R[2].uri=$B" --"$R[2].predicates[0]=Path=/denied/**" \
  --"$R[2].filters[0].name=FrameInspection" $(chain 2 type=deny 'patterns[0]=(?i)drop\s+table') \
  >"$OUT.wsgate.log" 2>&1 &
WSGATE_PID=$!
PIDS+=($WSGATE_PID)
for _ in $(seq 1 60); do
  (exec 3<>"/dev/tcp/127.0.0.1/$WSGATE_PORT") 2>/dev/null && break
  sleep 0.5
done
echo "wsgate pid $WSGATE_PID up" >&2

run() { # run LABEL PATH [--binary] [--duration N]
  local label="$1" path="$2"; shift 2
  timeout 120 node "$WORK/loadgen.mjs" --mode echo --url "ws://127.0.0.1:$WSGATE_PORT$path" --label "$label" \
    --conns 50 --size 64 --window 8 --warmup 2 --cpu-pids "wsgate=$WSGATE_PID" "$@" 2>/dev/null | grep '^{' || true
}
# JIT warm-up, not recorded
for p in /plain/w /checked/w /denied/w; do run warmup "$p" --binary --duration 8 >/dev/null; run warmup "$p" --duration 5 >/dev/null; done
for round in 1 2; do
  run plain-binary /plain/b --binary --duration "$DURATION" | tee -a "$OUT"
  run checked-binary /checked/b --binary --duration "$DURATION" | tee -a "$OUT"
  run plain-text /plain/t --duration "$DURATION" | tee -a "$OUT"
  run denied-text /denied/t --duration "$DURATION" | tee -a "$OUT"
done
echo "results: $OUT" >&2
