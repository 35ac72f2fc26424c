#!/usr/bin/env bash
# The RFC 6455 conformance suite, direct and through wsgate, in one command. Builds nothing:
# it takes the gateway jar as WSGATE_JAR (default: the newest target/wsgate-*.jar), starts the
# reference backend (backend.mjs) and the gateway on free loopback ports, waits until the
# gateway is ready, runs suite.mjs and stops both processes however it ends.
#
#   src/test/node/conformance/run.sh            # every case; writes docs/conformance.md
#   src/test/node/conformance/run.sh --short    # a subset of every group (about a minute); no report
#   src/test/node/conformance/run.sh --group 5  # any other suite.mjs arguments are passed on
#
# Environment: WSGATE_JAR (the jar), CONFORMANCE_REPORT (the report's path; default
# docs/conformance.md for a full run, none with --short), CONFORMANCE_JSON (a JSON-lines file
# of every case's observations), CONFORMANCE_LOGS (a directory to keep the backend's and the
# gateway's logs in; default: a temporary one, removed at the end).
# Exit status: suite.mjs's (non-zero when a case is DIFF or crashed), or 3 if the set-up failed.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../../.." && pwd)"

die() { echo "run.sh: $*" >&2; exit 3; }

for c in node java curl; do command -v "$c" >/dev/null || die "$c is required"; done

JAR="${WSGATE_JAR:-}"
if [ -z "$JAR" ]; then
  JAR="$(ls -t "$ROOT"/target/wsgate-*.jar 2>/dev/null | head -n 1 || true)"
fi
[ -n "$JAR" ] && [ -f "$JAR" ] || die "no gateway jar: build one (./mvnw package) or set WSGATE_JAR"

if [ ! -d "$HERE/../node_modules/ws" ]; then
  (cd "$HERE/.." && npm ci --no-audit --no-fund --silent) || die "npm ci failed in src/test/node"
fi

SHORT=""
for a in "$@"; do [ "$a" = "--short" ] && SHORT=1; done
REPORT="${CONFORMANCE_REPORT-}"
if [ -z "${CONFORMANCE_REPORT+x}" ] && [ -z "$SHORT" ]; then REPORT="$ROOT/docs/conformance.md"; fi

if [ -n "${CONFORMANCE_LOGS:-}" ]; then
  LOGS="$CONFORMANCE_LOGS"; mkdir -p "$LOGS"; KEEP=1
else
  LOGS="$(mktemp -d -t wsgate-conformance.XXXXXX)"; KEEP=""
fi

BACKEND_PID=""
GATEWAY_PID=""
cleanup() {
  local status=$?
  for pid in $GATEWAY_PID $BACKEND_PID; do
    if kill -0 "$pid" 2>/dev/null; then kill "$pid" 2>/dev/null || true; fi
  done
  for pid in $GATEWAY_PID $BACKEND_PID; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
    wait "$pid" 2>/dev/null || true
  done
  if [ -z "$KEEP" ]; then rm -rf "$LOGS"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# the reference backend
node "$HERE/backend.mjs" >"$LOGS/backend.out" 2>"$LOGS/backend.err" &
BACKEND_PID=$!
BACKEND_PORT=""
for _ in $(seq 1 100); do
  BACKEND_PORT="$(sed -n 's/^{"port":\([0-9]*\)}$/\1/p' "$LOGS/backend.out" | head -n 1)"
  [ -n "$BACKEND_PORT" ] && break
  kill -0 "$BACKEND_PID" 2>/dev/null || die "the backend did not start: $(cat "$LOGS/backend.err")"
  sleep 0.1
done
[ -n "$BACKEND_PORT" ] || die "the backend did not print its port"

# the gateway, on a free port, in its default configuration but for the routes and their size limit
GATEWAY_PORT="$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
R='--spring.cloud.gateway.server.webflux.routes'
java -Xms256m -Xmx512m -jar "$JAR" \
  --server.port="$GATEWAY_PORT" --server.address=127.0.0.1 \
  --wsgate.demo.enabled=false --wsgate.warmup.enabled=false \
  --spring.security.user.password=conformance \
  --wsgate.routes.store=memory \
  "$R[0].id=conformance" \
  "$R[0].uri=ws://127.0.0.1:$BACKEND_PORT" \
  "$R[0].predicates[0]=Path=/**" \
  "$R[0].filters[0]=MaxMessageSize=64MB" \
  "$R[0].order=10" \
  "$R[1].id=conformance-deflate" \
  "$R[1].uri=ws://127.0.0.1:$BACKEND_PORT" \
  "$R[1].predicates[0]=Path=/deflate/**" \
  "$R[1].filters[0]=MaxMessageSize=64MB" \
  "$R[1].metadata.compression=true" \
  "$R[1].order=0" \
  >"$LOGS/gateway.log" 2>&1 &
GATEWAY_PID=$!

READY=""
for _ in $(seq 1 600); do
  if curl -fsS "http://127.0.0.1:$GATEWAY_PORT/actuator/health/readiness" 2>/dev/null | grep -q '"UP"'; then READY=1; break; fi
  kill -0 "$GATEWAY_PID" 2>/dev/null || die "the gateway exited: $(tail -n 30 "$LOGS/gateway.log")"
  sleep 0.2
done
[ -n "$READY" ] || die "the gateway was not ready within 120 s: $(tail -n 30 "$LOGS/gateway.log")"

JAR_SHA="$(sha256sum "$JAR" | cut -c1-12)"
JAR_DATE="$(date -u -r "$JAR" +%Y-%m-%dT%H:%MZ)"
cd "$ROOT"
case "$REPORT" in "$ROOT"/*) REPORT="${REPORT#"$ROOT"/}";; esac
ARGS=(--direct "ws://127.0.0.1:$BACKEND_PORT/conformance"
  --proxied "ws://127.0.0.1:$GATEWAY_PORT/conformance"
  --proxied-deflate "ws://127.0.0.1:$GATEWAY_PORT/deflate/conformance"
  --gateway-name "$(basename "$JAR") (sha256 $JAR_SHA..., file dated $JAR_DATE)")
[ -n "$REPORT" ] && ARGS+=(--report "$REPORT")
[ -n "${CONFORMANCE_JSON:-}" ] && ARGS+=(--json "$CONFORMANCE_JSON")

set +e
node src/test/node/conformance/suite.mjs "${ARGS[@]}" "$@"
STATUS=$?
set -e
if [ "$STATUS" -ne 0 ] && [ -n "$KEEP" ]; then echo "run.sh: logs in $LOGS" >&2; fi
exit "$STATUS"
