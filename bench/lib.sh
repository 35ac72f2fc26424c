# Shared by bench/soak.sh and bench/bridge.sh (sourced; they define die and REPO first).

# The ws package of src/test/node, which the load generators load from there.
ensure_test_node_modules() {
  if [ ! -d "$REPO/src/test/node/node_modules/ws" ]; then
    (cd "$REPO/src/test/node" && timeout 300 npm ci --no-audit --no-fund --silent) || die "npm ci in src/test/node failed"
  fi
}

# Prints the gateway's jar: WSGATE_JAR, else target/wsgate-*.jar, built with ./mvnw if missing.
wsgate_jar() {
  local jar="${WSGATE_JAR:-$(ls "$REPO"/target/wsgate-*.jar 2>/dev/null | grep -v original | head -1 || true)}"
  if [ -z "$jar" ]; then
    echo "building the jar (./mvnw package -DskipTests)" >&2
    (cd "$REPO" && timeout 900 ./mvnw -q package -DskipTests) >&2 || die "build failed"
    jar="$(ls "$REPO"/target/wsgate-*.jar | grep -v original | head -1)"
  fi
  echo "$jar"
}

# Waits up to 120 s for the gateway on 127.0.0.1:PORT (process PID, console LOG) to be ready.
await_ready() {
  local port="$1" pid="$2" log="$3"
  for _ in $(seq 1 120); do
    curl -s --max-time 1 "http://127.0.0.1:$port/actuator/health/readiness" 2>/dev/null | grep -q '"status":"UP"' && return 0
    kill -0 "$pid" 2>/dev/null || die "the gateway exited; see $log"
    sleep 1
  done
  die "the gateway was not ready within 120 s; see $log"
}
